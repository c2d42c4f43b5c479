from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.objectives import rag_counts_chart
from dashboard.exports import (
    export_query,
    export_response,
    requested_export_format,
    requested_table,
)
from dashboard.filters.objectives import ObjectiveLocalityFilter
from dashboard.periods import dashboard_page
from dashboard.selectors.objectives import objectives_data
from dashboard.tables.objectives import PER_PAGE, ObjectiveStatusTable
from localities.models import Locality


@require_safe
def objectives(request):
    page = dashboard_page(request)
    all_localities = Locality.objects.select_related("sub_system").order_by("name")
    locality_filter = ObjectiveLocalityFilter(
        request.GET, queryset=all_localities, localities=list(all_localities)
    )

    def compute():
        data = objectives_data(page=page, localities=locality_filter.qs)
        charts = [
            rag_counts_chart(
                progress, locality_count=data.locality_count, is_preview=page.is_preview
            )
            for progress in data.objectives
        ]
        return data, charts

    data, charts = cached_page_data(
        "objectives",
        page=page,
        compute=compute,
        filters=filter_parameters(request.GET, ObjectiveLocalityFilter.base_filters),
    )

    config = RequestConfig(request, paginate={"per_page": PER_PAGE})
    sections = []
    for progress, chart in zip(data.objectives, charts, strict=True):
        name = f"objective-{progress.objective.number}"
        table = ObjectiveStatusTable(
            progress, quarters=data.year_quarters, page=page, prefix=f"{name}-"
        )
        config.configure(table)
        sections.append(
            {
                "name": name,
                "progress": progress,
                "table": table,
                "chart": chart,
                "export_query": export_query(request, table=name),
                "what": f"objective {progress.objective.number} statuses",
            }
        )

    if export_format := requested_export_format(request):
        table = requested_table(request, {item["name"]: item["table"] for item in sections})
        return export_response(
            table,
            export_format=export_format,
            name=table.prefix.rstrip("-"),
            quarter_label=page.quarter.label,
        )

    return render(
        request,
        "dashboard/objectives.html",
        {"page": page, "data": data, "sections": sections, "filter": locality_filter},
    )
