"""Opening the next financial year: its quarters, objectives, planned investment and
the milestones that roll forward (decision 0024).

The programme office fills in a `YearPlan` on a page (updates.views.years), sees
`preview_year` (reads only) and confirms; `open_year` then re-checks everything
against the database as it is at that moment (a preview is never trusted) and
writes the whole year in one transaction, each row with its history ("Opened
2021/22", who, when). A half-made year is refused with every missing piece
(`YearRefused.problems`); a year someone opened meanwhile with `YearAlreadyOpen`.

Nothing is re-pointed: last year's objectives and milestones stay as they were,
the record of that year. A carried objective is a new row that `continues` last
year's, so a locality's RAG history follows it across years; a milestone rolled
forward is a new row that `continues` the old one, in the plan from the new
year's first day, with the plan's words and window unchanged.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.text import Truncator

from localities import access
from localities.models import (
    FinancialYear,
    Locality,
    Milestone,
    Objective,
    PlannedInvestment,
    Quarter,
)
from localities.years import localities_for_year

SOURCE_LENGTH = 300
# A proposed deadline when last year has no quarter to copy the pattern from.
DEFAULT_DAYS_AFTER_QUARTER = 30


@dataclass(frozen=True)
class NewObjective:
    """An objective agreed for the new year, not carried from the last."""

    title: str
    short_title: str
    measure: str = ""
    source: str = ""
    kind: str = Objective.Kind.OTHER


@dataclass(frozen=True)
class YearPlan:
    """What the programme office asks for: the year after the latest one set up."""

    start_year: int
    # The proposal the plan was made from (YearProposal.fingerprint): a plan made
    # from last year as it no longer is is refused, not opened (StalePlan).
    based_on: str
    # Quarter number (1–4) → its submission deadline (None: not given).
    deadlines: dict[int, datetime.date | None]
    # Last year's objectives to carry forward (their ids).
    carried: tuple[int, ...] = ()
    new_objectives: tuple[NewObjective, ...] = ()
    # Locality id → planned investment in pounds (None: not given).
    investments: dict[int, Decimal | None] = field(default_factory=dict)
    # Last year's milestones to roll forward (their ids).
    milestones: tuple[int, ...] = ()


@dataclass(frozen=True)
class Problem:
    """What makes the year half-made. `key` names the part of the plan:
    "deadline_<n>", "objectives", "carry_<id>", "new_<n>", "investment_<id>",
    "milestone_<id>" or "year"."""

    key: str
    message: str


class YearRefused(ValidationError):
    """The year is half-made: nothing has been saved. `problems` says what is missing."""

    def __init__(self, problems: list[Problem]):
        super().__init__([problem.message for problem in problems])
        self.problems = problems


class YearAlreadyOpen(ValidationError):
    """Someone opened the year after this plan was previewed."""


class StalePlan(ValidationError):
    """Last year's objectives, milestones or the localities changed since the page was loaded."""


@dataclass(frozen=True)
class ProposedQuarter:
    number: int
    start_date: datetime.date
    end_date: datetime.date
    deadline: datetime.date

    @property
    def months(self) -> str:
        return f"{self.start_date:%B} to {self.end_date:%B %Y}"


@dataclass(frozen=True)
class YearProposal:
    """What the page offers: the next year, last year's pattern and what can be carried."""

    start_year: int
    previous: FinancialYear | None
    quarters: list[ProposedQuarter]
    objectives: list[Objective]
    localities: list[Locality]
    # Locality id → last year's planned investment, shown beside each amount.
    last_investments: dict[int, Decimal]
    milestones: list[Milestone]

    @property
    def label(self) -> str:
        return FinancialYear(start_year=self.start_year).label

    @property
    def fingerprint(self) -> str:
        """What the page offered, in short: it changes when what can be carried does."""
        offered = (
            self.start_year,
            [(objective.id, objective.title) for objective in self.objectives],
            [locality.id for locality in self.localities],
            [(milestone.id, milestone.status) for milestone in self.milestones],
        )
        return hashlib.sha256(repr(offered).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class YearPreview:
    """What `open_year` will create, counted and listed."""

    label: str
    quarters: list[ProposedQuarter]
    carried: list[Objective]
    new_objectives: list[NewObjective]
    investments: list[tuple[Locality, Decimal]]
    milestones: list[Milestone]

    @property
    def total_investment(self) -> Decimal:
        return sum((amount for _, amount in self.investments), Decimal(0))

    @property
    def objective_count(self) -> int:
        return len(self.carried) + len(self.new_objectives)

    @property
    def row_count(self) -> int:
        """Rows created: the year, its quarters, objectives, investments and milestones."""
        return (
            1
            + len(self.quarters)
            + self.objective_count
            + len(self.investments)
            + len(self.milestones)
        )


def _require_office(by) -> None:
    if not access.is_programme_office(by):
        raise PermissionDenied("Only the programme office opens a new year.")


def _latest_year() -> FinancialYear | None:
    return FinancialYear.objects.order_by("-start_year").first()


def next_start_year(*, today: datetime.date) -> int:
    """The year after the latest one set up (this year's if none is)."""
    latest = _latest_year()
    if latest is not None:
        return latest.start_year + 1
    return today.year if today.month >= 4 else today.year - 1


def _rollable_milestones(previous: FinancialYear | None) -> list[Milestone]:
    """Last year's milestones still owed at its end, that a person reports on.

    Complete and cancelled ones are done with; derived ones (decision 0009) follow
    their data whatever the year, so there is nothing to roll.
    """
    if previous is None:
        return []
    return list(
        Milestone.objects.in_plan_on(previous.end_date)
        .exclude(status__in=[Milestone.Status.COMPLETE, Milestone.Status.CANCELLED])
        .filter(derived_from=Milestone.DerivedFrom.REPORTED)
        .select_related("locality", "objective")
        .order_by("locality__name", "planned_end", "title", "id")
    )


def _objectives_in_force(previous: FinancialYear | None) -> list[Objective]:
    """The objectives last year reported on: its own, or the latest agreed before it
    (ObjectiveQuerySet.reported_in: a year without new objectives carries the last)."""
    if previous is None:
        return []
    agreed_in = (
        Objective.objects.filter(financial_year__start_year__lte=previous.start_year)
        .order_by("-financial_year__start_year")
        .values_list("financial_year__start_year", flat=True)
        .first()
    )
    return list(
        Objective.objects.filter(financial_year__start_year=agreed_in)
        .select_related("financial_year")
        .order_by("number")
    )


def proposal(*, today: datetime.date) -> YearProposal:
    """The next year as the page first proposes it: deadlines on last year's pattern."""
    start_year = next_start_year(today=today)
    previous = FinancialYear.objects.filter(start_year=start_year - 1).first()
    last_quarters = (
        {quarter.number: quarter for quarter in previous.quarters.all()} if previous else {}
    )
    quarters = []
    for number in range(1, 5):
        start, end = Quarter.dates_for(start_year, number)
        last = last_quarters.get(number)
        gap = (
            (last.submission_deadline - last.end_date).days
            if last is not None
            else DEFAULT_DAYS_AFTER_QUARTER
        )
        quarters.append(
            ProposedQuarter(
                number=number,
                start_date=start,
                end_date=end,
                deadline=end + datetime.timedelta(days=gap),
            )
        )
    return YearProposal(
        start_year=start_year,
        previous=previous,
        quarters=quarters,
        objectives=_objectives_in_force(previous),
        localities=list(localities_for_year(start_year)),
        last_investments=dict(
            PlannedInvestment.objects.filter(financial_year=previous).values_list(
                "locality_id", "amount"
            )
        )
        if previous
        else {},
        milestones=_rollable_milestones(previous),
    )


def year_problems(plan: YearPlan, *, proposed: YearProposal) -> list[Problem]:
    """Everything that makes `plan` a half-made year, in the page's order."""
    problems = []
    if plan.start_year != proposed.start_year:
        return [
            Problem(
                "year",
                f"{FinancialYear(start_year=plan.start_year).label} cannot be opened: the next "
                f"year to open is {proposed.label}.",
            )
        ]
    for quarter in proposed.quarters:
        deadline = plan.deadlines.get(quarter.number)
        if deadline is None:
            problems.append(
                Problem(f"deadline_{quarter.number}", f"Enter the deadline for Q{quarter.number}")
            )
        elif deadline < quarter.end_date:
            problems.append(
                Problem(
                    f"deadline_{quarter.number}",
                    f"Q{quarter.number}'s deadline must be on or after the quarter ends "
                    f"({quarter.end_date:%-d %B %Y}): a return reports on a whole quarter",
                )
            )
    if not plan.carried and not plan.new_objectives:
        problems.append(
            Problem(
                "objectives",
                f"Carry forward at least one of the objectives {proposed.previous.label} "
                "reported on, or agree a new one: a year without objectives has nothing "
                "to report on"
                if proposed.previous and proposed.objectives
                else "Agree at least one objective: a year without objectives has nothing "
                "to report on",
            )
        )
    carriable = {objective.id for objective in proposed.objectives}
    for objective_id in plan.carried:
        if objective_id not in carriable:
            problems.append(
                Problem(
                    f"carry_{objective_id}",
                    "Only last year's objectives can be carried forward: reload the page",
                )
            )
    for number, objective in enumerate(plan.new_objectives, start=1):
        if not objective.title.strip() or not objective.short_title.strip():
            problems.append(
                Problem(
                    f"new_{number}",
                    f"Give new objective {number} both a title and a short title",
                )
            )
    for locality in proposed.localities:
        amount = plan.investments.get(locality.id)
        if amount is None:
            problems.append(
                Problem(
                    f"investment_{locality.id}",
                    f"Enter the planned investment for {locality.name} (0 if none is planned)",
                )
            )
        elif amount < 0:
            problems.append(
                Problem(
                    f"investment_{locality.id}",
                    f"The planned investment for {locality.name} cannot be negative",
                )
            )
    rollable = {milestone.id for milestone in proposed.milestones}
    for milestone_id in plan.milestones:
        if milestone_id not in rollable:
            problems.append(
                Problem(
                    f"milestone_{milestone_id}",
                    "Only milestones still owed at the end of last year roll forward: "
                    "reload the page",
                )
            )
    return problems


def _check(plan: YearPlan, *, today: datetime.date) -> YearProposal:
    """The proposal as the database is now; refuse a year opened meanwhile or half-made."""
    if FinancialYear.objects.filter(start_year=plan.start_year).exists():
        raise YearAlreadyOpen(
            f"{FinancialYear(start_year=plan.start_year).label} has been opened since this "
            "page was loaded, so nothing has been saved. Check the year as it now is.",
            code="already_open",
        )
    proposed = proposal(today=today)
    if plan.based_on != proposed.fingerprint:
        raise StalePlan(
            f"Last year's objectives, milestones or localities changed since this page was "
            f"loaded, so nothing has been saved. Check {proposed.label} as it now is and "
            "preview it again.",
            code="stale",
        )
    problems = year_problems(plan, proposed=proposed)
    if problems:
        raise YearRefused(problems)
    return proposed


def preview_year(*, plan: YearPlan, today: datetime.date) -> YearPreview:
    """What opening the year would create. Writes nothing."""
    proposed = _check(plan, today=today)
    carried = set(plan.carried)
    rolled = set(plan.milestones)
    return YearPreview(
        label=proposed.label,
        quarters=[
            ProposedQuarter(
                number=quarter.number,
                start_date=quarter.start_date,
                end_date=quarter.end_date,
                deadline=plan.deadlines[quarter.number],
            )
            for quarter in proposed.quarters
        ],
        carried=[objective for objective in proposed.objectives if objective.id in carried],
        new_objectives=list(plan.new_objectives),
        investments=[(locality, plan.investments[locality.id]) for locality in proposed.localities],
        milestones=[milestone for milestone in proposed.milestones if milestone.id in rolled],
    )


def _save(row: Model, *, by: AbstractBaseUser, reason: str) -> None:
    row.full_clean()
    row._history_user = by
    row._change_reason = reason
    row.save()


def _carried_source(objective: Objective, label: str) -> str:
    carried = f"Carried forward from {objective.financial_year.label} when {label} was opened"
    return Truncator(f"{carried}; {objective.source}" if objective.source else carried).chars(
        SOURCE_LENGTH
    )


@transaction.atomic
def open_year(*, plan: YearPlan, by: AbstractBaseUser, today: datetime.date) -> FinancialYear:
    """Open the year `plan` describes, all of it or nothing.

    The previous year's row is locked first, so two people confirming at once
    are taken in turn: the second is told the year is already open.
    """
    _require_office(by)
    list(FinancialYear.objects.select_for_update().filter(start_year=plan.start_year - 1))
    preview = preview_year(plan=plan, today=today)
    year = FinancialYear(start_year=plan.start_year)
    reason = f"Opened {year.label}"
    _save(year, by=by, reason=reason)

    for quarter in preview.quarters:
        _save(
            Quarter(
                financial_year=year,
                number=quarter.number,
                start_date=quarter.start_date,
                end_date=quarter.end_date,
                submission_deadline=quarter.deadline,
            ),
            by=by,
            reason=reason,
        )

    successors: dict[int, Objective] = {}
    for number, old in enumerate(preview.carried, start=1):
        objective = Objective(
            financial_year=year,
            number=number,
            title=old.title,
            short_title=old.short_title,
            measure=old.measure,
            source=_carried_source(old, year.label),
            kind=old.kind,
            carries_spend=old.carries_spend,
            continues=old,
        )
        _save(objective, by=by, reason=reason)
        successors[old.id] = objective
    for number, new in enumerate(preview.new_objectives, start=len(preview.carried) + 1):
        _save(
            Objective(
                financial_year=year,
                number=number,
                title=new.title.strip(),
                short_title=new.short_title.strip(),
                measure=new.measure.strip(),
                source=new.source.strip(),
                kind=new.kind,
            ),
            by=by,
            reason=reason,
        )

    for locality, amount in preview.investments:
        _save(
            PlannedInvestment(locality=locality, financial_year=year, amount=amount),
            by=by,
            reason=reason,
        )

    for old in preview.milestones:
        _save(_rolled_forward(old, year=year, successors=successors), by=by, reason=reason)
    return year


def _rolled_forward(
    old: Milestone, *, year: FinancialYear, successors: dict[int, Objective]
) -> Milestone:
    """The same step of the plan, in the new year's plan from its first day.

    The plan's words and window are kept (rolling forward does not re-date a plan:
    its slippage still counts from what was planned), and so is its last report,
    with who made it and when, until a return reports on it again.
    """
    return Milestone(
        title=old.title,
        description=old.description,
        workstream=old.workstream,
        locality=old.locality,
        objective=successors.get(old.objective_id),
        critical_area_id=old.critical_area_id,
        planned_start=old.planned_start,
        planned_end=old.planned_end,
        timing_as_written=old.timing_as_written,
        is_date_uncertain=old.is_date_uncertain,
        forecast_date=old.forecast_date,
        status=old.status,
        source=old.source,
        reported_by=old.reported_by,
        reported_on=old.reported_on,
        is_illustrative=old.is_illustrative,
        continues=old,
        in_plan_from=year.start_date,
    )
