from django.http import Http404
from django.shortcuts import render
from django_tables2 import RequestConfig

from dashboard.charts.objectives import rag_counts_chart
from dashboard.exports import EXPORT_PARAMETER, export_response, requested_export_format
from dashboard.filters.objectives import ObjectiveLocalityFilter
from dashboard.periods import dashboard_page
from dashboard.selectors.objectives import objectives_data
from dashboard.tables.objectives import PER_PAGE, ObjectiveStatusTable
from localities.models import Locality

# Which objective's table a download is for: `?_export=csv&table=objective-2`.
TABLE_PARAMETER = "table"


def objectives(request):
    page = dashboard_page(request)
    all_localities = Locality.objects.select_related("sub_system").order_by("name")
    locality_filter = ObjectiveLocalityFilter(
        request.GET, queryset=all_localities, localities=list(all_localities)
    )
    data = objectives_data(page=page, localities=locality_filter.qs)

    config = RequestConfig(request, paginate={"per_page": PER_PAGE})
    sections = []
    for progress in data.objectives:
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
                "chart": rag_counts_chart(
                    progress, locality_count=data.locality_count, is_preview=page.is_preview
                ),
                "export_query": _export_query(request, name),
                "what": f"objective {progress.objective.number} statuses",
            }
        )

    export_format = requested_export_format(request)
    if export_format:
        table = next(
            (
                item["table"]
                for item in sections
                if item["name"] == request.GET.get(TABLE_PARAMETER)
            ),
            None,
        )
        if table is None:
            raise Http404("There is no such table on this page.")
        return export_response(
            table,
            export_format=export_format,
            name=request.GET[TABLE_PARAMETER],
            quarter_label=page.quarter.label,
        )

    return render(
        request,
        "dashboard/objectives.html",
        {"page": page, "data": data, "sections": sections, "filter": locality_filter},
    )


def _export_query(request, name: str) -> str:
    """The page's query string (quarter, filters, sorting) naming one table."""
    query = request.GET.copy()
    query.pop(EXPORT_PARAMETER, None)
    query[TABLE_PARAMETER] = name
    return query.urlencode()
