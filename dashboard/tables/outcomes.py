"""Tables of the outcomes page: the points of one SPC chart, and every locality × measure."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.utils.html import format_html

from common.money import percent_signed
from dashboard.selectors.outcomes import (
    VERDICTS,
    OutcomeChart,
    Outcomes,
    OverviewCell,
    OverviewRow,
    SpcPoint,
)
from dashboard.spc import REASONS, Rule, Variation
from dashboard.tables.base import DashboardTable, NumberColumn, PercentColumn

VERDICT_TAG_COLOURS = {
    Variation.IMPROVEMENT: "blue",
    Variation.CONCERN: "orange",
    Variation.NEITHER: "purple",
}


def verdict_tag(variation: str) -> str:
    """The SPC verdict as a tag: the word always, the Making Data Count colour as well."""
    colour = VERDICT_TAG_COLOURS.get(variation, "grey")
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} app-rag-tag">{}</strong>',
        colour,
        VERDICTS[variation],
    )


def _reason(point) -> str:
    return REASONS[(Rule(point.rule), point.direction)] if point.rule else ""


class SpcPointTable(DashboardTable):
    quarter_label = tables.Column(verbose_name="Quarter", order_by=("quarter__start_date",))
    value = NumberColumn(verbose_name="Value")
    mean = NumberColumn(verbose_name="Mean")
    lower_limit = NumberColumn(verbose_name="Lower process limit")
    upper_limit = NumberColumn(verbose_name="Upper process limit")
    baseline = NumberColumn(verbose_name="Baseline")
    description = tables.Column(verbose_name="Variation", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No approved figures for this measure and place yet."

    def render_description(self, record: SpcPoint):
        reason = _reason(record)
        if not reason:
            return verdict_tag(record.variation)
        return format_html("{} {}", verdict_tag(record.variation), reason)

    def value_description(self, value):
        return value


def _cell_html(cell: OverviewCell, url: str, page_quarter_label: str):
    if cell.value is None:
        return verdict_tag(cell.variation)
    # The quarter is only worth saying when the latest approved figure is older.
    older = f", {cell.quarter_label}" if cell.quarter_label != page_quarter_label else ""
    return format_html(
        '<a href="{}">{}</a>'
        '<span class="nhsuk-body-s nhsuk-u-margin-bottom-1">{} vs baseline{}</span>{}',
        url,
        f"{cell.value:,.0f}",
        percent_signed(cell.change_percent),
        older,
        verdict_tag(cell.variation),
    )


class OverviewCellColumn(tables.Column):
    """A measure's latest value, its change against baseline and the SPC verdict word."""

    def __init__(
        self,
        *,
        measure,
        chart_url,
        programme_cell: OverviewCell,
        quarter_label: str,
        order_localities,
        **kwargs,
    ):
        self.measure = measure
        self.chart_url = chart_url
        self.quarter_label = quarter_label
        self.order_localities = order_localities
        super().__init__(
            verbose_name=measure.name,
            # Rows are localities; the cell comes from the table's cells for the page.
            accessor="slug",
            footer=lambda: _cell_html(
                programme_cell, chart_url(measure.code, "all"), quarter_label
            ),
            attrs={"td": {"class": "app-outcome-cell"}, "tf": {"class": "app-outcome-cell"}},
            **kwargs,
        )

    def render(self, record, table):
        return _cell_html(
            table.cells[record.slug][self.measure.id],
            self.chart_url(self.measure.code, record.slug),
            self.quarter_label,
        )

    def order(self, queryset, is_descending):
        # By change against baseline, in the database: the page is a LIMIT of it.
        return self.order_localities(queryset, measure=self.measure, descending=is_descending), True


class OutcomeOverviewTable(DashboardTable):
    """Rows are localities, one column per measure; the programme total is the footer.

    The data is a queryset of localities, so django-tables2 orders and paginates it in
    the database; the cells of the page's rows (`set_rows`) are charted afterwards,
    for those localities only.
    """

    name = tables.Column(
        verbose_name="Locality",
        footer=lambda table: format_html("<strong>{}</strong>", table.programme_name),
    )

    class Meta(DashboardTable.Meta):
        empty_text = "No localities yet."

    def __init__(
        self,
        localities,
        *,
        chart: OutcomeChart,
        query: dict[str, str],
        order_localities,
        **kwargs,
    ):
        def chart_url(measure_code: str, locality: str) -> str:
            parameters = {**query, "measure": measure_code, "locality": locality}
            return f"?{urlencode(parameters)}#spc-chart-title"

        columns = [
            (
                f"measure_{measure.id}",
                OverviewCellColumn(
                    measure=measure,
                    chart_url=chart_url,
                    programme_cell=chart.programme_overview.cells[measure.id],
                    quarter_label=chart.quarter.label,
                    order_localities=order_localities,
                ),
            )
            for measure in chart.measures
        ]
        super().__init__(localities, extra_columns=columns, **kwargs)
        self.programme_name = chart.programme_overview.name
        self.cells: dict[str, dict[int, OverviewCell]] = {}

    def page_localities(self) -> list:
        """The localities on the table's page, once it is ordered and paginated."""
        return [row.record for row in self.page.object_list]

    def set_rows(self, rows: list[OverviewRow]) -> None:
        """The overview rows of the page's localities (see `page_localities`)."""
        self.cells = {row.slug: row.cells for row in rows}


class OverviewExportTable(tables.Table):
    """The overview as a spreadsheet: one row per place and measure, figures rounded
    as the page shows them (whole units; the change to one place, half up)."""

    area = tables.Column(verbose_name="Locality")
    measure = tables.Column(verbose_name="Measure")
    quarter = tables.Column(verbose_name="Latest quarter")
    value = NumberColumn(verbose_name="Latest value")
    baseline = NumberColumn(verbose_name="Baseline (per quarter)")
    change_percent = PercentColumn(verbose_name="Change against baseline (%)")
    verdict = tables.Column(verbose_name="SPC verdict")
    description = tables.Column(verbose_name="Variation")


def overview_export_rows(outcomes: Outcomes) -> list[dict]:
    rows = []
    for row in [outcomes.programme_overview, *outcomes.overview]:
        for measure in outcomes.measures:
            cell = row.cells[measure.id]
            rows.append(
                {
                    "area": row.name,
                    "measure": measure.name,
                    "quarter": cell.quarter_label or "",
                    "value": cell.value,
                    "baseline": cell.baseline,
                    "change_percent": cell.change_percent,
                    "verdict": cell.verdict,
                    "description": cell.description,
                }
            )
    return rows
