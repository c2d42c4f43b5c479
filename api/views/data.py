"""The data API's endpoints: read-only, token-authenticated, the approved data the
boards see, read through the dashboard pages' own selectors (decision 0025).

Each endpoint is the page as at a quarter (`?quarter=2018-19-q4`; the latest
with approved returns if not given), optionally narrowed to a locality
(`?locality=thanet`) and, where a record has a date, to a range (`?from=`,
`?to=`). A fixed number of queries per request whatever the page size and the
data: the token, its owner's groups, the quarters (from the pages' cache when
it has them), (the locality,) the count and the page's records.
"""

import logging
from collections import namedtuple

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.renderers import JSONRenderer

from api import params, serializers
from api.authentication import ApiTokenAuthentication
from api.pagination import ApiPagination
from api.renderers import CSVRenderer
from api.schema import ApiAutoSchema
from api.throttling import PerTokenThrottle
from dashboard.caching import cached_data
from dashboard.periods import DashboardPage, UnknownQuarter, page_for_quarter, quarter_choices
from dashboard.selectors import areas
from dashboard.selectors.actions import actions_as_at, decisions_as_at
from dashboard.selectors.mdts import mdts_as_at
from dashboard.selectors.milestones import milestone_register, milestone_row
from dashboard.selectors.money import spend_by_locality, spend_row
from dashboard.selectors.objectives import visible_statuses
from dashboard.selectors.outcomes import last_month_of
from dashboard.selectors.risks import register_as_at, risk_row
from governance.selectors import action_row
from localities import access
from localities.models import Locality, MonthlyOutcome, Objective
from risks.models import ScoreBand
from updates.models import QuarterlyUpdate

logger = logging.getLogger("localcare.api")

# What the data API reads: approved returns only, never the office's preview.
APPROVED = (QuarterlyUpdate.Status.APPROVED,)


def localities_in_force(page: DashboardPage) -> QuerySet[Locality]:
    """The localities in force at the page's quarter end, as the pages read them
    (decision 0023)."""
    return areas.localities_in_force(page.structure)


class CanReadProgrammeData(permissions.BasePermission):
    """A live token whose owner reads the dashboards; otherwise 404, naming nothing."""

    def has_permission(self, request, view):
        if request.auth is None:
            return False  # NotAuthenticated: 401 with WWW-Authenticate
        if not access.can_view_dashboards(request.user):
            raise NotFound()
        return True


def _parameters(*, locality: bool, dates: str = "") -> list[OpenApiParameter]:
    documented = [
        OpenApiParameter(
            params.QUARTER,
            OpenApiTypes.STR,
            description="The quarter, as `2018-19-q4`; the latest with approved returns if not given.",
        )
    ]
    if locality:
        documented.append(
            OpenApiParameter(
                params.LOCALITY, OpenApiTypes.STR, description="A locality's slug, as `thanet`."
            )
        )
    if dates:
        for name, word in ((params.FROM, "on or after"), (params.TO, "on or before")):
            documented.append(
                OpenApiParameter(
                    name,
                    OpenApiTypes.DATE,
                    description=f"Only records whose {dates} is {word} this day.",
                )
            )
    documented.append(
        OpenApiParameter(
            params.FORMAT,
            OpenApiTypes.STR,
            enum=["json", "csv"],
            description="`csv` for a CSV file (UTF-8 with a byte-order mark).",
        )
    )
    return documented


class DataView(ListAPIView):
    """An endpoint: the page as at a quarter, its records a page at a time."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [CanReadProgrammeData]
    throttle_classes = [PerTokenThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = ApiPagination
    schema = ApiAutoSchema()
    takes_locality = True
    # The field `from` and `to` compare, if the records have a date.
    date_field = ""

    def allowed_parameters(self) -> tuple[str, ...]:
        names = params.ALWAYS
        if self.takes_locality:
            names += (params.LOCALITY,)
        if self.date_field:
            names += (params.FROM, params.TO)
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        params.check_names(request.query_params, self.allowed_parameters())

    def page_as_at(self) -> DashboardPage:
        # The pages' own cached answer (dashboard.caching, keyed by the data version):
        # the quarters are asked on every request and change only with a write.
        options, selectable = cached_data(
            "quarter-choices", compute=lambda: quarter_choices(APPROVED), statuses=APPROVED
        )
        try:
            page = page_for_quarter(
                requested=self.request.query_params.get(params.QUARTER),
                statuses=APPROVED,
                is_preview=False,
                options=options,
                selectable=selectable,
                today=timezone.localdate(),
            )
        except UnknownQuarter:
            raise params.BadParameter(
                params.QUARTER, "There is no such quarter, or nothing to show for it."
            ) from None
        # The structure in force at the quarter's end (decision 0023), read on every
        # request so that every endpoint costs the same, as the pages read it (cached).
        page.structure  # noqa: B018
        return page

    def localities(self, page: DashboardPage) -> QuerySet[Locality]:
        localities = localities_in_force(page)
        slug = self.request.query_params.get(params.LOCALITY)
        if not slug:
            return localities
        # One query; the filter then uses the id, not a join on the slug.
        found = list(localities.filter(slug=slug).values_list("pk", flat=True))
        if not found:
            raise params.BadParameter(params.LOCALITY, "There is no such locality.")
        return Locality.objects.filter(pk__in=found)

    def of_locality(self, records: QuerySet, page: DashboardPage) -> QuerySet:
        """`records` of the `?locality=` asked for; all of them when none is."""
        if self.request.query_params.get(params.LOCALITY):
            return records.filter(locality__in=self.localities(page))
        return records

    def in_range(self, records: QuerySet) -> QuerySet:
        query = self.request.query_params
        start, end = params.date_value(query, params.FROM), params.date_value(query, params.TO)
        if start:
            records = records.filter(**{f"{self.date_field}__gte": start})
        if end:
            records = records.filter(**{f"{self.date_field}__lte": end})
        return records

    def records(self, page: DashboardPage) -> QuerySet:
        raise NotImplementedError

    def record(self, item, page: DashboardPage):
        """What the serializer reads for one item of `records` (no query)."""
        return item

    def serializer_context(self, page: DashboardPage) -> dict:
        return {"page": page, "day": page.quarter.end_date}

    def list(self, request, *args, **kwargs):
        page = self.page_as_at()
        records = self.records(page)
        if self.date_field:
            records = self.in_range(records)
        items = self.paginate_queryset(records)
        serializer = self.get_serializer_class()(
            [self.record(item, page) for item in items],
            many=True,
            context=self.serializer_context(page),
        )
        response = self.get_paginated_response(serializer.data)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = (
                f'attachment; filename="localcare-{self.basename}-{page.quarter.slug}.csv"'
            )
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        token = request.auth
        logger.info(
            "api %s %s status=%s token=%s owner=%s",
            request.method,
            request.get_full_path(),
            response.status_code,
            repr(token.name) if token else "-",
            token.owner.get_username() if token else "-",
        )
        return response


@extend_schema(parameters=_parameters(locality=True), summary="Localities in force at a quarter")
class LocalitiesView(DataView):
    """Every locality in force at the quarter's end, with its sub-system."""

    serializer_class = serializers.LocalitySerializer
    basename = "localities"

    def records(self, page):
        return self.localities(page).select_related("sub_system").order_by("name", "id")


@extend_schema(parameters=_parameters(locality=False), summary="The objectives of a quarter's year")
class ObjectivesView(DataView):
    """The objectives of the quarter's financial year (those carried forward included)."""

    serializer_class = serializers.ObjectiveSerializer
    basename = "objectives"
    takes_locality = False

    def records(self, page):
        return (
            Objective.objects.filter(financial_year=page.quarter.financial_year)
            .select_related("financial_year")
            .order_by("number", "id")
        )


@extend_schema(
    parameters=_parameters(locality=True),
    summary="Each locality's approved status against each objective in a quarter",
)
class ObjectiveStatusesView(DataView):
    """Each locality's RAG against each objective in its approved return for the quarter, as the objectives page shows it."""

    serializer_class = serializers.ObjectiveStatusSerializer
    basename = "objective-statuses"

    def records(self, page):
        quarter = page.quarter
        return (
            visible_statuses(
                statuses=page.statuses,
                objectives=Objective.objects.filter(financial_year=quarter.financial_year),
                quarters=[quarter],
                localities=self.localities(page),
                structure=page.structure,
            )
            .select_related("objective", "update__locality", "update__quarter__financial_year")
            .order_by("objective__number", "update__locality__name", "id")
        )


MilestoneRecord = namedtuple("MilestoneRecord", ["milestone", "row"])
# The money page's row, and whether its plan or any return counted in it is illustrative.
MoneyRecord = namedtuple("MoneyRecord", ["row", "is_illustrative"])


@extend_schema(
    parameters=_parameters(locality=True, dates="planned end"),
    summary="The milestone register as at a quarter's end",
)
class MilestonesView(DataView):
    """Every milestone with its status as at the quarter's end, timing as the papers wrote it, and slippage: the milestones page's register."""

    serializer_class = serializers.MilestoneSerializer
    basename = "milestones"
    date_field = "planned_end"

    def records(self, page):
        return self.of_locality(milestone_register(page=page), page)

    def record(self, item, page):
        return MilestoneRecord(item, milestone_row(item))


@extend_schema(
    parameters=_parameters(locality=True), summary="MDTs and their status as at a quarter's end"
)
class MdtsView(DataView):
    """Every multi-disciplinary team with its status as at the quarter's end: the MDTs page's register."""

    serializer_class = serializers.MdtSerializer
    basename = "mdts"

    def records(self, page):
        return (
            mdts_as_at(page.quarter.end_date)
            .filter(locality__in=self.localities(page))
            .order_by("locality__name", "name", "id")
        )


@extend_schema(
    parameters=_parameters(locality=True),
    summary="Each locality's spend against plan in the year to a quarter",
)
class MoneyView(DataView):
    """Each locality's plan and spend in the financial year to the quarter, from approved returns: the money page's table."""

    serializer_class = serializers.MoneySerializer
    basename = "money"

    def records(self, page):
        return spend_by_locality(page=page, localities=self.localities(page))

    def record(self, item, page):
        return MoneyRecord(
            spend_row(item), item.plan_is_illustrative or bool(item.illustrative_returns)
        )


@extend_schema(
    parameters=_parameters(locality=True, dates="month"),
    summary="Monthly outcome figures up to a quarter's last month",
)
class OutcomesView(DataView):
    """Monthly outcome figures (activity by locality, measure and month) up to the quarter's last month."""

    serializer_class = serializers.OutcomeSerializer
    basename = "outcomes"
    date_field = "month"

    def records(self, page):
        figures = MonthlyOutcome.objects.up_to(last_month_of(page)).select_related(
            "locality", "measure"
        )
        return self.of_locality(figures, page).order_by(
            "month", "locality__name", "measure_id", "id"
        )


@extend_schema(
    parameters=_parameters(locality=True),
    summary="The risk register as at a quarter's end (open risks; never proposed or rejected)",
)
class RisksView(DataView):
    """The risk register as at the quarter's end, scored as then, highest first: the risks page's register (never proposed or rejected risks)."""

    serializer_class = serializers.RiskSerializer
    basename = "risks"

    def records(self, page):
        self.bands = list(ScoreBand.objects.all())
        localities = (
            self.localities(page) if self.request.query_params.get(params.LOCALITY) else None
        )
        return register_as_at(page=page, bands=self.bands, localities=localities)

    def record(self, item, page):
        return risk_row(item, bands=self.bands, day=page.quarter.end_date)


@extend_schema(
    parameters=_parameters(locality=True, dates="due date"),
    summary="Actions agreed by a quarter's end, with their status then",
)
class ActionsView(DataView):
    """Actions agreed by the quarter's end, with their status and whether overdue then: the actions page's log."""

    serializer_class = serializers.ActionSerializer
    basename = "actions"
    date_field = "due_date"

    def records(self, page):
        return self.of_locality(actions_as_at(page=page), page)

    def record(self, item, page):
        return action_row(item, day=page.as_at)


@extend_schema(
    parameters=_parameters(locality=False, dates="meeting date"),
    summary="What the meetings held by a quarter's end decided",
)
class DecisionsView(DataView):
    """Decisions of the meetings held by the quarter's end, latest meeting first, each with the paper it cites."""

    serializer_class = serializers.DecisionSerializer
    basename = "decisions"
    takes_locality = False
    date_field = "meeting__held_on"

    def records(self, page):
        return decisions_as_at(page=page)
