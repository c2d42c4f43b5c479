from common.pagination import paged_sql, whole_list
from dashboard.caching import filter_parameters
from dashboard.charts.mdts import headline_sentence, mdts_by_locality
from dashboard.filters.mdts import MdtFilter
from dashboard.selectors.mdts import (
    PLAN_POPULATION_HIGH,
    PLAN_POPULATION_LOW,
    infrastructure_tiers,
    mdt_filterset,
    mdt_register,
    mdts_page,
)
from dashboard.tables.base import SqlPageRows
from dashboard.tables.mdts import MdtTable
from dashboard.views.base import board_view, table_page
from dashboard.views.figures import cached_headline_figures

ROWS_PER_PAGE = 25
# The table (and chart) by locality: a page at a time, however many localities there are.
LOCALITIES_PER_PAGE = 25
LOCALITIES_PAGE = "localities-page"


@board_view
def mdts(request, page):
    caption = f"MDT register, status as at {page.quarter.label}"
    asked = MdtTable.page_request(request, per_page=ROWS_PER_PAGE)
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
        return {"data": data, "chart": chart, "tiers": infrastructure_tiers()}

    def context(found, table):
        data = found["data"]
        return {
            "figures": cached_headline_figures(page),
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
            "plan_low": PLAN_POPULATION_LOW,
            "plan_high": PLAN_POPULATION_HIGH,
        }

    return table_page(
        request,
        page,
        name="mdts",
        template="dashboard/mdts.html",
        compute=compute,
        cache_parts={
            "filters": filter_parameters(request.GET, MdtFilter.base_filters),
            "table": asked.cache_key,
            "localities_page": localities_page,
        },
        table=lambda found: MdtTable(SqlPageRows(found["data"].register), caption=caption),
        # Every matching MDT, in the register's order: the download is the whole register.
        download=lambda cached: MdtTable(
            SqlPageRows(
                whole_list(
                    mdt_register(page=page, filter_data=request.GET, ordering=asked.ordering)
                )
            ),
            caption=caption,
        ),
        context=context,
    )
