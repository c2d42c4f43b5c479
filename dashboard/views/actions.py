from dashboard.caching import filter_parameters
from dashboard.filters.actions import ActionFilter
from dashboard.selectors.actions import action_filterset, action_rows, actions_page
from dashboard.tables.actions import ActionLogTable
from dashboard.views.base import board_view, table_page

ROWS_PER_PAGE = 25


@board_view
def actions(request, page):
    """The board's actions (status as at the quarter) and the decisions of its meetings."""
    caption = f"Actions agreed by the end of {page.quarter.label}, status as at then"
    if page.as_at < page.quarter.end_date:
        caption = f"Actions agreed by today, status as at today ({page.quarter.label} is running)"

    def download(cached):
        data = cached()["data"]
        return ActionLogTable(
            action_rows(page=page, filter_data=request.GET, choices=data.filter_choices),
            caption=caption,
        )

    return table_page(
        request,
        page,
        name="actions",
        template="dashboard/actions.html",
        compute=lambda: {"data": actions_page(page=page, filter_data=request.GET)},
        cache_parts={"filters": filter_parameters(request.GET, ActionFilter.base_filters)},
        table=lambda found: ActionLogTable(
            found["data"].rows, caption=caption, query_string=page.query_string
        ),
        download=download,
        per_page=ROWS_PER_PAGE,
        context=lambda found, table: {
            "filter": action_filterset(
                page=page, filter_data=request.GET, choices=found["data"].filter_choices
            ),
        },
    )
