"""The milestone register: every milestone, its status as at a quarter and its slippage."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Count, F, OrderBy, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from common.pagination import SqlPage, sql_page
from dashboard.filters.localities import LocalityChoice, locality_choice_rows
from dashboard.filters.milestones import MilestoneFilter
from dashboard.periods import DashboardPage
from localities.milestone_status import StatusAsAt, status_as_at_expression
from localities.models import Milestone, Objective
from localities.slippage import Slippage, actual_text

# Sorting by status puts what needs attention first.
STATUS_ORDER = {status: position for position, status in enumerate(StatusAsAt.values)}


def milestones_as_at(day: datetime.date) -> QuerySet[Milestone]:
    # A milestone rolled forward is in the plan from its year (decision 0024).
    return (
        Milestone.objects.in_plan_on(day)
        .select_related("locality", "objective__financial_year")
        .annotate(
            status_then=status_as_at_expression(day),
            # A completion after `day` was not known then: no actual date, no slippage from it.
            actual_then=Case(
                When(actual_date__lte=day, then=F("actual_date")),
                default=Value(None),
                output_field=models.DateField(),
            ),
        )
    )


# Slippage (see `slippage`) in SQL, for sorting and counting: null where it is not known.
_SLIPPAGE_KNOWN = Q(is_date_uncertain=False, planned_end__isnull=False)
# On querysets from milestones_as_at: the actual date as known then.
_SLIPPED = _SLIPPAGE_KNOWN & (
    Q(actual_then__gt=F("planned_end"))
    | Q(actual_then__isnull=True, forecast_date__gt=F("planned_end"))
)


def _sortable(milestones: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """The register's sort keys (dashboard.tables.milestones) as annotations."""
    return milestones.annotate(
        status_order=Case(
            *(
                When(status_then=status, then=Value(order))
                for status, order in STATUS_ORDER.items()
            ),
            output_field=models.IntegerField(),
        ),
        slippage_days=Case(
            When(~_SLIPPAGE_KNOWN, then=Value(None)),
            default=Coalesce("actual_then", "forecast_date") - F("planned_end"),
            output_field=models.DurationField(),
        ),
        locality_name=F("locality__name"),
    )


def slippage(milestone: Milestone) -> Slippage | None:
    """None when a date is missing; in days only against an exact plan (localities.slippage).

    From milestones_as_at, against the actual date as known on its day (`actual_then`):
    an actual date after the page's day was not known then.
    """
    if hasattr(milestone, "actual_then"):
        return milestone.slippage(as_known=True, actual_date=milestone.actual_then)
    return milestone.slippage()


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone as the register shows it; plain values, so sorting needs no queries."""

    id: int
    title: str
    locality_name: str | None
    workstream: str
    objective_label: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    planned_window: str
    is_date_uncertain: bool
    forecast_date: datetime.date | None
    actual_date: datetime.date | None  # for sorting and drawing; never shown (actual_text)
    status_then: str
    slippage: Slippage | None
    report: str
    is_illustrative: bool = False
    # What the pages show: the paper's words when it gives only a month (decision 0002).
    actual_text: str = ""

    @property
    def status_label(self) -> str:
        return StatusAsAt(self.status_then).label

    @property
    def status_order(self) -> int:
        return STATUS_ORDER[self.status_then]

    @property
    def slippage_days(self) -> int | None:
        return self.slippage.days if self.slippage else None

    @property
    def has_dates(self) -> bool:
        return bool(self.planned_end or self.actual_date or self.forecast_date)


@dataclass(frozen=True)
class MilestoneSummary:
    total: int
    by_status: dict[str, int]
    without_date: int
    slipped: int

    def sentence(self, *, day: datetime.date) -> str:
        """ "Of 33 milestones, 12 were complete and 14 overdue by …" for the page's opening line."""
        if not self.total:
            return "No milestones match these filters."
        count = self.by_status.get
        others = [
            f"{count(status)} {status.label.lower()}"
            for status in (
                StatusAsAt.IN_PROGRESS,
                StatusAsAt.NOT_STARTED,
                StatusAsAt.NOT_REPORTED,
                StatusAsAt.CANCELLED,
            )
            if count(status)
        ]
        noun = "milestone" if self.total == 1 else "milestones"
        sentence = (
            f"Of {self.total} {noun}, {count(StatusAsAt.COMPLETE, 0)} were complete and "
            f"{count(StatusAsAt.OVERDUE, 0)} overdue by {day:%-d %B %Y}"
        )
        if others:
            sentence += f"; {', '.join(others)}"
        return (
            f"{sentence}. {self.without_date} have no planned date yet, and {self.slipped} "
            "finished or are forecast to finish after their planned window."
        )


@dataclass(frozen=True)
class MilestoneFilterChoices:
    """What the filter offers, read from the data: (value, label) pairs and workstream names."""

    localities: list[LocalityChoice]
    objectives: list[tuple[int, str]]
    workstreams: list[str]


def _objective_label(objective: Objective | None, *, with_year: bool = False) -> str:
    if objective is None:
        return ""
    label = f"{objective.number}. {objective.short_title}"
    return f"{objective.financial_year.label}: {label}" if with_year else label


def _row(milestone: Milestone) -> MilestoneRow:
    return MilestoneRow(
        id=milestone.id,
        title=milestone.title,
        locality_name=milestone.locality.name if milestone.locality else None,
        workstream=milestone.workstream,
        objective_label=_objective_label(milestone.objective),
        planned_start=milestone.planned_start,
        planned_end=milestone.planned_end,
        planned_window=milestone.planned_window_text(),
        is_date_uncertain=milestone.is_date_uncertain,
        forecast_date=milestone.forecast_date,
        actual_date=milestone.actual_then,
        status_then=milestone.status_then,
        slippage=slippage(milestone),
        report=milestone.report_text(),
        is_illustrative=milestone.is_illustrative,
        actual_text=actual_text(milestone.actual_then, milestone.actual_as_written),
    )


def _summary_in_sql(milestones: QuerySet[Milestone]) -> MilestoneSummary:
    """`_summary` of every milestone matching the filters, counted in one query."""
    counts = milestones.order_by().aggregate(
        total=Count("id"),
        without_date=Count("id", filter=Q(planned_end__isnull=True)),
        slipped=Count("id", filter=_SLIPPED),
        **{status: Count("id", filter=Q(status_then=status)) for status in StatusAsAt.values},
    )
    return MilestoneSummary(
        total=counts["total"],
        by_status={status: counts[status] for status in StatusAsAt.values if counts[status]},
        without_date=counts["without_date"],
        slipped=counts["slipped"],
    )


def milestone_filterset(
    *, page: DashboardPage, filter_data, choices: MilestoneFilterChoices
) -> MilestoneFilter:
    """The register's filter, bound to `filter_data`; building it runs no query."""
    return MilestoneFilter(
        filter_data,
        queryset=milestones_as_at(page.quarter.end_date),
        localities=choices.localities,
        objectives=choices.objectives,
        workstreams=choices.workstreams,
        status_choices=StatusAsAt.choices,
    )


def _filter_choices() -> MilestoneFilterChoices:
    return MilestoneFilterChoices(
        localities=locality_choice_rows(),
        objectives=[
            (objective.id, _objective_label(objective, with_year=True))
            for objective in Objective.objects.filter(milestones__isnull=False)
            .distinct()
            .select_related("financial_year")
            .order_by("financial_year__start_year", "number")
        ],
        workstreams=list(
            Milestone.objects.exclude(workstream="")
            .order_by("workstream")
            .values_list("workstream", flat=True)
            .distinct()
        ),
    )


@dataclass(frozen=True)
class MilestonesPage:
    """The register's page: the summary covers every matching milestone, `rows` one page."""

    filter_choices: MilestoneFilterChoices
    rows: SqlPage  # of MilestoneRow
    summary: MilestoneSummary
    summary_sentence: str

    @property
    def is_illustrative(self) -> bool:
        """Whether any milestone on this page (the table's rows, the chart's bars) is illustrative."""
        return any(row.is_illustrative for row in self.rows.rows)


def _ordered(milestones: QuerySet[Milestone], ordering: list[OrderBy]) -> QuerySet[Milestone]:
    # The id last: a stable order, so that LIMIT/OFFSET pages neither repeat nor skip a row.
    if not ordering:
        return milestones.order_by(*Milestone._meta.ordering, "id")
    return milestones.order_by(*ordering, "id")


def milestones_page(
    *, page: DashboardPage, filter_data, ordering: list[OrderBy], number: str, per_page: int
) -> MilestonesPage:
    """One page of the register, sorted by `ordering`, and the summary of all of it.

    Five queries whatever the data: the filter's choices, one aggregate for
    the summary (and the count), and the page's milestones.
    """
    choices = _filter_choices()
    filterset = milestone_filterset(page=page, filter_data=filter_data, choices=choices)
    milestones = _sortable(filterset.qs)
    summary = _summary_in_sql(milestones)
    return MilestonesPage(
        filter_choices=choices,
        rows=sql_page(
            _ordered(milestones, ordering),
            requested=number,
            per_page=per_page,
            total=summary.total,
            row=_row,
        ),
        summary=summary,
        summary_sentence=summary.sentence(day=page.quarter.end_date),
    )


def milestone_register(*, page: DashboardPage) -> QuerySet[Milestone]:
    """Every milestone as at the page's quarter end, in the register's default order:
    `milestone_row` makes each the page's row (no query). For the data API."""
    return _ordered(milestones_as_at(page.quarter.end_date), [])


def milestone_row(milestone: Milestone) -> MilestoneRow:
    """A milestone from `milestone_register` (or `milestones_as_at`) as the register's row."""
    return _row(milestone)


def milestone_rows(
    *, page: DashboardPage, filter_data, ordering: list[OrderBy]
) -> list[MilestoneRow]:
    """Every milestone matching the filters, sorted as the register is: for the downloads."""
    filterset = milestone_filterset(page=page, filter_data=filter_data, choices=_filter_choices())
    return [_row(milestone) for milestone in _ordered(_sortable(filterset.qs), ordering)]


def milestone_summary(*, page: DashboardPage) -> MilestoneSummary:
    """The summary of every milestone as at the page's quarter: one aggregate."""
    return _summary_in_sql(milestones_as_at(page.quarter.end_date))


def milestones_for_attention(*, page: DashboardPage, limit: int) -> tuple[list[MilestoneRow], int]:
    """Overdue milestones and those completed in the quarter: the first `limit` and how many.

    For the board pack, which lists a few of what may be thousands. Two queries.
    """
    quarter = page.quarter
    wanted = milestones_as_at(quarter.end_date).filter(
        Q(status_then=StatusAsAt.OVERDUE)
        | Q(actual_date__gte=quarter.start_date, actual_date__lte=quarter.end_date)
    )
    rows = [_row(milestone) for milestone in _ordered(wanted, [])[:limit]]
    return rows, wanted.order_by().count()
