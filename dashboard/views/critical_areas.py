from django.shortcuts import render
from django.views.decorators.http import require_safe

from dashboard.caching import cached_page_data
from dashboard.periods import dashboard_page
from dashboard.selectors.critical_areas import care_model_elements, critical_areas_data


@require_safe
def critical_areas(request):
    page = dashboard_page(request)
    data, care_model = cached_page_data(
        "critical-areas",
        page=page,
        compute=lambda: (critical_areas_data(page=page), care_model_elements()),
    )
    return render(
        request,
        "dashboard/critical_areas.html",
        {"page": page, "data": data, "care_model": care_model},
    )
