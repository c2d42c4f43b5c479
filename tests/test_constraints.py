"""Every database constraint, broken on purpose.

Each case builds one invalid row. The database must refuse it (IntegrityError,
whatever validation Python skipped), and `validate_constraints()` must give
the person a clear message. A final test checks that no constraint in the
models is left without a case here.
"""

import datetime
import functools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import Action, BoardReport, Decision, Meeting, PublishedPack
from localities.models import (
    MDT,
    GovernanceBody,
    GovernanceBodyRole,
    InvestmentCommitment,
    Milestone,
    MonthlyOutcome,
    Objective,
    OutcomeBaseline,
    OutcomeChangePoint,
    OutcomeExtract,
    OutcomeTrajectory,
    OutcomeUnitCost,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
    SavingsRamp,
)
from risks.models import MitigatingAction, Risk, RiskReview, ScoreBand
from tests import factories
from tests.helpers import programme_models
from updates.models import (
    MaturityScore,
    MDTUpdate,
    MilestoneUpdate,
    ObjectiveStatus,
    OutcomeFigure,
    QuarterlyUpdate,
    ReturnComment,
    SectionConfirmation,
    TypedSection,
)

D = datetime.date
NOW = datetime.datetime(2018, 7, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world(db):
    place = factories.locality()
    year = factories.financial_year()
    period = factories.quarter(year, 1)
    goal = factories.objective(year, 1)
    element = factories.care_model_element()
    measure = factories.outcome_measure()
    update = factories.quarterly_update(place, period)
    ObjectiveStatus.objects.create(update=update, objective=goal, rag="green")
    OutcomeFigure.objects.create(update=update, measure=measure, value=Decimal("10"))
    MaturityScore.objects.create(update=update, element=element, score=3)
    OutcomeBaseline.objects.create(
        locality=place, measure=measure, baseline_period="2017/18", quarterly_value=Decimal("10")
    )
    PlannedInvestment.objects.create(locality=place, financial_year=year, amount=Decimal("1"))
    extract = OutcomeExtract.objects.create(
        loaded_at=NOW,
        file_name="a.csv",
        source="x",
        first_month=D(2018, 4, 1),
        last_month=D(2018, 4, 1),
        rows=1,
    )
    MonthlyOutcome.objects.create(
        locality=place, measure=measure, month=D(2018, 4, 1), value=1, extract=extract
    )
    OutcomeChangePoint.objects.create(
        measure=measure, locality=place, month=D(2018, 10, 1), reason="MDTs live"
    )
    OutcomeChangePoint.objects.create(measure=measure, month=D(2018, 10, 1), reason="MDTs live")
    OutcomeTrajectory.objects.create(
        locality=place, measure=measure, steady_state_reduction_percent=Decimal("5")
    )
    margate = MDT.objects.create(locality=place, name="Margate")
    deep_dive = Milestone.objects.create(title="Deep dive", locality=place)
    MilestoneUpdate.objects.create(update=update, milestone=deep_dive, status="in_progress")
    MDTUpdate.objects.create(update=update, mdt=margate, status="planned")
    SectionConfirmation.objects.create(
        update=update,
        section="risks",
        confirmed_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC),
    )
    risk = factories.open_risk()
    return SimpleNamespace(
        locality=place,
        year=year,
        quarter=period,
        objective=goal,
        element=element,
        measure=measure,
        update=update,
        risk=risk,
        category=risk.category,
        mdt=margate,
        milestone=deep_dive,
        extract=extract,
    )


def mdt(w, **fields):
    return MDT(locality=w.locality, name="Ramsgate", **fields)


def milestone(**fields):
    return Milestone(title="Deep dive", **fields)


def second_objective_carrying_spend(w):
    Objective.objects.filter(pk=w.objective.pk).update(carries_spend=True)
    return Objective(
        financial_year=w.year, number=2, title="Other", short_title="Other", carries_spend=True
    )


def update(w, **fields):
    other_quarter = factories.quarter(w.year, 2)
    return QuarterlyUpdate(locality=w.locality, quarter=other_quarter, **fields)


def milestone_report(w, **fields):
    other = Milestone.objects.create(title="Plan refreshed", locality=w.locality)
    return MilestoneUpdate(update=w.update, milestone=other, **fields)


def mdt_report(w, **fields):
    other = MDT.objects.create(locality=w.locality, name="Broadstairs")
    return MDTUpdate(update=w.update, mdt=other, **fields)


def closed_comment_without_decision(w):
    from django.contrib.auth import get_user_model

    office = get_user_model().objects.create_user(username="office")
    return ReturnComment(
        update=w.update, section="objectives", author=office, text="x", created=NOW, state="closed"
    )


def risk(w, **fields):
    values = {
        "reference": "LC-R99",
        "title": "A risk",
        "category": w.category,
        "status": Risk.Status.OPEN,
        "date_raised": D(2018, 7, 1),
        "current_likelihood": 3,
        "current_consequence": 3,
    }
    values.update(fields)
    return Risk(**values)


def risk_scored_six(w, *, field):
    return risk(w, **{field: 6})


def status(w, **fields):
    other_objective = Objective.objects.create(
        financial_year=w.year, number=2, title="Two", short_title="Two"
    )
    values = {"update": w.update, "objective": other_objective, "rag": "amber"}
    values.update(fields)
    return ObjectiveStatus(**values)


def typed_section_again(w):
    lead = get_user_model().objects.create_user("lead")
    values = {
        "user": lead,
        "locality": w.locality,
        "quarter": w.quarter,
        "section": "summary",
        "data": {},
        "kept_at": NOW,
    }
    TypedSection.objects.create(**values)
    return TypedSection(**values)


def objective_continued_twice(w):
    """Two objectives of later years both carrying the same one forward."""
    later = factories.financial_year(w.objective.financial_year.start_year + 1)
    Objective.objects.create(
        financial_year=later,
        number=1,
        title="Carried",
        short_title="Carried",
        continues=w.objective,
    )
    return Objective(
        financial_year=later, number=2, title="Again", short_title="Again", continues=w.objective
    )


CASES = {
    "objective_continued_once": objective_continued_twice,
    "milestone_rolled_forward_has_year": lambda w: Milestone(
        title="Rolled without a year", continues=Milestone.objects.first()
    ),
    "governance_body_active_until_after_from": lambda w: GovernanceBody(
        name="LCIB", active_from=D(2019, 1, 1), active_until=D(2018, 1, 1)
    ),
    "governance_body_formed_after_before_active_from": lambda w: GovernanceBody(
        name="Local Care Board", active_from=D(2019, 3, 18), formed_after=D(2019, 3, 18)
    ),
    "governance_body_ended_by_after_active_until": lambda w: GovernanceBody(
        name="Old Board", active_until=D(2019, 3, 18), ended_by=D(2019, 1, 1)
    ),
    "governance_body_role_one_per_day": lambda w: role_again(),
    "governance_body_role_changed_after_before_held_from": lambda w: GovernanceBodyRole(
        body=governance_body(),
        role="Learn and share",
        held_from=D(2019, 1, 1),
        changed_after=D(2019, 2, 1),
    ),
    "mdt_unique_name_per_locality": lambda w: MDT(locality=w.locality, name="Margate"),
    "mdt_live_has_go_live_date": lambda w: mdt(w, status="live"),
    "mdt_planned_has_no_go_live_date": lambda w: mdt(
        w, status="planned", actual_go_live=D(2018, 9, 1)
    ),
    "mdt_population_plausible": lambda w: mdt(w, population_covered=2_000_001),
    "milestone_update_one_per_update": lambda w: MilestoneUpdate(
        update=w.update, milestone=w.milestone, status="not_started"
    ),
    "milestone_update_complete_has_actual_date": lambda w: milestone_report(w, status="complete"),
    "milestone_update_actual_date_only_when_complete": lambda w: milestone_report(
        w, status="in_progress", actual_date=D(2018, 11, 23)
    ),
    "mdt_update_one_per_update": lambda w: MDTUpdate(update=w.update, mdt=w.mdt, status="shadow"),
    "mdt_update_live_has_go_live_date": lambda w: mdt_report(w, status="live"),
    "mdt_update_planned_has_no_go_live_date": lambda w: mdt_report(
        w, status="planned", actual_go_live=D(2018, 9, 1)
    ),
    "mdt_update_population_plausible": lambda w: mdt_report(
        w, status="shadow", population_covered=2_000_001
    ),
    "quarter_unique_per_year": lambda w: Quarter(
        financial_year=w.year,
        number=1,
        start_date=D(2018, 4, 1),
        end_date=D(2018, 6, 30),
        submission_deadline=D(2018, 7, 21),
    ),
    "quarter_number_1_to_4": lambda w: Quarter(
        financial_year=w.year,
        number=5,
        start_date=D(2019, 4, 1),
        end_date=D(2019, 6, 30),
        submission_deadline=D(2019, 7, 21),
    ),
    "quarter_ends_after_start": lambda w: Quarter(
        financial_year=w.year,
        number=2,
        start_date=D(2018, 9, 30),
        end_date=D(2018, 7, 1),
        submission_deadline=D(2018, 10, 21),
    ),
    "quarter_deadline_not_before_start": lambda w: Quarter(
        financial_year=w.year,
        number=2,
        start_date=D(2018, 7, 1),
        end_date=D(2018, 9, 30),
        submission_deadline=D(2018, 6, 1),
    ),
    "objective_unique_number_per_year": lambda w: Objective(
        financial_year=w.year, number=1, title="Again", short_title="Again"
    ),
    "objective_one_carries_spend_per_year": lambda w: second_objective_carrying_spend(w),
    "milestone_window_in_order": lambda w: milestone(
        planned_start=D(2018, 9, 1), planned_end=D(2018, 8, 1)
    ),
    "milestone_window_has_end": lambda w: milestone(planned_start=D(2018, 9, 1)),
    "milestone_complete_has_actual_date": lambda w: milestone(status="complete"),
    "milestone_forecast_is_reported": lambda w: milestone(forecast_date=D(2019, 3, 1)),
    "milestone_actual_date_only_when_complete": lambda w: milestone(
        status="in_progress", actual_date=D(2018, 11, 23)
    ),
    "baseline_unique_per_locality_measure": lambda w: OutcomeBaseline(
        locality=w.locality, measure=w.measure, baseline_period="x", quarterly_value=1
    ),
    "baseline_not_negative": lambda w: OutcomeBaseline(
        locality=factories.locality("Swale"),
        measure=w.measure,
        baseline_period="x",
        quarterly_value=Decimal("-1"),
    ),
    "investment_unique_per_locality_year": lambda w: PlannedInvestment(
        locality=w.locality, financial_year=w.year, amount=1
    ),
    "investment_not_negative": lambda w: PlannedInvestment(
        locality=factories.locality("Swale"), financial_year=w.year, amount=Decimal("-1")
    ),
    "figure_range_in_order": lambda w: ProgrammeFigure(
        code="capital", label="Capital", group="Case", value=190, value_high=164
    ),
    "extract_months_in_order": lambda w: OutcomeExtract(
        loaded_at=NOW,
        file_name="x.csv",
        source="x",
        first_month=D(2018, 5, 1),
        last_month=D(2018, 4, 1),
        rows=1,
    ),
    "monthly_outcome_one_per_month": lambda w: MonthlyOutcome(
        locality=w.locality, measure=w.measure, month=D(2018, 4, 1), value=1, extract=w.extract
    ),
    "monthly_outcome_month_starts": lambda w: MonthlyOutcome(
        locality=w.locality, measure=w.measure, month=D(2018, 5, 2), value=1, extract=w.extract
    ),
    "change_point_one_per_locality_month": lambda w: OutcomeChangePoint(
        measure=w.measure, locality=w.locality, month=D(2018, 10, 1), reason="Again"
    ),
    "change_point_one_per_programme_month": lambda w: OutcomeChangePoint(
        measure=w.measure, month=D(2018, 10, 1), reason="Again"
    ),
    "change_point_month_starts": lambda w: OutcomeChangePoint(
        measure=w.measure, month=D(2018, 11, 2), reason="x"
    ),
    "change_point_after_baseline": lambda w: OutcomeChangePoint(
        measure=w.measure, month=D(2018, 3, 1), reason="x"
    ),
    "change_point_has_reason": lambda w: OutcomeChangePoint(
        measure=w.measure, month=D(2018, 12, 1), reason=""
    ),
    "ramp_share_0_to_100": lambda w: SavingsRamp(start_year=2030, share_percent=Decimal("101")),
    "trajectory_one_per_locality_measure": lambda w: OutcomeTrajectory(
        locality=w.locality, measure=w.measure, steady_state_reduction_percent=Decimal("5")
    ),
    "trajectory_reduction_0_to_100": lambda w: OutcomeTrajectory(
        locality=factories.locality("Swale"),
        measure=w.measure,
        steady_state_reduction_percent=Decimal("-1"),
    ),
    "unit_cost_not_negative": lambda w: OutcomeUnitCost(measure=w.measure, pounds=Decimal("-1")),
    "commitment_not_negative": lambda w: InvestmentCommitment(
        kind="capital", title="x", amount=Decimal("-1"), committed_on=D(2018, 4, 1)
    ),
    "commitment_kind_valid": lambda w: InvestmentCommitment(
        kind="loan", title="x", amount=Decimal("1"), committed_on=D(2018, 4, 1)
    ),
    "update_one_per_locality_quarter": lambda w: QuarterlyUpdate(
        locality=w.locality, quarter=w.quarter
    ),
    "update_spend_planned_not_negative": lambda w: update(w, spend_planned=Decimal("-1")),
    "update_spend_actual_not_negative": lambda w: update(w, spend_actual=Decimal("-1")),
    "update_submitted_has_time": lambda w: update(w, status="submitted"),
    "update_approved_has_review_time": lambda w: update(w, status="approved", submitted_at=NOW),
    "status_one_per_update_objective": lambda w: ObjectiveStatus(
        update=w.update, objective=w.objective, rag="red"
    ),
    "status_percent_0_to_100": lambda w: status(w, percent_complete=101),
    "status_rag_valid": lambda w: status(w, rag="purple"),
    "outcome_one_per_update_measure": lambda w: OutcomeFigure(
        update=w.update, measure=w.measure, value=1
    ),
    "outcome_not_negative": lambda w: OutcomeFigure(
        update=w.update, measure=factories.outcome_measure("bed-days"), value=Decimal("-1")
    ),
    "confirmation_one_per_update_section": lambda w: SectionConfirmation(
        update=w.update,
        section="risks",
        confirmed_at=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),
    ),
    "confirmation_section_valid": lambda w: SectionConfirmation(
        update=w.update,
        section="nonsense",
        confirmed_at=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),
    ),
    "maturity_one_per_update_element": lambda w: MaturityScore(
        update=w.update, element=w.element, score=2
    ),
    "return_comment_closed_has_decision": lambda w: closed_comment_without_decision(w),
    "maturity_score_1_to_5": lambda w: MaturityScore(
        update=w.update, element=factories.care_model_element(2), score=6
    ),
    "band_range_valid": lambda w: ScoreBand(
        name="Odd", min_score=12, max_score=8, colour="red", review_every_days=30
    ),
    "band_review_every_positive": lambda w: ScoreBand(
        name="Never", min_score=1, max_score=3, colour="green", review_every_days=0
    ),
    **{
        f"risk_{field}_1_to_5": functools.partial(risk_scored_six, field=field)
        for field in (
            "inherent_likelihood",
            "inherent_consequence",
            "current_likelihood",
            "current_consequence",
            "target_likelihood",
            "target_consequence",
        )
    },
    "risk_accepted_has_reference_and_score": lambda w: risk(w, current_likelihood=None),
    "risk_closed_has_note": lambda w: risk(w, status="closed"),
    "risk_closed_on_only_when_closed": lambda w: risk(w, closed_on=D(2019, 3, 1)),
    "action_completed_on_only_when_complete": lambda w: MitigatingAction(
        risk=w.risk, description="An action", status="in_progress", completed_on=D(2019, 3, 1)
    ),
    "risk_rejected_has_reason": lambda w: risk(w, status="rejected", reference=None),
    "risk_review_not_before_raised": lambda w: risk(w, next_review_date=D(2018, 6, 1)),
    "typed_section_one_per_user_section": lambda w: typed_section_again(w),
    "review_scores_1_to_5": lambda w: RiskReview(
        risk=w.risk, reviewed_on=D(2018, 9, 1), likelihood=0, consequence=3
    ),
}


def governance_body():
    body, _ = GovernanceBody.objects.get_or_create(
        name="Local Care Implementation Board", short_name="LCIB"
    )
    return body


def role_again():
    """A second role the body started with: two undated roles are one day twice."""
    GovernanceBodyRole.objects.create(body=governance_body(), role="Oversees the implementation")
    return GovernanceBodyRole(body=governance_body(), role="Learn and share")


def meeting(**fields):
    values = {"body": governance_body(), "held_on": D(2018, 10, 9)}
    values.update(fields)
    return Meeting(**values)


def decision_again():
    first = Decision.objects.create(
        meeting=Meeting.objects.create(body=governance_body(), held_on=D(2018, 10, 9)),
        reference="(a)",
        kind="noted",
        text="noted",
        paper="Update",
    )
    return Decision(
        meeting=first.meeting, reference="(a)", kind="agreed", text="agreed", paper="Update"
    )


def action(**fields):
    held = Meeting.objects.create(body=governance_body(), held_on=D(2018, 10, 9))
    values = {"meeting": held, "text": "Report back", "owner_role": "STP Local Care Lead"}
    values["created_on"] = D(2018, 10, 9)
    values.update(fields)
    return Action(**values)


def board_report(w, **fields):
    values = {
        "quarter": w.quarter,
        "report_from": "Senior Responsible Officer",
        "author": "Local Care Lead",
        "assessment_rag": "amber",
        "assessment_reason": "Slipped",
        "key_messages": "One",
        "recommendations": "note",
    }
    values.update(fields)
    values.setdefault("body", governance_body())
    return BoardReport(**values)


def board_report_again(w):
    first = board_report(w)
    first.save()
    return board_report(w, body=first.body)


def published_pack(w, **fields):
    office = get_user_model().objects.create_user(username="office")
    values = {"quarter": w.quarter, "body": governance_body(), "number": 1, "requested_by": office}
    values.update(fields)
    return PublishedPack(**values)


def published_pack_again(w):
    first = published_pack(w)
    first.save()
    return PublishedPack(
        quarter=w.quarter, body=first.body, number=1, requested_by=first.requested_by
    )


GOVERNANCE_CASES = {
    "meeting_has_a_date_or_a_day_it_follows": lambda w: meeting(held_on=None),
    "meeting_dated_one_way": lambda w: meeting(held_after=D(2018, 12, 11)),
    "decision_reference_unique_per_meeting": lambda w: decision_again(),
    "action_has_an_owner": lambda w: action(owner_role=""),
    "action_closed_on_iff_done_or_dropped": lambda w: action(status="done"),
    "action_dropped_has_a_reason": lambda w: action(status="dropped", closed_on=D(2019, 1, 1)),
    "action_closed_after_agreed": lambda w: action(status="done", closed_on=D(2018, 1, 1)),
    "board_report_one_per_quarter_and_body": board_report_again,
    "board_report_approved_has_a_time": lambda w: board_report(w, status="approved"),
    "published_pack_number_unique": published_pack_again,
    "published_pack_correction_has_a_reason": lambda w: published_pack(w, number=2),
    "published_pack_has_its_pdf": lambda w: published_pack(w, status="published", published_at=NOW),
}
CASES.update(GOVERNANCE_CASES)


def constraint(instance, name):
    return next(c for c in instance._meta.constraints if c.name == name)


@pytest.mark.parametrize("name", CASES)
def test_the_database_refuses_the_invalid_row(world, name):
    instance = CASES[name](world)

    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


@pytest.mark.parametrize("name", CASES)
def test_validation_explains_the_rule_in_plain_words(world, name):
    instance = CASES[name](world)

    with pytest.raises(ValidationError) as error:
        instance.validate_constraints()

    assert constraint(instance, name).violation_error_message in str(error.value)


def test_every_constraint_in_the_models_has_a_case():
    declared = {
        constraint.name for model in programme_models() for constraint in model._meta.constraints
    }
    assert declared == set(CASES)
