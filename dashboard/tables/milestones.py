"""The milestone register table."""

import django_tables2 as tables
from django.utils.html import format_html

from dashboard.selectors.milestones import StatusAsAt
from dashboard.tables.base import DashboardTable, illustrative_tag
from localities.models import PROGRAMME_WIDE

# NHS.UK tag colours for a milestone's status; the word is always in the tag.
STATUS_TAG_CLASSES = {
    StatusAsAt.OVERDUE: "nhsuk-tag--red",
    StatusAsAt.IN_PROGRESS: "nhsuk-tag--aqua-green",
    StatusAsAt.NOT_STARTED: "nhsuk-tag--grey",
    StatusAsAt.NOT_REPORTED: "nhsuk-tag--white",
    StatusAsAt.COMPLETE: "nhsuk-tag--blue",
    StatusAsAt.CANCELLED: "nhsuk-tag--white",
}

NOWRAP_ATTRS = {"td": {"class": "app-register-table__nowrap"}}


def status_tag(status: str) -> str:
    return format_html(
        '<strong class="nhsuk-tag app-rag-tag {}">{}</strong>',
        STATUS_TAG_CLASSES.get(status, "nhsuk-tag--grey"),
        StatusAsAt(status).label,
    )


class StatusAsAtColumn(tables.Column):
    def render(self, record):
        return status_tag(record.status_then)

    def value(self, record):
        return record.status_label


class SlippageColumn(tables.Column):
    """Shows and exports the phrase (localities.slippage): days only against an exact plan.

    The signed number of days goes to its own export column, blank against a fuzzy plan.
    """

    def render(self, record):
        return record.slippage.phrase

    def value(self, record):
        return record.slippage.phrase


class ActualColumn(tables.Column):
    """The actual timing as text (MilestoneRow.actual_text): "September 2017" or "28 Jun 2018"."""

    def render(self, record):
        return record.actual_text

    def value(self, record):
        return record.actual_text


class MilestoneTable(DashboardTable):
    """Rows are MilestoneRow; sorted in SQL (`order_by` names the selector's fields and
    annotations, dashboard.selectors.milestones `_sortable`), read a page at a time."""

    title = tables.Column(verbose_name="Milestone")
    # empty_values=(): a milestone with no locality is programme-wide, in the page and the export.
    locality_name = tables.Column(verbose_name="Locality", empty_values=())
    workstream = tables.Column(verbose_name="Workstream", default="")
    objective_label = tables.Column(
        verbose_name="Objective",
        default="",
        order_by=("objective__financial_year__start_year", "objective__number"),
    )
    planned_window = tables.Column(
        verbose_name="Planned", order_by=("planned_end", "planned_start")
    )
    forecast_date = tables.DateColumn(
        verbose_name="Forecast", format="j M Y", default="", attrs=NOWRAP_ATTRS
    )
    # Shows (and exports) the paper's words for a month-only completion, never a day
    # it lacks; sorts by the stored date, as known at the quarter end (milestones_as_at).
    actual_date = ActualColumn(
        verbose_name="Actual",
        default="",
        attrs=NOWRAP_ATTRS,
        order_by=("actual_then",),
    )
    status_then = StatusAsAtColumn(
        verbose_name="Status at quarter end", order_by=("status_order", "planned_end")
    )
    slippage = SlippageColumn(
        verbose_name="Slippage",
        accessor="slippage",
        default="",
        order_by=("slippage_days",),
    )
    report = tables.Column(verbose_name="Reported", orderable=False)
    # Export only: the signed number of days (late is positive), where the plan is exact.
    slippage_days = tables.Column(
        verbose_name="Slippage (days)", visible=False, orderable=False, default=""
    )
    # Export only: whether the slippage rests on the actual or a forecast date.
    slippage_basis = tables.Column(
        verbose_name="Slippage based on",
        accessor="slippage",
        visible=False,
        orderable=False,
        default="",
    )

    class Meta(DashboardTable.Meta):
        attrs = {"class": "nhsuk-table app-register-table"}
        empty_text = "No milestones match these filters."

    def render_title(self, record):
        if record.is_illustrative:
            return format_html("{} {}", record.title, illustrative_tag())
        return record.title

    def value_title(self, value):
        return value

    def render_locality_name(self, value):
        return value or PROGRAMME_WIDE

    def value_locality_name(self, value):
        return value or PROGRAMME_WIDE

    def value_slippage_basis(self, value):
        return "Forecast date" if value.is_forecast else "Actual date"
