"""Which quarter a dashboard page shows, and which updates it may show.

Every dashboard page is "as at" one quarter, chosen with `?quarter=2018-19-q2`
and defaulting to the latest quarter with approved data. Boards see approved
updates only; the programme office may add `?preview=1` to include submitted
ones, and the page says so.
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
        return [(option.slug, option.label) for option in reversed(self.quarter_options)]

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
    # EXISTS rather than a join and DISTINCT: the join reads every update (25,000
    # at factor 100, ~90 ms on PostgreSQL); EXISTS stops at one per quarter (<1 ms).
    has_updates = QuarterlyUpdate.objects.filter(quarter=OuterRef("pk"), status__in=statuses)
    return list(Quarter.objects.filter(Exists(has_updates)).chronological())


def visible_statuses(user, *, wants_preview: bool) -> tuple[tuple[str, ...], bool]:
    """Approved updates for everyone; submitted ones too for the programme office on request."""
    if wants_preview and access.is_programme_office(user):
        return (QuarterlyUpdate.Status.APPROVED, QuarterlyUpdate.Status.SUBMITTED), True
    return (QuarterlyUpdate.Status.APPROVED,), False


def dashboard_page(request) -> DashboardPage:
    """Resolve the page's quarter and the updates the viewer may see.

    Who may see the page at all is the view's decorator (dashboard.views.base.board_view).
    Raises Http404 for a quarter that does not exist or has nothing to show.
    """
    statuses, is_preview = visible_statuses(
        request.user, wants_preview=request.GET.get(PREVIEW_PARAMETER) == "1"
    )
    # Cached with the dashboards' data: asked on every page, changed only by writes.
    options = cached_data(
        "quarter-options", compute=lambda: quarters_with_updates(statuses), statuses=statuses
    )
    if not options:
        raise Http404("No quarterly updates have been approved yet.")

    requested = request.GET.get(QUARTER_PARAMETER)
    if requested is None or requested == "":
        quarter = options[-1]
    else:
        quarter = next((option for option in options if option.slug == requested), None)
        if quarter is None:
            raise Http404("There is no data for that quarter.")
    return DashboardPage(
        quarter=quarter,
        quarter_options=options,
        statuses=statuses,
        is_preview=is_preview,
        today=timezone.localdate(),
    )
