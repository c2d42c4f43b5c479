"""Maturity movement: every locality's self-assessed maturity on each care-model element,
the October 2017 baseline against the latest score as at the page's quarter.

The October 2017 maturity matrix is held as each locality's 2017/18 Q3 update
(dashboard.selectors.locality.MATURITY_BASELINE_*, as the locality page reads it).
Four queries however many localities and quarters: the elements, the localities,
the baseline scores, and each locality's latest score per element (DISTINCT ON).
"""

from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from dashboard.periods import DashboardPage
from dashboard.selectors.areas import localities_in_force
from dashboard.selectors.locality import MATURITY_BASELINE_QUARTER, MATURITY_BASELINE_YEAR
from localities.models import CareModelElement, Locality, Quarter
from updates.models import MaturityScore


@dataclass(frozen=True)
class ScoreAt:
    score: int
    quarter: Quarter
    is_illustrative: bool


@dataclass(frozen=True)
class MaturityCell:
    """One locality on one element: the baseline and the latest score (None: not scored)."""

    baseline: ScoreAt | None
    latest: ScoreAt | None

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest.score - self.baseline.score

    @property
    def is_illustrative(self) -> bool:
        return any(part.is_illustrative for part in (self.baseline, self.latest) if part)


@dataclass(frozen=True)
class LocalityMaturity:
    locality: Locality
    cells: list[MaturityCell]  # in the order of MaturityMovement.elements

    @property
    def latest_quarter(self) -> Quarter | None:
        quarters = [cell.latest.quarter for cell in self.cells if cell.latest]
        return max(quarters, key=lambda quarter: quarter.start_date, default=None)

    @property
    def is_illustrative(self) -> bool:
        return any(cell.is_illustrative for cell in self.cells)


@dataclass(frozen=True)
class ElementMovement:
    """The programme-wide view of one element, over the localities scored at both ends."""

    element: CareModelElement
    compared: int  # localities with a baseline and a latest score
    mean_baseline: float | None
    mean_latest: float | None
    moved_up: int
    stayed_same: int
    moved_down: int

    @property
    def mean_change(self) -> float | None:
        if self.mean_baseline is None or self.mean_latest is None:
            return None
        return self.mean_latest - self.mean_baseline


@dataclass(frozen=True)
class MaturityMovement:
    quarter: Quarter
    elements: list[CareModelElement]
    localities: list[LocalityMaturity]
    by_element: list[ElementMovement]

    @property
    def includes_illustrative(self) -> bool:
        return any(row.is_illustrative for row in self.localities)

    @property
    def totals(self) -> tuple[int, int, int]:
        """(up, same, down) over every locality and element compared."""
        return (
            sum(item.moved_up for item in self.by_element),
            sum(item.stayed_same for item in self.by_element),
            sum(item.moved_down for item in self.by_element),
        )


def _scores(queryset) -> dict[tuple[int, int], ScoreAt]:
    rows = queryset.select_related("update__quarter__financial_year").only(
        "score",
        "element_id",
        "update__locality_id",
        "update__is_illustrative",
        "update__quarter__number",
        "update__quarter__start_date",
        "update__quarter__end_date",
        "update__quarter__financial_year__start_year",
    )
    return {
        (row.update.locality_id, row.element_id): ScoreAt(
            score=row.score, quarter=row.update.quarter, is_illustrative=row.update.is_illustrative
        )
        for row in rows
    }


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def maturity_movement(*, page: DashboardPage) -> MaturityMovement:
    elements = list(CareModelElement.objects.order_by("number"))
    # The localities in force at the quarter's end (decision 0023); scores are each
    # locality's own self-assessment, not added up under a successor.
    localities = list(
        localities_in_force(page.structure).order_by("name").only("name", "slug", "is_illustrative")
    )
    visible = MaturityScore.objects.filter(
        update__status__in=page.statuses,
        update__quarter__start_date__lte=page.quarter.start_date,
    )
    baseline = _scores(
        visible.filter(
            update__quarter__financial_year__start_year=MATURITY_BASELINE_YEAR,
            update__quarter__number=MATURITY_BASELINE_QUARTER,
        )
    )
    # Each locality's latest score per element, in one query: the first of each
    # (locality, element) newest first. A window, not PostgreSQL's DISTINCT ON, so that
    # `make run`'s SQLite serves the page too. Re-scored since: a baseline alone is no
    # movement, so it is not also the "latest".
    latest = _scores(
        visible.exclude(
            update__quarter__financial_year__start_year=MATURITY_BASELINE_YEAR,
            update__quarter__number=MATURITY_BASELINE_QUARTER,
        )
        .annotate(
            newest_first=Window(
                RowNumber(),
                partition_by=[F("update__locality_id"), F("element_id")],
                order_by=F("update__quarter__start_date").desc(),
            )
        )
        .filter(newest_first=1)
    )
    rows = [
        LocalityMaturity(
            locality=locality,
            cells=[
                MaturityCell(
                    baseline=baseline.get((locality.id, element.id)),
                    latest=latest.get((locality.id, element.id)),
                )
                for element in elements
            ],
        )
        for locality in localities
    ]
    by_element = []
    for index, element in enumerate(elements):
        compared = [row.cells[index] for row in rows if row.cells[index].change is not None]
        by_element.append(
            ElementMovement(
                element=element,
                compared=len(compared),
                mean_baseline=_mean([cell.baseline.score for cell in compared]),
                mean_latest=_mean([cell.latest.score for cell in compared]),
                moved_up=sum(cell.change > 0 for cell in compared),
                stayed_same=sum(cell.change == 0 for cell in compared),
                moved_down=sum(cell.change < 0 for cell in compared),
            )
        )
    return MaturityMovement(
        quarter=page.quarter, elements=elements, localities=rows, by_element=by_element
    )
