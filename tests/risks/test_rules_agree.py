"""Each rule of the risk register has one owner, risks.scoring, as a Python function
and its SQL twin side by side; each test here runs both on the same rows.

The rows cover the edges: every score the 5 × 5 matrix gives (each band's
boundaries, and no score at all), bands that leave scores unbanded, a risk not
reviewed yet or not by the day, its own review frequency (and 0, which counts
as none) against its band's, a review after the day, and closed risks.
"""

import datetime
from itertools import product

import pytest

from risks.models import Risk, RiskReview, ScoreBand
from risks.scoring import (
    TREND_ORDER,
    band_expression,
    band_for,
    is_review_overdue,
    review_due,
    review_due_expression,
    trend_as_at,
    trend_order,
    trend_order_expression,
)
from tests import factories

DAY = datetime.date(2019, 3, 31)
RAISED = datetime.date(2018, 7, 1)
# One (likelihood, consequence) for each score the matrix gives:
# 1, 2, 3 | 4, 5, 6 | 8, 9, 10, 12 | 15, 16, 20, 25.
SCORES = list({lik * con: (lik, con) for lik, con in product(range(1, 6), repeat=2)}.values())


@pytest.fixture
def bands(db):
    for name, low, high, colour, days in [
        ("Low", 1, 3, ScoreBand.Colour.GREEN, 180),
        ("Moderate", 4, 6, ScoreBand.Colour.YELLOW, 90),
        ("High", 8, 12, ScoreBand.Colour.ORANGE, 30),
        ("Extreme", 15, 25, ScoreBand.Colour.RED, 14),
    ]:
        ScoreBand.objects.create(
            name=name, min_score=low, max_score=high, colour=colour, review_every_days=days
        )
    return list(ScoreBand.objects.all())


def _review(risk, on, likelihood, consequence):
    RiskReview.objects.create(
        risk=risk, reviewed_on=on, likelihood=likelihood, consequence=consequence
    )


@pytest.fixture
def register(bands):
    """Risks over every score, review history and frequency that the rules tell apart."""
    category = factories.risk_category()
    number = iter(range(1, 1000))

    def risk(**fields):
        fields.setdefault("reference", f"LC-R{next(number):03}")
        return factories.open_risk(category=category, date_raised=RAISED, **fields)

    histories = [
        [],  # not reviewed at all
        [(datetime.date(2019, 1, 10), 0)],  # one review: new
        [(datetime.date(2018, 10, 1), -1), (datetime.date(2019, 2, 1), 0)],  # rising
        [(datetime.date(2018, 10, 1), +1), (datetime.date(2019, 2, 1), 0)],  # falling
        [(datetime.date(2018, 10, 1), 0), (datetime.date(2019, 2, 1), 0)],  # steady
        [(datetime.date(2019, 5, 1), 0)],  # reviewed only after the day
    ]
    cases = [(score, [], own_days) for score, own_days in product(SCORES, [None, 0, 7])]
    cases += [
        (score, history, None) for score, history in product([(1, 3), (2, 2), (3, 5)], histories)
    ]
    for (likelihood, consequence), history, own_days in cases:
        made = risk(
            current_likelihood=likelihood,
            current_consequence=consequence,
            review_every_days=own_days,
        )
        for on, step in history:
            # A step of ±1 in likelihood moves the score (within 1–5) for the trend.
            _review(made, on, min(5, max(1, likelihood + step)), consequence)
    # Closed (after the day, and before it), and proposed with no score at all.
    risk(
        status=Risk.Status.CLOSED,
        closing_note="Mitigated.",
        closed_on=datetime.date(2019, 6, 1),
        review_every_days=45,
    )
    risk(status=Risk.Status.CLOSED, closing_note="Mitigated.", closed_on=RAISED)
    for own_days in [None, 20]:
        risk(
            status=Risk.Status.PROPOSED,
            reference=None,
            current_likelihood=None,
            current_consequence=None,
            review_every_days=own_days,
        )
    return Risk.objects.with_score_as_at(DAY).with_previous_score_as_at(DAY)


@pytest.mark.parametrize("which", ["all", "with gaps"])
def test_band_for_and_band_expression_agree(register, bands, which):
    # With the Moderate and Extreme bands left out, 4–6 and 15–25 fall in none.
    chosen = bands if which == "all" else [bands[0], bands[2]]
    rows = list(
        register.annotate(band_id=band_expression(chosen)).values_list("score_then", "band_id")
    )

    in_python = [
        (score, band.pk if (band := band_for(score, chosen)) else None) for score, _ in rows
    ]
    assert rows == in_python
    assert {score for score, _ in rows} >= {None, 3, 4, 6, 8, 12, 15, 25}
    assert {band_id for _, band_id in rows} == {band.pk for band in chosen} | {None}


def test_review_due_and_review_due_expression_agree(register, bands):
    rows = list(
        register.annotate(due=review_due_expression(bands)).values(
            "last_reviewed_on_then", "date_raised", "review_every_days", "score_then", "due"
        )
    )

    in_python = [
        review_due(
            last_reviewed_on=row["last_reviewed_on_then"],
            date_raised=row["date_raised"],
            review_every_days=row["review_every_days"],
            band=band_for(row["score_then"], bands),
        )
        for row in rows
    ]
    assert [row["due"] for row in rows] == in_python
    # The edges were there: never reviewed (from the day raised), the risk's own
    # days and the band's, and no date at all for a risk with neither.
    assert RAISED + datetime.timedelta(days=7) in in_python
    assert RAISED + datetime.timedelta(days=180) in in_python
    assert datetime.date(2019, 2, 1) + datetime.timedelta(days=14) in in_python
    assert None in in_python


def test_trend_order_and_trend_order_expression_agree(register):
    rows = list(
        register.annotate(order=trend_order_expression()).values(
            "last_reviewed_on_then", "previous_score_then", "score_then", "order"
        )
    )

    in_python = [
        trend_order(
            trend_as_at(
                last_reviewed_on=row["last_reviewed_on_then"],
                previous_score=row["previous_score_then"],
                score=row["score_then"],
            )
        )
        for row in rows
    ]
    assert [row["order"] for row in rows] == in_python
    assert set(in_python) == set(range(len(TREND_ORDER)))  # every trend, and not reviewed


def test_is_review_overdue_and_the_review_overdue_queryset_agree(register):
    """The stored next review date's rule: open, and the date passed (not on the day)."""
    dates = [None, DAY - datetime.timedelta(days=1), DAY, DAY + datetime.timedelta(days=1)]
    for index, risk in enumerate(Risk.objects.order_by("pk")):
        next_review = dates[index % len(dates)]
        if next_review is not None and next_review < risk.date_raised:
            next_review = None
        Risk.objects.filter(pk=risk.pk).update(next_review_date=next_review)
    risks = list(Risk.objects.all())

    in_sql = set(Risk.objects.review_overdue(DAY).values_list("pk", flat=True))

    assert in_sql == {risk.pk for risk in risks if is_review_overdue(risk, DAY)}
    assert in_sql
    assert {risk.status for risk in risks} >= {"open", "closed", "proposed"}
