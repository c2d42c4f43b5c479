"""The programme overview: where the programme stands as at a quarter, and what changed."""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from dashboard.periods import DashboardPage
from localities.models import (
    Locality,
    Milestone,
    Objective,
    ObjectiveStatus,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
    QuarterlyUpdate,
    Rag,
)
from risks.selectors import BandCount, open_risks_by_band, risks_as_at

# The 2018/19 plan: one MDT for every 30,000–50,000 registered patients.
MDT_POPULATION_LOW = 30_000
MDT_POPULATION_HIGH = 50_000
ACTIVELY_INVESTED_CODE = "invested-to-date"


class LocalityHealth:
    """How a locality stands across its objectives in a quarter (words for the headline)."""

    ON_TRACK = "On track"
    CONCERNS = "Some concerns"
    OFF_TRACK = "Off track"
    NO_RETURN = "No approved return"


def locality_health(rags: list[str]) -> str:
    """On track: every objective Green or Complete. Off track: any Red. Else some concerns."""
    if not rags:
        return LocalityHealth.NO_RETURN
    if Rag.RED in rags:
        return LocalityHealth.OFF_TRACK
    if all(rag in (Rag.GREEN, Rag.COMPLETE) for rag in rags):
        return LocalityHealth.ON_TRACK
    return LocalityHealth.CONCERNS


@dataclass(frozen=True)
class MatrixCell:
    objective: Objective
    rag: str | None
    label: str


@dataclass(frozen=True)
class MatrixRow:
    locality: Locality
    cells: list[MatrixCell]
    health: str


@dataclass(frozen=True)
class Headline:
    localities_total: int
    returns_shown: int
    localities_on_track: int
    health_counts: dict[str, int]
    mdts_live: int
    mdts_planned: int
    population_covered: int
    population_plan_low: int
    population_plan_high: int
    spend_to_date: Decimal
    planned_investment: Decimal
    actively_invested: Decimal | None
    risks_by_band: list[BandCount]
    milestones_overdue: int


@dataclass(frozen=True)
class Overview:
    quarter: Quarter
    previous_quarter: Quarter | None
    headline: Headline
    objectives: list[Objective]
    matrix: list[MatrixRow]
    changes: list[str]
    includes_illustrative: bool


def _statuses_by_locality(quarter: Quarter, statuses, objectives) -> dict[int, dict[int, str]]:
    """{locality id: {objective id: RAG}} from the visible updates of `quarter`; one query.

    Plain values rather than ObjectiveStatus rows: at 800 localities, building
    the rows (narratives and all) cost more than the query.
    """
    rags: dict[int, dict[int, str]] = {}
    for locality_id, objective_id, rag in ObjectiveStatus.objects.filter(
        update__quarter=quarter, update__status__in=statuses, objective__in=objectives
    ).values_list("update__locality_id", "objective_id", "rag"):
        rags.setdefault(locality_id, {})[objective_id] = rag
    return rags


def _visible_updates(quarter: Quarter, statuses) -> list[QuarterlyUpdate]:
    return list(
        QuarterlyUpdate.objects.filter(quarter=quarter, status__in=statuses).only(
            "locality_id", "mdts_planned", "mdts_live", "population_covered", "is_illustrative"
        )
    )


def overdue_milestones(day: datetime.date):
    """Milestones whose planned window had closed by `day` without being completed by then."""
    return (
        Milestone.objects.exclude(status=Milestone.Status.CANCELLED)
        .filter(planned_end__lt=day)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=day))
    )


def _headline(page: DashboardPage, localities, updates, matrix) -> Headline:
    quarter = page.quarter
    year = quarter.financial_year
    spend = QuarterlyUpdate.objects.filter(
        quarter__financial_year=year,
        quarter__start_date__lte=quarter.start_date,
        status__in=page.statuses,
    ).aggregate(total=Sum("spend_actual"))["total"]
    planned = PlannedInvestment.objects.filter(financial_year=year).aggregate(total=Sum("amount"))[
        "total"
    ]
    invested = (
        ProgrammeFigure.objects.filter(code=ACTIVELY_INVESTED_CODE)
        .values_list("value", flat=True)
        .first()
    )
    mdts_planned = sum(update.mdts_planned or 0 for update in updates)
    health_counts = Counter(row.health for row in matrix)
    return Headline(
        localities_total=len(localities),
        returns_shown=len(updates),
        localities_on_track=health_counts[LocalityHealth.ON_TRACK],
        health_counts=dict(health_counts),
        mdts_live=sum(update.mdts_live or 0 for update in updates),
        mdts_planned=mdts_planned,
        population_covered=sum(update.population_covered or 0 for update in updates),
        population_plan_low=mdts_planned * MDT_POPULATION_LOW,
        population_plan_high=mdts_planned * MDT_POPULATION_HIGH,
        spend_to_date=spend or Decimal("0"),
        planned_investment=planned or Decimal("0"),
        actively_invested=invested,
        risks_by_band=open_risks_by_band(quarter.end_date),
        milestones_overdue=overdue_milestones(quarter.end_date).count(),
    )


def _rag_changes(
    objectives, localities, current: dict[int, dict[int, str]], previous: dict[int, dict[int, str]]
) -> list[str]:
    changes = []
    for locality in localities:
        before, now = previous.get(locality.id, {}), current.get(locality.id, {})
        for objective in objectives:
            old, new = before.get(objective.id), now.get(objective.id)
            if old and new and old != new:
                changes.append(
                    f"{locality.name}: “{objective.short_title}” moved from "
                    f"{Rag(old).label} to {Rag(new).label}."
                )
    return changes


def _milestone_changes(quarter: Quarter) -> list[str]:
    in_quarter = Q(actual_date__range=(quarter.start_date, quarter.end_date))
    missed = Q(planned_end__range=(quarter.start_date, quarter.end_date)) & (
        Q(actual_date__isnull=True) | Q(actual_date__gt=quarter.end_date)
    )
    changes = []
    for milestone in (
        Milestone.objects.exclude(status=Milestone.Status.CANCELLED)
        .filter(in_quarter | missed)
        .select_related("locality")
        .order_by("planned_end", "title")
    ):
        where = f" ({milestone.locality.name})" if milestone.locality else ""
        if (
            milestone.actual_date
            and quarter.start_date <= milestone.actual_date <= quarter.end_date
        ):
            changes.append(
                f"Milestone completed{where}: {milestone.title}, on "
                f"{milestone.actual_date:%-d %B %Y}."
            )
        else:
            changes.append(
                f"Milestone missed its planned date{where}: {milestone.title}, "
                f"due by {milestone.planned_end:%-d %B %Y}."
            )
    return changes


def _risk_changes(quarter: Quarter, previous_quarter: Quarter | None) -> list[str]:
    if previous_quarter is None:
        return []
    before = dict(risks_as_at(previous_quarter.end_date).values_list("id", "score_then"))
    changes = []
    for risk_id, reference, title, score in (
        risks_as_at(quarter.end_date)
        .order_by("reference")
        .values_list("id", "reference", "title", "score_then")
    ):
        if risk_id in before and score > before[risk_id]:
            changes.append(
                f"Risk {reference} score rose from {before[risk_id]} to {score}: {title}."
            )
    return changes


def _overdue_returns(quarter: Quarter, localities, today: datetime.date) -> list[str]:
    if today <= quarter.submission_deadline:
        return []
    handed_in = set(
        QuarterlyUpdate.objects.filter(
            quarter=quarter,
            status__in=[QuarterlyUpdate.Status.SUBMITTED, QuarterlyUpdate.Status.APPROVED],
        ).values_list("locality_id", flat=True)
    )
    return [
        f"Return overdue: {locality.name} has not submitted its {quarter.label} update "
        f"(due {quarter.submission_deadline:%-d %B %Y})."
        for locality in localities
        if locality.id not in handed_in
    ]


def programme_overview(*, page: DashboardPage, today: datetime.date) -> Overview:
    """Everything on the overview page, in a fixed number of queries."""
    quarter = page.quarter
    localities = list(Locality.objects.order_by("name"))
    objectives = list(
        Objective.objects.filter(financial_year=quarter.financial_year).order_by("number")
    )
    updates = _visible_updates(quarter, page.statuses)
    current = _statuses_by_locality(quarter, page.statuses, objectives)

    matrix = []
    for locality in localities:
        rags = current.get(locality.id, {})
        cells = [
            MatrixCell(
                objective=objective,
                rag=rags.get(objective.id),
                label=Rag(rags[objective.id]).label if objective.id in rags else "No status",
            )
            for objective in objectives
        ]
        matrix.append(
            MatrixRow(
                locality=locality,
                cells=cells,
                health=locality_health(list(rags.values())),
            )
        )

    previous_quarter = page.previous_quarter
    previous = (
        _statuses_by_locality(previous_quarter, page.statuses, objectives)
        if previous_quarter
        else {}
    )
    changes = (
        _rag_changes(objectives, localities, current, previous)
        + _milestone_changes(quarter)
        + _risk_changes(quarter, previous_quarter)
        + _overdue_returns(quarter, localities, today)
    )
    return Overview(
        quarter=quarter,
        previous_quarter=previous_quarter,
        headline=_headline(page, localities, updates, matrix),
        objectives=objectives,
        matrix=matrix,
        changes=changes,
        includes_illustrative=any(update.is_illustrative for update in updates),
    )
