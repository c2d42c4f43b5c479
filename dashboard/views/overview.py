from django.shortcuts import render
from django.utils import timezone

from dashboard.periods import dashboard_page
from dashboard.selectors.overview import programme_overview


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
