from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboard.periods import dashboard_page
from dashboard.selectors.overview import programme_overview


@require_safe
def overview(request):
    page = dashboard_page(request)
    return render(
        request,
        "dashboard/overview.html",
        {
            "page": page,
            "overview": programme_overview(page=page, today=timezone.localdate()),
        },
    )
