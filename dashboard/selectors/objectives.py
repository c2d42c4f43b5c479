"""The objectives page: every locality's status against each objective, quarter by
quarter through the financial year, in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from dashboard.periods import DashboardPage
from localities.models import Locality, Objective, ObjectiveStatus, Quarter, Rag

# The order a board reads RAG in, worst first; also the order of the chart's stack.
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED)
# Sorting a column by status puts the worst at the top and missing returns last.
_SEVERITY = {Rag.RED: 0, Rag.AMBER: 1, Rag.NOT_STARTED: 2, Rag.GREEN: 3, Rag.COMPLETE: 4}
NO_STATUS_RANK = 5


@dataclass(frozen=True)
class StatusCell:
    """One locality's status against one objective in one quarter (rag None: no return)."""

    quarter: Quarter
    rag: str | None

    @property
    def label(self) -> str:
        return Rag(self.rag).label if self.rag else "No status"

    @property
    def rank(self) -> int:
        return _SEVERITY.get(self.rag, NO_STATUS_RANK)


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
    objective: Objective
    rows: list[LocalityRow]
    counts: list[QuarterCounts]


@dataclass(frozen=True)
class ObjectivesPage:
    quarter: Quarter
    year_quarters: list[Quarter]
    locality_count: int
    objectives: list[ObjectiveProgress]
    includes_illustrative: bool


def objectives_data(*, page: DashboardPage, localities: QuerySet[Locality]) -> ObjectivesPage:
    """Status by locality and quarter for each objective of the page's financial year.

    `localities` is the (possibly filtered) set of localities to show.
    """
    quarter = page.quarter
    year = quarter.financial_year
    locality_list = list(localities.order_by("name"))
    objectives = list(Objective.objects.filter(financial_year=year).order_by("number"))
    year_quarters = list(
        Quarter.objects.filter(
            financial_year=year, start_date__lte=quarter.start_date
        ).chronological()
    )
    statuses = ObjectiveStatus.objects.filter(
        objective__in=objectives,
        update__quarter__in=year_quarters,
        update__status__in=page.statuses,
        update__locality__in=localities,
    ).values_list(
        "objective_id",
        "update__locality_id",
        "update__quarter_id",
        "rag",
        "update__is_illustrative",
    )
    rags: dict[tuple[int, int, int], str] = {}
    includes_illustrative = False
    for objective_id, locality_id, quarter_id, rag, is_illustrative in statuses:
        rags[(objective_id, locality_id, quarter_id)] = rag
        includes_illustrative = includes_illustrative or is_illustrative

    progress = []
    for objective in objectives:
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
            for locality in locality_list
        ]
        counts = []
        for index, year_quarter in enumerate(year_quarters):
            tally = Counter(row.cells[index].rag for row in rows)
            counts.append(
                QuarterCounts(
                    quarter=year_quarter,
                    counts={rag: tally[rag] for rag in RAG_ORDER},
                    no_status=tally[None],
                )
            )
        progress.append(ObjectiveProgress(objective=objective, rows=rows, counts=counts))

    return ObjectivesPage(
        quarter=quarter,
        year_quarters=year_quarters,
        locality_count=len(locality_list),
        objectives=progress,
        includes_illustrative=includes_illustrative,
    )
