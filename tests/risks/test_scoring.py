"""The 5 × 5 matrix: every cell's band, descriptors, trend, review frequency and overdue."""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Value

from risks import scoring
from risks.models import MitigatingAction, Risk, ScoreBand
from risks.scoring import band_expression, band_for
from tests import factories

TODAY = datetime.date(2019, 5, 1)

# The NHS 5 × 5 matrix with the NPSA bands: rows are likelihood 1–5, columns
# consequence 1–5 (L low, M moderate, H high, E extreme).
EXPECTED_MATRIX = """
L L L M M
L M M H H
L M H H E
M H H E E
M H E E E
"""
BAND_NAMES = {"L": "Low", "M": "Moderate", "H": "High", "E": "Extreme"}


@pytest.fixture
def fixture_bands(db):
    """The score bands exactly as fixtures/reference.json holds them."""
    rows = json.loads((Path(settings.BASE_DIR) / "fixtures" / "reference.json").read_text())
    for row in rows:
        if row["model"] == "risks.scoreband":
            ScoreBand.objects.create(pk=row["pk"], **row["fields"])
    return list(ScoreBand.objects.order_by("min_score"))


@pytest.fixture
def on_1_may_2019(time_machine):
    time_machine.move_to(datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.UTC), tick=False)


# --- Bands ---------------------------------------------------------------------


def test_all_25_cells_fall_in_the_npsa_bands(fixture_bands):
    expected = [
        [BAND_NAMES[letter] for letter in line.split()]
        for line in EXPECTED_MATRIX.strip().splitlines()
    ]

    in_memory = [
        [band_for(likelihood * consequence, fixture_bands).name for consequence in range(1, 6)]
        for likelihood in range(1, 6)
    ]
    names = {band.pk: band.name for band in fixture_bands}
    from_database = [
        [
            names[
                ScoreBand.objects.annotate(score=Value(likelihood * consequence))
                .annotate(band_id=band_expression(fixture_bands, score="score"))
                .values_list("band_id", flat=True)
                .first()
            ]
            for consequence in range(1, 6)
        ]
        for likelihood in range(1, 6)
    ]

    assert in_memory == expected
    assert from_database == expected


def test_the_fixture_bands_are_the_npsa_defaults_with_our_review_frequencies(fixture_bands):
    assert [
        (band.name, band.min_score, band.max_score, band.review_every_days)
        for band in fixture_bands
    ] == [
        ("Low", 1, 3, 180),
        ("Moderate", 4, 6, 90),
        ("High", 8, 12, 30),
        ("Extreme", 15, 25, 30),
    ]


def test_an_unscored_risk_has_no_band(fixture_bands):
    assert band_for(None, fixture_bands) is None


# --- Descriptors -----------------------------------------------------------------


def test_choices_carry_the_level_descriptors():
    assert scoring.LIKELIHOOD_CHOICES[3] == (
        4,
        "4 – Likely: will probably happen, but it is not a persisting issue",
    )
    assert scoring.CONSEQUENCE_CHOICES[0] == (
        1,
        "1 – Negligible: minimal impact; no service disruption",
    )
    assert [value for value, _ in scoring.LIKELIHOOD_CHOICES] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("field_name", "expected"),
    [
        ("current_likelihood", scoring.LIKELIHOOD_CHOICES),
        ("target_consequence", scoring.CONSEQUENCE_CHOICES),
        ("likelihood", scoring.LIKELIHOOD_CHOICES),
        ("status", None),
    ],
)
def test_score_fields_are_recognised_by_name(field_name, expected):
    assert scoring.score_choices(field_name) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [(0, False), (1, True), (5, True), (6, False), (True, False), ("3", False), (None, False)],
)
def test_a_score_is_a_whole_number_from_1_to_5(value, valid):
    assert scoring.is_valid_score(value) is valid


# --- Trend -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "words"),
    [
        (12, 16, "↑ Rising"),
        (16, 12, "↓ Falling"),
        (12, 12, "→ No change"),
        (None, 12, "New (one review)"),
    ],
)
def test_trend_is_a_word_and_an_arrow(previous, current, words):
    assert scoring.trend(previous, current).words == words


# --- Review frequency and next review date ---------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "consequence", "days"),
    [(1, 3, 180), (2, 3, 90), (3, 4, 30), (5, 5, 30)],
)
def test_review_frequency_follows_the_band(fixture_bands, likelihood, consequence, days):
    risk = Risk(current_likelihood=likelihood, current_consequence=consequence)

    assert scoring.review_interval_days(risk, fixture_bands) == days
    assert scoring.next_review_date(
        risk=risk, reviewed_on=datetime.date(2019, 3, 12), bands=fixture_bands
    ) == datetime.date(2019, 3, 12) + datetime.timedelta(days=days)


def test_a_risk_may_set_its_own_review_frequency(fixture_bands):
    risk = Risk(current_likelihood=5, current_consequence=5, review_every_days=7)

    assert scoring.next_review_date(
        risk=risk, reviewed_on=datetime.date(2019, 3, 12), bands=fixture_bands
    ) == datetime.date(2019, 3, 19)


def test_an_unscored_risk_has_no_next_review(fixture_bands):
    assert (
        scoring.next_review_date(
            risk=Risk(), reviewed_on=datetime.date(2019, 3, 12), bands=fixture_bands
        )
        is None
    )


# --- Overdue, with time travel -----------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (
            datetime.datetime(2019, 4, 10, 23, 30, tzinfo=datetime.UTC),
            False,
        ),  # 00:30 BST on the 11th
        (datetime.datetime(2019, 4, 11, 22, 59, tzinfo=datetime.UTC), False),  # 23:59 BST, due day
        (datetime.datetime(2019, 4, 11, 23, 0, tzinfo=datetime.UTC), True),  # midnight BST
    ],
)
def test_a_review_is_overdue_from_the_day_after_it_was_due(time_machine, db, now, overdue):
    from django.utils import timezone

    risk = factories.open_risk(next_review_date=datetime.date(2019, 4, 11))
    time_machine.move_to(now, tick=False)
    today = timezone.localdate()

    assert scoring.is_review_overdue(risk, today) is overdue
    assert Risk.objects.review_overdue(today).filter(pk=risk.pk).exists() is overdue


@pytest.mark.parametrize("status", [Risk.Status.CLOSED, Risk.Status.PROPOSED, Risk.Status.REJECTED])
def test_only_open_risks_are_overdue(db, status):
    risk = factories.open_risk(
        next_review_date=datetime.date(2019, 4, 11),
        status=status,
        closing_note="Done.",
        rejection_reason="Duplicate.",
    )

    assert not scoring.is_review_overdue(risk, TODAY)
    assert not Risk.objects.review_overdue(TODAY).exists()


def test_a_risk_without_a_review_date_is_not_overdue(db):
    risk = factories.open_risk(next_review_date=None)

    assert not scoring.is_review_overdue(risk, TODAY)


def test_fixture_risks_overdue_on_1_may_2019(programme_data, on_1_may_2019):
    from django.utils import timezone

    overdue = set(
        Risk.objects.review_overdue(timezone.localdate()).values_list("reference", flat=True)
    )

    # Monthly (high/extreme) risks last reviewed on 12 March 2019 were due on
    # 11 April; the moderate ones (quarterly) are not due until 10 June.
    assert "LC-R01" in overdue
    assert "LC-R06" not in overdue
    assert "LC-R08" not in overdue


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (datetime.date(2019, 4, 30), MitigatingAction.Status.IN_PROGRESS, True),
        (datetime.date(2019, 4, 30), MitigatingAction.Status.COMPLETE, False),
        (datetime.date(2019, 5, 1), MitigatingAction.Status.NOT_STARTED, False),
        (None, MitigatingAction.Status.NOT_STARTED, False),
    ],
)
def test_an_action_is_overdue_past_its_due_date_until_complete(due, status, overdue):
    action = MitigatingAction(due_date=due, status=status)

    assert scoring.is_action_overdue(action, TODAY) is overdue


# --- Shared rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target", "worse"),
    [(12, 16, True), (12, 12, False), (12, 4, False), (None, 16, False), (12, None, False)],
)
def test_a_target_above_the_current_score_is_worse(current, target, worse):
    assert scoring.target_is_worse(current=current, target=target) is worse


@pytest.mark.parametrize(
    ("reviewed_on", "message"),
    [
        (
            datetime.date(2018, 6, 30),
            "A review cannot be dated before the risk was raised (1 Jul 2018).",
        ),
        (datetime.date(2018, 7, 1), None),
        (TODAY, None),
        (datetime.date(2019, 5, 2), "A review cannot be dated in the future."),
    ],
)
def test_a_review_is_dated_between_raising_and_today(reviewed_on, message):
    assert (
        scoring.review_date_error(
            reviewed_on=reviewed_on, date_raised=datetime.date(2018, 7, 1), today=TODAY
        )
        == message
    )
