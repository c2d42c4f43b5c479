from dashboard.caching import filter_parameters
from dashboard.charts.money import spend_by_locality_chart, spend_by_quarter_chart
from dashboard.filters.money import LocalityMoneyFilter
from dashboard.selectors.money import money_page
from dashboard.tables.base import SqlPageRows
from dashboard.tables.money import LocalitySpendTable, headline_figures
from dashboard.views.base import board_view, table_page
from dashboard.views.figures import cached_headline_figures
from localities.models import Locality

ROWS_PER_PAGE = 25


@board_view
def money(request, page):
    locality_filter = LocalityMoneyFilter(
        request.GET,
        queryset=Locality.objects.in_force_on(page.quarter.end_date),
        sub_systems=[(each.slug, each.name) for each in page.structure.sub_systems],
    )
    asked = LocalitySpendTable.page_request(request, per_page=ROWS_PER_PAGE)
    caption = f"Spend against plan by locality, year to {page.quarter.label}"

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
        return {
            "money": data,
            "quarter_chart": spend_by_quarter_chart(data),
            "locality_chart": spend_by_locality_chart(data),
        }

    def table(data):
        return LocalitySpendTable(
            SqlPageRows(data.localities),
            total=data.total,
            query_string=page.query_string,
            caption=caption,
            order_by="name",
        )

    return table_page(
        request,
        page,
        name="money",
        template="dashboard/money.html",
        compute=compute,
        cache_parts={
            "filters": filter_parameters(request.GET, LocalityMoneyFilter.base_filters),
            "table": asked.cache_key,
        },
        table=lambda found: table(found["money"]),
        download=lambda cached: table(spend(everything=True)),
        context=lambda found, table: {
            "figures": cached_headline_figures(page),
            "total_text": headline_figures(found["money"].total),
            "filter": locality_filter,
        },
    )
