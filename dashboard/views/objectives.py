from functools import partial

from dashboard.caching import filter_parameters
from dashboard.charts.objectives import rag_counts_chart
from dashboard.exports import export_query
from dashboard.filters.localities import locality_choice_rows
from dashboard.filters.objectives import ObjectiveLocalityFilter
from dashboard.selectors.objectives import objectives_data, table_prefix
from dashboard.tables.objectives import PER_PAGE, ObjectiveStatusTable
from dashboard.views.base import Download, board_view, table_page
from dashboard.views.figures import cached_headline_figures
from governance.selectors import actions_by_link
from localities.models import Locality

# The parameters that choose a table's order and page: part of the cache key.
TABLE_PARAMETERS = ("sort", "page")


@board_view
def objectives(request, page):
    locality_filter = ObjectiveLocalityFilter(
        request.GET,
        queryset=Locality.objects.in_force_on(page.quarter.end_date),
        localities=locality_choice_rows(day=page.quarter.end_date),
    )

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
        # The board's actions on each objective (by id), as at the page's day.
        board_actions = actions_by_link(
            link="objective", ids=[p.objective.pk for p in data.objectives], day=page.as_at
        )
        return {"data": data, "charts": charts, "board_actions": board_actions}

    def tables(data):
        """One table per objective, named as its section (`objective-1`) and prefix."""
        named = {
            table_prefix(progress.objective).rstrip("-"): progress for progress in data.objectives
        }
        return {
            name: ObjectiveStatusTable(
                progress, quarters=data.year_quarters, page=page, prefix=f"{name}-"
            )
            for name, progress in named.items()
        }

    def sections(found, shown):
        return [
            {
                "name": name,
                "progress": progress,
                "table": shown[name],
                "chart": chart,
                "export_query": export_query(request, table=name),
                "what": f"objective {progress.objective.number} statuses",
            }
            for name, progress, chart in zip(
                shown, found["data"].objectives, found["charts"], strict=True
            )
        ]

    return table_page(
        request,
        page,
        name="objectives",
        template="dashboard/objectives.html",
        compute=compute,
        cache_parts={
            "filters": filter_parameters(request.GET, ObjectiveLocalityFilter.base_filters),
            "tables": tuple(
                sorted(
                    (name, tuple(request.GET.getlist(name)))
                    for name in request.GET
                    if name.startswith("objective-") and name.endswith(TABLE_PARAMETERS)
                )
            ),
        },
        tables=lambda found: tables(found["data"]),
        # Every locality, in the table's order: a download is the whole table.
        downloads=lambda cached: {
            name: partial(Download, name, table)
            for name, table in tables(data_for(per_page=None)).items()
        },
        context=lambda found, shown: {
            "figures": cached_headline_figures(page),
            "sections": sections(found, shown),
            "filter": locality_filter,
        },
    )
