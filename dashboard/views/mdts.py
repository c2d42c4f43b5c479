from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.mdts import headline_sentence, mdts_by_locality
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.filters.mdts import MdtFilter
from dashboard.periods import dashboard_page
from dashboard.selectors.mdts import (
    PLAN_POPULATION_HIGH,
    PLAN_POPULATION_LOW,
    mdt_filterset,
    mdts_data,
)
from dashboard.tables.mdts import MdtTable

ROWS_PER_PAGE = 25


@require_safe
def mdts(request):
    page = dashboard_page(request)

    def compute():
        data = mdts_data(page=page, filter_data=request.GET)
        chart = mdts_by_locality(
            localities=data.localities, totals=data.totals, quarter_label=page.quarter.label
        )
        return data, chart

    data, chart = cached_page_data(
        "mdts",
        page=page,
        compute=compute,
        filters=filter_parameters(request.GET, MdtFilter.base_filters),
    )
    table = MdtTable(data.register, caption=f"MDT register, status as at {page.quarter.label}")
    RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(table)

    if export_format := requested_export_format(request):
        return export_response(
            table, export_format=export_format, name="mdts", quarter_label=page.quarter.label
        )

    return render(
        request,
        "dashboard/mdts.html",
        {
            "page": page,
            "data": data,
            "headline": headline_sentence(data.totals, page.quarter.label),
            "filter": mdt_filterset(
                page=page, filter_data=request.GET, localities=data.locality_choices
            ),
            "table": table,
            "chart": chart,
            "plan_low": PLAN_POPULATION_LOW,
            "plan_high": PLAN_POPULATION_HIGH,
            "export_query": export_query(request),
        },
    )
