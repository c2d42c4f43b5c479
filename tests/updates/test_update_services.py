"""The quarterly-update workflow: every transition, allowed and refused, with its history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from localities.models import MDT, Locality, Milestone
from risks.models import Risk, RiskCategory
from tests.updates.update_data import complete_sections, q4_2018_19, save_complete_update
from updates import services
from updates.models import MilestoneUpdate, ObjectiveStatus, QuarterlyUpdate

pytestmark = pytest.mark.django_db

Status = QuarterlyUpdate.Status


@pytest.fixture
def medway(programme_data):
    return Locality.objects.get(slug="medway")


@pytest.fixture
def q4(programme_data):
    return q4_2018_19()


def update_of(locality, quarter):
    return QuarterlyUpdate.objects.get(locality=locality, quarter=quarter)


def history_reasons(update):
    return [h.history_change_reason for h in update.history.order_by("history_date", "history_id")]


# --- Drafts ---------------------------------------------------------------------


def test_a_lead_saves_a_section_as_a_draft_with_history(medway, q4, lead_medway):
    before = update_of(medway, q4)

    update = services.save_draft(
        locality=medway,
        quarter=q4,
        sections={"summary": {"summary": "Typed <b>as is</b>"}},
        expected_version=before.version,
        by=lead_medway,
    )

    update.refresh_from_db()
    assert update.summary == "Typed <b>as is</b>"
    assert update.version == before.version + 1
    latest = update.history.latest()
    assert latest.history_user == lead_medway
    assert latest.history_change_reason == "Saved draft: Summary (1 changed)"


def test_the_first_save_starts_the_update(programme_data, q4, lead_thanet):
    thanet = Locality.objects.get(slug="thanet")
    next_quarter = q4.__class__.objects.get(financial_year__start_year=2019, number=1)

    update = services.save_draft(
        locality=thanet,
        quarter=next_quarter,
        sections={"money": {"spend_planned": Decimal("10"), "spend_actual": Decimal("9")}},
        expected_version=0,
        by=lead_thanet,
    )

    assert update.status == Status.DRAFT
    assert history_reasons(update) == ["Started", "Saved draft: Money (1 changed)"]
    assert {h.history_user for h in update.history.all()} == {lead_thanet}


def test_a_second_start_from_a_stale_page_is_refused(programme_data, q4, lead_thanet):
    thanet = Locality.objects.get(slug="thanet")
    next_quarter = q4.__class__.objects.get(financial_year__start_year=2019, number=1)
    save = {"locality": thanet, "quarter": next_quarter, "by": lead_thanet}
    services.save_draft(sections={"summary": {"summary": "first"}}, expected_version=0, **save)

    with pytest.raises(services.StaleEdit):
        services.save_draft(sections={"summary": {"summary": "second"}}, expected_version=0, **save)

    assert update_of(thanet, next_quarter).summary == "first"


def test_a_stale_version_is_refused_and_nothing_changes(medway, q4, lead_medway):
    update = update_of(medway, q4)
    services.save_draft(
        locality=medway,
        quarter=q4,
        sections={"summary": {"summary": "first editor"}},
        expected_version=update.version,
        by=lead_medway,
    )

    with pytest.raises(services.StaleEdit, match="Someone else saved this update"):
        services.save_draft(
            locality=medway,
            quarter=q4,
            sections={"summary": {"summary": "second editor"}},
            expected_version=update.version,
            by=lead_medway,
        )

    assert update_of(medway, q4).summary == "first editor"


@pytest.mark.parametrize("who", ["lead_thanet", "board_user", "office_user", "admin_user"])
def test_only_a_lead_of_the_locality_may_save(request, medway, q4, who):
    user = request.getfixturevalue(who)
    before = update_of(medway, q4)

    with pytest.raises(PermissionDenied):
        services.save_draft(
            locality=medway,
            quarter=q4,
            sections={"summary": {"summary": "not mine"}},
            expected_version=before.version,
            by=user,
        )

    after = update_of(medway, q4)
    assert (after.summary, after.version) == (before.summary, before.version)


def test_a_draft_save_is_all_or_nothing(medway, q4, lead_medway):
    before = update_of(medway, q4)
    milestone = Milestone.objects.for_locality(medway).first()
    bad_row = {
        "milestone": milestone,
        "status": Milestone.Status.COMPLETE,
        "forecast_date": None,
        "actual_date": None,  # a complete milestone needs its actual date
        "forecast_change_reason": "",
    }

    with pytest.raises(ValidationError, match="complete milestone needs its actual date"):
        services.save_draft(
            locality=medway,
            quarter=q4,
            sections={"summary": {"summary": "changed"}, "milestones": [bad_row]},
            expected_version=before.version,
            by=lead_medway,
        )

    after = update_of(medway, q4)
    assert (after.summary, after.version) == (before.summary, before.version)
    assert not MilestoneUpdate.objects.filter(update=after).exists()


def test_an_unknown_section_is_a_programming_error(medway, q4, lead_medway):
    with pytest.raises(ValueError, match="Unknown sections"):
        services.save_draft(
            locality=medway, quarter=q4, sections={"nope": {}}, expected_version=1, by=lead_medway
        )


def test_saving_objectives_records_the_suggested_rag(medway, q4, lead_medway):
    update = save_complete_update(medway, q4, lead_medway)

    statuses = ObjectiveStatus.objects.filter(update=update)
    assert statuses.count() == 4
    assert all(s.suggested_rag == s.rag for s in statuses)


def test_the_mdt_section_is_held_as_reports_until_approval(medway, q4, lead_medway):
    """No counts on the update: the register is the one source (decision 0009)."""
    update = save_complete_update(medway, q4, lead_medway)

    mdts = MDT.objects.for_locality(medway).count()
    assert update.mdt_updates.filter(status=MDT.Status.LIVE).count() == mdts
    assert not hasattr(update, "mdts_live")


# --- Submit ---------------------------------------------------------------------


def test_an_incomplete_update_cannot_be_submitted_and_says_why(medway, q4, lead_medway):
    update = update_of(medway, q4)

    with pytest.raises(ValidationError) as error:
        services.submit_update(update=update, expected_version=update.version, by=lead_medway)

    assert "Report on all milestones: 3 not yet saved." in error.value.messages
    assert update_of(medway, q4).status == Status.DRAFT


def test_a_rag_against_the_suggestion_needs_a_reason_to_submit(medway, q4, lead_medway):
    update = save_complete_update(medway, q4, lead_medway)
    status = update.objective_statuses.get(objective__number=1)
    assert services.suggested_rags(update)[status.objective_id].rag != "complete"
    status.rag = "complete"
    status.save()

    problems = [p.message for p in services.submission_problems(update)]

    assert len(problems) == 1
    assert problems[0].startswith(
        "Objective 1: say why you chose Complete when the figures suggest"
    )


def test_submitting_locks_the_update_and_proposes_raised_risks(medway, q4, lead_medway):
    save_complete_update(medway, q4, lead_medway)
    update = services.save_draft(
        locality=medway,
        quarter=q4,
        sections={
            "risks": [
                {
                    "title": "GP workforce gaps in Strood",
                    "description": "Two practices without cover.",
                    "category": RiskCategory.objects.get(name="Workforce"),
                }
            ]
        },
        expected_version=update_of(medway, q4).version,
        by=lead_medway,
    )

    update = services.submit_update(update=update, expected_version=update.version, by=lead_medway)

    assert update.status == Status.SUBMITTED
    assert update.submitted_by == lead_medway
    risk = Risk.objects.get(title="GP workforce gaps in Strood")
    assert (risk.status, risk.locality, risk.raised_by) == (
        Risk.Status.PROPOSED,
        medway,
        lead_medway,
    )
    assert risk.history.latest().history_user == lead_medway
    assert update.raised_risks.get().proposed_risk == risk
    assert update.history.latest().history_change_reason == "Submitted"
    with pytest.raises(ValidationError, match="submitted, so it cannot be changed"):
        services.save_draft(
            locality=medway,
            quarter=q4,
            sections={"summary": {"summary": "too late"}},
            expected_version=update.version,
            by=lead_medway,
        )


def test_another_lead_cannot_submit(medway, q4, lead_medway, lead_thanet):
    update = save_complete_update(medway, q4, lead_medway)

    with pytest.raises(PermissionDenied):
        services.submit_update(update=update, expected_version=update.version, by=lead_thanet)

    assert update_of(medway, q4).status == Status.DRAFT


# --- Review ---------------------------------------------------------------------


@pytest.fixture
def submitted(medway, q4, lead_medway):
    update = save_complete_update(medway, q4, lead_medway)
    return services.submit_update(update=update, expected_version=update.version, by=lead_medway)


def test_the_office_returns_an_update_with_comments(submitted, office_user, lead_medway):
    update = services.return_update(
        update=submitted,
        comments="Objective 2 narrative: say which MDTs.",
        expected_version=submitted.version,
        by=office_user,
    )

    assert update.status == Status.RETURNED
    assert update.review_comments == "Objective 2 narrative: say which MDTs."
    latest = update.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        office_user,
        "Returned: Objective 2 narrative: say which MDTs.",
    )
    # The lead can edit again, and submit again.
    update = services.save_draft(
        locality=update.locality,
        quarter=update.quarter,
        sections={"summary": {"summary": "Now with MDT names."}},
        expected_version=update.version,
        by=lead_medway,
    )
    update = services.submit_update(update=update, expected_version=update.version, by=lead_medway)
    assert update.status == Status.SUBMITTED


@pytest.mark.parametrize("comments", ["", "   "])
def test_returning_needs_comments(submitted, office_user, comments):
    with pytest.raises(ValidationError, match="Tell the lead what to change"):
        services.return_update(
            update=submitted, comments=comments, expected_version=submitted.version, by=office_user
        )
    assert update_of(submitted.locality, submitted.quarter).status == Status.SUBMITTED


def test_approval_applies_the_reports_and_locks_the_update(submitted, office_user):
    milestone = Milestone.objects.for_locality(submitted.locality).first()
    mdt = MDT.objects.for_locality(submitted.locality).filter(status=MDT.Status.PLANNED).first()

    update = services.approve_update(
        update=submitted, expected_version=submitted.version, by=office_user
    )

    assert update.status == Status.APPROVED
    assert update.reviewed_by == office_user
    assert update.history.latest().history_change_reason == "Approved"
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.COMPLETE
    assert milestone.history.latest().history_user == office_user
    assert milestone.history.latest().history_change_reason.startswith("Approved in the Medway")
    if mdt:
        mdt.refresh_from_db()
        assert mdt.status == MDT.Status.LIVE


def test_approval_derives_the_milestones_the_data_decide(submitted, office_user):
    """Medway's MDT milestone follows its MDTs going live, not a reported status (0009)."""
    milestone = Milestone.objects.get(
        locality=submitted.locality, derived_from=Milestone.DerivedFrom.MDTS_LIVE
    )
    assert milestone.status == Milestone.Status.IN_PROGRESS  # two MDTs late

    services.approve_update(update=submitted, expected_version=submitted.version, by=office_user)

    milestone.refresh_from_db()
    due = MDT.objects.for_locality(submitted.locality).filter(
        planned_go_live__lte=milestone.planned_end
    )
    assert not due.filter(actual_go_live=None).exists()
    assert milestone.status == Milestone.Status.COMPLETE
    assert milestone.actual_date == max(due.values_list("actual_go_live", flat=True))
    assert milestone.history.latest().history_change_reason.startswith("Derived on approving")


@pytest.mark.parametrize(
    ("action", "from_status"),
    [
        ("approve", Status.DRAFT),
        ("approve", Status.RETURNED),
        ("approve", Status.APPROVED),
        ("return", Status.DRAFT),
        ("return", Status.APPROVED),
        ("reopen", Status.DRAFT),
        ("reopen", Status.SUBMITTED),
        ("submit", Status.SUBMITTED),
        ("submit", Status.APPROVED),
    ],
)
def test_transitions_from_the_wrong_status_are_refused(
    medway, q4, lead_medway, office_user, action, from_status
):
    update = save_complete_update(medway, q4, lead_medway)
    QuarterlyUpdate.objects.filter(pk=update.pk).update(
        status=from_status,
        submitted_at=datetime.datetime(2019, 4, 10, tzinfo=datetime.UTC),
        reviewed_at=datetime.datetime(2019, 4, 12, tzinfo=datetime.UTC),
    )
    update.refresh_from_db()
    calls = {
        "approve": lambda: services.approve_update(
            update=update, expected_version=update.version, by=office_user
        ),
        "return": lambda: services.return_update(
            update=update, comments="x", expected_version=update.version, by=office_user
        ),
        "reopen": lambda: services.reopen_update(
            update=update, reason="x", expected_version=update.version, by=office_user
        ),
        "submit": lambda: services.submit_update(
            update=update, expected_version=update.version, by=lead_medway
        ),
    }

    with pytest.raises(ValidationError, match="so it cannot be"):
        calls[action]()

    assert update_of(medway, q4).status == from_status


@pytest.mark.parametrize("who", ["lead_medway", "board_user"])
def test_only_the_office_reviews(request, submitted, who):
    user = request.getfixturevalue(who)
    for call in (
        lambda: services.approve_update(
            update=submitted, expected_version=submitted.version, by=user
        ),
        lambda: services.return_update(
            update=submitted, comments="x", expected_version=submitted.version, by=user
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert update_of(submitted.locality, submitted.quarter).status == Status.SUBMITTED


def test_reopening_keeps_the_approved_version_in_history(submitted, office_user):
    approved = services.approve_update(
        update=submitted, expected_version=submitted.version, by=office_user
    )
    approved_version = approved.version

    with pytest.raises(ValidationError, match="Say what needs correcting"):
        services.reopen_update(
            update=approved, reason=" ", expected_version=approved.version, by=office_user
        )
    update = services.reopen_update(
        update=approved,
        reason="Spend figure was for the year, not the quarter",
        expected_version=approved.version,
        by=office_user,
    )

    assert update.status == Status.RETURNED
    assert update.review_comments.startswith("Reopened to correct: Spend figure")
    old = update.history.filter(status=Status.APPROVED).latest()
    assert (old.version, old.history_user) == (approved_version, office_user)
    assert update.history.latest().history_change_reason.startswith("Reopened to correct:")
    assert not QuarterlyUpdate.objects.approved().filter(pk=update.pk).exists()


def test_a_stale_review_is_refused(submitted, office_user):
    with pytest.raises(services.StaleEdit):
        services.approve_update(
            update=submitted, expected_version=submitted.version - 1, by=office_user
        )
    assert update_of(submitted.locality, submitted.quarter).status == Status.SUBMITTED


def test_complete_sections_fixture_is_complete(medway, q4, lead_medway):
    update = save_complete_update(medway, q4, lead_medway)
    assert services.submission_problems(update) == []
    assert complete_sections(medway, q4)["summary"] == {"summary": "A good quarter."}
