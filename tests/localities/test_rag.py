"""The suggested-RAG rule, case by case (localities.rag; README "Suggested RAG")."""

import datetime
from decimal import Decimal

import pytest

from localities.models import Milestone, Rag
from localities.rag import MilestoneState, days_late, spend_variance, suggest_rag

QUARTER_END = datetime.date(2019, 3, 31)


def state(status=Milestone.Status.IN_PROGRESS, planned_end=QUARTER_END, forecast=None):
    return MilestoneState(
        title="A milestone", planned_end=planned_end, status=status, forecast_date=forecast
    )


def suggest(milestones=(), planned=None, actual=None):
    return suggest_rag(
        milestones=milestones, spend_planned=planned, spend_actual=actual, quarter_end=QUARTER_END
    )


def test_nothing_off_track_is_green():
    result = suggest([state()], Decimal("100"), Decimal("105"))
    assert result.rag == Rag.GREEN
    assert result.explanation == "nothing in the figures is off track"


def test_no_information_at_all_is_green():
    assert suggest().rag == Rag.GREEN


def test_every_milestone_complete_is_complete():
    result = suggest([state(Milestone.Status.COMPLETE), state(Milestone.Status.CANCELLED)])
    assert result.rag == Rag.COMPLETE


def test_only_cancelled_milestones_do_not_count_as_complete():
    assert suggest([state(Milestone.Status.CANCELLED)]).rag == Rag.GREEN


@pytest.mark.parametrize(
    ("planned_end", "forecast", "expected"),
    [
        (QUARTER_END, None, Rag.GREEN),  # due on the last day: not late yet
        (QUARTER_END - datetime.timedelta(days=1), None, Rag.AMBER),
        (QUARTER_END - datetime.timedelta(days=90), None, Rag.AMBER),  # 90 is the edge
        (QUARTER_END - datetime.timedelta(days=91), None, Rag.RED),
        (QUARTER_END, QUARTER_END + datetime.timedelta(days=30), Rag.AMBER),  # by forecast
        (QUARTER_END, QUARTER_END + datetime.timedelta(days=91), Rag.RED),
        (None, None, Rag.GREEN),  # no planned date cannot be late
    ],
)
def test_late_milestones(planned_end, forecast, expected):
    assert suggest([state(planned_end=planned_end, forecast=forecast)]).rag == expected


def test_a_late_but_complete_milestone_is_not_late():
    milestone = state(Milestone.Status.COMPLETE, planned_end=datetime.date(2018, 1, 1))
    assert days_late(milestone, as_at=QUARTER_END) == 0


def test_a_milestone_nobody_has_reported_on_is_never_late():
    milestone = state(Milestone.Status.NOT_REPORTED, planned_end=datetime.date(2018, 8, 15))
    assert days_late(milestone, as_at=QUARTER_END) == 0
    assert suggest([milestone]).rag == Rag.GREEN


@pytest.mark.parametrize(
    ("planned", "actual", "expected"),
    [
        ("100", "110", Rag.GREEN),  # exactly 10% is within tolerance
        ("100", "111", Rag.AMBER),
        ("100", "89", Rag.AMBER),  # under plan counts too
        ("100", "125", Rag.AMBER),
        ("100", "126", Rag.RED),
        ("100", "0", Rag.RED),
        ("0", "50", Rag.GREEN),  # no plan: no variance to judge
    ],
)
def test_spend_off_plan(planned, actual, expected):
    assert suggest(planned=Decimal(planned), actual=Decimal(actual)).rag == expected


def test_spend_variance_needs_both_figures():
    assert spend_variance(planned=None, actual=Decimal("1")) is None
    assert spend_variance(planned=Decimal("1"), actual=None) is None


def test_red_explains_every_reason():
    result = suggest(
        [state(planned_end=datetime.date(2018, 9, 30))], Decimal("100"), Decimal("115")
    )
    assert result.rag == Rag.RED
    assert result.reasons == ["“A milestone” is 182 days late", "spend is 15% over plan"]
