"""Tables of the outcome pages: the months of one chart, and the summary matrix."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.money import percent_signed
from dashboard.selectors.outcomes import (
    VARIATION_WORDS,
    MonthlySeries,
    MonthPoint,
    SummaryMatrix,
    SummaryRow,
    month_label,
)
from dashboard.tables.base import DashboardTable, NumberColumn, PercentColumn


class SpcPointTable(DashboardTable):
    """The months of one chart (what its download is of)."""

    label = tables.Column(verbose_name="Month", orderable=False)
    value = NumberColumn(verbose_name="Value", orderable=False)
    mean = NumberColumn(verbose_name="Mean", orderable=False)
    lower_limit = NumberColumn(verbose_name="Lower process limit", orderable=False)
    upper_limit = NumberColumn(verbose_name="Upper process limit", orderable=False)
    target = NumberColumn(verbose_name="Target (trajectory)", orderable=False)
    description = tables.Column(verbose_name="Variation", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No monthly figures for this measure and place yet."

    def render_description(self, record: MonthPoint):
        if record.value is None:
            return "Left out: not every locality has a figure"
        return record.description

    def value_description(self, record: MonthPoint):
        return self.render_description(record)


def icons(series: MonthlySeries) -> str:
    """The two Making Data Count icons with their words (helper A's includes)."""
    if series.icon_variation is None:
        return format_html(
            '<span class="nhsuk-body-s app-mdc-none">{}</span>',
            "Too few points for icons"
            if series.latest is not None
            else VARIATION_WORDS[series.variation],
        )
    return format_html(
        '<span class="app-mdc-icons">{}{}</span>',
        render_to_string(
            "includes/mdc_variation_icon.html",
            {"variation": series.icon_variation, "direction": series.direction, "compact": True},
        ),
        render_to_string(
            "includes/mdc_assurance_icon.html", {"assurance": series.assurance, "compact": True}
        ),
    )


def chart_url(series: MonthlySeries, query: dict[str, str]) -> str:
    parameters = {**query, "measure": series.measure.code, "locality": series.slug}
    return f"{reverse('dashboard:outcomes')}?{urlencode(parameters)}#spc-chart-title"


def cell_html(series: MonthlySeries, query: dict[str, str]):
    latest = series.latest
    if latest is None:
        return mark_safe('<span class="nhsuk-body-s">No data</span>')  # noqa: S308
    return format_html(
        '<a href="{}">{}<span class="nhsuk-u-visually-hidden"> {}, {}: see the chart</span></a>'
        '<span class="nhsuk-body-s nhsuk-u-margin-bottom-1 app-outcome-cell__when">{}; {} vs baseline</span>'
        "{}",
        chart_url(series, query),
        f"{latest.value:,.0f}",
        series.measure.name,
        series.area_name,
        month_label(latest.month),
        percent_signed(series.change_percent) if series.change_percent is not None else "—",
        icons(series),
    )


class MeasureColumn(tables.Column):
    def __init__(self, *, index: int, measure, query: dict[str, str], **kwargs):
        self.index = index
        self.query = query
        super().__init__(
            verbose_name=measure.name,
            accessor="slug",
            orderable=False,
            attrs={"td": {"class": "app-outcome-cell"}},
            **kwargs,
        )

    def render(self, record: SummaryRow):
        return cell_html(record.cells[self.index], self.query)


class SummaryMatrixTable(DashboardTable):
    """Kent and Medway first, then the localities worst first; a column per measure."""

    name = tables.Column(verbose_name="Locality", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No localities yet."

    def __init__(self, matrix: SummaryMatrix, *, query: dict[str, str], **kwargs):
        columns = [
            (f"measure_{measure.id}", MeasureColumn(index=index, measure=measure, query=query))
            for index, measure in enumerate(matrix.measures)
        ]
        super().__init__(
            [matrix.programme, *matrix.rows], extra_columns=columns, orderable=False, **kwargs
        )

    def render_name(self, record: SummaryRow):
        if not record.slug or record.slug == "all":
            return format_html("<strong>{}</strong>", record.name)
        return format_html(
            '<a href="{}">{}</a>', reverse("dashboard:locality", args=[record.slug]), record.name
        )


class SummaryExportTable(tables.Table):
    """The matrix as a spreadsheet: one row per place and measure, worst first."""

    area = tables.Column(verbose_name="Locality")
    measure = tables.Column(verbose_name="Measure")
    month = tables.Column(verbose_name="Latest month")
    value = NumberColumn(verbose_name="Latest value")
    baseline = NumberColumn(verbose_name="Baseline mean (a month)")
    change_percent = PercentColumn(verbose_name="Change against baseline (%)")
    variation = tables.Column(verbose_name="Variation")
    assurance = tables.Column(verbose_name="Assurance")
    limits = tables.Column(verbose_name="Limits")
    illustrative = tables.Column(verbose_name="Illustrative")


def summary_export_rows(matrix: SummaryMatrix) -> list[dict]:
    rows = []
    for row in [matrix.programme, *matrix.rows]:
        for series in row.cells:
            latest = series.latest
            rows.append(
                {
                    "area": row.name,
                    "measure": series.measure.name,
                    "month": month_label(latest.month) if latest else "",
                    "value": latest.value if latest else None,
                    "baseline": series.baseline_mean,
                    "change_percent": series.change_percent,
                    "variation": series.variation_words,
                    "assurance": series.assurance_words,
                    "limits": "Indicative" if series.limits_indicative else "Frozen",
                    "illustrative": "Yes" if series.includes_illustrative else "No",
                }
            )
    return rows
