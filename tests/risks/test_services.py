"""Writes to the register: reviews, accepting and rejecting proposals, closing,
reopening and admin edits, each checked, versioned and recorded with who did it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from risks import services
from risks.models import Risk, RiskReview, ScoreBand
from tests import factories

TODAY = datetime.date(2019, 5, 1)


@pytest.fixture
def on_1_may_2019(time_machine):
    time_machine.move_to(datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def bands(db):
    for name, low, high, colour, days in [
        ("Low", 1, 3, ScoreBand.Colour.GREEN, 180),
        ("Moderate", 4, 6, ScoreBand.Colour.YELLOW, 90),
        ("High", 8, 12, ScoreBand.Colour.ORANGE, 30),
        ("Extreme", 15, 25, ScoreBand.Colour.RED, 30),
    ]:
        ScoreBand.objects.create(
            name=name, min_score=low, max_score=high, colour=colour, review_every_days=days
        )


@pytest.fixture
def risk(bands, on_1_may_2019):
    return factories.open_risk(
        "LC-R04",
        current_likelihood=3,
        current_consequence=4,
        target_likelihood=2,
        target_consequence=3,
        next_review_date=datetime.date(2019, 4, 11),
    )


@pytest.fixture
def proposed(bands, on_1_may_2019):
    return factories.open_risk(
        None,
        title="Winter pressures pull community staff away from MDT working",
        status=Risk.Status.PROPOSED,
        category=factories.risk_category("Workforce"),
        date_raised=datetime.date(2019, 3, 25),
        current_likelihood=None,
        current_consequence=None,
        owner_role="Thanet locality Local Care lead",
    )


def messages_of(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# --- record_review ------------------------------------------------------------------


def test_a_review_sets_the_current_score_and_next_review(risk, admin_user):
    review = services.record_review(
        risk=risk,
        reviewed_on=datetime.date(2019, 4, 30),
        likelihood=4,
        consequence=4,
        note="Capital bids slipped.",
        by=admin_user,
    )

    risk.refresh_from_db()
    assert (review.reviewer, review.score, review.note) == (admin_user, 16, "Capital bids slipped.")
    assert (risk.current_likelihood, risk.current_consequence) == (4, 4)
    # 16 is extreme: reviewed monthly.
    assert risk.next_review_date == datetime.date(2019, 5, 30)
    assert risk.version == 2


def test_a_review_into_a_lower_band_reviews_less_often(risk, admin_user):
    services.record_review(
        risk=risk,
        reviewed_on=TODAY,
        likelihood=2,
        consequence=3,
        note="Investment agreed.",
        by=admin_user,
    )

    risk.refresh_from_db()
    assert risk.next_review_date == TODAY + datetime.timedelta(days=90)


def test_a_review_is_in_the_history_with_who_and_why(risk, admin_user):
    services.record_review(
        risk=risk, reviewed_on=TODAY, likelihood=4, consequence=4, note="Worse.", by=admin_user
    )

    latest = risk.history.first()
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Review of 1 May 2019 recorded: score 16"
    assert RiskReview.history.first().history_user == admin_user


def test_the_trend_follows_the_latest_two_reviews(risk, admin_user):
    for day, likelihood in [(datetime.date(2019, 4, 1), 3), (TODAY, 4)]:
        services.record_review(
            risk=risk,
            reviewed_on=day,
            likelihood=likelihood,
            consequence=4,
            note=".",
            by=admin_user,
        )

    annotated = Risk.objects.with_current_score().with_previous_score().get(pk=risk.pk)
    assert (annotated.previous_score, annotated.current_score) == (12, 16)


def test_a_back_dated_review_is_kept_but_the_latest_review_scores_the_risk(risk, admin_user):
    services.record_review(
        risk=risk, reviewed_on=TODAY, likelihood=2, consequence=2, note="Now.", by=admin_user
    )
    services.record_review(
        risk=risk,
        reviewed_on=datetime.date(2019, 4, 1),
        likelihood=5,
        consequence=5,
        note="Missed in April.",
        by=admin_user,
    )

    risk.refresh_from_db()
    assert (risk.current_likelihood, risk.current_consequence) == (2, 2)
    assert risk.reviews.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"reviewed_on": datetime.date(2018, 6, 30)},
            "reviewed_on",
            "A review cannot be dated before the risk was raised (1 Jul 2018).",
        ),
        (
            {"reviewed_on": datetime.date(2019, 5, 2)},
            "reviewed_on",
            "A review cannot be dated in the future.",
        ),
        (
            {"likelihood": 6},
            "likelihood",
            "Likelihood is scored from 1 (rare) to 5 (almost certain).",
        ),
        (
            {"consequence": 0},
            "consequence",
            "Consequence is scored from 1 (negligible) to 5 (catastrophic).",
        ),
        ({"note": "  "}, "note", "Add a note: what the review found or decided."),
    ],
)
def test_a_review_is_refused_with_a_clear_message(risk, admin_user, changes, field, message):
    arguments = {
        "reviewed_on": TODAY,
        "likelihood": 3,
        "consequence": 3,
        "note": "Reviewed.",
        **changes,
    }

    with pytest.raises(ValidationError) as refused:
        services.record_review(risk=risk, by=admin_user, **arguments)

    assert messages_of(refused.value)[field] == [message]
    risk.refresh_from_db()
    assert risk.version == 1
    assert not risk.reviews.exists()


def test_only_an_open_risk_is_reviewed(proposed, admin_user):
    with pytest.raises(ValidationError, match="only open risks can be reviewed"):
        services.record_review(
            risk=proposed, reviewed_on=TODAY, likelihood=3, consequence=3, note=".", by=admin_user
        )


def test_a_review_writes_only_the_score_not_a_stale_copy(risk, admin_user):
    """The caller's copy may be old: the review reloads the risk before writing."""
    stale_copy = Risk.objects.get(pk=risk.pk)
    Risk.objects.filter(pk=risk.pk).update(title="Renamed meanwhile")

    services.record_review(
        risk=stale_copy, reviewed_on=TODAY, likelihood=3, consequence=3, note=".", by=admin_user
    )

    risk.refresh_from_db()
    assert risk.title == "Renamed meanwhile"


# --- accept and reject proposed risks ------------------------------------------------------


def accept(proposed, by, **changes):
    arguments = {
        "reference": "LC-R14",
        "owner_role": "Thanet locality Local Care lead",
        "inherent": (4, 4),
        "current": (4, 3),
        "target": (2, 3),
        **changes,
    }
    return services.accept_proposed_risk(risk=proposed, by=by, **arguments)


def test_accepting_opens_the_risk_with_its_scores_and_a_first_review(proposed, admin_user):
    accept(proposed, admin_user)

    proposed.refresh_from_db()
    assert proposed.status == Risk.Status.OPEN
    assert proposed.reference == "LC-R14"
    assert (proposed.inherent_score, proposed.current_score_value, proposed.target_score) == (
        16,
        12,
        6,
    )
    review = proposed.reviews.get()
    assert (review.reviewed_on, review.score, review.reviewer) == (TODAY, 12, admin_user)
    assert proposed.next_review_date == TODAY + datetime.timedelta(days=30)
    latest = proposed.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "Accepted as LC-R14")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"reference": "LC-R04"},
            "reference",
            "LC-R04 is already another risk's reference: choose another.",
        ),
        ({"reference": " "}, "reference", "Give the risk a reference, such as LC-R14."),
        (
            {"owner_role": ""},
            "owner_role",
            "Name the role that owns the risk (a role, not a person).",
        ),
        (
            {"target": (2, 6)},
            "target_consequence",
            "Consequence is scored from 1 (negligible) to 5 (catastrophic).",
        ),
        (
            {"inherent": (None, 3)},
            "inherent_likelihood",
            "Likelihood is scored from 1 (rare) to 5 (almost certain).",
        ),
    ],
)
def test_accepting_is_refused_with_a_clear_message(
    risk, proposed, admin_user, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        accept(proposed, admin_user, **changes)

    assert messages_of(refused.value)[field] == [message]
    proposed.refresh_from_db()
    assert proposed.status == Risk.Status.PROPOSED


def test_only_a_proposed_risk_is_accepted(risk, admin_user):
    with pytest.raises(ValidationError, match="only proposed risks can be accepted"):
        accept(risk, admin_user)


def test_rejecting_needs_a_reason_and_is_recorded(proposed, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.reject_proposed_risk(risk=proposed, reason="", by=admin_user)
    assert messages_of(refused.value)["reason"] == ["Say why the proposed risk is rejected."]

    services.reject_proposed_risk(
        risk=proposed, reason="Covered by LC-R03 (workforce).", by=admin_user
    )

    proposed.refresh_from_db()
    assert proposed.status == Risk.Status.REJECTED
    assert proposed.rejection_reason == "Covered by LC-R03 (workforce)."
    latest = proposed.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "Rejected")


# --- close and reopen ------------------------------------------------------------------------


def test_closing_needs_a_note_and_is_recorded(risk, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.close_risk(risk=risk, note=" ", by=admin_user)
    assert messages_of(refused.value)["note"] == ["Say why the risk is closed."]

    services.close_risk(risk=risk, note="Investment agreed for 2019/20.", by=admin_user)

    risk.refresh_from_db()
    assert (risk.status, risk.closing_note) == (
        Risk.Status.CLOSED,
        "Investment agreed for 2019/20.",
    )
    latest = risk.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "Closed")


def test_reopening_needs_a_short_reason_and_clears_the_closing_note(risk, admin_user):
    services.close_risk(risk=risk, note="Investment agreed.", by=admin_user)
    with pytest.raises(ValidationError) as refused:
        services.reopen_risk(risk=risk, reason="", by=admin_user)
    assert messages_of(refused.value)["reason"] == ["Say why the risk is reopened."]
    with pytest.raises(ValidationError) as too_long:
        services.reopen_risk(risk=risk, reason="x" * 91, by=admin_user)
    assert "90 characters" in messages_of(too_long.value)["reason"][0]

    services.reopen_risk(risk=risk, reason="Funding withdrawn.", by=admin_user)

    risk.refresh_from_db()
    assert (risk.status, risk.closing_note) == (Risk.Status.OPEN, "")
    latest = risk.history.first()
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Reopened: Funding withdrawn."
    # Time stands still here, so take the record before by position, not by date.
    assert risk.history.all()[1].closing_note == "Investment agreed."


def test_only_an_open_risk_is_closed_and_a_closed_one_reopened(risk, admin_user):
    with pytest.raises(ValidationError, match="only closed risks can be reopened"):
        services.reopen_risk(risk=risk, reason="Why not.", by=admin_user)
    services.close_risk(risk=risk, note="Done.", by=admin_user)
    with pytest.raises(ValidationError, match="only open risks can be closed"):
        services.close_risk(risk=risk, note="Again.", by=admin_user)


# --- save_risk: admin edits with optimistic locking ---------------------------------------------


def test_an_edit_from_the_current_version_saves_and_bumps_it(risk, admin_user):
    risk.title = "Investment for the model across Kent and Medway"

    services.save_risk(risk=risk, expected_version=1, by=admin_user)

    risk.refresh_from_db()
    assert (risk.title, risk.version) == ("Investment for the model across Kent and Medway", 2)
    assert risk.history.first().history_user == admin_user


def test_an_edit_from_an_old_version_is_refused_and_saves_nothing(risk, admin_user):
    first, second = Risk.objects.get(pk=risk.pk), Risk.objects.get(pk=risk.pk)
    first.title = "First editor's title"
    services.save_risk(risk=first, expected_version=1, by=admin_user)
    second.title = "Second editor's title"
    history_before = risk.history.count()

    with pytest.raises(services.StaleEdit, match="Someone else saved this risk"):
        services.save_risk(risk=second, expected_version=1, by=admin_user)

    risk.refresh_from_db()
    assert (risk.title, risk.version) == ("First editor's title", 2)
    assert risk.history.count() == history_before
    assert issubclass(services.StaleEdit, ValidationError)


def test_a_workflow_step_makes_an_open_edit_stale(risk, admin_user):
    loaded_version = risk.version
    services.record_review(
        risk=Risk.objects.get(pk=risk.pk),
        reviewed_on=TODAY,
        likelihood=4,
        consequence=4,
        note=".",
        by=admin_user,
    )

    with pytest.raises(services.StaleEdit):
        services.save_risk(risk=risk, expected_version=loaded_version, by=admin_user)


def test_an_edit_cannot_raise_the_risk_after_its_first_review(risk, admin_user):
    RiskReview.objects.create(
        risk=risk, reviewed_on=datetime.date(2018, 7, 17), likelihood=3, consequence=4
    )
    risk.date_raised = datetime.date(2018, 8, 1)

    with pytest.raises(ValidationError) as refused:
        services.save_risk(risk=risk, expected_version=1, by=admin_user)

    assert messages_of(refused.value)["date_raised"] == [
        "The risk cannot be raised after its first review (17 Jul 2018)."
    ]


def test_a_risk_cannot_be_raised_in_the_future(risk, admin_user):
    risk.date_raised = datetime.date(2019, 5, 2)

    with pytest.raises(ValidationError) as refused:
        services.save_risk(risk=risk, expected_version=1, by=admin_user)

    assert messages_of(refused.value)["date_raised"] == ["The date raised cannot be in the future."]


def test_a_new_open_risk_gets_its_first_review_and_next_review_date(
    bands, on_1_may_2019, admin_user
):
    risk = Risk(
        reference="LC-R15",
        title="Estates works delay hubs",
        category=factories.risk_category("Estates"),
        status=Risk.Status.OPEN,
        date_raised=datetime.date(2019, 4, 1),
        current_likelihood=2,
        current_consequence=2,
    )

    services.save_risk(risk=risk, expected_version=None, by=admin_user)

    assert risk.version == 1
    assert risk.next_review_date == TODAY + datetime.timedelta(days=90)
    review = risk.reviews.get()
    assert (review.reviewed_on, review.score, review.reviewer) == (TODAY, 4, admin_user)
    assert risk.history.get().history_user == admin_user


def test_a_closed_risk_without_a_closing_note_is_refused_by_the_model(risk, admin_user):
    risk.status = Risk.Status.CLOSED

    with pytest.raises(ValidationError, match="Say why the risk is closed."):
        services.save_risk(risk=risk, expected_version=1, by=admin_user)
