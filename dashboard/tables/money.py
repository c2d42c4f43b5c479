"""The money table: each locality's spend against plan for the year to date."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from common.money import percent_signed, pounds, pounds_short, pounds_signed
from dashboard.selectors.money import SpendAgainstPlan, SpendVerdict
from dashboard.tables.base import NUMERIC_ATTRS, DashboardTable, PercentColumn, PoundsColumn

VERDICT_TAG_COLOURS = {
    SpendVerdict.ON_PLAN: "green",
    SpendVerdict.UNDER_PLAN: "blue",
    SpendVerdict.OVER_PLAN: "orange",
}


def verdict_tag(verdict: str) -> str:
    """The verdict as a tag: the word always, the colour only as a second cue."""
    colour = VERDICT_TAG_COLOURS.get(verdict, "grey")
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} app-rag-tag">{}</strong>', colour, verdict
    )


def headline_figures(total: SpendAgainstPlan) -> dict[str, str]:
    """The page's headline cards: the total of the localities shown, formatted to read."""
    return {
        "spent_to_date": pounds_short(total.spent_to_date),
        "planned_to_date": pounds_short(total.planned_to_date),
        "annual_plan": pounds_short(total.annual_plan),
        "variance": pounds_signed(total.variance),
        "variance_percent": percent_signed(total.variance_percent),
        "verdict_tag": verdict_tag(total.verdict),
    }


def _footer(format_value, attribute):
    """A footer cell from the table's total: every locality shown, not one page of them."""

    def footer(table):
        return format_value(getattr(table.total, attribute))

    return footer


class LocalitySpendTable(DashboardTable):
    """Rows are SpendAgainstPlan; sorted in SQL by the annotations of the same names
    (dashboard.selectors.money `_spend_by_locality`), read a page at a time."""

    name = tables.Column(
        verbose_name="Locality",
        footer=_footer(lambda name: format_html("<strong>{}</strong>", name), "name"),
    )
    sub_system = tables.Column(verbose_name="Sub-system", order_by=("sub_system__name",))
    annual_plan = PoundsColumn(verbose_name="Annual plan", footer=_footer(pounds, "annual_plan"))
    returns = tables.Column(
        verbose_name="Quarters reported", attrs=NUMERIC_ATTRS, footer=_footer(str, "returns")
    )
    planned_to_date = PoundsColumn(
        verbose_name="Planned to date", footer=_footer(pounds, "planned_to_date")
    )
    spent_to_date = PoundsColumn(
        verbose_name="Spent to date", footer=_footer(pounds, "spent_to_date")
    )
    variance = PoundsColumn(
        verbose_name="Variance", signed=True, footer=_footer(pounds_signed, "variance")
    )
    variance_percent = PercentColumn(
        verbose_name="Variance %", footer=_footer(percent_signed, "variance_percent")
    )
    verdict = tables.Column(verbose_name="Against plan", footer=_footer(verdict_tag, "verdict"))

    class Meta(DashboardTable.Meta):
        # Nine columns of figures: a step smaller than body text so that they fit;
        # app-money-table keeps each amount on one line (localcare.css).
        attrs = {"class": "nhsuk-table nhsuk-u-font-size-16 app-money-table"}
        empty_text = "No localities match."

    def __init__(self, data, *, total: SpendAgainstPlan, query_string: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.total = total
        self.query_string = query_string

    def render_name(self, record):
        url = reverse("dashboard:locality", args=[record.slug])
        return format_html('<a href="{}{}">{}</a>', url, self.query_string, record.name)

    def render_verdict(self, value):
        return verdict_tag(value)

    def value_name(self, record):
        return record.name

    def value_verdict(self, value):
        return value
