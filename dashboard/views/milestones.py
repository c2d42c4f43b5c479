from django.shortcuts import render

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.milestones import milestone_timeline
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.filters.milestones import MilestoneFilter
from dashboard.pagination import whole_list
from dashboard.selectors.milestones import milestone_filterset, milestone_rows, milestones_page
from dashboard.tables.base import SqlPageRows, configure_sql_table
from dashboard.tables.milestones import MilestoneTable
from dashboard.views.base import board_view

ROWS_PER_PAGE = 25


@board_view
def milestones(request, page):
    caption = f"Milestones, status as at {page.quarter.label}"
    asked = MilestoneTable.page_request(request, per_page=ROWS_PER_PAGE)

    if export_format := requested_export_format(request):
        # Every matching milestone, in the page's order: the download is the whole register.
        everything = whole_list(
            milestone_rows(page=page, filter_data=request.GET, ordering=asked.ordering)
        )
        table = MilestoneTable(SqlPageRows(everything), caption=caption)
        configure_sql_table(request, table, everything)
        return export_response(
            table, export_format=export_format, name="milestones", quarter_label=page.quarter.label
        )

    def compute():
        data = milestones_page(
            page=page,
            filter_data=request.GET,
            ordering=asked.ordering,
            number=asked.number,
            per_page=asked.per_page,
        )
        # The chart follows the table: the rows on the page being read, in its order.
        chart = milestone_timeline(
            rows=data.rows.rows,
            quarter_end=page.quarter.end_date,
            quarter_label=page.quarter.label,
            page_number=data.rows.number,
            page_count=data.rows.page_count,
        )
        return data, chart

    data, chart = cached_page_data(
        "milestones",
        page=page,
        compute=compute,
        filters=filter_parameters(request.GET, MilestoneFilter.base_filters),
        table=asked.cache_key,
    )
    table = configure_sql_table(
        request, MilestoneTable(SqlPageRows(data.rows), caption=caption), data.rows
    )

    return render(
        request,
        "dashboard/milestones.html",
        {
            "page": page,
            "data": data,
            "filter": milestone_filterset(
                page=page, filter_data=request.GET, choices=data.filter_choices
            ),
            "table": table,
            "chart": chart,
            "export_query": export_query(request),
        },
    )
