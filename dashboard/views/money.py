from django.shortcuts import render

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.money import spend_by_locality_chart, spend_by_quarter_chart
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.filters.money import LocalityMoneyFilter
from dashboard.selectors.money import money_page, sub_system_choices
from dashboard.tables.base import SqlPageRows, configure_sql_table
from dashboard.tables.money import LocalitySpendTable, headline_figures
from dashboard.views.base import board_view
from dashboard.views.figures import cached_headline_figures
from localities.models import Locality

ROWS_PER_PAGE = 25


@board_view
def money(request, page):
    locality_filter = LocalityMoneyFilter(
        request.GET, queryset=Locality.objects.all(), sub_systems=sub_system_choices()
    )
    asked = LocalitySpendTable.page_request(request, per_page=ROWS_PER_PAGE)
    caption = f"Spend against plan by locality, year to {page.quarter.label}"
    exporting = requested_export_format(request)

    def spend(*, everything: bool = False):
        return money_page(
            page=page,
            localities=locality_filter.qs,
            area_name=locality_filter.area_name,
            ordering=asked.ordering,
            number=asked.number,
            # A download has every locality, in the table's order: the whole table.
            per_page=None if everything else asked.per_page,
        )

    def compute():
        data = spend()
        return data, spend_by_quarter_chart(data), spend_by_locality_chart(data)

    if exporting:
        data = spend(everything=True)
    else:
        data, quarter_chart, locality_chart = cached_page_data(
            "money",
            page=page,
            compute=compute,
            filters=filter_parameters(request.GET, LocalityMoneyFilter.base_filters),
            table=asked.cache_key,
        )
    table = LocalitySpendTable(
        SqlPageRows(data.localities),
        total=data.total,
        query_string=page.query_string,
        caption=caption,
        order_by="name",
    )
    configure_sql_table(request, table, data.localities)
    if exporting:
        return export_response(
            table, export_format=exporting, name="money", quarter_label=page.quarter.label
        )
    return render(
        request,
        "dashboard/money.html",
        {
            "page": page,
            "figures": cached_headline_figures(page),
            "money": data,
            "total_text": headline_figures(data.total),
            "filter": locality_filter,
            "table": table,
            "quarter_chart": quarter_chart,
            "locality_chart": locality_chart,
            "export_query": export_query(request),
        },
    )
