from common.pagination import whole_list
from dashboard.caching import filter_parameters
from dashboard.charts.milestones import milestone_timeline
from dashboard.filters.milestones import MilestoneFilter
from dashboard.selectors.milestones import milestone_filterset, milestone_rows, milestones_page
from dashboard.tables.base import SqlPageRows
from dashboard.tables.milestones import MilestoneTable
from dashboard.views.base import board_view, table_page
from governance.selectors import actions_by_link

ROWS_PER_PAGE = 25


@board_view
def milestones(request, page):
    caption = f"Milestones, status as at {page.quarter.label}"
    asked = MilestoneTable.page_request(request, per_page=ROWS_PER_PAGE)

    def compute():
        data = milestones_page(
            page=page,
            filter_data=request.GET,
            ordering=asked.ordering,
            number=asked.number,
            per_page=asked.per_page,
        )
        # The chart follows the table: the rows on the page being read, in its order.
        chart = milestone_timeline(
            rows=data.rows.rows,
            quarter_end=page.quarter.end_date,
            quarter_label=page.quarter.label,
            page_number=data.rows.number,
            page_count=data.rows.page_count,
        )
        # The board's actions on any milestone, as at the page's day: a short log under the register.
        on_milestones = actions_by_link(link="milestone", day=page.as_at)
        board_actions = [row for rows in on_milestones.values() for row in rows]
        return {"data": data, "chart": chart, "board_actions": board_actions}

    return table_page(
        request,
        page,
        name="milestones",
        template="dashboard/milestones.html",
        compute=compute,
        cache_parts={
            "filters": filter_parameters(request.GET, MilestoneFilter.base_filters),
            "table": asked.cache_key,
        },
        table=lambda found: MilestoneTable(SqlPageRows(found["data"].rows), caption=caption),
        # Every matching milestone, in the page's order: the download is the whole register.
        download=lambda cached: MilestoneTable(
            SqlPageRows(
                whole_list(
                    milestone_rows(page=page, filter_data=request.GET, ordering=asked.ordering)
                )
            ),
            caption=caption,
        ),
        context=lambda found, table: {
            "filter": milestone_filterset(
                page=page, filter_data=request.GET, choices=found["data"].filter_choices
            ),
        },
    )
