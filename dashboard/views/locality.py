from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from dashboard.caching import cached_page_data
from dashboard.charts.locality import maturity_chart, spend_chart
from dashboard.exports import (
    export_query,
    export_response,
    requested_export_format,
    requested_table,
)
from dashboard.selectors.locality import locality_data
from dashboard.tables.locality import PER_PAGE, MDTTable, MilestoneTable, OutcomeTable, RiskTable
from dashboard.views.base import board_view
from localities.models import Locality


@board_view
def locality_detail(request, page, slug):
    locality = get_object_or_404(Locality.objects.select_related("sub_system"), slug=slug)

    def compute():
        data = locality_data(page=page, locality=locality)
        return data, spend_chart(data), maturity_chart(data)

    data, spend, maturity = cached_page_data(
        "locality", page=page, compute=compute, locality=locality.pk
    )
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

    if export_format := requested_export_format(request):
        table = requested_table(request, tables)
        return export_response(
            table,
            export_format=export_format,
            name=f"{locality.slug}-{table.prefix.rstrip('-')}",
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
            "export_queries": {name: export_query(request, table=name) for name in tables},
            "spend_chart": spend,
            "maturity_chart": maturity,
        },
    )
