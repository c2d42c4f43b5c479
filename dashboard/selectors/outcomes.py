"""Outcomes: hospital activity per locality per quarter, as SPC charts, against baseline.

Every approved quarterly figure up to the page's quarter (all financial years) counts.
What the page needs is read in pieces that do not grow with the number of localities
shown (800 at factor 100, 100,000 figures):

- `outcome_chart_data`: the Kent and Medway totals summed in SQL (a row per measure and
  quarter) and charted, and the chosen locality's figures if one is chosen;
- `overview_rows`: the figures of the localities on one page of the overview table,
  charted together; the table orders and slices the localities in SQL
  (`overview_localities`, `localities_by_change`);
- `outcomes_data`: both, for every locality (the board pack, the overview export).

Series are charted many at once (`dashboard.spc.xmr_by_group`): one `xmr` call costs
~5 ms of pandas, so 3,200 series one by one took 15–20 s.

"Kent and Medway" is the sum of the localities. A quarter in which some localities have
no approved figure would add up to less than the whole and look like a fall in
activity, so such a quarter is left out of the total and the page says so.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field, fields

import pandas as pd
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, NullIf

from dashboard.periods import DashboardPage
from dashboard.spc import RECOMMENDED_POINTS, Variation, xmr_by_group
from localities.models import Locality, OutcomeBaseline, OutcomeMeasure, Quarter
from updates.models import OutcomeFigure, OutcomeTotal

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
class OutcomeChart:
    """The chosen measure's chart and the Kent and Medway row: the page without its table."""

    quarter: Quarter
    measures: list[OutcomeMeasure]
    localities: list[Locality]
    measure: OutcomeMeasure
    locality: Locality | None  # None: every locality summed
    series: SpcSeries
    programme_overview: OverviewRow
    includes_illustrative: bool
    # Kent and Medway's series for every measure, when asked for (the board pack's charts).
    programme_series: tuple[SpcSeries, ...] = field(default=(), kw_only=True)

    @property
    def area_name(self) -> str:
        return self.locality.name if self.locality else PROGRAMME_NAME

    @property
    def locality_choice(self) -> str:
        return self.locality.slug if self.locality else ALL_LOCALITIES


@dataclass(frozen=True)
class Outcomes(OutcomeChart):
    """The chart and the overview of every locality (the board pack, the overview export)."""

    overview: list[OverviewRow]


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
FIGURE_COLUMNS = ["locality_id", "measure_id", "quarter_id", "value"]
TOTAL_COLUMNS = ["measure_id", "quarter_id", "value", "localities", "illustrative"]


def _in_scope(page: DashboardPage) -> dict:
    """Filters for the outcome figures a page counts: its statuses, up to its quarter."""
    # The page's quarters by id rather than a join on their dates (one join fewer
    # over 100,000 figures at factor 100).
    return {"update__status__in": page.statuses, "update__quarter_id__in": page.quarter_ids_to_date}


def _sorted_by_quarter(frame: pd.DataFrame, page: DashboardPage, *, then: str) -> pd.DataFrame:
    start_dates = {quarter.id: quarter.start_date for quarter in page.quarter_options}
    frame = frame.assign(start_date=frame["quarter_id"].map(start_dates))
    return frame.sort_values(["start_date", then], kind="stable").reset_index(drop=True)


def _figures_frame(
    page: DashboardPage, measures: list[OutcomeMeasure], localities: list[Locality] | None
) -> pd.DataFrame:
    """The figures of `localities` (None: every one), oldest quarter first, with XmR columns."""
    figures = OutcomeFigure.objects.order_by().filter(**_in_scope(page))
    if localities is not None:
        figures = figures.filter(update__locality__in=[place.id for place in localities])
    # No ORDER BY: the model's ordering would sort every row (on disk, at factor 100);
    # pandas orders them by quarter. Floats, not Decimals: faster to read and chart.
    rows = figures.values_list(
        "update__locality_id", "measure_id", "update__quarter_id", Cast("value", FloatField())
    )
    frame = pd.DataFrame.from_records(list(rows), columns=FIGURE_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame = _sorted_by_quarter(frame, page, then="locality_id")
    return _with_charts(frame, by=["locality_id", "measure_id"], measures=measures)


def _with_charts(
    frame: pd.DataFrame, *, by: list[str], measures: list[OutcomeMeasure]
) -> pd.DataFrame:
    better = {measure.id: measure.lower_is_better for measure in measures}
    frame = frame.assign(lower_is_better=frame["measure_id"].map(better).astype(object))
    charts = xmr_by_group(frame, by=by, lower_is_better="lower_is_better")
    return frame.join(charts[[name for name in SPC_POINT_COLUMNS if name != "value"]])


def _programme_totals(
    page: DashboardPage, locality_count: int, measures: list[OutcomeMeasure]
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Per measure and quarter: the sum where every locality reported (charted), the gaps,
    and whether any figure is illustrative.

    Added up from the stored totals (updates.outcome_totals): at most a row per
    quarter, status and measure, where summing the figures read 100,000 of them at
    factor 100.
    """
    scope = _in_scope(page)
    rows = (
        OutcomeTotal.objects.order_by()
        .filter(
            status__in=scope["update__status__in"], quarter_id__in=scope["update__quarter_id__in"]
        )
        .values("measure_id", "quarter_id")
        .annotate(
            sum_of_totals=Sum("total"),
            # One figure per update and measure, one update per locality and quarter:
            # the figures summed are the localities that reported.
            localities=Sum("figures"),
            illustrative=Sum("illustrative_figures"),
        )
        .values_list("measure_id", "quarter_id", "sum_of_totals", "localities", "illustrative")
    )
    totals = pd.DataFrame.from_records(list(rows), columns=TOTAL_COLUMNS)
    totals["value"] = totals["value"].astype(float)
    totals = _sorted_by_quarter(totals, page, then="measure_id")
    complete = totals["localities"] == locality_count
    charted = _with_charts(totals[complete], by=["measure_id"], measures=measures)
    return charted, totals[~complete], bool(totals["illustrative"].any())


def _baselines(
    localities: list[Locality] | None = None,
) -> tuple[dict[tuple[int, int], tuple[float, str]], bool]:
    """Baselines (value, period) by (locality id, measure id) of `localities` (None: every
    one), and whether any is illustrative."""
    found = OutcomeBaseline.objects.all()
    if localities is not None:
        found = found.filter(locality__in=[place.id for place in localities])
    rows = found.values_list(
        "locality_id", "measure_id", "quarterly_value", "baseline_period", "is_illustrative"
    )
    baselines = {}
    illustrative = False
    for locality_id, measure_id, value, period, is_illustrative in rows:
        baselines[(locality_id, measure_id)] = (float(value), period)
        illustrative |= is_illustrative
    return baselines, illustrative


def _programme_baselines(locality_count: int) -> tuple[dict[int, tuple[float, str]], bool]:
    """Kent and Medway's baseline (value, periods) by measure id, and whether any locality's
    baseline is illustrative.

    The sum of the localities' baselines, for measures where every locality has one: a
    total of some of them would understate it. Summed in the database: a row per
    measure and baseline period, where reading every baseline read 3,200 at factor 100.
    """
    rows = (
        OutcomeBaseline.objects.order_by()
        .values("measure_id", "baseline_period")
        .annotate(
            sum_of_values=Sum("quarterly_value"),
            localities=Count("pk"),  # one baseline per locality and measure
            illustrative=Count("pk", filter=Q(is_illustrative=True)),
        )
        .values_list("measure_id", "baseline_period", "sum_of_values", "localities", "illustrative")
    )
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    periods: dict[int, set[str]] = defaultdict(set)
    any_illustrative = False
    for measure_id, period, value, count, illustrative in rows:
        sums[measure_id] += float(value)
        counts[measure_id] += count
        periods[measure_id].add(period)
        any_illustrative |= bool(illustrative)
    baselines = {
        measure_id: (sums[measure_id], ", ".join(sorted(periods[measure_id])))
        for measure_id in sums
        if locality_count and counts[measure_id] == locality_count
    }
    return baselines, any_illustrative


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


def _programme_series(
    measure: OutcomeMeasure,
    *,
    complete: pd.DataFrame,
    partial: pd.DataFrame,
    quarters: dict[int, Quarter],
    baselines: dict,
    locality_count: int,
) -> SpcSeries:
    return _series(
        measure=measure,
        area_name=PROGRAMME_NAME,
        chart=complete[complete["measure_id"] == measure.id],
        quarters=quarters,
        baseline=baselines.get(measure.id),
        left_out=[
            f"{quarters[row.quarter_id].label}: approved figures from {row.localities} "
            f"of {locality_count} localities"
            for row in partial[partial["measure_id"] == measure.id].itertuples()
        ],
    )


def outcome_chart_data(
    *,
    page: DashboardPage,
    measure_code: str | None = None,
    locality_slug: str | None = None,
    every_measure: bool = False,
) -> OutcomeChart:
    """The chosen measure's SPC chart for one locality (or all summed), and the programme row.

    Raises UnknownChoice for a measure code or locality slug that does not exist.
    Four queries (six with a locality chosen) whatever the number of localities,
    measures or quarters.
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

    programme_baselines, baselines_illustrative = _programme_baselines(len(localities))
    quarters = {quarter.id: quarter for quarter in page.quarter_options}
    complete, partial, figures_illustrative = _programme_totals(page, len(localities), measures)

    def programme(item: OutcomeMeasure) -> SpcSeries:
        return _programme_series(
            item,
            complete=complete,
            partial=partial,
            quarters=quarters,
            baselines=programme_baselines,
            locality_count=len(localities),
        )

    if locality:
        frame = _figures_frame(page, measures, [locality])
        series = _series(
            measure=measure,
            area_name=locality.name,
            chart=frame[frame["measure_id"] == measure.id],
            quarters=quarters,
            baseline=_baselines([locality])[0].get((locality.id, measure.id)),
            left_out=[],
        )
    else:
        series = programme(measure)

    programme_cells = _latest_cells(
        complete,
        by=["measure_id"],
        quarters=quarters,
        baselines={(measure_id,): value for measure_id, value in programme_baselines.items()},
    )
    return OutcomeChart(
        quarter=page.quarter,
        measures=measures,
        localities=localities,
        measure=measure,
        locality=locality,
        series=series,
        programme_overview=OverviewRow(
            name=PROGRAMME_NAME,
            slug="",
            cells={
                item.id: programme_cells.get((item.id,))
                or _no_data_cell(programme_baselines.get(item.id))
                for item in measures
            },
        ),
        includes_illustrative=figures_illustrative or baselines_illustrative,
        programme_series=tuple(programme(item) for item in measures) if every_measure else (),
    )


def overview_rows(
    *, page: DashboardPage, measures: list[OutcomeMeasure], localities: list[Locality]
) -> list[OverviewRow]:
    """Each locality's latest figure of each measure against baseline, with its SPC verdict.

    Only the localities asked for are read and charted (the 25 on a page of the
    overview, not all 800 at factor 100). Two queries.
    """
    baselines, _ = _baselines(localities)
    frame = _figures_frame(page, measures, localities)
    return _overview_rows(
        page=page, measures=measures, localities=localities, baselines=baselines, frame=frame
    )


def _overview_rows(
    *,
    page: DashboardPage,
    measures: list[OutcomeMeasure],
    localities: list[Locality],
    baselines: dict,
    frame: pd.DataFrame,
) -> list[OverviewRow]:
    quarters = {quarter.id: quarter for quarter in page.quarter_options}
    cells = _latest_cells(
        frame, by=["locality_id", "measure_id"], quarters=quarters, baselines=baselines
    )
    return [
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


def outcomes_data(
    *, page: DashboardPage, measure_code: str | None = None, locality_slug: str | None = None
) -> Outcomes:
    """`outcome_chart_data` and the overview of every locality (board pack, export).

    Five queries whatever the number of localities, measures or quarters.
    """
    chart = outcome_chart_data(page=page, measure_code=measure_code, locality_slug=locality_slug)
    baselines, _ = _baselines()
    return Outcomes(
        **{field.name: getattr(chart, field.name) for field in fields(OutcomeChart)},
        overview=_overview_rows(
            page=page,
            measures=chart.measures,
            localities=chart.localities,
            baselines=baselines,
            frame=_figures_frame(page, chart.measures, None),
        ),
    )


def overview_localities() -> QuerySet:
    """The overview table's rows, by name: ordered and paginated by the table, in SQL."""
    return Locality.objects.order_by("name").only("id", "name", "slug")


def localities_by_change(
    localities: QuerySet, *, page: DashboardPage, measure: OutcomeMeasure, descending: bool
) -> QuerySet:
    """`localities` in order of their latest `measure` figure's change against baseline.

    As Python sorts the cells' `change_percent`: places with no figure or no baseline
    first going up, last going down; then by name. One query for the page of them.
    """
    latest = (
        OutcomeFigure.objects.filter(
            **_in_scope(page), update__locality=OuterRef("pk"), measure=measure
        )
        .order_by("-update__quarter__start_date")
        .values("value")[:1]
    )
    baseline = (
        OutcomeBaseline.objects.order_by()
        .filter(locality=OuterRef("pk"), measure=measure)
        .values("quarterly_value")[:1]
    )
    # As floats: SQLite keeps whole-number decimals as integers and would divide them so.
    latest_value = Cast(Subquery(latest), FloatField())
    baseline_value = Cast(Subquery(baseline), FloatField())
    change = ExpressionWrapper(
        (latest_value - baseline_value) * 100.0 / NullIf(baseline_value, 0.0),
        output_field=FloatField(),
    )
    order = (
        F("change_against_baseline").desc(nulls_last=True)
        if descending
        else F("change_against_baseline").asc(nulls_first=True)
    )
    return localities.annotate(change_against_baseline=change).order_by(order, "name")
