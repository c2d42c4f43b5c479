from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.money import spend_by_locality_chart, spend_by_quarter_chart
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.filters.money import LocalityMoneyFilter
from dashboard.periods import dashboard_page
from dashboard.selectors.money import money_data, sub_system_choices
from dashboard.tables.money import LocalitySpendTable, headline_figures
from localities.models import Locality

ROWS_PER_PAGE = 25


@require_safe
def money(request):
    page = dashboard_page(request)
    locality_filter = LocalityMoneyFilter(
        request.GET, queryset=Locality.objects.all(), sub_systems=sub_system_choices()
    )

    def compute():
        data = money_data(
            page=page, localities=locality_filter.qs, area_name=locality_filter.area_name
        )
        return data, spend_by_quarter_chart(data), spend_by_locality_chart(data)

    data, quarter_chart, locality_chart = cached_page_data(
        "money",
        page=page,
        compute=compute,
        filters=filter_parameters(request.GET, LocalityMoneyFilter.base_filters),
    )
    table = LocalitySpendTable(
        data.localities,
        total=data.total,
        query_string=page.query_string,
        caption=f"Spend against plan by locality, year to {page.quarter.label}",
        order_by="name",
    )
    RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(table)
    if export_format := requested_export_format(request):
        return export_response(
            table, export_format=export_format, name="money", quarter_label=page.quarter.label
        )
    return render(
        request,
        "dashboard/money.html",
        {
            "page": page,
            "money": data,
            "total_text": headline_figures(data.total),
            "filter": locality_filter,
            "table": table,
            "quarter_chart": quarter_chart,
            "locality_chart": locality_chart,
            "export_query": export_query(request),
        },
    )
