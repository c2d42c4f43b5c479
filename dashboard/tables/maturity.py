"""Maturity movement as tables: every locality's scores on the page, one row per locality
and element in the download (numbers a spreadsheet can sum)."""

import django_tables2 as tables
from django.utils.html import format_html

from dashboard.selectors.maturity import MaturityCell, MaturityMovement
from dashboard.tables.base import DashboardTable, NumberColumn, illustrative_tag

PER_PAGE = 25
ILLUSTRATIVE = "Illustrative"
REPORTED = "Reported"
NOT_SCORED = "—"


def movement_text(cell: MaturityCell) -> str:
    """'2 → 3 (+1)', or what is missing, in words."""
    if cell.baseline is None and cell.latest is None:
        return "Not scored"
    if cell.latest is None:
        return f"{cell.baseline.score} → not re-scored"
    if cell.baseline is None:
        return f"no baseline → {cell.latest.score}"
    change = cell.change
    return f"{cell.baseline.score} → {cell.latest.score} ({f'{change:+d}' if change else 'same'})"


class MaturityTable(DashboardTable):
    """One row per locality, a column per care-model element: baseline → latest."""

    locality = tables.Column(verbose_name="Locality", orderable=False)
    latest_quarter = tables.Column(verbose_name="Latest scores", orderable=False)
    is_illustrative = tables.Column(verbose_name="Scores", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No localities."

    def __init__(self, data: MaturityMovement, **kwargs):
        rows = [
            {
                "locality": row.locality.name,
                "latest_quarter": row.latest_quarter.label
                if row.latest_quarter
                else "Not re-scored",
                "is_illustrative": row.is_illustrative,
                **{
                    f"element_{element.number}": movement_text(cell)
                    for element, cell in zip(data.elements, row.cells, strict=True)
                },
            }
            for row in data.localities
        ]
        extra = [
            (
                f"element_{element.number}",
                tables.Column(
                    verbose_name=f"{element.number}. {element.name}",
                    orderable=False,
                    attrs={"td": {"class": "app-nowrap"}},
                ),
            )
            for element in data.elements
        ]
        super().__init__(rows, extra_columns=extra, **kwargs)
        # The locality first, the elements in order, then when and how sure.
        self.sequence = [
            "locality",
            *(f"element_{element.number}" for element in data.elements),
            "latest_quarter",
            "is_illustrative",
        ]

    def render_locality(self, value):
        return format_html("<strong>{}</strong>", value)

    def render_is_illustrative(self, value):
        return illustrative_tag() if value else REPORTED

    def value_is_illustrative(self, value):
        return ILLUSTRATIVE if value else REPORTED


class MaturityExportTable(DashboardTable):
    locality = tables.Column(verbose_name="Locality")
    element = tables.Column(verbose_name="Care-model element")
    baseline_quarter = tables.Column(verbose_name="Baseline quarter")
    baseline = NumberColumn(verbose_name="Baseline score")
    latest_quarter = tables.Column(verbose_name="Latest quarter")
    latest = NumberColumn(verbose_name="Latest score")
    change = NumberColumn(verbose_name="Change")
    is_illustrative = tables.Column(verbose_name="Scores")

    def value_is_illustrative(self, value):
        return ILLUSTRATIVE if value else REPORTED


def export_rows(data: MaturityMovement) -> list[dict]:
    return [
        {
            "locality": row.locality.name,
            "element": f"{element.number}. {element.name}",
            "baseline_quarter": cell.baseline.quarter.label if cell.baseline else "",
            "baseline": cell.baseline.score if cell.baseline else None,
            "latest_quarter": cell.latest.quarter.label if cell.latest else "",
            "latest": cell.latest.score if cell.latest else None,
            "change": cell.change,
            "is_illustrative": cell.is_illustrative,
        }
        for row in data.localities
        for element, cell in zip(data.elements, row.cells, strict=True)
    ]
