"""MDT roll-out: MDTs by locality, tier and status as at a quarter, and the population they cover."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When

from dashboard.filters.mdts import MdtFilter
from dashboard.periods import DashboardPage
from localities.models import MDT, Locality, QuarterlyUpdate

# The 2018/19 plan: one MDT for every 30,000–50,000 registered patients.
PLAN_POPULATION_LOW = 30_000
PLAN_POPULATION_HIGH = 50_000


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
    return Q(**{f"{prefix}actual_go_live__lte": day})


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
    reported_live: int | None  # from the locality's approved return; None when there is none

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


@dataclass(frozen=True)
class MdtsData:
    """The page's data; plain values, so that it can be cached (dashboard.caching)."""

    locality_choices: list[tuple[str, str]]  # (slug, name) for the register's filter
    localities: list[LocalityRollout]
    totals: LocalityRollout
    register: list[MDT]
    returns_shown: int  # localities with a visible return giving live MDTs
    includes_illustrative: bool


def _totals(localities: list[LocalityRollout]) -> LocalityRollout:
    reported = [row.reported_live for row in localities if row.reported_live is not None]
    return LocalityRollout(
        name="All localities",
        slug="",
        planned=sum(row.planned for row in localities),
        shadow=sum(row.shadow for row in localities),
        live=sum(row.live for row in localities),
        population_live=sum(row.population_live for row in localities),
        live_with_population=sum(row.live_with_population for row in localities),
        reported_live=sum(reported) if reported else None,
    )


def mdt_filterset(
    *, page: DashboardPage, filter_data, localities: list[tuple[str, str]]
) -> MdtFilter:
    """The register's filter, bound to `filter_data`; building it runs no query."""
    return MdtFilter(
        filter_data,
        queryset=mdts_as_at(page.quarter.end_date),
        localities=localities,
        status_choices=StatusAsAt.choices,
    )


def mdts_data(*, page: DashboardPage, filter_data) -> MdtsData:
    """The roll-out as at the page's quarter, in three queries whatever the data.

    One aggregate per locality, the MDT numbers in the localities' visible
    returns (for comparison with the register), and the filtered register.
    """
    day = page.quarter.end_date
    live, prefix = _live_by(day, "mdts__"), "mdts__"
    localities = list(
        Locality.objects.order_by("name").annotate(
            live=Count("mdts", filter=live),
            shadow=Count(
                "mdts", filter=Q(mdts__status=MDT.Status.SHADOW) & _not_live_by(day, prefix)
            ),
            mdt_count=Count("mdts"),
            population_live=Sum("mdts__population_covered", filter=live),
            live_with_population=Count(
                "mdts", filter=live & Q(mdts__population_covered__isnull=False)
            ),
            has_illustrative=Count("mdts", filter=Q(mdts__is_illustrative=True)),
        )
    )
    reported = dict(
        QuarterlyUpdate.objects.filter(
            quarter=page.quarter, status__in=page.statuses, mdts_live__isnull=False
        ).values_list("locality_id", "mdts_live")
    )
    rollout = [
        LocalityRollout(
            name=locality.name,
            slug=locality.slug,
            planned=locality.mdt_count - locality.live - locality.shadow,
            shadow=locality.shadow,
            live=locality.live,
            population_live=locality.population_live or 0,
            live_with_population=locality.live_with_population,
            reported_live=reported.get(locality.id),
        )
        for locality in localities
    ]
    locality_choices = [(locality.slug, locality.name) for locality in localities]
    filterset = mdt_filterset(page=page, filter_data=filter_data, localities=locality_choices)
    return MdtsData(
        locality_choices=locality_choices,
        localities=rollout,
        totals=_totals(rollout),
        register=list(filterset.qs),
        returns_shown=len(reported),
        includes_illustrative=any(locality.has_illustrative for locality in localities),
    )
