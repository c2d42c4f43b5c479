"""Which quarter a dashboard page shows, and which updates it may show.

Every dashboard page is "as at" one quarter, chosen with `?quarter=2018-19-q2`
and defaulting to the latest quarter with approved data. Boards see approved
updates only; the programme office may add `?preview=1` to include submitted
ones, and the page says so.

Any quarter from the first one reported on (the October 2017 baseline) to the
last one the programme has set up may be chosen: a new year's first quarter is
a page like any other before its returns arrive, saying that none is approved
yet and showing what is known (milestones, risks, money plans).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from dashboard.caching import cached_data
from localities import access
from localities.models import Quarter
from updates.models import QuarterlyUpdate

QUARTER_PARAMETER = "quarter"
PREVIEW_PARAMETER = "preview"


@dataclass(frozen=True)
class DashboardPage:
    """What every dashboard page is showing: the quarter and the updates in scope."""

    quarter: Quarter
    quarter_options: list[Quarter]
    statuses: tuple[str, ...]
    is_preview: bool
    # The day the request was made, read once so that one page judges one day.
    today: datetime.date
    # Every quarter the selector offers (oldest first): `quarter_options` and the
    # quarters from the first reported on to the last set up. Comparisons ("since
    # the quarter before") use `quarter_options`, the quarters with visible updates.
    selectable_quarters: tuple[Quarter, ...] = ()

    @property
    def has_returns(self) -> bool:
        """Has the page's quarter any visible return? A new quarter's page says it has not."""
        return any(option.id == self.quarter.id for option in self.quarter_options)

    @property
    def is_past(self) -> bool:
        """Has the page's quarter ended? Then nothing on it may depend on today."""
        return self.quarter.end_date < self.today

    @property
    def as_at(self) -> datetime.date:
        """The day the page judges overdue, due, late and age against.

        A past quarter's end, so that its pages read the same whenever they are
        opened (a board's papers must not change after the meeting); today for
        the quarter still running.
        """
        return min(self.quarter.end_date, self.today)

    @property
    def previous_quarter(self) -> Quarter | None:
        earlier = [q for q in self.quarter_options if q.start_date < self.quarter.start_date]
        return earlier[-1] if earlier else None

    @property
    def quarter_ids_to_date(self) -> list[int]:
        """The ids of the quarters with visible updates up to the page's own.

        For filtering updates by `quarter_id__in`: the index on the update's
        quarter, where a join on the quarters' dates scans every update (14 ms of
        25,000 at factor 100, against 2).
        """
        return [q.id for q in self.quarter_options if q.start_date <= self.quarter.start_date]

    @property
    def quarters_of_year_to_date(self) -> list[Quarter]:
        """The quarters with visible updates in the page's financial year up to its own."""
        year = self.quarter.financial_year_id
        return [
            q
            for q in self.quarter_options
            if q.financial_year_id == year and q.start_date <= self.quarter.start_date
        ]

    @property
    def quarter_choices(self) -> list[tuple[str, str]]:
        """(slug, label) for the quarter selector, latest first."""
        offered = self.selectable_quarters or self.quarter_options
        return [(option.slug, option.label) for option in reversed(offered)]

    @property
    def quarter_slug(self) -> str:
        return self.quarter.slug

    @property
    def query_string(self) -> str:
        """`?quarter=…` (and `preview=1`) for links that keep the page's view."""
        parameters = {QUARTER_PARAMETER: self.quarter_slug}
        if self.is_preview:
            parameters[PREVIEW_PARAMETER] = "1"
        return "?" + urlencode(parameters)


def quarters_with_updates(statuses: tuple[str, ...]) -> list[Quarter]:
    """Quarters with at least one update in `statuses`, oldest first."""
    return [quarter for quarter in _quarters_marked(statuses) if quarter.has_visible_updates]


def quarter_choices(statuses: tuple[str, ...]) -> tuple[list[Quarter], list[Quarter]]:
    """(quarters with updates in `statuses`, every selectable quarter), oldest first, in
    one query: the selectable ones run from the first quarter any return was made for
    (in any status) to the last quarter set up."""
    quarters = _quarters_marked(statuses)
    first = next((i for i, quarter in enumerate(quarters) if quarter.has_any_updates), None)
    selectable = [] if first is None else quarters[first:]
    return [quarter for quarter in quarters if quarter.has_visible_updates], selectable


def _quarters_marked(statuses: tuple[str, ...]) -> list[Quarter]:
    # EXISTS rather than a join and DISTINCT: the join reads every update (25,000
    # at factor 100, ~90 ms on PostgreSQL); EXISTS stops at one per quarter (<1 ms).
    updates = QuarterlyUpdate.objects.filter(quarter=OuterRef("pk"))
    return list(
        Quarter.objects.annotate(
            has_visible_updates=Exists(updates.filter(status__in=statuses)),
            has_any_updates=Exists(updates),
        ).chronological()
    )


def visible_statuses(user, *, wants_preview: bool) -> tuple[tuple[str, ...], bool]:
    """Approved updates for everyone; submitted ones too for the programme office on request."""
    if wants_preview and access.is_programme_office(user):
        return (QuarterlyUpdate.Status.APPROVED, QuarterlyUpdate.Status.SUBMITTED), True
    return (QuarterlyUpdate.Status.APPROVED,), False


class UnknownQuarter(Http404):
    """A `?quarter=` that names no selectable quarter."""


def page_for_quarter(
    *,
    requested: str | None,
    statuses: tuple[str, ...],
    is_preview: bool,
    options: list[Quarter],
    selectable: list[Quarter],
    today: datetime.date,
) -> DashboardPage:
    """The page as at the quarter `requested` (its slug; None or "": the latest with
    visible returns) among `quarter_choices(statuses)`. Shared by the pages and the data
    API, so that a quarter means the same in both.

    Raises Http404 when nothing is visible at all, UnknownQuarter for a slug that names
    no selectable quarter.
    """
    if not options:
        raise Http404("No quarterly updates have been approved yet.")
    if requested is None or requested == "":
        quarter = options[-1]
    else:
        quarter = next((option for option in selectable if option.slug == requested), None)
        if quarter is None:
            raise UnknownQuarter("There is no data for that quarter.")
    return DashboardPage(
        quarter=quarter,
        quarter_options=options,
        statuses=statuses,
        is_preview=is_preview,
        today=today,
        selectable_quarters=tuple(selectable),
    )


def dashboard_page(request) -> DashboardPage:
    """Resolve the page's quarter and the updates the viewer may see.

    Who may see the page at all is the view's decorator (dashboard.views.base.board_view).
    Raises Http404 for a quarter that does not exist or has nothing to show.
    """
    statuses, is_preview = visible_statuses(
        request.user, wants_preview=request.GET.get(PREVIEW_PARAMETER) == "1"
    )
    # Cached with the dashboards' data: asked on every page, changed only by writes.
    options, selectable = cached_data(
        "quarter-choices", compute=lambda: quarter_choices(statuses), statuses=statuses
    )
    return page_for_quarter(
        requested=request.GET.get(QUARTER_PARAMETER),
        statuses=statuses,
        is_preview=is_preview,
        options=options,
        selectable=selectable,
        today=timezone.localdate(),
    )
