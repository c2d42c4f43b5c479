from functools import partial
from urllib.parse import parse_qsl

from django.http import Http404
from django.shortcuts import render
from django_tables2 import RequestConfig

from dashboard.caching import cached_page_data
from dashboard.charts.outcomes import spc_chart
from dashboard.exports import (
    TABLE_PARAMETER,
    export_query,
    export_response,
    requested_export_format,
)
from dashboard.selectors.outcomes import (
    UnknownChoice,
    localities_by_change,
    outcome_chart_data,
    outcomes_data,
    overview_localities,
    overview_rows,
)
from dashboard.spc import RECOMMENDED_POINTS, SHIFT_RUN, TREND_RUN
from dashboard.tables.outcomes import (
    OutcomeOverviewTable,
    OverviewExportTable,
    SpcPointTable,
    overview_export_rows,
)
from dashboard.views.base import board_view

ROWS_PER_PAGE = 25
OVERVIEW_TABLE = "overview"  # `table=overview` downloads the overview; otherwise the chart's points


@board_view
def outcomes(request, page):
    measure_code, locality_slug = request.GET.get("measure"), request.GET.get("locality")

    def compute():
        data = outcome_chart_data(page=page, measure_code=measure_code, locality_slug=locality_slug)
        return data, spc_chart(data.series)

    try:
        data, chart = cached_page_data(
            "outcomes-chart",
            page=page,
            compute=compute,
            measure=measure_code,
            locality=locality_slug,
        )
    except UnknownChoice as error:
        raise Http404(str(error)) from error

    points_table = SpcPointTable(
        data.series.points,
        caption=f"{data.measure.name} by quarter, {data.area_name}",
        prefix="points-",
    )
    RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(points_table)
    overview_table = OutcomeOverviewTable(
        overview_localities(),
        chart=data,
        # Each cell links to its chart, keeping the page's quarter (and preview).
        query=dict(parse_qsl(page.query_string.lstrip("?"))),
        order_localities=partial(localities_by_change, page=page),
        caption=f"Latest quarter against baseline, every locality and measure, to {page.quarter.label}",
        prefix="overview-",
    )
    RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(overview_table)
    # Only the page's localities are charted (25 of 800 at factor 100).
    shown = overview_table.page_localities()
    overview_table.set_rows(
        cached_page_data(
            "outcomes-overview",
            page=page,
            compute=lambda: overview_rows(page=page, measures=data.measures, localities=shown),
            localities=tuple(place.pk for place in shown),
        )
    )

    if export_format := requested_export_format(request):
        if request.GET.get(TABLE_PARAMETER) == OVERVIEW_TABLE:
            # Every locality: the one request that charts them all.
            everything = cached_page_data(
                "outcomes-every-locality", page=page, compute=lambda: outcomes_data(page=page)
            )
            return export_response(
                OverviewExportTable(overview_export_rows(everything)),
                export_format=export_format,
                name="outcomes-overview",
                quarter_label=page.quarter.label,
            )
        return export_response(
            points_table,
            export_format=export_format,
            name=f"outcomes-{data.measure.code}-{data.locality_choice}",
            quarter_label=page.quarter.label,
        )

    return render(
        request,
        "dashboard/outcomes.html",
        {
            "page": page,
            "outcomes": data,
            "chart": chart,
            "points_table": points_table,
            "overview_table": overview_table,
            "points_export_query": export_query(request),
            "overview_export_query": export_query(request, table=OVERVIEW_TABLE),
            "shift_run": SHIFT_RUN,
            "trend_run": TREND_RUN,
            "recommended_points": RECOMMENDED_POINTS,
        },
    )
