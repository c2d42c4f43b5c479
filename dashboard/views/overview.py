from django.shortcuts import render

from common.pagination import paged_in_sql
from dashboard.caching import cached_page_data
from dashboard.selectors.areas import structure_words
from dashboard.selectors.exceptions import programme_exceptions
from dashboard.selectors.overview import (
    approved_board_report,
    programme_overview,
    rag_matrix,
    what_changed,
)
from dashboard.views.base import board_view

# With many localities (a region, all of England) the matrix comes a page at a
# time, read from the database a page at a time and cached per page, keeping the
# page within its 150 kB HTML budget and its cold time flat as localities grow.
MATRIX_ROWS_PER_PAGE = 25


@board_view
def overview(request, page):
    data = cached_page_data(
        "overview",
        page=page,
        compute=lambda: programme_overview(page=page),
        # Overdue returns are judged today even for a past quarter (see _overdue_returns).
        today=page.today,
    )
    # Overdue returns are judged today here too; overdue actions as at the page's day.
    exceptions = cached_page_data(
        "overview-exceptions",
        page=page,
        compute=lambda: programme_exceptions(page=page),
        today=page.today,
    )
    changes = cached_page_data(
        "overview-changes",
        page=page,
        compute=lambda: what_changed(page=page, objectives=data.objectives),
    )
    board = request.GET.get("board", "")[:20]
    board_report = cached_page_data(
        "overview-board-report",
        page=page,
        compute=lambda: approved_board_report(page=page, board=board or None),
        board=board,
    )

    def matrix_rows(offset: int, limit: int) -> list:
        return cached_page_data(
            "overview-matrix",
            page=page,
            compute=lambda: rag_matrix(
                page=page, objectives=data.objectives, offset=offset, limit=limit
            ),
            offset=offset,
            limit=limit,
        )

    return render(
        request,
        "dashboard/overview.html",
        {
            "page": page,
            "overview": data,
            "structure_words": structure_words(page.structure),
            "exceptions": exceptions,
            "change_groups": changes,
            "board_report": board_report,
            "matrix": paged_in_sql(
                request,
                total=data.headline.localities_total,
                fetch=matrix_rows,
                per_page=MATRIX_ROWS_PER_PAGE,
                parameter="matrix-page",
                label="the RAG matrix",
                anchor="rag-matrix",
            ),
        },
    )
