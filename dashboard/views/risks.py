from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from common.pagination import whole_list
from dashboard.caching import cached_page_data, filter_parameters
from dashboard.charts.risks import movement_chart, review_history_chart
from dashboard.filters.risks import RiskFilter, heatmap_link_query
from dashboard.selectors.risks import (
    board_visible_risks,
    register_rows,
    risk_detail_data,
    risk_filterset,
    risks_data,
)
from dashboard.tables.base import SqlPageRows
from dashboard.tables.risks import PER_PAGE, ActionTable, RegisterTable, ReviewTable
from dashboard.views.base import board_view, table_page
from governance.selectors import actions_by_link


@board_view
def risks(request, page):
    asked = RegisterTable.page_request(request, per_page=PER_PAGE)
    label = page.quarter.label
    caption = f"Open risks, scored as at the end of {label}"

    def bands(data) -> list:
        return [item.band for item in data.band_counts]

    def download(cached):
        # The whole register, not the page: one query however long, and not cached.
        data = cached()["data"]
        rows = register_rows(
            page=page,
            filter_data=request.GET,
            choices=data.filter_choices,
            bands=bands(data),
            ordering=asked.ordering,
        )
        return RegisterTable(SqlPageRows(whole_list(rows)), caption=caption)

    def context(found, table):
        data = found["data"]
        return {
            "filter": risk_filterset(
                page=page, filter_data=request.GET, choices=data.filter_choices
            ),
            # The chart follows the table: the risks on the page being read, in its order.
            "movement_chart": movement_chart(
                rows=[row.record for row in table.page.object_list],
                bands=bands(data),
                quarter_label=label,
                page_number=table.page.number,
                page_count=table.paginator.num_pages,
            ),
            "cell_query": heatmap_link_query(request.GET, quarter_slug=page.quarter_slug),
        }

    return table_page(
        request,
        page,
        name="risks",
        template="dashboard/risks.html",
        compute=lambda: {
            "data": risks_data(
                page=page,
                filter_data=request.GET,
                register_page=asked.number,
                ordering=asked.ordering,
                per_page=asked.per_page,
            )
        },
        cache_parts={
            "filters": filter_parameters(request.GET, RiskFilter.base_filters),
            "table": asked.cache_key,
        },
        table=lambda found: RegisterTable(
            SqlPageRows(found["data"].register), caption=caption, query_string=page.query_string
        ),
        download=download,
        context=context,
    )


@board_view
def risk_detail(request, page, reference):
    risk = get_object_or_404(board_visible_risks(), reference=reference)

    def compute():
        data = risk_detail_data(page=page, risk=risk)
        chart = review_history_chart(
            reviews=data.reviews,
            bands=data.bands,
            quarter_end=page.quarter.end_date,
            quarter_label=page.quarter.label,
        )
        board_actions = actions_by_link(link="risk", ids=[risk.pk], day=page.as_at)
        return data, chart, board_actions.get(risk.pk, [])

    data, history_chart, board_actions = cached_page_data(
        "risk-detail", page=page, compute=compute, risk=risk.pk
    )
    reviews = ReviewTable(data.reviews, prefix="reviews-", caption="Every review, oldest first")
    actions = ActionTable(data.actions, prefix="actions-")
    config = RequestConfig(request, paginate={"per_page": PER_PAGE})
    config.configure(reviews)
    config.configure(actions)
    return render(
        request,
        "dashboard/risk_detail.html",
        {
            "page": page,
            "data": data,
            # As recorded by the as-at day (risk_as_recorded_by) for a past quarter.
            "risk": data.risk,
            "reviews_table": reviews,
            "actions_table": actions,
            "history_chart": history_chart,
            "board_actions": board_actions,
        },
    )
