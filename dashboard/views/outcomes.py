from functools import partial
from urllib.parse import parse_qsl

from django.http import Http404

from dashboard.charts.outcomes import spc_chart
from dashboard.selectors.outcomes import (
    SEGMENT_LIMIT_MONTHS,
    UnknownChoice,
    month_label,
    outcome_chart_data,
    summary_matrix,
)
from dashboard.spc import RECOMMENDED_POINTS, SHIFT_RUN, TREND_RUN
from dashboard.tables.outcomes import (
    SpcPointTable,
    SummaryExportTable,
    SummaryMatrixTable,
    summary_export_rows,
)
from dashboard.views.base import Download, board_view, table_page

ROWS_PER_PAGE = 40  # a chart's months: three years and a bit a page
LOCALITIES_PER_PAGE = 25  # the summary matrix, paginated by locality


def as_at_words(page, last_month) -> str:
    return f"months to {month_label(last_month)}, as at the end of {page.quarter.label}"


@board_view
def outcomes(request, page):
    measure_code, locality_slug = request.GET.get("measure"), request.GET.get("locality")

    def compute():
        try:
            data = outcome_chart_data(
                page=page, measure_code=measure_code, locality_slug=locality_slug
            )
        except UnknownChoice as error:
            raise Http404(str(error)) from error
        return {
            "outcomes": data,
            "chart": spc_chart(data.series, as_at=as_at_words(page, data.last_month)),
        }

    def points_table(found):
        data = found["outcomes"]
        return SpcPointTable(
            data.series.points,
            caption=f"{data.measure.name} by month, {data.area_name}",
            prefix="points-",
        )

    def download(cached):
        data = cached()["outcomes"]
        return Download(
            f"outcomes-{data.measure.code}-{data.locality_choice}", points_table(cached())
        )

    return table_page(
        request,
        page,
        name="outcomes-chart",
        template="dashboard/outcomes.html",
        compute=compute,
        cache_parts={"measure": measure_code, "locality": locality_slug},
        tables=lambda found: {"points": points_table(found)},
        downloads=lambda cached: {"points": partial(download, cached)},
        default_table="points",
        per_page=ROWS_PER_PAGE,
        context=lambda found, shown: {
            "points_table": shown["points"],
            "shift_run": SHIFT_RUN,
            "trend_run": TREND_RUN,
            "recommended_points": RECOMMENDED_POINTS,
            "segment_limit_months": SEGMENT_LIMIT_MONTHS,
        },
    )


@board_view
def outcomes_summary(request, page):
    """Every locality × measure, worst first, with the Making Data Count icons."""
    # Each cell links to its chart, keeping the page's quarter (and preview).
    query = {
        key: value
        for key, value in parse_qsl(page.query_string.lstrip("?"))
        if key not in ("page", "_export", "table")
    }

    def matrix_table(found):
        return SummaryMatrixTable(
            found["outcome_matrix"],
            query=query,
            caption=(
                "Kent and Medway and every locality, worst first: the latest month of each "
                f"measure to {month_label(found['outcome_matrix'].last_month)}"
            ),
        )

    return table_page(
        request,
        page,
        name="outcomes-summary",
        template="dashboard/outcomes_summary.html",
        # Every locality is charted to order them worst first; the result is cached.
        compute=lambda: {"outcome_matrix": summary_matrix(page=page)},
        cache_parts={},
        table=matrix_table,
        download=lambda cached: SummaryExportTable(summary_export_rows(cached()["outcome_matrix"])),
        per_page=LOCALITIES_PER_PAGE,
    )
