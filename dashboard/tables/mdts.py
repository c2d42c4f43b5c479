"""The MDT register table."""

import django_tables2 as tables
from django.utils.html import format_html

from dashboard.selectors.mdts import StatusAsAt
from dashboard.tables.base import DashboardTable, NumberColumn, illustrative_tag

# NHS.UK tag colours for an MDT's status; the word is always in the tag.
STATUS_TAG_CLASSES = {
    StatusAsAt.LIVE: "nhsuk-tag--green",
    StatusAsAt.SHADOW: "nhsuk-tag--aqua-green",
    StatusAsAt.PLANNED: "nhsuk-tag--grey",
}
ILLUSTRATIVE = "Illustrative"
NOWRAP_ATTRS = {"td": {"class": "app-register-table__nowrap"}}
FROM_THE_PAPERS = "From the papers"


def status_tag(status: str) -> str:
    return format_html(
        '<strong class="nhsuk-tag app-rag-tag {}">{}</strong>',
        STATUS_TAG_CLASSES.get(status, "nhsuk-tag--grey"),
        StatusAsAt(status).label,
    )


class StatusAsAtColumn(tables.Column):
    def render(self, value):
        return status_tag(value)

    def value(self, value):
        return StatusAsAt(value).label


class MdtTable(DashboardTable):
    name = tables.Column(verbose_name="MDT")
    locality = tables.Column(
        verbose_name="Locality", accessor="locality__name", order_by=("locality__name", "name")
    )
    # Blank before July 2019, or when no network in force held it at the quarter's end.
    pcn = tables.Column(verbose_name="Primary Care Network", default="")
    tier = tables.Column(verbose_name="Tier", attrs=NOWRAP_ATTRS)
    status_then = StatusAsAtColumn(
        verbose_name="Status at quarter end", order_by=("status_order", "locality__name", "name")
    )
    population_covered = NumberColumn(verbose_name="Population covered", default="Not recorded")
    planned_go_live = tables.DateColumn(
        verbose_name="Planned go-live", format="j M Y", default="", attrs=NOWRAP_ATTRS
    )
    actual_go_live = tables.DateColumn(
        verbose_name="Actual go-live", format="j M Y", default="", attrs=NOWRAP_ATTRS
    )
    # Said in words, not only shown by a style: most MDT figures are invented for the demo.
    is_illustrative = tables.Column(verbose_name="Figures")

    class Meta(DashboardTable.Meta):
        attrs = {"class": "nhsuk-table app-register-table"}
        empty_text = "No MDTs match these filters."

    def render_pcn(self, value, record):
        # The papers name no network: a placeholder says so beside its name.
        if getattr(record, "pcn_is_illustrative", False):
            return format_html("{} {}", value, illustrative_tag())
        return value

    def render_is_illustrative(self, value):
        if value:
            return illustrative_tag()
        return FROM_THE_PAPERS

    def value_is_illustrative(self, value):
        return ILLUSTRATIVE if value else FROM_THE_PAPERS
