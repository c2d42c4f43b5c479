"""Tables on a locality's page. Rows come from dashboard.selectors.locality, so a
table never queries per row; sorting and paging work on the lists."""

import django_tables2 as tables
from django.utils.html import format_html

from common.money import percent_signed
from dashboard.selectors.locality import MDTStatusAsAt
from dashboard.tables.base import NUMERIC_ATTRS, DashboardTable, NumberColumn, number_as_shown

PER_PAGE = 25
DATE_FORMAT = "j M Y"
NOWRAP = {"td": {"class": "app-nowrap"}}

_MDT_STATUS_COLOURS = {
    MDTStatusAsAt.LIVE: "green",
    MDTStatusAsAt.LATE: "orange",
    MDTStatusAsAt.NOT_YET: "grey",
}
_MILESTONE_STATUS_COLOURS = {
    "Complete": "blue",
    "Overdue": "red",
    "In progress": "green",
    "Cancelled": "grey",
    "Not reported": "white",
}


def tag(word: str, colour: str):
    """An NHS.UK tag: the word is always there, the colour only repeats it."""
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} app-rag-tag">{}</strong>', colour, word
    )


class MDTTable(DashboardTable):
    name = tables.Column(verbose_name="MDT")
    tier = tables.Column(attrs=NOWRAP)
    status = tables.Column(verbose_name="Status at quarter end")
    population_covered = NumberColumn(verbose_name="Population covered")
    planned_go_live = tables.DateColumn(
        format=DATE_FORMAT, verbose_name="Planned go-live", attrs=NOWRAP
    )
    actual_go_live = tables.DateColumn(
        format=DATE_FORMAT, verbose_name="Actual go-live", attrs=NOWRAP
    )

    class Meta(DashboardTable.Meta):
        empty_text = "This locality has no MDTs recorded."

    def render_status(self, value):
        return tag(value, _MDT_STATUS_COLOURS.get(value, "grey"))

    def value_status(self, value):
        return value


class MilestoneTable(DashboardTable):
    title = tables.Column(verbose_name="Milestone")
    planned = tables.Column(verbose_name="Planned")
    forecast_date = tables.DateColumn(format=DATE_FORMAT, verbose_name="Forecast", attrs=NOWRAP)
    # Sorts by the date; shows the paper's words for a month-only completion (actual_text).
    actual_date = tables.Column(verbose_name="Actual", attrs=NOWRAP)
    status = tables.Column(verbose_name="Status at quarter end")
    # Days only against an exact plan; months, with "about", against the paper's words.
    slippage = tables.Column(verbose_name="Slippage", default="")
    report = tables.Column(verbose_name="Reported")
    # Export only: the signed number of days, where the plan is an exact date.
    slippage_days = tables.Column(
        verbose_name="Slippage (days)", visible=False, orderable=False, default=""
    )

    class Meta(DashboardTable.Meta):
        empty_text = "This locality has no milestones of its own."

    def render_actual_date(self, record):
        return record.actual_text

    def value_actual_date(self, record):
        return record.actual_text

    def render_status(self, value):
        return tag(value, _MILESTONE_STATUS_COLOURS.get(value, "grey"))

    def value_status(self, value):
        return value

    def value_slippage_days(self, value):
        return value


class OutcomeTable(DashboardTable):
    measure = tables.Column(verbose_name="Measure")
    baseline = NumberColumn(verbose_name="Baseline (a quarter)", decimals=0)
    value = NumberColumn(verbose_name="This quarter", decimals=0)
    difference = NumberColumn(verbose_name="Difference", decimals=0, orderable=False)
    percent_change = NumberColumn(verbose_name="Difference (%)", decimals=1, orderable=False)
    verdict = tables.Column(verbose_name="Against baseline", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No outcome measures are defined."

    # A table's render_* is also its download's value unless a value_* says otherwise.
    def render_difference(self, value):
        return f"{value:+,.0f}"

    def value_difference(self, value):
        return number_as_shown(value, decimals=0)

    def render_percent_change(self, value):
        return percent_signed(value)

    def value_percent_change(self, value):
        return number_as_shown(value, decimals=1)

    def render_verdict(self, value):
        colour = {"Better than baseline": "green", "Worse than baseline": "red"}.get(value, "grey")
        return tag(value, colour)

    def value_verdict(self, value):
        return value


class RiskTable(DashboardTable):
    reference = tables.Column(verbose_name="Reference")
    title = tables.Column(verbose_name="Risk")
    category = tables.Column(verbose_name="Category")
    score = tables.Column(verbose_name="Score at quarter end", attrs=NUMERIC_ATTRS)
    band = tables.Column(verbose_name="Band", order_by=("score",))

    class Meta(DashboardTable.Meta):
        empty_text = "No open risks for this locality at the quarter end."

    def render_band(self, value):
        return tag(value.name, value.colour)

    def value_band(self, value):
        return value.name
