"""Benefits: the investment case tracked, as at the end of the quarter shown.

Four comparisons (decision 0022):

- Gross savings. Expected: the case's £218m a year at steady state × the
  SavingsRamp share of each financial year, a twelfth a month. Estimated from
  the measured activity: for each locality, measure and month after the
  baseline, (the baseline's monthly mean − the month's activity) × the
  measure's unit cost. A month with more activity than the baseline is a
  negative saving, counted as such.
- Reinvestment: the case's £75m a year × the ramp, pro rata for the year to
  date, against the approved returns' spend, read by the money page's own
  selector (dashboard.selectors.money), so both pages show one figure.
- Non-recurring revenue (£39m) and capital (£164m–£190m) against the
  InvestmentCommitment rows committed by the quarter's end.

Months after the quarter's end, and commitments made after it, are not counted.
The page reads a fixed number of queries whatever the data: the figures, the
ramp, the measures and their unit costs, the baseline means, the months by
quarter, the trajectories, the commitments, and the money page's five.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncQuarter

from common.money import figure_text
from dashboard.periods import DashboardPage
from dashboard.selectors.areas import localities_in_force
from dashboard.selectors.money import PROGRAMME_NAME, SpendAgainstPlan, money_page
from localities.models import (
    BASELINE_LAST_MONTH,
    PROGRAMME_WIDE,
    InvestmentCommitment,
    MonthlyOutcome,
    OutcomeMeasure,
    OutcomeTrajectory,
    ProgrammeFigure,
    SavingsRamp,
)
from localities.outcome_months import financial_year_of, months_between, next_month

GROSS_SAVINGS = "gross-annual-savings"
REINVESTMENT = "annual-reinvestment"
NON_RECURRING_REVENUE = "non-recurring-revenue"
CAPITAL = "upfront-capital"
FIGURE_CODES = (GROSS_SAVINGS, REINVESTMENT, NON_RECURRING_REVENUE, CAPITAL)

MONTHS_PER_YEAR = 12
HUNDRED = Decimal("100")
ZERO = Decimal("0")
# The first month counted: the month after the baseline (April 2018).
FIRST_MONTH = next_month(BASELINE_LAST_MONTH)


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def quarter_label(quarter_start: datetime.date) -> str:
    """A financial quarter by its first month: April 2018 is "2018/19 Q1"."""
    year = financial_year_of(quarter_start)
    number = ((quarter_start.month - 4) % MONTHS_PER_YEAR) // 3 + 1
    return f"{year_label(year)} Q{number}"


def quarter_start_of(month: datetime.date) -> datetime.date:
    return datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


@dataclass(frozen=True)
class CaseFigure:
    """A figure from the investment case, with where it comes from."""

    code: str
    label: str
    value: Decimal | None
    value_high: Decimal | None
    text: str
    as_at: str
    source: str

    @property
    def is_recorded(self) -> bool:
        return self.value is not None


def _missing_figure(code: str) -> CaseFigure:
    return CaseFigure(
        code=code, label=code, value=None, value_high=None, text="not recorded", as_at="", source=""
    )


@dataclass(frozen=True)
class SavingsRow:
    """Expected and estimated gross savings over a period, a locality or a measure.

    `expected` is None where nothing says what to expect (a locality or measure
    without a trajectory). `months` counts the locality × measure × months of
    activity estimated from.
    """

    name: str
    expected: Decimal | None
    estimated: Decimal | None  # None: no activity to estimate from yet
    months: int
    cumulative_expected: Decimal | None = None
    cumulative_estimated: Decimal | None = None
    slug: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.expected is None or self.estimated is None:
            return None
        return self.estimated - self.expected


@dataclass(frozen=True)
class RampYear:
    year: str
    share_percent: Decimal
    gross_expected: Decimal | None
    reinvestment_expected: Decimal | None
    source: str
    is_illustrative: bool


@dataclass(frozen=True)
class UnitCost:
    measure: str
    unit: str
    pounds: Decimal | None
    as_at: str
    source: str
    is_illustrative: bool


@dataclass(frozen=True)
class ReinvestmentRow:
    """Reinvestment expected by the case and spent, over a quarter, a locality or the year."""

    name: str
    expected: Decimal | None
    spent: Decimal
    returns: int


@dataclass(frozen=True)
class CommitmentKind:
    """Committed to date of one kind, against the case's figure (a range for capital)."""

    kind: str
    label: str
    case: CaseFigure
    committed: Decimal
    commitments: int

    @property
    def percent_of_case(self) -> str:
        """ "17%" of a figure, "3% to 4%" of a range; "" with no figure."""
        case = self.case
        if not case.value:
            return ""
        low = self.committed * HUNDRED / case.value
        if case.value_high and case.value_high != case.value:
            high = self.committed * HUNDRED / case.value_high
            return f"{high:.0f}% to {low:.0f}%"
        return f"{low:.0f}%"


@dataclass(frozen=True)
class CommitmentRow:
    kind: str
    locality: str
    committed: Decimal
    commitments: int


@dataclass(frozen=True)
class Benefits:
    quarter_label: str
    as_at: datetime.date
    financial_year: str
    figures: dict[str, CaseFigure]
    # Gross savings
    quarters: list[SavingsRow]
    years: list[SavingsRow]
    localities: list[SavingsRow]
    measures: list[SavingsRow]
    total: SavingsRow
    last_month: datetime.date | None  # the latest month of activity counted
    # The comparison's last quarter (the last with activity), and the later ones without.
    compared_to: str
    quarters_without_activity: int
    # Locality × measure × quarters estimated, and those with more activity than the
    # baseline: a negative saving, counted as one.
    negative_quarters: int
    estimated_quarters: int
    localities_without_baseline: int
    measures_without_unit_cost: list[str]
    # Reinvestment, the year to date (the money page's figures)
    reinvestment_total: ReinvestmentRow
    reinvestment_quarters: list[ReinvestmentRow]
    reinvestment_localities: list[ReinvestmentRow]
    # Non-recurring money
    commitment_kinds: list[CommitmentKind]
    commitment_rows: list[CommitmentRow]
    # The inputs
    ramp: list[RampYear]
    unit_costs: list[UnitCost]
    # Where an illustrative row feeds a figure (decision 0011)
    ramp_is_illustrative: bool
    trajectory_is_illustrative: bool
    unit_costs_are_illustrative: bool
    activity_is_illustrative: bool
    commitments_are_illustrative: bool
    spend_is_illustrative: bool

    @property
    def estimated_is_illustrative(self) -> bool:
        return self.activity_is_illustrative or self.unit_costs_are_illustrative

    @property
    def savings_is_illustrative(self) -> bool:
        """The savings comparison: the ramp feeds the expected, the data the estimate."""
        return self.ramp_is_illustrative or self.estimated_is_illustrative

    @property
    def breakdown_is_illustrative(self) -> bool:
        """By locality and measure the expected comes from the trajectories."""
        return self.savings_is_illustrative or self.trajectory_is_illustrative

    @property
    def reinvestment_is_illustrative(self) -> bool:
        return self.ramp_is_illustrative or self.spend_is_illustrative

    @property
    def money_is_illustrative(self) -> bool:
        return self.reinvestment_is_illustrative or self.commitments_are_illustrative

    @property
    def gross_figure(self) -> CaseFigure:
        return self.figures[GROSS_SAVINGS]

    @property
    def reinvestment_figure(self) -> CaseFigure:
        return self.figures[REINVESTMENT]

    @property
    def has_months(self) -> bool:
        return self.last_month is not None


def _case_figures() -> dict[str, CaseFigure]:
    found = {
        figure.code: CaseFigure(
            code=figure.code,
            label=figure.label,
            value=figure.value,
            value_high=figure.value_high,
            text=figure_text(unit=figure.unit, value=figure.value, value_high=figure.value_high),
            as_at=figure.as_at,
            source=figure.source,
        )
        for figure in ProgrammeFigure.objects.filter(code__in=FIGURE_CODES)
    }
    return {code: found.get(code) or _missing_figure(code) for code in FIGURE_CODES}


def _per_month(annual: Decimal | None, share_percent: Decimal) -> Decimal | None:
    if annual is None:
        return None
    return annual * share_percent / HUNDRED / MONTHS_PER_YEAR


def _sum_expected(expected_month: dict, months: list) -> Decimal | None:
    values = [expected_month[month] for month in months]
    return None if any(value is None for value in values) else sum(values, ZERO)


def _sum_rows(values) -> Decimal | None:
    values = list(values)
    return None if any(value is None for value in values) else sum(values, ZERO)


def _reinvestment_row(row: SpendAgainstPlan, expected: Decimal | None) -> ReinvestmentRow:
    return ReinvestmentRow(
        name=row.name, expected=expected, spent=row.spent_to_date, returns=row.returns
    )


def benefits(*, page: DashboardPage) -> Benefits:
    """The Benefits page's figures as at the end of `page.quarter`."""
    quarter = page.quarter
    as_at = quarter.end_date
    figures = _case_figures()

    ramp_rows = list(SavingsRamp.objects.all())
    shares = {row.start_year: row.share_percent for row in ramp_rows}
    months = months_between(FIRST_MONTH, as_at) if as_at >= FIRST_MONTH else []
    # A financial year the ramp does not list expects nothing (as trajectories read it).
    fy_of = {month: financial_year_of(month) for month in months}
    ramp_is_illustrative = any(row.is_illustrative for row in ramp_rows)

    measures = list(OutcomeMeasure.objects.select_related("unit_cost").order_by("id"))
    unit_costs, cost_of, without_cost = [], {}, []
    for measure in measures:
        cost = getattr(measure, "unit_cost", None)
        if cost is None:
            without_cost.append(measure.name)
            continue
        cost_of[measure.id] = cost.pounds
        unit_costs.append(
            UnitCost(
                measure=measure.name,
                unit=measure.unit,
                pounds=cost.pounds,
                as_at=cost.as_at,
                source=cost.source,
                is_illustrative=cost.is_illustrative,
            )
        )
    measure_names = {measure.id: measure.name for measure in measures}

    means = {
        (row["locality_id"], row["measure_id"]): Decimal(repr(row["mean"]))
        for row in MonthlyOutcome.objects.baseline_means()
    }
    grouped = (
        MonthlyOutcome.objects.up_to(as_at)
        .filter(month__gte=FIRST_MONTH)
        .order_by()
        .annotate(quarter_start=TruncQuarter("month"))
        .values("locality_id", "locality__name", "locality__slug", "measure_id", "quarter_start")
        .annotate(
            total=Sum("value"),
            months=Count("id"),
            illustrative=Count("id", filter=Q(is_illustrative=True)),
            last_month=Max("month"),
        )
    )
    # Summed by quarter in SQL (rows: localities × measures × quarters, not months):
    # (mean − activity) summed over a quarter's months is mean × months − their sum.
    estimated_by = defaultdict(lambda: ZERO)  # (key kind, key) -> £
    months_by = defaultdict(int)
    names, slugs = {}, {}
    activity_is_illustrative = False
    last_month = None
    without_baseline = set()
    negative_groups = estimated_groups = 0
    for row in grouped:
        locality, measure = row["locality_id"], row["measure_id"]
        names[locality], slugs[locality] = row["locality__name"], row["locality__slug"]
        activity_is_illustrative = activity_is_illustrative or bool(row["illustrative"])
        last_month = row["last_month"] if last_month is None else max(last_month, row["last_month"])
        mean = means.get((locality, measure))
        if mean is None:
            without_baseline.add(locality)
            continue
        if measure not in cost_of:
            continue
        saving = (mean * row["months"] - row["total"]) * cost_of[measure]
        estimated_groups += 1
        if saving < 0:
            negative_groups += 1
        for key in (
            ("quarter", row["quarter_start"]),
            ("locality", locality),
            ("measure", measure),
        ):
            estimated_by[key] += saving
            months_by[key] += row["months"]

    # Expected: the case's gross savings, a twelfth of each year's ramp share a month.
    gross = figures[GROSS_SAVINGS].value
    expected_month = {month: _per_month(gross, shares.get(fy_of[month], ZERO)) for month in months}
    quarter_starts = sorted({quarter_start_of(month) for month in months})
    # Like with like: the comparison's totals cover the quarters with activity to
    # estimate from. A quarter with none yet (the extract lags) shows what the case
    # expects of it, and no estimate.
    with_data = {start for start in quarter_starts if ("quarter", start) in months_by}
    quarters, running_expected, running_estimated = [], ZERO, ZERO
    for start in quarter_starts:
        expected = _sum_expected(
            expected_month, [m for m in months if quarter_start_of(m) == start]
        )
        running_expected = None if expected is None else (running_expected or ZERO) + expected
        estimated = estimated_by.get(("quarter", start)) if start in with_data else None
        if estimated is not None:
            running_estimated += estimated
        quarters.append(
            SavingsRow(
                name=quarter_label(start),
                expected=expected,
                estimated=estimated,
                months=months_by.get(("quarter", start), 0),
                cumulative_expected=running_expected,
                cumulative_estimated=None if estimated is None else running_estimated,
            )
        )
    years = []
    for year in sorted(set(fy_of.values())):
        in_year = [
            row
            for row, start in zip(quarters, quarter_starts, strict=True)
            if financial_year_of(start) == year
        ]
        estimated_rows = [row.estimated for row in in_year if row.estimated is not None]
        years.append(
            SavingsRow(
                name=year_label(year) + ("" if len(in_year) == 4 else f" (to Q{len(in_year)})"),
                expected=_sum_rows(row.expected for row in in_year),
                estimated=sum(estimated_rows, ZERO) if estimated_rows else None,
                months=sum(row.months for row in in_year),
            )
        )
    compared = [row for row in quarters if row.estimated is not None]
    total = SavingsRow(
        name=PROGRAMME_NAME,
        expected=_sum_rows(row.expected for row in compared),
        estimated=sum((row.estimated for row in compared), ZERO),
        months=sum(row.months for row in compared),
    )
    counted_months = [month for month in months if quarter_start_of(month) in with_data]

    # By locality and measure the expected is the trajectory's: the baseline mean ×
    # the steady-state reduction × the ramp's share of each month × the unit cost.
    share_months = sum((shares.get(fy_of[month], ZERO) for month in counted_months), ZERO) / HUNDRED
    expected_by = defaultdict(lambda: ZERO)
    trajectory_is_illustrative = False
    for trajectory in OutcomeTrajectory.objects.order_by():
        key = (trajectory.locality_id, trajectory.measure_id)
        if key not in means or trajectory.measure_id not in cost_of:
            continue
        trajectory_is_illustrative = trajectory_is_illustrative or trajectory.is_illustrative
        pounds = (
            means[key]
            * trajectory.steady_state_reduction_percent
            / HUNDRED
            * share_months
            * cost_of[trajectory.measure_id]
        )
        expected_by[("locality", trajectory.locality_id)] += pounds
        expected_by[("measure", trajectory.measure_id)] += pounds
    localities = sorted(
        (
            SavingsRow(
                name=names[locality],
                slug=slugs[locality],
                expected=expected_by.get(("locality", locality)),
                estimated=estimated_by[("locality", locality)],
                months=months_by[("locality", locality)],
            )
            for locality in names
            if ("locality", locality) in months_by
        ),
        key=lambda row: row.name,
    )
    by_measure = [
        SavingsRow(
            name=measure_names[measure],
            expected=expected_by.get(("measure", measure)),
            estimated=estimated_by[("measure", measure)],
            months=months_by[("measure", measure)],
        )
        for measure in measure_names
        if measure in cost_of
    ]

    money = money_page(
        page=page,
        localities=localities_in_force(page.structure),
        ordering=[],
        number="1",
        per_page=None,
    )
    reinvestment = figures[REINVESTMENT].value
    year_share = shares.get(quarter.financial_year.start_year, ZERO)
    quarter_expected = _per_month(reinvestment, year_share)
    reinvestment_quarters = [
        _reinvestment_row(row, None if quarter_expected is None else quarter_expected * 3)
        for row in money.quarters
    ]
    reinvestment_total = _reinvestment_row(
        money.total,
        None if quarter_expected is None else quarter_expected * 3 * quarter.number,
    )

    commitments = list(
        InvestmentCommitment.objects.filter(committed_on__lte=as_at)
        .order_by()
        .values("kind", "locality__name")
        .annotate(
            amount=Sum("amount"),
            count=Count("id"),
            illustrative=Count("id", filter=Q(is_illustrative=True)),
        )
    )
    kinds = []
    for kind, code in (
        (InvestmentCommitment.Kind.NON_RECURRING_REVENUE, NON_RECURRING_REVENUE),
        (InvestmentCommitment.Kind.CAPITAL, CAPITAL),
    ):
        of_kind = [row for row in commitments if row["kind"] == kind]
        kinds.append(
            CommitmentKind(
                kind=kind.value,
                label=kind.label,
                case=figures[code],
                committed=sum((row["amount"] for row in of_kind), ZERO),
                commitments=sum(row["count"] for row in of_kind),
            )
        )
    labels = dict(InvestmentCommitment.Kind.choices)
    commitment_rows = sorted(
        (
            CommitmentRow(
                kind=labels[row["kind"]],
                locality=row["locality__name"] or PROGRAMME_WIDE,
                committed=row["amount"],
                commitments=row["count"],
            )
            for row in commitments
        ),
        key=lambda row: (row.kind, row.locality != PROGRAMME_WIDE, row.locality),
    )

    return Benefits(
        quarter_label=quarter.label,
        as_at=as_at,
        financial_year=quarter.financial_year.label,
        figures=figures,
        quarters=quarters,
        years=years,
        localities=localities,
        measures=by_measure,
        total=total,
        last_month=last_month,
        compared_to=compared[-1].name if compared else "",
        quarters_without_activity=len(quarters) - len(compared),
        negative_quarters=negative_groups,
        estimated_quarters=estimated_groups,
        localities_without_baseline=len(without_baseline),
        measures_without_unit_cost=without_cost,
        reinvestment_total=reinvestment_total,
        reinvestment_quarters=reinvestment_quarters,
        reinvestment_localities=[_reinvestment_row(row, None) for row in money.localities.rows],
        commitment_kinds=kinds,
        commitment_rows=commitment_rows,
        ramp=[
            RampYear(
                year=year_label(row.start_year),
                share_percent=row.share_percent,
                gross_expected=None if gross is None else gross * row.share_percent / HUNDRED,
                reinvestment_expected=(
                    None if reinvestment is None else reinvestment * row.share_percent / HUNDRED
                ),
                source=row.source,
                is_illustrative=row.is_illustrative,
            )
            for row in ramp_rows
        ],
        unit_costs=unit_costs,
        ramp_is_illustrative=ramp_is_illustrative,
        trajectory_is_illustrative=trajectory_is_illustrative,
        unit_costs_are_illustrative=any(cost.is_illustrative for cost in unit_costs),
        activity_is_illustrative=activity_is_illustrative,
        commitments_are_illustrative=any(row["illustrative"] for row in commitments),
        spend_is_illustrative=money.actuals_are_illustrative,
    )
