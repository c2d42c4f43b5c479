from django.shortcuts import render

from dashboard.caching import cached_page_data
from dashboard.selectors.critical_areas import care_model_elements, critical_areas_data
from dashboard.views.base import board_view


@board_view
def critical_areas(request, page):
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
