from django.shortcuts import render

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.objectives import rag_counts_chart
from dashboard.exports import (
    export_query,
    export_response,
    requested_export_format,
    requested_table,
)
from dashboard.filters.localities import locality_choice_rows
from dashboard.filters.objectives import ObjectiveLocalityFilter
from dashboard.selectors.objectives import objectives_data, table_prefix
from dashboard.tables.base import configure_sql_table
from dashboard.tables.objectives import PER_PAGE, ObjectiveStatusTable
from dashboard.views.base import board_view
from dashboard.views.figures import cached_headline_figures
from localities.models import Locality

# The parameters that choose a table's order and page: part of the cache key.
TABLE_PARAMETERS = ("sort", "page")


@board_view
def objectives(request, page):
    locality_filter = ObjectiveLocalityFilter(
        request.GET,
        queryset=Locality.objects.all(),
        localities=locality_choice_rows(),
    )
    exporting = requested_export_format(request)

    def data_for(*, per_page):
        return objectives_data(
            page=page, localities=locality_filter.qs, table_query=request.GET, per_page=per_page
        )

    def compute():
        data = data_for(per_page=PER_PAGE)
        charts = [
            rag_counts_chart(
                progress, locality_count=data.locality_count, is_preview=page.is_preview
            )
            for progress in data.objectives
        ]
        return data, charts

    if exporting:
        # Every locality, in the table's order: a download is the whole table.
        data, charts = data_for(per_page=None), None
    else:
        data, charts = cached_page_data(
            "objectives",
            page=page,
            compute=compute,
            filters=filter_parameters(request.GET, ObjectiveLocalityFilter.base_filters),
            tables=tuple(
                sorted(
                    (name, tuple(request.GET.getlist(name)))
                    for name in request.GET
                    if name.startswith("objective-") and name.endswith(TABLE_PARAMETERS)
                )
            ),
        )

    sections = []
    for index, progress in enumerate(data.objectives):
        name = table_prefix(progress.objective).rstrip("-")
        table = ObjectiveStatusTable(
            progress, quarters=data.year_quarters, page=page, prefix=f"{name}-"
        )
        configure_sql_table(request, table, table.sql_page)
        sections.append(
            {
                "name": name,
                "progress": progress,
                "table": table,
                "chart": charts[index] if charts else None,
                "export_query": export_query(request, table=name),
                "what": f"objective {progress.objective.number} statuses",
            }
        )

    if exporting:
        table = requested_table(request, {item["name"]: item["table"] for item in sections})
        return export_response(
            table,
            export_format=exporting,
            name=table.prefix.rstrip("-"),
            quarter_label=page.quarter.label,
        )

    return render(
        request,
        "dashboard/objectives.html",
        {
            "page": page,
            "figures": cached_headline_figures(page),
            "data": data,
            "sections": sections,
            "filter": locality_filter,
        },
    )
