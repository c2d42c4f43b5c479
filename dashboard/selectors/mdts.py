"""MDT roll-out: MDTs by locality, tier and status as at a quarter, and the population they cover."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import (
    Case,
    Count,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from common.pagination import SqlPage, sql_page
from dashboard.filters.localities import LocalityChoice, locality_choice_rows
from dashboard.filters.mdts import MdtFilter
from dashboard.periods import DashboardPage
from dashboard.selectors.areas import inherited, localities_in_force
from localities.models import MDT, InfrastructureTier, Locality, PrimaryCareNetwork, live_by

# The 2018/19 plan: one MDT for every 30,000–50,000 registered patients.
PLAN_POPULATION_LOW = 30_000
PLAN_POPULATION_HIGH = 50_000


def infrastructure_tiers() -> list[InfrastructureTier]:
    """The tiers an MDT belongs to, as the papers define them (GP practices, Tier 1, Tier 2)."""
    return list(InfrastructureTier.objects.order_by("id"))


class StatusAsAt(models.TextChoices):
    """An MDT's status at the end of the quarter being shown."""

    LIVE = "live", "Live"
    SHADOW = "shadow", "Shadow running"
    PLANNED = "planned", "Planned"


class AgainstPlan:
    """How a locality's average population per live MDT compares with 30,000–50,000."""

    WITHIN = "Within plan"
    BELOW = "Below plan"
    ABOVE = "Above plan"
    NO_LIVE_MDTS = "No live MDTs"


def against_plan(average: float | None) -> str:
    if average is None:
        return AgainstPlan.NO_LIVE_MDTS
    if average < PLAN_POPULATION_LOW:
        return AgainstPlan.BELOW
    if average > PLAN_POPULATION_HIGH:
        return AgainstPlan.ABOVE
    return AgainstPlan.WITHIN


def _live_by(day: datetime.date, prefix: str = "") -> Q:
    # The one rule for "live as at" (decision 0009), shared with the headline figures.
    return live_by(day, prefix)


def _not_live_by(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}actual_go_live__isnull": True}) | Q(
        **{f"{prefix}actual_go_live__gt": day}
    )


def status_as_at(day: datetime.date) -> Case:
    """Live if it went live on or before `day`; otherwise shadow running or planned.

    The register records when an MDT went live but not when shadow running
    began: an MDT not yet live by `day` shows as shadow running if that is its
    recorded status, and as planned otherwise (including one that went live later).
    """
    return Case(
        When(_live_by(day), then=Value(StatusAsAt.LIVE)),
        When(status=MDT.Status.SHADOW, then=Value(StatusAsAt.SHADOW)),
        default=Value(StatusAsAt.PLANNED),
        output_field=models.CharField(),
    )


def mdts_as_at(day: datetime.date) -> QuerySet[MDT]:
    return (
        MDT.objects.select_related("locality")
        .annotate(status_then=status_as_at(day))
        # Sorting by status reads live, shadow running, planned: the order of the roll-out.
        .annotate(
            status_order=Case(
                *(
                    When(status_then=status, then=Value(position))
                    for position, status in enumerate(StatusAsAt.values)
                ),
                output_field=models.IntegerField(),
            )
        )
        .order_by("locality__name", "name")
    )


@dataclass(frozen=True)
class LocalityRollout:
    """A locality's MDTs by status as at the quarter, and the population its live MDTs cover."""

    name: str
    slug: str
    planned: int
    shadow: int
    live: int
    population_live: int
    live_with_population: int  # live MDTs whose population is recorded

    @property
    def total(self) -> int:
        return self.planned + self.shadow + self.live

    @property
    def average_population_live(self) -> int | None:
        if not self.live_with_population:
            return None
        return round(self.population_live / self.live_with_population)

    @property
    def against_plan(self) -> str:
        return against_plan(self.average_population_live)


def mdt_filterset(
    *, page: DashboardPage, filter_data, localities: list[LocalityChoice]
) -> MdtFilter:
    """The register's filter, bound to `filter_data`; building it runs no query."""
    networks = (
        PrimaryCareNetwork.objects.in_force_on(page.quarter.end_date)
        .filter(mdts=OuterRef("pk"))
        .order_by("name")
    )
    return MdtFilter(
        filter_data,
        queryset=mdts_as_at(page.quarter.end_date).annotate(
            # The Primary Care Network it belonged to at the quarter's end, if one was in
            # force (from July 2019; decision 0023): a column of the same query, with
            # whether the network is a placeholder (the papers name none).
            pcn=Subquery(networks.values("name")[:1]),
            pcn_is_illustrative=Subquery(networks.values("is_illustrative")[:1]),
        ),
        localities=localities,
        status_choices=StatusAsAt.choices,
    )


@dataclass(frozen=True)
class Leaders:
    """The localities with the highest count (some of their names when many tie)."""

    names: list[str]
    tied: int  # how many localities share the count
    count: int


@dataclass(frozen=True)
class RolloutSummary:
    """How localities compare, over all of them: what the chart's summary says."""

    most_live: Leaders | None
    most_not_yet_live: Leaders | None
    without_live: int
    locality_count: int


@dataclass(frozen=True)
class MdtsPage:
    """The page's data: `localities` and `register` are one page each; `totals`,
    `summary` cover every locality. Plain values, for the cache."""

    locality_choices: list[LocalityChoice]  # for the register's filter
    localities: SqlPage  # of LocalityRollout
    totals: LocalityRollout
    summary: RolloutSummary
    register: SqlPage  # of MDT
    includes_illustrative: bool


# Names the chart's summary gives of localities tied for the most; the rest are counted.
LEADERS_NAMED = 3


def _leaders(counts: list[tuple[str, int]]) -> Leaders | None:
    if not counts:
        return None
    highest = max(count for _, count in counts)
    tied = [name for name, count in counts if count == highest]
    return Leaders(names=tied[:LEADERS_NAMED], tied=len(tied), count=highest)


def _per_locality(page: DashboardPage) -> QuerySet[Locality]:
    """Each locality in force's MDTs by status as at its day: one GROUP BY over the register.

    A locality's MDTs stay on it (never re-pointed); those of a locality that became
    part of one in force count under that one (decision 0023).
    """
    day = page.quarter.end_date
    structure = page.structure
    live, prefix = _live_by(day, "mdts__"), "mdts__"

    def theirs(value):
        return inherited(
            structure,
            lambda ids: MDT.objects.filter(locality__in=ids).annotate(one=Value(1)),
            value,
            group_by="one",
        )

    return (
        localities_in_force(structure)
        .order_by("name", "id")
        .annotate(
            live=Count("mdts", filter=live) + theirs(Count("id", filter=_live_by(day))),
            shadow=Count(
                "mdts", filter=Q(mdts__status=MDT.Status.SHADOW) & _not_live_by(day, prefix)
            )
            + theirs(Count("id", filter=Q(status=MDT.Status.SHADOW) & _not_live_by(day))),
            mdt_count=Count("mdts") + theirs(Count("id")),
            population_live=Coalesce(Sum("mdts__population_covered", filter=live), 0)
            + theirs(Sum("population_covered", filter=_live_by(day))),
            live_with_population=Count(
                "mdts", filter=live & Q(mdts__population_covered__isnull=False)
            )
            + theirs(Count("id", filter=_live_by(day) & Q(population_covered__isnull=False))),
        )
    )


def _rollout_totals(*, page: DashboardPage) -> tuple[LocalityRollout, bool]:
    """Totals over every MDT, as one aggregate: (totals, illustrative)."""
    day = page.quarter.end_date
    live = _live_by(day)
    mdts = MDT.objects.order_by().aggregate(
        live=Count("id", filter=live),
        shadow=Count("id", filter=Q(status=MDT.Status.SHADOW) & _not_live_by(day)),
        total=Count("id"),
        population_live=Sum("population_covered", filter=live),
        live_with_population=Count("id", filter=live & Q(population_covered__isnull=False)),
        illustrative=Count("id", filter=Q(is_illustrative=True)),
    )
    totals = LocalityRollout(
        name="All localities",
        slug="",
        planned=mdts["total"] - mdts["live"] - mdts["shadow"],
        shadow=mdts["shadow"],
        live=mdts["live"],
        population_live=mdts["population_live"] or 0,
        live_with_population=mdts["live_with_population"],
    )
    return totals, bool(mdts["illustrative"])


def _rollout_row(locality: Locality) -> LocalityRollout:
    return LocalityRollout(
        name=locality.name,
        slug=locality.slug,
        planned=locality.mdt_count - locality.live - locality.shadow,
        shadow=locality.shadow,
        live=locality.live,
        population_live=locality.population_live or 0,
        live_with_population=locality.live_with_population,
    )


def rollout_of(
    *, page: DashboardPage, slugs
) -> tuple[list[LocalityRollout], LocalityRollout, bool]:
    """The roll-out of the localities with these slugs, by name, the totals of all, and
    whether any of its figures is illustrative.

    For the board pack, which shows a few localities of what may be hundreds.
    Two queries.
    """
    rows = [_rollout_row(locality) for locality in _per_locality(page).filter(slug__in=slugs)]
    totals, illustrative = _rollout_totals(page=page)
    return rows, totals, illustrative


def mdts_page(
    *,
    page: DashboardPage,
    filter_data,
    localities_page: str,
    localities_per_page: int,
    register_ordering: list[OrderBy],
    register_page: str,
    register_per_page: int,
) -> MdtsPage:
    """The roll-out as at the page's quarter, a page of localities and of the register at a time.

    Five queries whatever the data: every locality's counts as (name, number)
    pairs (the filter's choices and the chart's summary), the totals, the page
    of localities, and the register's count and page.
    """
    counts = list(
        _per_locality(page).values_list(
            "slug", "name", "sub_system__slug", "sub_system__name", "live", "mdt_count", named=True
        )
    )
    locality_choices = [
        (row.slug, row.name, row.sub_system__slug, row.sub_system__name) for row in counts
    ]
    summary = RolloutSummary(
        most_live=_leaders([(row.name, row.live) for row in counts]),
        most_not_yet_live=_leaders([(row.name, row.mdt_count - row.live) for row in counts]),
        without_live=sum(1 for row in counts if row.live == 0),
        locality_count=len(counts),
    )
    totals, includes_illustrative = _rollout_totals(page=page)
    localities = sql_page(
        _per_locality(page),
        requested=localities_page,
        per_page=localities_per_page,
        total=len(counts),
        row=_rollout_row,
    )
    filterset = mdt_filterset(page=page, filter_data=filter_data, localities=locality_choices)
    register = filterset.qs.order_by(*register_ordering, "locality__name", "name", "id")
    return MdtsPage(
        locality_choices=locality_choices,
        localities=localities,
        totals=totals,
        summary=summary,
        register=sql_page(register, requested=register_page, per_page=register_per_page),
        includes_illustrative=includes_illustrative,
    )


def mdt_register(*, page: DashboardPage, filter_data, ordering: list[OrderBy]) -> list[MDT]:
    """Every MDT matching the filters, sorted as the register is: for the downloads."""
    filterset = mdt_filterset(
        page=page,
        filter_data=filter_data,
        localities=locality_choice_rows(day=page.quarter.end_date),
    )
    return list(filterset.qs.order_by(*ordering, "locality__name", "name", "id"))
