"""Outcomes: monthly hospital activity per locality and measure, the Making Data Count way.

The record is `localities.models.MonthlyOutcome` (loaded from the warehouse's monthly
extract; decision 0019). A page as at a quarter reads every month up to that quarter's
last month, for each locality × measure, and Kent and Medway as the sum of the
localities.

Each series is an XmR chart (`dashboard.spc.xmr_by_group`) in segments:

- **the baseline segment**: its limits are calculated from the baseline months (April
  2016 – March 2018, `localities.models.BASELINE_FIRST_MONTH`…`BASELINE_LAST_MONTH`)
  and frozen: the months since are judged against them, not folded into them;
- **after a change point** the office recorded (`OutcomeChangePoint`, with its reason;
  no locality = the Kent and Medway total), a new segment starts in the change's
  month. Its limits are calculated from its own first `SEGMENT_LIMIT_MONTHS` (15)
  months and frozen after that; until 15 months have passed they are calculated from
  the months so far and are *indicative* (Making Data Count recommends 15–20 points),
  and the page says so and draws no icon the data cannot support.

The target is the trajectory month by month: the series' baseline mean less the
steady-state reduction (`OutcomeTrajectory`) times the share of it expected in the
month's financial year (`SavingsRamp`); Kent and Medway's is the sum of the
localities' (only when every locality has a trajectory). No target in the baseline
months: the trajectory starts with the programme.

"Kent and Medway" is the sum of the localities. A month in which some localities have
no figure would add up to less than the whole and look like a fall in activity, so
such a month is left out of the total (a gap in the chart, dropped from the mean and
from the two moving ranges that touch it) and the page says so.

Queries do not grow with the number of localities or months: each read is one query
(the monthly figures of the localities asked for, Kent and Medway's sums, the
baseline means, the trajectories, the ramp, the change points, the extracts).
"""

import bisect
import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from dashboard.periods import DashboardPage
from dashboard.selectors.areas import localities_in_force
from dashboard.spc import Variation, xmr_by_group
from localities.models import (
    BASELINE_LAST_MONTH,
    Locality,
    MonthlyOutcome,
    OutcomeChangePoint,
    OutcomeExtract,
    OutcomeMeasure,
    OutcomeTrajectory,
    Quarter,
    SavingsRamp,
)
from localities.outcome_months import (
    expected_activity,
    financial_year_of,
    is_baseline,
    month_of,
)

PROGRAMME_NAME = "Kent and Medway"
ALL_LOCALITIES = "all"
DEFAULT_MEASURE_CODE = "ae-attendances"
SEGMENT_LIMIT_MONTHS = 15
PROGRAMME = 0  # the area id of the Kent and Medway total in the frames
NO_DATA = "no_data"

ASSURANCE_PASS = "pass"
ASSURANCE_FAIL = "fail"
ASSURANCE_HIT_AND_MISS = "hit_and_miss"
ASSURANCE_NONE = "none"

VARIATION_WORDS = {
    Variation.COMMON_CAUSE: "Common cause",
    Variation.IMPROVEMENT: "Special cause improving",
    Variation.CONCERN: "Special cause concerning",
    Variation.NEITHER: "Special cause",
    Variation.TOO_FEW: "Too few points",
    NO_DATA: "No data",
}
ASSURANCE_WORDS = {
    ASSURANCE_PASS: "Consistently passing the target",
    ASSURANCE_FAIL: "Consistently failing the target",
    ASSURANCE_HIT_AND_MISS: "Hit and miss",
    ASSURANCE_NONE: "No assurance",
}
# Worst first: a concerning special cause, then failing the target, then the rest.
VARIATION_ORDER = {
    Variation.CONCERN: 0,
    Variation.NEITHER: 1,
    Variation.COMMON_CAUSE: 2,
    Variation.TOO_FEW: 3,
    Variation.IMPROVEMENT: 4,
    NO_DATA: 5,
}
ASSURANCE_ORDER = {
    ASSURANCE_FAIL: 0,
    ASSURANCE_HIT_AND_MISS: 1,
    ASSURANCE_NONE: 2,
    ASSURANCE_PASS: 3,
}

CHART_COLUMNS = (
    "mean",
    "lower_limit",
    "upper_limit",
    "target",
    "variation",
    "direction",
    "rule",
    "description",
    "limits_indicative",
    "assurance",
)


class UnknownChoice(LookupError):
    """The measure or locality asked for does not exist."""


def month_label(month: datetime.date) -> str:
    return f"{month:%b %Y}"


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _text(value) -> str | None:
    """A text cell of a charted frame: None for None or NaN (pandas' missing text)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@dataclass(frozen=True)
class MonthPoint:
    """One month of a series with its XmR chart (value None: left out of the total)."""

    month: datetime.date
    value: float | None
    mean: float | None
    lower_limit: float | None
    upper_limit: float | None
    target: float | None
    variation: str
    direction: str | None
    rule: str | None
    description: str
    segment: int
    limits_from: bool  # one of the months the segment's limits are calculated from
    limits_indicative: bool

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def is_baseline(self) -> bool:
        return is_baseline(self.month)


@dataclass(frozen=True)
class ChangeMark:
    """A change point the office recorded: the month the process changed, and why."""

    month: datetime.date
    reason: str

    @property
    def label(self) -> str:
        return month_label(self.month)


@dataclass(frozen=True)
class Sources:
    """Where a chart's points come from: the extracts that loaded them."""

    extracts: int
    latest_loaded_at: datetime.datetime | None
    latest_file_name: str
    sources: list[str]
    includes_illustrative: bool


def _worse_change(change: float | None, lower_is_better: bool | None) -> float:
    """The change against baseline, larger the worse (for ordering)."""
    if change is None:
        return -math.inf
    return change if lower_is_better is not False else -change


@dataclass(frozen=True)
class MonthlySeries:
    """One measure in one locality (or Kent and Medway) month by month, with its XmR chart."""

    measure: OutcomeMeasure
    area_name: str
    slug: str  # ALL_LOCALITIES for Kent and Medway
    points: list[MonthPoint]
    baseline_mean: float | None
    change_points: list[ChangeMark] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    includes_illustrative: bool = False

    @property
    def latest(self) -> MonthPoint | None:
        shown = [point for point in self.points if point.value is not None]
        return shown[-1] if shown else None

    @property
    def variation(self) -> str:
        return self.latest.variation if self.latest else NO_DATA

    # The latest segment's assurance as charted (dashboard.spc.Assurance's value).
    charted_assurance: str = ASSURANCE_NONE

    @property
    def assurance(self) -> str:
        """None while the limits are indicative: no icon the data cannot support."""
        if self.latest is None or self.latest.limits_indicative:
            return ASSURANCE_NONE
        return self.charted_assurance

    @property
    def limits_indicative(self) -> bool:
        return self.latest.limits_indicative if self.latest else True

    @property
    def change_percent(self) -> float | None:
        latest = self.latest
        if latest is None or not self.baseline_mean:
            return None
        return (latest.value - self.baseline_mean) * 100 / self.baseline_mean

    @property
    def has_target(self) -> bool:
        return any(point.target is not None for point in self.points)

    @property
    def variation_words(self) -> str:
        words = VARIATION_WORDS[self.variation]
        if self.latest is not None and self.limits_indicative:
            return f"{words} (limits indicative: no verdict)"
        return words

    @property
    def assurance_words(self) -> str:
        return ASSURANCE_WORDS[self.assurance]

    @property
    def direction(self) -> str | None:
        return self.latest.direction if self.latest else None

    @property
    def icon_variation(self) -> str | None:
        """The variation icon to draw: none while the limits are indicative."""
        if self.latest is None or self.limits_indicative:
            return None
        return self.variation

    @property
    def order_key(self) -> tuple:
        """Worst first: concerning special cause, then failing the target, then hit and
        miss, then the largest change against baseline the wrong way."""
        # Indicative limits support no verdict: such a series sorts as "too few points".
        variation = Variation.TOO_FEW if self.latest and self.limits_indicative else self.variation
        return (
            VARIATION_ORDER[variation],
            ASSURANCE_ORDER[self.assurance],
            -_worse_change(self.change_percent, self.measure.lower_is_better),
        )


@dataclass(frozen=True)
class SummaryRow:
    """A locality (or Kent and Medway): its series' latest months, a cell per measure."""

    name: str
    slug: str
    cells: list[MonthlySeries]  # in the order of the measures

    @property
    def order_key(self) -> tuple:
        return min((cell.order_key for cell in self.cells), default=(99,))


@dataclass(frozen=True)
class OutcomeChart:
    """The chosen measure's chart for one locality or Kent and Medway."""

    quarter: Quarter
    last_month: datetime.date
    measures: list[OutcomeMeasure]
    localities: list[Locality]
    measure: OutcomeMeasure
    locality: Locality | None  # None: every locality summed
    series: MonthlySeries
    sources: Sources

    @property
    def area_name(self) -> str:
        return self.locality.name if self.locality else PROGRAMME_NAME

    @property
    def locality_choice(self) -> str:
        return self.locality.slug if self.locality else ALL_LOCALITIES

    @property
    def includes_illustrative(self) -> bool:
        return self.series.includes_illustrative or self.sources.includes_illustrative


@dataclass(frozen=True)
class SummaryMatrix:
    """Kent and Medway and a list of localities, worst first, with their latest months.

    Kent and Medway's series are whole (the board pack charts them); each locality's
    holds only its latest month (follow a cell to its chart for the rest).
    """

    quarter: Quarter
    last_month: datetime.date
    measures: list[OutcomeMeasure]
    programme: SummaryRow
    rows: list[SummaryRow]
    includes_illustrative: bool


def last_month_of(page: DashboardPage) -> datetime.date:
    """The last month a page counts: its quarter's last month (as at the quarter's end)."""
    return month_of(page.quarter.end_date)


# --- Reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    measures: list[OutcomeMeasure]
    last_month: datetime.date
    ramp: dict[int, float]
    change_points: dict[tuple[int, int], list[ChangeMark]]
    baseline_means: dict[tuple[int, int], float]  # (locality id, measure id)
    trajectories: dict[tuple[int, int], float]  # (locality id, measure id): reduction %
    locality_count: int  # the localities in force at the page's day
    illustrative: bool
    # Every locality counted on the page (id) -> the locality in force it counts under
    # (decision 0023): a predecessor's months add up under its successor.
    area_for: dict[int, int] = field(default_factory=dict)


def _context(page: DashboardPage, *, measures=None) -> _Context:
    """What every series needs besides its months: five queries, whatever the data."""
    last_month = last_month_of(page)
    measures = measures if measures is not None else list(OutcomeMeasure.objects.order_by("id"))
    ramp = {
        year: float(share)
        for year, share in SavingsRamp.objects.values_list("start_year", "share_percent")
    }
    change_points: dict[tuple[int, int], list[ChangeMark]] = defaultdict(list)
    for locality_id, measure_id, month, reason in (
        OutcomeChangePoint.objects.filter(month__lte=last_month)
        .order_by("month")
        .values_list("locality_id", "measure_id", "month", "reason")
    ):
        change_points[(locality_id or PROGRAMME, measure_id)].append(ChangeMark(month, reason))
    baseline_means = {
        (row["locality_id"], row["measure_id"]): row["mean"]
        for row in MonthlyOutcome.objects.baseline_means()
    }
    # A successor's baseline is its lineage's, added up, when every one of them has one.
    structure = page.structure
    for area, members in structure.predecessor_ids.items():
        for measure in measures:
            means = [baseline_means.get((m, measure.id)) for m in (area, *members)]
            if (area, measure.id) not in baseline_means and all(
                mean is not None for mean in means[1:]
            ):
                baseline_means[(area, measure.id)] = sum(means[1:])
    trajectories = {}
    illustrative = False
    for locality_id, measure_id, reduction, flagged in OutcomeTrajectory.objects.values_list(
        "locality_id", "measure_id", "steady_state_reduction_percent", "is_illustrative"
    ):
        trajectories[(locality_id, measure_id)] = float(reduction)
        illustrative |= flagged
    return _Context(
        measures=measures,
        last_month=last_month,
        ramp=ramp,
        change_points=dict(change_points),
        baseline_means=baseline_means,
        trajectories=trajectories,
        locality_count=len(page.structure.localities),
        illustrative=illustrative,
        area_for=page.structure.successor_ids,
    )


FRAME_COLUMNS = ["area", "measure_id", "month", "value", "illustrative"]


def _locality_frame(context: _Context, locality_ids: list[int] | None) -> pd.DataFrame:
    """The monthly figures of the localities in force (None: every one) up to the page's
    month, each adding up the months of the localities that became part of it."""
    area_for = context.area_for
    wanted = (
        None
        if locality_ids is None
        else [member for member, area in area_for.items() if area in set(locality_ids)]
    )
    rows = MonthlyOutcome.objects.order_by().filter(month__lte=context.last_month)
    if wanted is not None:
        rows = rows.filter(locality_id__in=wanted)
    records = rows.values_list(
        "locality_id", "measure_id", "month", Cast("value", FloatField()), "is_illustrative"
    )
    frame = pd.DataFrame.from_records(list(records), columns=FRAME_COLUMNS)
    if not len(frame):
        return frame
    frame["area"] = frame["area"].map(area_for)
    frame = frame[frame["area"].notna()]
    if len(frame) == frame[["area", "measure_id", "month"]].drop_duplicates().shape[0]:
        frame["area"] = frame["area"].astype(int)
        return frame.reset_index(drop=True)
    # A successor's month is the sum of its lineage's (all of them, or it is partial).
    summed = (
        frame.groupby(["area", "measure_id", "month"], sort=False)
        .agg(value=("value", "sum"), illustrative=("illustrative", "any"))
        .reset_index()
    )
    summed["area"] = summed["area"].astype(int)
    return summed[FRAME_COLUMNS]


def _programme_frame(context: _Context) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Kent and Medway per measure and month, summed in SQL; months some locality lacks
    are NaN (left out), with the words saying so by measure."""
    # Complete: every locality in force at the page's day has the month, itself or
    # through the localities that became part of it (decision 0023).
    area_for = context.area_for
    area = (
        Case(
            *[
                When(locality_id=member, then=Value(a))
                for member, a in area_for.items()
                if member != a
            ],
            default=F("locality_id"),
            output_field=IntegerField(),
        )
        if any(member != a for member, a in area_for.items())
        else F("locality_id")
    )
    rows = (
        MonthlyOutcome.objects.order_by()
        .filter(month__lte=context.last_month, locality_id__in=sorted(area_for))
        .annotate(area=area)
        .values("measure_id", "month")
        .annotate(
            total=Sum("value"),
            localities=Count("area", distinct=True),
            illustrative=Count("pk", filter=Q(is_illustrative=True)),
        )
        .values_list("measure_id", "month", "total", "localities", "illustrative")
    )
    records = []
    left_out: dict[int, list[str]] = defaultdict(list)
    for measure_id, month, total, localities, illustrative in rows:
        complete = localities == context.locality_count
        if not complete:
            left_out[measure_id].append(
                f"{month_label(month)}: figures from {localities} of "
                f"{context.locality_count} localities"
            )
        records.append(
            (PROGRAMME, measure_id, month, float(total) if complete else math.nan, illustrative > 0)
        )
    frame = pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)
    for gaps in left_out.values():
        gaps.sort(key=lambda words: datetime.datetime.strptime(words.split(":")[0], "%b %Y"))
    return frame, dict(left_out)


def _programme_baselines(frame: pd.DataFrame) -> dict[tuple[int, int], float]:
    """Kent and Medway's baseline mean per measure: the mean of its complete baseline months."""
    baseline = frame[(frame["month"] <= BASELINE_LAST_MONTH) & frame["value"].notna()]
    means = baseline.groupby("measure_id")["value"].mean()
    return {(PROGRAMME, int(measure_id)): float(mean) for measure_id, mean in means.items()}


def _target(context: _Context, area: int, measure_id: int, month: datetime.date, baselines):
    if month <= BASELINE_LAST_MONTH:
        return math.nan
    share = context.ramp.get(financial_year_of(month), 0.0)
    if area != PROGRAMME:
        mean = baselines.get((area, measure_id))
        reduction = context.trajectories.get((area, measure_id))
        if mean is None or reduction is None:
            return math.nan
        return expected_activity(mean, reduction, share)
    # Kent and Medway: the localities' trajectories added up, if every locality has one.
    keys = [
        key
        for key in context.trajectories
        if key[1] == measure_id and key in context.baseline_means and key[0] in context.area_for
    ]
    parts = [
        expected_activity(context.baseline_means[key], context.trajectories[key], share)
        for key in keys
    ]
    if len({context.area_for[key[0]] for key in keys}) != context.locality_count:
        return math.nan
    return sum(parts)


def _charted(frame: pd.DataFrame, context: _Context, baselines: dict) -> pd.DataFrame:
    """`frame` in time order per series, with segments, targets and the XmR columns."""
    frame = frame.sort_values(["area", "measure_id", "month"], kind="stable").reset_index(drop=True)
    frame["value"] = frame["value"].astype(float)
    keys = list(zip(frame["area"].tolist(), frame["measure_id"].tolist(), strict=True))
    months = frame["month"].tolist()
    frame["segment"] = [
        bisect.bisect_right([mark.month for mark in context.change_points.get(key, [])], month)
        for key, month in zip(keys, months, strict=True)
    ]
    # The months a segment's limits come from: the baseline for the first; the first
    # SEGMENT_LIMIT_MONTHS months with a value after a change point.
    has_value = frame["value"].notna()
    position = (
        has_value.astype(int)
        .groupby([frame["area"], frame["measure_id"], frame["segment"]])
        .cumsum()
    )
    frame["limits_from"] = np.where(
        frame["segment"] == 0,
        has_value & pd.Series([is_baseline(month) for month in months], index=frame.index),
        has_value & (position <= SEGMENT_LIMIT_MONTHS),
    ).astype(bool)
    frame["target"] = [
        _target(context, area, measure_id, month, baselines)
        for (area, measure_id), month in zip(keys, months, strict=True)
    ]
    better = {measure.id: measure.lower_is_better for measure in context.measures}
    frame["lower_is_better"] = frame["measure_id"].map(better).astype(object)
    charts = xmr_by_group(
        frame,
        by=["area", "measure_id", "segment"],
        value="value",
        lower_is_better="lower_is_better",
        limits_from="limits_from",
        target="target",
    )
    return frame.join(charts[[name for name in CHART_COLUMNS if name != "target"]])


def _series_of(
    charted: pd.DataFrame,
    *,
    context: _Context,
    baselines: dict,
    names: dict[int, tuple[str, str]],
    left_out: dict[int, list[str]] | None = None,
    measure_ids: list[int] | None = None,
    latest_only: tuple[int, ...] = (),
) -> dict[tuple[int, int], MonthlySeries]:
    """Every (area, measure) series in a charted frame (and the areas in `names` with no
    months: an empty series). The areas in `latest_only` keep only their latest month
    with a value (what the matrix shows): 115,000 month objects for every locality at
    factor 100 took a second."""
    measures = {measure.id: measure for measure in context.measures}
    found: dict[tuple[int, int], MonthlySeries] = {}
    wanted = measure_ids or list(measures)
    # Whole columns as Python lists once, then each series a slice of them: the frame is
    # in (area, measure, month) order (`_charted`). Slicing per group with pandas cost
    # ~1.3 s for every locality at factor 100; this is a fraction of that.
    columns = (
        {
            name_: charted[name_].tolist()
            for name_ in (
                "area",
                "measure_id",
                "month",
                "value",
                "segment",
                "limits_from",
                "illustrative",
                *CHART_COLUMNS,
            )
        }
        if len(charted)
        else {}
    )
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    if columns:
        keys = list(zip(columns["area"], columns["measure_id"], strict=True))
        start = 0
        for index in range(1, len(keys) + 1):
            if index == len(keys) or keys[index] != keys[start]:
                spans[keys[start]] = (start, index)
                start = index
    for area, (name, slug) in names.items():
        for measure_id in wanted:
            span = spans.get((area, measure_id))
            points = []
            assurance = ASSURANCE_NONE
            illustrative = False
            if span is not None:
                first, end = span
                if area in latest_only:
                    with_value = [
                        index
                        for index in range(first, end)
                        if _number(columns["value"][index]) is not None
                    ]
                    first = with_value[-1] if with_value else end - 1
                for index in range(first, end):
                    points.append(
                        MonthPoint(
                            month=columns["month"][index],
                            value=_number(columns["value"][index]),
                            mean=_number(columns["mean"][index]),
                            lower_limit=_number(columns["lower_limit"][index]),
                            upper_limit=_number(columns["upper_limit"][index]),
                            target=_number(columns["target"][index]),
                            variation=columns["variation"][index],
                            direction=_text(columns["direction"][index]),
                            rule=_text(columns["rule"][index]),
                            description=columns["description"][index],
                            segment=int(columns["segment"][index]),
                            limits_from=bool(columns["limits_from"][index]),
                            limits_indicative=bool(columns["limits_indicative"][index]),
                        )
                    )
                assurance = str(columns["assurance"][span[1] - 1] or ASSURANCE_NONE)
                illustrative = any(columns["illustrative"][span[0] : span[1]])
            series = MonthlySeries(
                measure=measures[measure_id],
                area_name=name,
                slug=slug,
                points=points,
                baseline_mean=baselines.get((area, measure_id)),
                change_points=context.change_points.get((area, measure_id), []),
                left_out=(left_out or {}).get(measure_id, []) if area == PROGRAMME else [],
                includes_illustrative=illustrative or context.illustrative,
                charted_assurance=assurance,
            )
            found[(area, measure_id)] = series
    return found


def _sources(*, measure: OutcomeMeasure, locality: Locality | None, last_month) -> Sources:
    """The extracts that loaded a series' months: one query."""
    rows = MonthlyOutcome.objects.filter(
        extract=OuterRef("pk"), measure=measure, month__lte=last_month
    )
    if locality is not None:
        rows = rows.filter(locality=locality)
    extracts = list(
        OutcomeExtract.objects.filter(Exists(rows))
        .order_by("-loaded_at", "-id")
        .values_list("loaded_at", "file_name", "source", "is_illustrative")
    )
    if not extracts:
        return Sources(0, None, "", [], False)
    sources = sorted({source for _, _, source, _ in extracts})
    return Sources(
        extracts=len(extracts),
        latest_loaded_at=extracts[0][0],
        latest_file_name=extracts[0][1],
        sources=sources,
        includes_illustrative=any(flag for *_, flag in extracts),
    )


# --- Public --------------------------------------------------------------------------


def outcome_chart_data(
    *, page: DashboardPage, measure_code: str | None = None, locality_slug: str | None = None
) -> OutcomeChart:
    """The chosen measure's monthly XmR chart for one locality (or Kent and Medway).

    Raises UnknownChoice for a measure code or locality slug that does not exist.
    Nine queries whatever the number of localities, measures or months.
    """
    measures = list(OutcomeMeasure.objects.order_by("id"))
    localities = list(
        localities_in_force(page.structure).order_by("name").only("id", "name", "slug")
    )
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
    context = _context(page, measures=measures)
    if locality is not None:
        frame = _locality_frame(context, [locality.id])
        frame = frame[frame["measure_id"] == measure.id]
        baselines = context.baseline_means
        names = {locality.id: (locality.name, locality.slug)}
        left_out = None
        area = locality.id
    else:
        frame, left_out = _programme_frame(context)
        frame = frame[frame["measure_id"] == measure.id]
        baselines = _programme_baselines(frame)
        names = {PROGRAMME: (PROGRAMME_NAME, ALL_LOCALITIES)}
        area = PROGRAMME
    charted = _charted(frame, context, baselines)
    series = _series_of(
        charted,
        context=context,
        baselines=baselines,
        names=names,
        left_out=left_out,
        measure_ids=[measure.id],
    )[(area, measure.id)]
    return OutcomeChart(
        quarter=page.quarter,
        last_month=context.last_month,
        measures=measures,
        localities=localities,
        measure=measure,
        locality=locality,
        series=series,
        sources=_sources(measure=measure, locality=locality, last_month=context.last_month),
    )


def summary_matrix(
    *, page: DashboardPage, localities: list[Locality] | None = None
) -> SummaryMatrix:
    """Kent and Medway and the localities (None: every one), each with the latest month of
    every measure, its variation, assurance and change against baseline, worst first.

    Eight queries whatever the number of localities, measures or months (every
    locality's months are read to order them all: cache the result).
    """
    context = _context(page)
    if localities is None:
        localities = list(
            localities_in_force(page.structure).order_by("name").only("id", "name", "slug")
        )
    programme_frame, left_out = _programme_frame(context)
    baselines = {**context.baseline_means, **_programme_baselines(programme_frame)}
    frame = pd.concat(
        [
            frame
            for frame in (
                _locality_frame(context, [place.id for place in localities]),
                programme_frame,
            )
            if len(frame)
        ]
        or [pd.DataFrame(columns=FRAME_COLUMNS)],
        ignore_index=True,
    )
    names = {PROGRAMME: (PROGRAMME_NAME, ALL_LOCALITIES)}
    names.update({place.id: (place.name, place.slug) for place in localities})
    series = _series_of(
        _charted(frame, context, baselines) if len(frame) else frame,
        context=context,
        baselines=baselines,
        names=names,
        left_out=left_out,
        # Kent and Medway's whole series (the board pack charts it); the localities' latest.
        latest_only=tuple(place.id for place in localities),
    )

    def row(area: int) -> SummaryRow:
        name, slug = names[area]
        return SummaryRow(
            name=name,
            slug=slug,
            cells=[series[(area, measure.id)] for measure in context.measures],
        )

    rows = sorted(
        (row(place.id) for place in localities), key=lambda item: (item.order_key, item.name)
    )
    illustrative = (
        context.illustrative or bool(frame["illustrative"].any()) if len(frame) else False
    )
    return SummaryMatrix(
        quarter=page.quarter,
        last_month=context.last_month,
        measures=context.measures,
        programme=row(PROGRAMME),
        rows=rows,
        includes_illustrative=illustrative,
    )


# --- Quarters made of months ---------------------------------------------------------


@dataclass(frozen=True)
class QuarterFigure:
    """A measure's activity in a quarter: the sum of its months (partial if one is missing)."""

    value: float | None
    months: int
    baseline: float | None  # the baseline mean month × 3
    is_illustrative: bool

    @property
    def is_partial(self) -> bool:
        return 0 < self.months < 3

    @property
    def change_percent(self) -> float | None:
        if self.value is None or not self.baseline or self.is_partial:
            return None
        return (self.value - self.baseline) * 100 / self.baseline


def quarter_figures(*, locality: Locality, quarter: Quarter) -> dict[int, QuarterFigure]:
    """A locality's quarter per measure id, added up from its months. Two queries."""
    start, end = month_of(quarter.start_date), month_of(quarter.end_date)
    sums = {
        row["measure_id"]: row
        for row in MonthlyOutcome.objects.order_by()
        .filter(locality=locality, month__gte=start, month__lte=end)
        .values("measure_id")
        .annotate(
            total=Sum("value"),
            months=Count("pk"),
            illustrative=Count("pk", filter=Q(is_illustrative=True)),
        )
    }
    baselines = {
        row["measure_id"]: row["mean"]
        for row in MonthlyOutcome.objects.filter(locality=locality).baseline_means()
    }
    figures = {}
    for measure_id in set(sums) | set(baselines):
        row = sums.get(measure_id)
        mean = baselines.get(measure_id)
        figures[measure_id] = QuarterFigure(
            value=float(row["total"]) if row else None,
            months=row["months"] if row else 0,
            baseline=mean * 3 if mean is not None else None,
            is_illustrative=bool(row and row["illustrative"]),
        )
    return figures
