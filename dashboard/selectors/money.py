"""Money: planned investment against what localities report they spent, and the
investment case from the papers as context.

Actuals come from approved quarterly returns only. The plan for a quarter is
the return's own `spend_planned`; a return that gives none counts a quarter of
the locality's annual plan, so that a missing figure never reads as "nothing
was planned". Planned and spent to date cover the same returns, so a locality
whose latest return is not yet approved is compared like with like.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, Round

from common.money import figure_text
from common.pagination import SqlPage, sql_page
from dashboard.periods import DashboardPage
from localities.models import (
    FinancialYear,
    Locality,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
)
from updates.models import QuarterlyUpdate

# Within this many per cent of the plan to date either way is "on plan".
ON_PLAN_TOLERANCE_PERCENT = Decimal("5")
QUARTERS_PER_YEAR = 4
PROGRAMME_NAME = "Kent and Medway"


class SpendVerdict:
    ON_PLAN = "On plan"
    UNDER_PLAN = "Under plan"
    OVER_PLAN = "Over plan"
    NO_PLAN = "No plan to compare"
    NO_RETURN = "No approved return"


def variance_percent(*, planned: Decimal, spent: Decimal) -> Decimal | None:
    """Spent minus planned as a percentage of planned, to one decimal place."""
    if not planned:
        return None
    return ((spent - planned) * 100 / planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def spend_verdict(*, planned: Decimal, spent: Decimal, returns: int) -> str:
    """On plan within ±5% of the plan to date (inclusive), otherwise under or over."""
    if returns == 0:
        return SpendVerdict.NO_RETURN
    percent = variance_percent(planned=planned, spent=spent)
    if percent is None:
        return SpendVerdict.NO_PLAN
    if percent < -ON_PLAN_TOLERANCE_PERCENT:
        return SpendVerdict.UNDER_PLAN
    if percent > ON_PLAN_TOLERANCE_PERCENT:
        return SpendVerdict.OVER_PLAN
    return SpendVerdict.ON_PLAN


@dataclass(frozen=True)
class SpendAgainstPlan:
    """Planned and spent to date for a locality, a quarter or the whole programme."""

    name: str
    planned_to_date: Decimal
    spent_to_date: Decimal
    returns: int
    annual_plan: Decimal | None = None
    slug: str = ""
    sub_system: str = ""

    @property
    def variance(self) -> Decimal:
        return self.spent_to_date - self.planned_to_date

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(planned=self.planned_to_date, spent=self.spent_to_date)

    @property
    def verdict(self) -> str:
        return spend_verdict(
            planned=self.planned_to_date, spent=self.spent_to_date, returns=self.returns
        )


@dataclass(frozen=True)
class ContextFigure:
    label: str
    text: str
    as_at: str
    source: str


@dataclass(frozen=True)
class ContextGroup:
    name: str
    figures: list[ContextFigure] = field(default_factory=list)


def _investment_case() -> list[ContextGroup]:
    # In the order the papers were entered: the £32m invested first, then the case.
    groups: dict[str, ContextGroup] = {}
    for figure in ProgrammeFigure.objects.order_by("id"):
        group = groups.setdefault(figure.group, ContextGroup(name=figure.group))
        group.figures.append(
            ContextFigure(
                label=figure.label,
                text=figure_text(
                    unit=figure.unit, value=figure.value, value_high=figure.value_high
                ),
                as_at=figure.as_at,
                source=figure.source,
            )
        )
    return list(groups.values())


@dataclass(frozen=True)
class VerdictCounts:
    """How many localities stand where against plan, and the furthest from it: over all of them."""

    locality_count: int
    on_plan: int
    under_plan: int
    over_plan: int
    furthest_name: str | None  # None when no locality has a plan to compare with
    furthest_percent: Decimal | None


@dataclass(frozen=True)
class MoneyPage:
    """`Money` with one page of localities (`localities`) and `verdicts` over all of them."""

    quarter: Quarter
    financial_year: FinancialYear
    area_name: str
    localities: SqlPage  # of SpendAgainstPlan
    verdicts: VerdictCounts
    quarters: list[SpendAgainstPlan]
    total: SpendAgainstPlan
    investment_case: list[ContextGroup]
    plan_is_illustrative: bool
    actuals_are_illustrative: bool

    @property
    def spend_against_plan_is_illustrative(self) -> bool:
        """Spend, variance and verdicts set the returns' actuals against the plan."""
        return self.plan_is_illustrative or self.actuals_are_illustrative


_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _returns(page: DashboardPage, prefix: str = "") -> Q:
    """The approved (or, in preview, visible) returns with spend in the year to date."""
    return Q(
        **{
            f"{prefix}status__in": page.statuses,
            f"{prefix}quarter__in": [option.id for option in page.quarters_of_year_to_date],
            f"{prefix}spend_actual__isnull": False,
        }
    )


def _plan_for(year: FinancialYear, locality: OuterRef) -> Subquery:
    return Subquery(
        PlannedInvestment.objects.filter(financial_year=year, locality=locality)
        .order_by()
        .values("amount")[:1]
    )


def _spend_by_locality(page: DashboardPage, localities: QuerySet[Locality]) -> QuerySet[Locality]:
    """Each locality's spend against plan to date, in SQL, under the table's column names.

    `planned_given` and `planned_missing` keep the exact parts of the plan to date
    (returns' own plans, and how many returns count a quarter of the annual
    plan); the rest are for sorting, where PostgreSQL's numeric arithmetic
    orders as the Python figures do. The returns and the year's plan are joined
    with their conditions (FilteredRelation), so the join reads only the year's
    returns and the plan is a column, not a subquery per row.
    """
    returns = _returns(page, "updates__")
    money = DecimalField(max_digits=20, decimal_places=6)
    planned = F("planned_given") + F("planned_missing") * Coalesce("annual_plan", _ZERO) / 4
    return (
        localities.select_related("sub_system")
        .annotate(
            year_returns=FilteredRelation("updates", condition=returns),
            year_plan=FilteredRelation(
                "planned_investments",
                condition=Q(planned_investments__financial_year=page.quarter.financial_year),
            ),
        )
        .annotate(
            annual_plan=F("year_plan__amount"),
            returns=Count("year_returns"),
            spent_to_date=Coalesce(Sum("year_returns__spend_actual"), _ZERO),
            planned_given=Coalesce(Sum("year_returns__spend_planned"), _ZERO),
            planned_missing=Count(
                "year_returns", filter=Q(year_returns__spend_planned__isnull=True)
            ),
        )
        .annotate(planned_to_date=ExpressionWrapper(planned, output_field=money))
        .annotate(
            variance=ExpressionWrapper(F("spent_to_date") - F("planned_to_date"), money),
        )
        .annotate(
            variance_percent=Round(
                F("variance") * 100 / NullIf(F("planned_to_date"), _ZERO), 1, output_field=money
            )
        )
        .annotate(
            verdict=Case(
                When(returns=0, then=Value(SpendVerdict.NO_RETURN)),
                When(variance_percent__isnull=True, then=Value(SpendVerdict.NO_PLAN)),
                When(
                    variance_percent__lt=-ON_PLAN_TOLERANCE_PERCENT,
                    then=Value(SpendVerdict.UNDER_PLAN),
                ),
                When(
                    variance_percent__gt=ON_PLAN_TOLERANCE_PERCENT,
                    then=Value(SpendVerdict.OVER_PLAN),
                ),
                default=Value(SpendVerdict.ON_PLAN),
                output_field=CharField(),
            )
        )
    )


def _spend_row(locality: Locality) -> SpendAgainstPlan:
    """A locality's row, its plan to date worked out exactly (not in SQL's rounding)."""
    plan = locality.annual_plan
    return SpendAgainstPlan(
        name=locality.name,
        slug=locality.slug,
        sub_system=locality.sub_system.name,
        annual_plan=plan,
        planned_to_date=locality.planned_given
        + locality.planned_missing * (plan or Decimal("0")) / QUARTERS_PER_YEAR,
        spent_to_date=locality.spent_to_date,
        returns=locality.returns,
    )


def spend_by_locality(*, page: DashboardPage, localities: QuerySet[Locality]) -> QuerySet[Locality]:
    """`localities` with their spend against plan in the page's year to date, by name: the
    money page's table (`spend_row` makes each its row), and whether the plan or any return
    in it is illustrative. One query. For the data API, so that it and the page agree."""
    return (
        _spend_by_locality(page, localities)
        .annotate(
            plan_is_illustrative=Coalesce(F("year_plan__is_illustrative"), Value(False)),
            illustrative_returns=Count(
                "year_returns", filter=Q(year_returns__is_illustrative=True)
            ),
        )
        .order_by("name", "id")
    )


def spend_row(locality: Locality) -> SpendAgainstPlan:
    """A locality from `spend_by_locality` as the money page's row (no query)."""
    return _spend_row(locality)


def _verdicts(spend: QuerySet[Locality]) -> VerdictCounts:
    """Every locality's verdict, counted from (name, verdict, variance %) read in SQL."""
    triples = list(spend.order_by("name", "id").values_list("name", "verdict", "variance_percent"))
    counts = Counter(verdict for _, verdict, _ in triples)
    reported = [(name, percent) for name, _, percent in triples if percent is not None]
    # The first of equals in name order.
    furthest = max(reported, key=lambda pair: abs(pair[1])) if reported else (None, None)
    return VerdictCounts(
        locality_count=len(triples),
        on_plan=counts[SpendVerdict.ON_PLAN],
        under_plan=counts[SpendVerdict.UNDER_PLAN],
        over_plan=counts[SpendVerdict.OVER_PLAN],
        furthest_name=furthest[0],
        furthest_percent=(
            None if furthest[1] is None else Decimal(furthest[1]).quantize(Decimal("0.1"))
        ),
    )


def _spend_by_quarter(
    page: DashboardPage, localities: QuerySet[Locality], area_name: str
) -> tuple[list[SpendAgainstPlan], SpendAgainstPlan, bool, bool]:
    """Spend against plan by quarter to date and in total, as aggregates over `localities`.

    (by quarter, total, plan is illustrative, actuals are illustrative). Two queries.
    """
    year = page.quarter.financial_year
    plans = PlannedInvestment.objects.filter(financial_year=year, locality__in=localities)
    plan_totals = plans.order_by().aggregate(
        amount=Sum("amount"),
        count=Count("id"),
        illustrative=Count("id", filter=Q(is_illustrative=True)),
    )
    by_quarter = {
        row["quarter_id"]: row
        for row in QuarterlyUpdate.objects.filter(_returns(page), locality__in=localities)
        .annotate(plan=_plan_for(year, OuterRef("locality_id")))
        .order_by()
        .values("quarter_id")
        .annotate(
            planned_given=Coalesce(Sum("spend_planned"), _ZERO),
            # Returns with no plan of their own count a quarter of the annual plan: the
            # plans are summed here and divided in Python, so the figure stays exact.
            missing_plans=Coalesce(Sum("plan", filter=Q(spend_planned__isnull=True)), _ZERO),
            spent=Coalesce(Sum("spend_actual"), _ZERO),
            returns=Count("id"),
            illustrative=Count("id", filter=Q(is_illustrative=True)),
        )
    }
    quarters = [
        SpendAgainstPlan(
            name=option.label,
            planned_to_date=row["planned_given"] + row["missing_plans"] / QUARTERS_PER_YEAR,
            spent_to_date=row["spent"],
            returns=row["returns"],
        )
        if (row := by_quarter.get(option.id))
        else SpendAgainstPlan(
            name=option.label, planned_to_date=Decimal("0"), spent_to_date=Decimal("0"), returns=0
        )
        for option in page.quarters_of_year_to_date
    ]
    total = SpendAgainstPlan(
        name=area_name,
        annual_plan=plan_totals["amount"] if plan_totals["count"] else None,
        planned_to_date=sum((row.planned_to_date for row in quarters), Decimal("0")),
        spent_to_date=sum((row.spent_to_date for row in quarters), Decimal("0")),
        returns=sum(row.returns for row in quarters),
    )
    return (
        quarters,
        total,
        bool(plan_totals["illustrative"]),
        any(row["illustrative"] for row in by_quarter.values()),
    )


def programme_spend(*, page: DashboardPage) -> tuple[SpendAgainstPlan, int]:
    """Kent and Medway's spend against plan to date (the money page's total, unfiltered),
    and how many localities' returns it covers. Three queries."""
    total = _spend_by_quarter(page, Locality.objects.all(), PROGRAMME_NAME)[1]
    localities = (
        QuarterlyUpdate.objects.filter(_returns(page))
        .order_by()
        .aggregate(count=Count("locality_id", distinct=True))["count"]
    )
    return total, localities


@dataclass(frozen=True)
class SpendOf:
    """The board pack's money: a few localities' rows, and the programme's quarters and total."""

    rows: list[SpendAgainstPlan]
    quarters: list[SpendAgainstPlan]
    total: SpendAgainstPlan


def spend_of(*, page: DashboardPage, slugs) -> SpendOf:
    """The spend of the localities with these slugs, by name, and the programme's spend
    by quarter and in total.

    For the board pack, which shows a few localities of what may be hundreds.
    Three queries.
    """
    localities = Locality.objects.filter(slug__in=slugs)
    rows = [_spend_row(item) for item in _spend_by_locality(page, localities).order_by("name")]
    quarters, total, _, _ = _spend_by_quarter(page, Locality.objects.all(), PROGRAMME_NAME)
    return SpendOf(rows=rows, quarters=quarters, total=total)


def money_page(
    *,
    page: DashboardPage,
    localities: QuerySet[Locality],
    area_name: str = PROGRAMME_NAME,
    ordering: list[OrderBy],
    number: str,
    per_page: int | None,
) -> MoneyPage:
    """Spend against plan in the year to date: localities a page at a time, sorted in SQL by `ordering`.

    Totals and the figures by quarter are aggregates over every locality in
    `localities`. Five queries whatever the data: the plans' total, spend by
    quarter, every locality's verdict (which counts them), the page's rows,
    and the investment case.
    """
    quarter = page.quarter
    year = quarter.financial_year
    quarters, total, plan_is_illustrative, actuals_are_illustrative = _spend_by_quarter(
        page, localities, area_name
    )
    spend = _spend_by_locality(page, localities)
    verdicts = _verdicts(spend)
    return MoneyPage(
        quarter=quarter,
        financial_year=year,
        area_name=area_name,
        localities=sql_page(
            spend.order_by(*ordering, "name", "id"),
            requested=number,
            per_page=per_page,
            total=verdicts.locality_count,
            row=_spend_row,
        ),
        verdicts=verdicts,
        quarters=quarters,
        total=total,
        investment_case=_investment_case(),
        plan_is_illustrative=plan_is_illustrative,
        actuals_are_illustrative=actuals_are_illustrative,
    )
