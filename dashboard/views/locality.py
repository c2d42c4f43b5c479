from functools import partial

from django.shortcuts import get_object_or_404

from dashboard.charts.locality import maturity_chart, spend_chart
from dashboard.selectors.areas import locality_standing
from dashboard.selectors.locality import locality_data
from dashboard.tables.locality import PER_PAGE, MDTTable, MilestoneTable, OutcomeTable, RiskTable
from dashboard.views.base import Download, board_view, table_page
from governance.selectors import actions_by_link
from localities.models import Locality


@board_view
def locality_detail(request, page, slug):
    locality = get_object_or_404(Locality.objects.select_related("sub_system"), slug=slug)
    label = page.quarter.label

    def compute():
        data = locality_data(page=page, locality=locality)
        return {
            "data": data,
            # In force at the quarter's end? What it became, or was formed from (0023).
            "standing": locality_standing(structure=page.structure, locality=locality),
            "spend_chart": spend_chart(data),
            "maturity_chart": maturity_chart(data),
            # The board's actions that concern the locality, as at the page's day.
            "board_actions": actions_by_link(
                link="locality", ids=[locality.pk], day=page.as_at
            ).get(locality.pk, []),
        }

    def tables(found):
        data = found["data"]
        return {
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
                data.risks,
                prefix="risks-",
                caption=f"Open risks for {locality.name} at {label} end",
            ),
        }

    return table_page(
        request,
        page,
        name="locality",
        template="dashboard/locality.html",
        compute=compute,
        cache_parts={"locality": locality.pk},
        tables=tables,
        # A download is the table as the page shows it, every row: the page's cached data.
        downloads=lambda cached: {
            name: partial(Download, f"{locality.slug}-{name}", table)
            for name, table in tables(cached()).items()
        },
        per_page=PER_PAGE,
        context=lambda found, shown: {"locality": locality},
    )
