"""The objectives page: every locality's status against each objective, quarter by
quarter through the financial year, in a fixed number of queries."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, F, OrderBy, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django_tables2.utils import OrderBy as Alias

from common.pagination import SqlPage, sql_page
from dashboard.periods import DashboardPage
from localities.models import NO_STATUS_SEVERITY, Locality, Objective, Quarter, Rag
from updates.models import ObjectiveStatus


@dataclass(frozen=True)
class StatusCell:
    """One locality's status against one objective in one quarter (rag None: no return)."""

    quarter: Quarter
    rag: str | None

    @property
    def label(self) -> str:
        return Rag.label_for(self.rag)

    @property
    def rank(self) -> int:
        """Sorting a column by status puts the worst at the top and missing returns last."""
        return Rag.severity(self.rag)


@dataclass(frozen=True)
class LocalityRow:
    locality: Locality
    cells: list[StatusCell]


@dataclass(frozen=True)
class QuarterCounts:
    """How many localities had each RAG against an objective in a quarter."""

    quarter: Quarter
    counts: dict[str, int]
    no_status: int

    @property
    def green_or_complete(self) -> int:
        return self.counts[Rag.GREEN] + self.counts[Rag.COMPLETE]


@dataclass(frozen=True)
class ObjectiveProgress:
    """One objective: its table's rows (one page of localities) and counts over all of them."""

    objective: Objective
    page: SqlPage  # of LocalityRow
    counts: list[QuarterCounts]
    # Whether any status counted here (in its table or chart) comes from an illustrative return.
    is_illustrative: bool = False

    @property
    def rows(self) -> list[LocalityRow]:
        return self.page.rows


@dataclass(frozen=True)
class ObjectivesPage:
    quarter: Quarter
    year_quarters: list[Quarter]
    locality_count: int
    objectives: list[ObjectiveProgress]
    includes_illustrative: bool


@dataclass(frozen=True)
class TablePage:
    """What a request asks of one objective's table: its `?<prefix>sort=` and page."""

    sort: tuple[str, ...]
    number: str
    per_page: int | None  # None: every locality (a download)


def table_prefix(objective: Objective) -> str:
    """The query-string prefix of an objective's table: `objective-2-sort`, `objective-2-page`."""
    return f"objective-{objective.number}-"


def _rank_in(objective: Objective, quarter: Quarter, statuses) -> Coalesce:
    """A locality's severity rank (`StatusCell.rank`) against `objective` in `quarter`."""
    rank = (
        ObjectiveStatus.objects.filter(
            objective=objective,
            update__locality=OuterRef("pk"),
            update__quarter=quarter,
            update__status__in=statuses,
        )
        .annotate(rank=Rag.severity_case("rag"))
        .values("rank")[:1]
    )
    return Coalesce(Subquery(rank), Value(NO_STATUS_SEVERITY))


def _ordered_localities(
    localities: QuerySet[Locality],
    *,
    sort: tuple[str, ...],
    objective: Objective,
    year_quarters: list[Quarter],
    statuses,
) -> QuerySet[Locality]:
    """Localities in the order the table's `?sort=` asks for, in SQL.

    "locality" sorts by name; "q2" by the status in the year's second quarter,
    worst first, then by name, as the table sorted its rows in Python before.
    """
    by_number = {f"q{quarter.number}": quarter for quarter in year_quarters}
    ordering: list[OrderBy] = []
    for alias in (part for value in sort for part in value.split(",")):
        name, descending = Alias(alias).bare, alias.startswith("-")
        if name == "locality":
            field = F("name")
        elif name in by_number:
            annotation = f"rank_{name}"
            localities = localities.annotate(
                **{annotation: _rank_in(objective, by_number[name], statuses)}
            )
            field = F(annotation)
        else:
            continue  # not a column of the table: ignored, as django-tables2 ignores it
        ordering.append(field.desc() if descending else field.asc())
    return localities.order_by(*ordering, "name", "id")


def _table_pages(query: Mapping, objectives: list[Objective], per_page: int | None):
    return {
        objective.id: TablePage(
            sort=tuple(query.getlist(f"{table_prefix(objective)}sort")),
            number=query.get(f"{table_prefix(objective)}page", ""),
            per_page=per_page,
        )
        for objective in objectives
    }


def visible_statuses(
    *, statuses, objectives, quarters, localities: QuerySet[Locality]
) -> QuerySet[ObjectiveStatus]:
    """The statuses the page shows: against `objectives`, in the returns of `localities`
    for `quarters` whose status is one of `statuses` (approved, for the boards and the
    data API; submitted too in the office's preview)."""
    return ObjectiveStatus.objects.filter(
        objective__in=objectives,
        update__quarter__in=quarters,
        update__status__in=statuses,
        update__locality__in=localities,
    )


def objectives_data(
    *,
    page: DashboardPage,
    localities: QuerySet[Locality],
    table_query: Mapping,
    per_page: int | None,
) -> ObjectivesPage:
    """Status by locality and quarter for each objective of the page's financial year.

    `localities` is the (possibly filtered) set of localities to show;
    `table_query` (the request's query) says how each objective's table is
    sorted and which page it shows, `per_page` localities a page (None: all of
    them, for a download). Only those localities' statuses are read; the
    chart's counts are one GROUP BY over every locality's. A fixed number of
    queries: the objectives, the quarters, the count of localities, the
    counts, the localities on the tables' pages (one read when the tables
    ask for the same page in the same order) and their statuses.
    """
    quarter = page.quarter
    year = quarter.financial_year
    objectives = list(Objective.objects.filter(financial_year=year).order_by("number"))
    year_quarters = list(
        Quarter.objects.filter(
            financial_year=year, start_date__lte=quarter.start_date
        ).chronological()
    )
    locality_count = localities.count()
    visible = visible_statuses(
        statuses=page.statuses,
        objectives=objectives,
        quarters=year_quarters,
        localities=localities,
    )
    tallies: dict[tuple[int, int], dict[str, int]] = {}
    illustrative_objectives: set[int] = set()
    for objective_id, quarter_id, rag, count, illustrative in (
        visible.order_by()
        .values_list("objective_id", "update__quarter_id", "rag")
        .annotate(
            localities=Count("update__locality", distinct=True),
            illustrative=Count("id", filter=Q(update__is_illustrative=True)),
        )
    ):
        tallies.setdefault((objective_id, quarter_id), {})[rag] = count
        if illustrative:
            illustrative_objectives.add(objective_id)

    asked = _table_pages(table_query, objectives, per_page)
    # Tables asking for the same order and page (every table, unless a reader has
    # sorted or paged one) share one read; a quarter's sort depends on the objective.
    read: dict[tuple, SqlPage] = {}
    pages = {}
    for objective in objectives:
        table = asked[objective.id]
        by_status = any(value.lstrip("-") != "locality" for value in table.sort)
        key = (table, objective.id if by_status else None)
        if key not in read:
            read[key] = sql_page(
                _ordered_localities(
                    localities,
                    sort=table.sort,
                    objective=objective,
                    year_quarters=year_quarters,
                    statuses=page.statuses,
                ),
                requested=table.number,
                per_page=table.per_page,
                total=locality_count,
            )
        pages[objective.id] = read[key]
    shown = {locality.id for sql in pages.values() for locality in sql.rows}
    rags = {
        (objective_id, locality_id, quarter_id): rag
        for objective_id, locality_id, quarter_id, rag in visible.filter(
            update__locality__in=shown
        ).values_list("objective_id", "update__locality_id", "update__quarter_id", "rag")
    }

    progress = []
    for objective in objectives:
        sql = pages[objective.id]
        rows = [
            LocalityRow(
                locality=locality,
                cells=[
                    StatusCell(
                        quarter=year_quarter,
                        rag=rags.get((objective.id, locality.id, year_quarter.id)),
                    )
                    for year_quarter in year_quarters
                ],
            )
            for locality in sql.rows
        ]
        counts = []
        for year_quarter in year_quarters:
            tally = tallies.get((objective.id, year_quarter.id), {})
            counted = {rag: tally.get(rag, 0) for rag in Rag.in_board_order()}
            counts.append(
                QuarterCounts(
                    quarter=year_quarter,
                    counts=counted,
                    no_status=locality_count - sum(counted.values()),
                )
            )
        progress.append(
            ObjectiveProgress(
                objective=objective,
                page=SqlPage(rows=rows, number=sql.number, per_page=sql.per_page, total=sql.total),
                counts=counts,
                is_illustrative=objective.id in illustrative_objectives,
            )
        )

    return ObjectivesPage(
        quarter=quarter,
        year_quarters=year_quarters,
        locality_count=locality_count,
        objectives=progress,
        includes_illustrative=bool(illustrative_objectives),
    )
