from django.shortcuts import render

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.mdts import headline_sentence, mdts_by_locality
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.filters.mdts import MdtFilter
from dashboard.pagination import paged_sql, whole_list
from dashboard.selectors.mdts import (
    PLAN_POPULATION_HIGH,
    PLAN_POPULATION_LOW,
    infrastructure_tiers,
    mdt_filterset,
    mdt_register,
    mdts_page,
)
from dashboard.tables.base import SqlPageRows, configure_sql_table
from dashboard.tables.mdts import MdtTable
from dashboard.views.base import board_view
from dashboard.views.figures import cached_headline_figures

ROWS_PER_PAGE = 25
# The table (and chart) by locality: a page at a time, however many localities there are.
LOCALITIES_PER_PAGE = 25
LOCALITIES_PAGE = "localities-page"


@board_view
def mdts(request, page):
    caption = f"MDT register, status as at {page.quarter.label}"
    asked = MdtTable.page_request(request, per_page=ROWS_PER_PAGE)

    if export_format := requested_export_format(request):
        # Every matching MDT, in the register's order: the download is the whole register.
        everything = whole_list(
            mdt_register(page=page, filter_data=request.GET, ordering=asked.ordering)
        )
        table = MdtTable(SqlPageRows(everything), caption=caption)
        configure_sql_table(request, table, everything)
        return export_response(
            table, export_format=export_format, name="mdts", quarter_label=page.quarter.label
        )

    localities_page = request.GET.get(LOCALITIES_PAGE, "")

    def compute():
        data = mdts_page(
            page=page,
            filter_data=request.GET,
            localities_page=localities_page,
            localities_per_page=LOCALITIES_PER_PAGE,
            register_ordering=asked.ordering,
            register_page=asked.number,
            register_per_page=asked.per_page,
        )
        chart = mdts_by_locality(
            localities=data.localities,
            totals=data.totals,
            summary=data.summary,
            quarter_label=page.quarter.label,
        )
        return data, chart, infrastructure_tiers()

    data, chart, tiers = cached_page_data(
        "mdts",
        page=page,
        compute=compute,
        filters=filter_parameters(request.GET, MdtFilter.base_filters),
        table=asked.cache_key,
        localities_page=localities_page,
    )
    table = configure_sql_table(
        request, MdtTable(SqlPageRows(data.register), caption=caption), data.register
    )

    return render(
        request,
        "dashboard/mdts.html",
        {
            "page": page,
            "figures": cached_headline_figures(page),
            "data": data,
            "headline": headline_sentence(data.totals, page.quarter.label),
            "filter": mdt_filterset(
                page=page, filter_data=request.GET, localities=data.locality_choices
            ),
            "localities": paged_sql(
                request,
                data.localities,
                parameter=LOCALITIES_PAGE,
                label="MDTs by locality",
                anchor="by-locality",
            ),
            "table": table,
            "chart": chart,
            "plan_low": PLAN_POPULATION_LOW,
            "plan_high": PLAN_POPULATION_HIGH,
            "tiers": tiers,
            "export_query": export_query(request),
        },
    )
