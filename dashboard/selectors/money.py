"""Money: planned investment against what localities report they spent, and the
investment case from the papers as context.

Actuals come from approved quarterly returns only. The plan for a quarter is
the return's own `spend_planned`; a return that gives none counts a quarter of
the locality's annual plan, so that a missing figure never reads as "nothing
was planned". Planned and spent to date cover the same returns, so a locality
whose latest return is not yet approved is compared like with like.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from dashboard.money_format import figure_text
from dashboard.periods import DashboardPage
from localities.models import (
    FinancialYear,
    Locality,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
    QuarterlyUpdate,
    SubSystem,
)

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


@dataclass(frozen=True)
class Money:
    quarter: Quarter
    financial_year: FinancialYear
    area_name: str
    localities: list[SpendAgainstPlan]
    quarters: list[SpendAgainstPlan]
    total: SpendAgainstPlan
    investment_case: list[ContextGroup]
    plan_is_illustrative: bool
    actuals_are_illustrative: bool


def _quarters_to_date(page: DashboardPage) -> list[Quarter]:
    year_id = page.quarter.financial_year_id
    return [
        quarter
        for quarter in page.quarter_options
        if quarter.financial_year_id == year_id and quarter.start_date <= page.quarter.start_date
    ]


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


def sub_system_choices() -> list[tuple[str, str]]:
    """(slug, name) of every sub-system, for the page's filter."""
    return list(SubSystem.objects.order_by("name").values_list("slug", "name"))


def money_data(
    *,
    page: DashboardPage,
    localities: QuerySet[Locality] | None = None,
    area_name: str = PROGRAMME_NAME,
) -> Money:
    """Spend against plan for `localities` (default: all) in the page quarter's year to date.

    Four queries whatever the number of localities or quarters.
    """
    quarter = page.quarter
    year = quarter.financial_year
    localities = Locality.objects.all() if localities is None else localities
    listed = list(localities.select_related("sub_system").only("name", "slug", "sub_system__name"))
    plans = {}
    plan_is_illustrative = False
    for locality_id, amount, is_illustrative in PlannedInvestment.objects.filter(
        financial_year=year, locality__in=localities
    ).values_list("locality_id", "amount", "is_illustrative"):
        plans[locality_id] = amount
        plan_is_illustrative |= is_illustrative

    quarters = _quarters_to_date(page)
    planned_by = defaultdict(Decimal)  # keyed by ("locality" | "quarter", id)
    spent_by = defaultdict(Decimal)
    returns_by = defaultdict(int)
    actuals_are_illustrative = False
    for row in QuarterlyUpdate.objects.filter(
        status__in=page.statuses,
        quarter__in=[option.id for option in quarters],
        locality__in=localities,
        spend_actual__isnull=False,
    ).values("locality_id", "quarter_id", "spend_planned", "spend_actual", "is_illustrative"):
        planned = row["spend_planned"]
        if planned is None:
            planned = (plans.get(row["locality_id"]) or Decimal("0")) / QUARTERS_PER_YEAR
        for key in (("locality", row["locality_id"]), ("quarter", row["quarter_id"])):
            planned_by[key] += planned
            spent_by[key] += row["spend_actual"]
            returns_by[key] += 1
        actuals_are_illustrative |= row["is_illustrative"]

    by_locality = [
        SpendAgainstPlan(
            name=locality.name,
            slug=locality.slug,
            sub_system=locality.sub_system.name,
            annual_plan=plans.get(locality.id),
            planned_to_date=planned_by[("locality", locality.id)],
            spent_to_date=spent_by[("locality", locality.id)],
            returns=returns_by[("locality", locality.id)],
        )
        for locality in listed
    ]
    by_quarter = [
        SpendAgainstPlan(
            name=option.label,
            planned_to_date=planned_by[("quarter", option.id)],
            spent_to_date=spent_by[("quarter", option.id)],
            returns=returns_by[("quarter", option.id)],
        )
        for option in quarters
    ]
    total = SpendAgainstPlan(
        name=area_name,
        annual_plan=sum(plans.values(), Decimal("0")) if plans else None,
        planned_to_date=sum((row.planned_to_date for row in by_locality), Decimal("0")),
        spent_to_date=sum((row.spent_to_date for row in by_locality), Decimal("0")),
        returns=sum(row.returns for row in by_locality),
    )
    return Money(
        quarter=quarter,
        financial_year=year,
        area_name=area_name,
        localities=by_locality,
        quarters=by_quarter,
        total=total,
        investment_case=_investment_case(),
        plan_is_illustrative=plan_is_illustrative,
        actuals_are_illustrative=actuals_are_illustrative,
    )
