from functools import partial
from urllib.parse import parse_qsl

from django.http import Http404

from dashboard.caching import cached_page_data
from dashboard.charts.outcomes import spc_chart
from dashboard.exports import export_query
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
from dashboard.views.base import Download, board_view, table_page

ROWS_PER_PAGE = 25
POINTS_TABLE = "points"  # the chart's points: what a download naming no table is of
OVERVIEW_TABLE = "overview"  # `table=overview` downloads the overview


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
        return {"outcomes": data, "chart": spc_chart(data.series)}

    def points_table(data):
        return SpcPointTable(
            data.series.points,
            caption=f"{data.measure.name} by quarter, {data.area_name}",
            prefix="points-",
        )

    def tables(found):
        data = found["outcomes"]
        return {
            POINTS_TABLE: points_table(data),
            OVERVIEW_TABLE: OutcomeOverviewTable(
                overview_localities(),
                chart=data,
                # Each cell links to its chart, keeping the page's quarter (and preview).
                query=dict(parse_qsl(page.query_string.lstrip("?"))),
                order_localities=partial(localities_by_change, page=page),
                caption=(
                    "Latest quarter against baseline, every locality and measure, "
                    f"to {page.quarter.label}"
                ),
                prefix="overview-",
            ),
        }

    def download_points(cached):
        data = cached()["outcomes"]
        return Download(f"outcomes-{data.measure.code}-{data.locality_choice}", points_table(data))

    def download_overview(cached):
        cached()  # an unknown measure or locality is still a 404
        # Every locality: the one request that charts them all.
        everything = cached_page_data(
            "outcomes-every-locality", page=page, compute=lambda: outcomes_data(page=page)
        )
        # In the overview's own order, whatever `?sort=` says (as it always was).
        return Download(
            "outcomes-overview",
            OverviewExportTable(overview_export_rows(everything), orderable=False),
        )

    def context(found, shown):
        data, overview = found["outcomes"], shown[OVERVIEW_TABLE]
        # Only the page's localities are charted (25 of 800 at factor 100).
        localities = overview.page_localities()
        overview.set_rows(
            cached_page_data(
                "outcomes-overview",
                page=page,
                compute=lambda: overview_rows(
                    page=page, measures=data.measures, localities=localities
                ),
                localities=tuple(place.pk for place in localities),
            )
        )
        return {
            "points_table": shown[POINTS_TABLE],
            "overview_table": overview,
            "points_export_query": export_query(request),
            "overview_export_query": export_query(request, table=OVERVIEW_TABLE),
            "shift_run": SHIFT_RUN,
            "trend_run": TREND_RUN,
            "recommended_points": RECOMMENDED_POINTS,
        }

    return table_page(
        request,
        page,
        name="outcomes-chart",
        template="dashboard/outcomes.html",
        compute=compute,
        cache_parts={"measure": measure_code, "locality": locality_slug},
        tables=tables,
        downloads=lambda cached: {
            POINTS_TABLE: partial(download_points, cached),
            OVERVIEW_TABLE: partial(download_overview, cached),
        },
        default_table=POINTS_TABLE,
        per_page=ROWS_PER_PAGE,
        context=context,
    )
