"""The suggested RAG: what a locality's own figures say about an objective.

Leads choose the RAG status the board sees. Beside each choice the form
shows the status the data suggests; choosing another needs a short reason,
which the board sees too. The rule, in words (README "Suggested RAG"):

- **Complete** when the objective has milestones and every one is complete.
- **Red** when a milestone is more than 90 days late at the quarter's end
  (its planned window closed, or its forecast lies, more than 90 days after
  the window's end), or spend this quarter is more than 25% off plan.
- **Amber** when any milestone is late at all by that measure, or spend is
  more than 10% off plan.
- **Green** otherwise.

Milestones without a planned date cannot be late. Spend counts only when
both the plan and the actual are given and the plan is above zero.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from localities.models import Milestone, Rag

RED_DAYS_LATE = 90
RED_SPEND_VARIANCE = Decimal("0.25")
AMBER_SPEND_VARIANCE = Decimal("0.10")


@dataclass(frozen=True)
class MilestoneState:
    """A milestone as the lead reports it this quarter."""

    title: str
    planned_end: datetime.date | None
    status: str
    forecast_date: datetime.date | None = None


@dataclass(frozen=True)
class SuggestedRag:
    rag: Rag
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "nothing in the figures is off track"


def days_late(milestone: MilestoneState, *, as_at: datetime.date) -> int:
    """How late an unfinished milestone is at `as_at`: by the calendar or by its forecast.

    A milestone nobody has reported on is never late: nothing says it was missed.
    """
    if milestone.status in (
        Milestone.Status.COMPLETE,
        Milestone.Status.CANCELLED,
        Milestone.Status.NOT_REPORTED,
    ):
        return 0
    if milestone.planned_end is None:
        return 0
    latest_expected = max(as_at, milestone.forecast_date or as_at)
    return max(0, (latest_expected - milestone.planned_end).days)


def spend_variance(*, planned: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """(actual − planned) ÷ planned, or None when it cannot be worked out."""
    if planned is None or actual is None or planned <= 0:
        return None
    return (actual - planned) / planned


def suggest_rag(
    *,
    milestones: Iterable[MilestoneState],
    spend_planned: Decimal | None,
    spend_actual: Decimal | None,
    quarter_end: datetime.date,
) -> SuggestedRag:
    milestones = [m for m in milestones if m.status != Milestone.Status.CANCELLED]
    if milestones and all(m.status == Milestone.Status.COMPLETE for m in milestones):
        return SuggestedRag(Rag.COMPLETE, ["every milestone is complete"])

    red, amber = [], []
    for milestone in milestones:
        late = days_late(milestone, as_at=quarter_end)
        if late > RED_DAYS_LATE:
            red.append(f"“{milestone.title}” is {late} days late")
        elif late > 0:
            amber.append(f"“{milestone.title}” is {late} days late")

    variance = spend_variance(planned=spend_planned, actual=spend_actual)
    if variance is not None:
        words = f"spend is {abs(variance):.0%} {'over' if variance > 0 else 'under'} plan"
        if abs(variance) > RED_SPEND_VARIANCE:
            red.append(words)
        elif abs(variance) > AMBER_SPEND_VARIANCE:
            amber.append(words)

    if red:
        return SuggestedRag(Rag.RED, red + amber)
    if amber:
        return SuggestedRag(Rag.AMBER, amber)
    return SuggestedRag(Rag.GREEN)
