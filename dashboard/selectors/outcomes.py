"""Outcomes: hospital activity per locality per quarter, as SPC charts, against baseline.

Every approved quarterly figure up to the page's quarter (all financial years) is read
with one `.values()` query into one pandas frame; the chart for the chosen measure and
locality and the overview of every locality and measure are both computed from it, the
XmR charts of every series at once (`dashboard.spc.xmr_by_group`): at factor 100 that is
3,200 series, ~15 s one by one with `xmr`, well under a second together.

"Kent and Medway" is the sum of the localities. A quarter in which some localities have
no approved figure would add up to less than the whole and look like a fall in
activity, so such a quarter is left out of the total and the page says so.
"""

import math
from dataclasses import dataclass

import pandas as pd

from dashboard.periods import DashboardPage
from dashboard.spc import RECOMMENDED_POINTS, Variation, xmr_by_group
from localities.models import Locality, OutcomeBaseline, OutcomeFigure, OutcomeMeasure, Quarter

PROGRAMME_NAME = "Kent and Medway"
ALL_LOCALITIES = "all"
DEFAULT_MEASURE_CODE = "ae-attendances"
NO_DATA = "no_data"

VERDICTS = {
    Variation.COMMON_CAUSE: "Common cause",
    Variation.IMPROVEMENT: "Improvement",
    Variation.CONCERN: "Concern",
    Variation.NEITHER: "Special cause",
    Variation.TOO_FEW: "Too few points",
    NO_DATA: "No data",
}


class UnknownChoice(LookupError):
    """The measure or locality asked for does not exist."""


@dataclass(frozen=True)
class SpcPoint:
    quarter: Quarter
    value: float
    mean: float
    lower_limit: float | None
    upper_limit: float | None
    baseline: float | None
    variation: str
    direction: str | None
    rule: str | None
    description: str

    @property
    def quarter_label(self) -> str:
        return self.quarter.label


@dataclass(frozen=True)
class SpcSeries:
    """One measure in one locality (or the programme) over time, with its XmR chart."""

    measure: OutcomeMeasure
    area_name: str
    points: list[SpcPoint]
    baseline: float | None
    baseline_period: str
    left_out: list[str]

    @property
    def latest(self) -> SpcPoint | None:
        return self.points[-1] if self.points else None

    @property
    def mean(self) -> float | None:
        return self.points[0].mean if self.points else None

    @property
    def has_limits(self) -> bool:
        return bool(self.points) and self.points[0].upper_limit is not None

    @property
    def limits_are_indicative(self) -> bool:
        return len(self.points) < RECOMMENDED_POINTS


@dataclass(frozen=True)
class OverviewCell:
    """The latest point of one measure in one place, against its baseline."""

    quarter_label: str | None
    value: float | None
    baseline: float | None
    variation: str
    description: str

    @property
    def change_percent(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return (self.value - self.baseline) * 100 / self.baseline

    @property
    def verdict(self) -> str:
        return VERDICTS[self.variation]


@dataclass(frozen=True)
class OverviewRow:
    name: str
    slug: str  # "" for the programme total
    cells: dict[int, OverviewCell]  # by measure id


@dataclass(frozen=True)
class Outcomes:
    quarter: Quarter
    measures: list[OutcomeMeasure]
    localities: list[Locality]
    measure: OutcomeMeasure
    locality: Locality | None  # None: every locality summed
    series: SpcSeries
    overview: list[OverviewRow]
    programme_overview: OverviewRow
    includes_illustrative: bool

    @property
    def area_name(self) -> str:
        return self.locality.name if self.locality else PROGRAMME_NAME

    @property
    def locality_choice(self) -> str:
        return self.locality.slug if self.locality else ALL_LOCALITIES


SPC_POINT_COLUMNS = (
    "value",
    "mean",
    "lower_limit",
    "upper_limit",
    "variation",
    "direction",
    "rule",
    "description",
)
FIGURE_COLUMNS = ["locality_id", "measure_id", "quarter_id", "value", "is_illustrative"]


def _figures_frame(page: DashboardPage, measures: list[OutcomeMeasure]) -> pd.DataFrame:
    """Every figure in scope, oldest quarter first, with its series' XmR chart columns."""
    rows = OutcomeFigure.objects.filter(
        update__status__in=page.statuses,
        update__quarter__start_date__lte=page.quarter.start_date,
    ).values_list(
        "update__locality_id",
        "measure_id",
        "update__quarter_id",
        "value",
        "update__is_illustrative",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=FIGURE_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    start_dates = {quarter.id: quarter.start_date for quarter in page.quarter_options}
    frame["start_date"] = frame["quarter_id"].map(start_dates)
    frame = frame.sort_values(["start_date", "locality_id"], kind="stable").reset_index(drop=True)
    return _with_charts(frame, by=["locality_id", "measure_id"], measures=measures)


def _with_charts(
    frame: pd.DataFrame, *, by: list[str], measures: list[OutcomeMeasure]
) -> pd.DataFrame:
    better = {measure.id: measure.lower_is_better for measure in measures}
    frame = frame.assign(lower_is_better=frame["measure_id"].map(better).astype(object))
    charts = xmr_by_group(frame, by=by, lower_is_better="lower_is_better")
    return frame.join(charts[[name for name in SPC_POINT_COLUMNS if name != "value"]])


def _programme_totals(
    frame: pd.DataFrame, locality_count: int, measures: list[OutcomeMeasure]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per measure and quarter: the sum where every locality reported (charted), and the gaps."""
    totals = (
        frame.groupby(["measure_id", "quarter_id"], sort=False)
        .agg(
            value=("value", "sum"),
            localities=("locality_id", "nunique"),
            start_date=("start_date", "first"),
        )
        .reset_index()
        .sort_values("start_date", kind="stable")
        .reset_index(drop=True)
    )
    complete = totals["localities"] == locality_count
    charted = _with_charts(totals[complete], by=["measure_id"], measures=measures)
    return charted, totals[~complete]


def _series(
    *,
    measure: OutcomeMeasure,
    area_name: str,
    chart: pd.DataFrame,
    quarters: dict[int, Quarter],
    baseline: tuple[float, str] | None,
    left_out: list[str],
) -> SpcSeries:
    """One series from its rows of a charted frame (in time order)."""
    baseline_value = baseline[0] if baseline else None
    columns = {name: chart[name].tolist() for name in SPC_POINT_COLUMNS}
    points = [
        SpcPoint(
            quarter=quarters[quarter_id],
            value=value,
            mean=mean,
            lower_limit=None if math.isnan(lower) else lower,
            upper_limit=None if math.isnan(upper) else upper,
            baseline=baseline_value,
            variation=variation,
            direction=direction,
            rule=rule,
            description=description,
        )
        for quarter_id, value, mean, lower, upper, variation, direction, rule, description in zip(
            chart["quarter_id"].tolist(), *columns.values(), strict=True
        )
    ]
    return SpcSeries(
        measure=measure,
        area_name=area_name,
        points=points,
        baseline=baseline_value,
        baseline_period=baseline[1] if baseline else "",
        left_out=left_out,
    )


def _latest_cells(
    chart: pd.DataFrame, *, by: list[str], quarters: dict[int, Quarter], baselines: dict
) -> dict[tuple, OverviewCell]:
    """The latest point of every series in a charted frame, as overview cells by `by`."""
    latest = chart.groupby(by, sort=False).tail(1)
    keys = zip(*(latest[name].tolist() for name in by), strict=True)
    return {
        key: OverviewCell(
            quarter_label=quarters[quarter_id].label,
            value=value,
            baseline=baselines.get(key, (None,))[0],
            variation=variation,
            description=description,
        )
        for key, quarter_id, value, variation, description in zip(
            keys,
            latest["quarter_id"].tolist(),
            latest["value"].tolist(),
            latest["variation"].tolist(),
            latest["description"].tolist(),
            strict=True,
        )
    }


def _no_data_cell(baseline: tuple[float, str] | None) -> OverviewCell:
    return OverviewCell(
        quarter_label=None,
        value=None,
        baseline=baseline[0] if baseline else None,
        variation=NO_DATA,
        description="No approved figures",
    )


def outcomes_data(
    *, page: DashboardPage, measure_code: str | None = None, locality_slug: str | None = None
) -> Outcomes:
    """The chosen measure's SPC chart for one locality (or all summed), and the overview.

    Raises UnknownChoice for a measure code or locality slug that does not exist.
    Four queries whatever the number of localities, measures or quarters.
    """
    measures = list(OutcomeMeasure.objects.order_by("id"))
    localities = list(Locality.objects.order_by("name").only("id", "name", "slug"))
    measure = next(
        (item for item in measures if item.code == (measure_code or DEFAULT_MEASURE_CODE)), None
    )
    if measure is None:
        raise UnknownChoice(f"There is no outcome measure “{measure_code}”.")
    locality = None
    if locality_slug and locality_slug != ALL_LOCALITIES:
        locality = next((item for item in localities if item.slug == locality_slug), None)
        if locality is None:
            raise UnknownChoice(f"There is no locality “{locality_slug}”.")

    baselines: dict[tuple[int, int], tuple[float, str]] = {}
    baselines_illustrative = False
    for (
        locality_id,
        measure_id,
        value,
        period,
        is_illustrative,
    ) in OutcomeBaseline.objects.values_list(
        "locality_id", "measure_id", "quarterly_value", "baseline_period", "is_illustrative"
    ):
        baselines[(locality_id, measure_id)] = (float(value), period)
        baselines_illustrative |= is_illustrative

    frame = _figures_frame(page, measures)
    quarters = {quarter.id: quarter for quarter in page.quarter_options}
    complete, partial = _programme_totals(frame, len(localities), measures)

    def programme_baseline(measure_id: int) -> tuple[float, str] | None:
        found = [baselines.get((item.id, measure_id)) for item in localities]
        if not found or None in found:
            return None  # a total of some localities' baselines would understate it
        periods = {period for _, period in found}
        return sum(value for value, _ in found), ", ".join(sorted(periods))

    if locality:
        series = _series(
            measure=measure,
            area_name=locality.name,
            chart=frame[
                (frame["locality_id"] == locality.id) & (frame["measure_id"] == measure.id)
            ],
            quarters=quarters,
            baseline=baselines.get((locality.id, measure.id)),
            left_out=[],
        )
    else:
        series = _series(
            measure=measure,
            area_name=PROGRAMME_NAME,
            chart=complete[complete["measure_id"] == measure.id],
            quarters=quarters,
            baseline=programme_baseline(measure.id),
            left_out=[
                f"{quarters[row.quarter_id].label}: approved figures from {row.localities} "
                f"of {len(localities)} localities"
                for row in partial[partial["measure_id"] == measure.id].itertuples()
            ],
        )

    programme_baselines = {(item.id,): programme_baseline(item.id) for item in measures}
    programme_cells = _latest_cells(
        complete,
        by=["measure_id"],
        quarters=quarters,
        baselines={key: value for key, value in programme_baselines.items() if value},
    )
    programme_row = OverviewRow(
        name=PROGRAMME_NAME,
        slug="",
        cells={
            item.id: programme_cells.get((item.id,))
            or _no_data_cell(programme_baselines[(item.id,)])
            for item in measures
        },
    )
    cells = _latest_cells(
        frame, by=["locality_id", "measure_id"], quarters=quarters, baselines=baselines
    )
    overview = [
        OverviewRow(
            name=place.name,
            slug=place.slug,
            cells={
                item.id: cells.get((place.id, item.id))
                or _no_data_cell(baselines.get((place.id, item.id)))
                for item in measures
            },
        )
        for place in localities
    ]
    return Outcomes(
        quarter=page.quarter,
        measures=measures,
        localities=localities,
        measure=measure,
        locality=locality,
        series=series,
        overview=overview,
        programme_overview=programme_row,
        includes_illustrative=bool(frame["is_illustrative"].any()) or baselines_illustrative,
    )
