from django.shortcuts import render

from dashboard.caching import cached_page_data
from dashboard.selectors.critical_areas import care_model_elements, critical_areas_data
from dashboard.views.base import board_view
from governance.selectors import actions_by_link


@board_view
def critical_areas(request, page):
    data, care_model, board_actions = cached_page_data(
        "critical-areas",
        page=page,
        compute=lambda: (
            critical_areas_data(page=page),
            care_model_elements(),
            # The board's actions on each area (by id), as at the page's day.
            actions_by_link(link="critical_area", day=page.as_at),
        ),
    )
    return render(
        request,
        "dashboard/critical_areas.html",
        {"page": page, "data": data, "care_model": care_model, "board_actions": board_actions},
    )
