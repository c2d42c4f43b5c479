from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.milestones import milestone_timeline
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.filters.milestones import MilestoneFilter
from dashboard.periods import dashboard_page
from dashboard.selectors.milestones import milestone_filterset, milestones_data
from dashboard.tables.milestones import MilestoneTable

ROWS_PER_PAGE = 25


@require_safe
def milestones(request):
    page = dashboard_page(request)
    data = cached_page_data(
        "milestones",
        page=page,
        compute=lambda: milestones_data(page=page, filter_data=request.GET),
        filters=filter_parameters(request.GET, MilestoneFilter.base_filters),
    )
    table = MilestoneTable(data.rows, caption=f"Milestones, status as at {page.quarter.label}")
    RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(table)

    if export_format := requested_export_format(request):
        return export_response(
            table, export_format=export_format, name="milestones", quarter_label=page.quarter.label
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
            # The chart follows the table: the rows on the page being read, in its order.
            "chart": milestone_timeline(
                rows=[row.record for row in table.page.object_list],
                quarter_end=page.quarter.end_date,
                quarter_label=page.quarter.label,
                page_number=table.page.number,
                page_count=table.paginator.num_pages,
            ),
            "export_query": export_query(request),
        },
    )
