from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboard.caching import cached_page_data
from dashboard.pagination import paged
from dashboard.periods import dashboard_page
from dashboard.selectors.overview import programme_overview

# With many localities (a region, all of England) the matrix and the list of
# changes come a page at a time, keeping the page within its 150 kB HTML budget.
MATRIX_ROWS_PER_PAGE = 25
CHANGES_PER_PAGE = 50


@require_safe
def overview(request):
    page = dashboard_page(request)
    today = timezone.localdate()  # "returns overdue" depends on the day
    data = cached_page_data(
        "overview",
        page=page,
        compute=lambda: programme_overview(page=page, today=today),
        today=today,
    )
    return render(
        request,
        "dashboard/overview.html",
        {
            "page": page,
            "overview": data,
            "matrix": paged(
                request,
                data.matrix,
                per_page=MATRIX_ROWS_PER_PAGE,
                parameter="matrix-page",
                label="the RAG matrix",
                anchor="rag-matrix",
            ),
            "changes": paged(
                request,
                data.changes,
                per_page=CHANGES_PER_PAGE,
                parameter="changes-page",
                label="the changes",
                anchor="changes",
            ),
        },
    )
