"""The status-by-locality table for one objective: a row per locality, a column per
quarter, each cell a RAG tag linking to that locality's narrative for that quarter."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from common.pagination import SqlPage
from dashboard.periods import PREVIEW_PARAMETER, QUARTER_PARAMETER
from dashboard.selectors.objectives import ObjectiveProgress
from dashboard.tables.base import DashboardTable, SqlPageRows, rag_tag
from localities.models import Rag

# Four tables, one per objective, on one page: 15 rows each keeps the page
# within its 150 kB HTML budget (tests/performance/test_budgets.py) at any scale.
PER_PAGE = 15


def _quarter_query(quarter, *, is_preview: bool) -> str:
    parameters = {QUARTER_PARAMETER: quarter.slug}
    if is_preview:
        parameters[PREVIEW_PARAMETER] = "1"
    return urlencode(parameters)


class QuarterStatusColumn(tables.Column):
    """One quarter's RAG: the tag with its word, linking to the locality's objective."""

    def __init__(self, *, quarter, objective_number: int, is_preview: bool, **kwargs):
        self.quarter = quarter
        self.objective_number = objective_number
        self.is_preview = is_preview
        # Worked out once a column, and the locality's path once a row (the row's
        # "path"): reversing a URL for each of a page's cells was a fifth of its time.
        self.query = _quarter_query(quarter, is_preview=is_preview)
        kwargs.setdefault("verbose_name", quarter.label)
        kwargs.setdefault("order_by", (f"q{quarter.number}__rank",))
        super().__init__(**kwargs)

    def render(self, value, record):
        if value.rag is None:
            return rag_tag(None, label=Rag.label_for(None))
        locality = record["locality"]
        url = f"{record['path']}?{self.query}"
        return format_html(
            '<a class="app-rag-link" href="{}#objective-{}">{}<span class="nhsuk-u-visually-hidden">'
            " – {}, objective {}, {}</span></a>",
            url,
            self.objective_number,
            rag_tag(value.rag),
            locality.name,
            self.objective_number,
            self.quarter.label,
        )

    def value(self, value):
        return value.label


class ObjectiveStatusTable(DashboardTable):
    """A page of localities, sorted and cut in SQL (dashboard.selectors.objectives)."""

    locality = tables.Column(verbose_name="Locality", order_by=("locality__name",))

    class Meta(DashboardTable.Meta):
        attrs = {"class": "nhsuk-table app-objective-table"}
        empty_text = "No localities match the filter."

    def __init__(self, progress: ObjectiveProgress, *, quarters, page, **kwargs):
        self.dashboard_page = page
        objective = progress.objective
        rows = [
            {
                "locality": row.locality,
                "path": reverse("dashboard:locality", args=[row.locality.slug]),
                **{f"q{cell.quarter.number}": cell for cell in row.cells},
            }
            for row in progress.rows
        ]
        sql = progress.page
        self.sql_page = SqlPage(
            rows=rows, number=sql.number, per_page=sql.per_page, total=sql.total
        )
        extra_columns = [
            (
                f"q{quarter.number}",
                QuarterStatusColumn(
                    quarter=quarter,
                    objective_number=objective.number,
                    is_preview=page.is_preview,
                ),
            )
            for quarter in quarters
        ]
        kwargs.setdefault(
            "caption", f"Objective {objective.number}: RAG status by locality and quarter"
        )
        super().__init__(SqlPageRows(self.sql_page), extra_columns=extra_columns, **kwargs)

    def render_locality(self, value, record):
        query = _quarter_query(
            self.dashboard_page.quarter, is_preview=self.dashboard_page.is_preview
        )
        return format_html('<a href="{}?{}">{}</a>', record["path"], query, value.name)

    def value_locality(self, value):
        return value.name
