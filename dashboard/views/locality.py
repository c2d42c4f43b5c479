from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from dashboard.charts.locality import maturity_chart, spend_chart
from dashboard.exports import EXPORT_PARAMETER, export_response, requested_export_format
from dashboard.periods import dashboard_page
from dashboard.selectors.locality import locality_data
from dashboard.tables.locality import PER_PAGE, MDTTable, MilestoneTable, OutcomeTable, RiskTable
from localities.models import Locality

# Which table a download is for: `?_export=csv&table=mdts`.
TABLE_PARAMETER = "table"


def locality_detail(request, slug):
    page = dashboard_page(request)
    locality = get_object_or_404(Locality.objects.select_related("sub_system"), slug=slug)
    data = locality_data(page=page, locality=locality)
    label = page.quarter.label
    tables = {
        "mdts": MDTTable(
            data.mdts, prefix="mdts-", caption=f"MDTs in {locality.name}, status at {label} end"
        ),
        "milestones": MilestoneTable(
            data.milestones, prefix="milestones-", caption=f"{locality.name} milestones"
        ),
        "outcomes": OutcomeTable(
            data.outcomes,
            prefix="outcomes-",
            caption=f"{locality.name}: outcome measures in {label} against the baseline",
        ),
        "risks": RiskTable(
            data.risks, prefix="risks-", caption=f"Open risks for {locality.name} at {label} end"
        ),
    }
    config = RequestConfig(request, paginate={"per_page": PER_PAGE})
    for table in tables.values():
        config.configure(table)

    export_format = requested_export_format(request)
    if export_format:
        name = request.GET.get(TABLE_PARAMETER)
        if name not in tables:
            raise Http404("There is no such table on this page.")
        return export_response(
            tables[name],
            export_format=export_format,
            name=f"{locality.slug}-{name}",
            quarter_label=label,
        )

    return render(
        request,
        "dashboard/locality.html",
        {
            "page": page,
            "locality": locality,
            "data": data,
            "tables": tables,
            "export_queries": _export_queries(request, tables),
            "spend_chart": spend_chart(data),
            "maturity_chart": maturity_chart(data),
        },
    )


def _export_queries(request, tables) -> dict[str, str]:
    """Per table, the page's query string (quarter, sorting) naming that table."""
    queries = {}
    for name in tables:
        query = request.GET.copy()
        query.pop(EXPORT_PARAMETER, None)
        query[TABLE_PARAMETER] = name
        queries[name] = query.urlencode()
    return queries
