"""risks.selectors: scores as at a day and band counts, worked out by the database."""

import datetime
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from risks.models import Risk, RiskCategory, RiskReview, ScoreBand
from risks.scoring import band_for
from risks.selectors import count_by_band, open_risks_by_band, risks_as_at
from tests import factories

DAY = datetime.date(2019, 3, 31)


def as_at_in_python(day: datetime.date) -> dict[str, tuple]:
    """(likelihood, consequence, last review date) per open risk, from the rows in Python."""
    found = {}
    for risk in Risk.objects.filter(status=Risk.Status.OPEN, date_raised__lte=day):
        reviews = sorted(
            (review for review in risk.reviews.all() if review.reviewed_on <= day),
            key=lambda review: (review.reviewed_on, review.id),
        )
        first = min(
            risk.reviews.all(), key=lambda review: (review.reviewed_on, review.id), default=None
        )
        if reviews:
            latest = reviews[-1]
            found[risk.reference] = (latest.likelihood, latest.consequence, latest.reviewed_on)
        elif first:
            # Not reviewed by then: the score it was first given, which later reviews keep.
            found[risk.reference] = (first.likelihood, first.consequence, None)
        else:
            found[risk.reference] = (risk.current_likelihood, risk.current_consequence, None)
    return found


def as_at_in_sql(day: datetime.date) -> dict[str, tuple]:
    return {
        reference: (likelihood, consequence, reviewed_on)
        for reference, likelihood, consequence, reviewed_on in risks_as_at(day).values_list(
            "reference", "likelihood_then", "consequence_then", "last_reviewed_on_then"
        )
    }


def test_scores_as_at_each_quarter_end_agree_with_the_reviews(programme_data):
    for day in (
        datetime.date(2018, 9, 30),
        datetime.date(2018, 12, 31),
        DAY,
        datetime.date(2019, 6, 30),
    ):
        assert as_at_in_sql(day) == as_at_in_python(day), day


def test_the_latest_review_of_a_day_is_the_last_recorded(db):
    risk = factories.open_risk(current_likelihood=5, current_consequence=5)
    first = RiskReview.objects.create(risk=risk, reviewed_on=DAY, likelihood=2, consequence=2)
    second = RiskReview.objects.create(risk=risk, reviewed_on=DAY, likelihood=3, consequence=4)
    RiskReview.objects.create(
        risk=risk, reviewed_on=DAY + datetime.timedelta(days=1), likelihood=1, consequence=1
    )

    annotated = risks_as_at(DAY).with_previous_score_as_at(DAY).get()

    assert second.id > first.id
    assert (annotated.likelihood_then, annotated.consequence_then) == (3, 4)
    assert (annotated.score_then, annotated.previous_score_then) == (12, 4)
    assert annotated.last_reviewed_on_then == DAY


def test_a_risk_not_reviewed_by_then_has_the_score_it_was_first_given(db):
    risk = factories.open_risk(current_likelihood=2, current_consequence=5)
    RiskReview.objects.create(
        risk=risk, reviewed_on=DAY + datetime.timedelta(days=1), likelihood=1, consequence=2
    )
    # A later review moves the current score, not the score as at DAY.
    RiskReview.objects.create(
        risk=risk, reviewed_on=DAY + datetime.timedelta(days=9), likelihood=5, consequence=5
    )

    annotated = risks_as_at(DAY).with_previous_score_as_at(DAY).get()

    assert (annotated.score_then, annotated.previous_score_then) == (2, None)
    assert annotated.last_reviewed_on_then is None
    scores = Risk.objects.with_scores_as_at(then=DAY).get()
    assert scores.score_then == 2


def test_a_risk_never_reviewed_keeps_its_current_score(db):
    factories.open_risk(current_likelihood=2, current_consequence=5)

    assert risks_as_at(DAY).get().score_then == 10


def test_each_risk_is_listed_once_however_many_reviews_it_has(db):
    category = RiskCategory.objects.create(name="Workforce")
    for number in range(3):
        risk = factories.open_risk(reference=f"LC-R0{number}", category=category)
        for day in range(number + 2):
            RiskReview.objects.create(
                risk=risk,
                reviewed_on=datetime.date(2019, 1, 1 + day),
                likelihood=3,
                consequence=3,
            )

    assert risks_as_at(DAY).count() == 3
    assert sorted(risks_as_at(DAY).values_list("reference", flat=True)) == [
        "LC-R00",
        "LC-R01",
        "LC-R02",
    ]


def test_band_counts_are_counted_by_the_database_in_two_queries(programme_data):
    bands = list(ScoreBand.objects.all())
    scores = [
        likelihood * consequence for likelihood, consequence, _ in as_at_in_python(DAY).values()
    ]

    with CaptureQueriesContext(connection) as queries:
        counts = open_risks_by_band(DAY)

    assert len(queries) == 2
    assert "GROUP BY" in queries[1]["sql"]
    assert [(item.band, item.count) for item in counts] == [
        (band, sum(band_for(score, bands) == band for score in scores)) for band in bands
    ]


def test_band_counts_of_a_narrowed_register(programme_data):
    narrowed = risks_as_at(DAY).filter(locality__isnull=True)
    bands = list(ScoreBand.objects.all())

    counts = open_risks_by_band(DAY, risks=narrowed)

    expected = Counter(
        band_for(score, bands) for score in narrowed.values_list("score_then", flat=True)
    )
    assert {item.band: item.count for item in counts} == {band: expected[band] for band in bands}
    assert sum(item.count for item in counts) == 8


def test_count_by_band_adds_up_the_scores_in_each_band(programme_data):
    bands = list(ScoreBand.objects.all())

    counts = count_by_band({1: 2, 3: 1, 4: 5, 16: 1, 25: 2, None: 4}, bands)

    assert [(item.band.name, item.count) for item in counts] == [
        ("Low", 3),
        ("Moderate", 5),
        ("High", 0),
        ("Extreme", 3),
    ]
