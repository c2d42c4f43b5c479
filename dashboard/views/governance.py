from django.shortcuts import render

from dashboard.caching import cached_page_data
from dashboard.selectors.governance import governance_page
from dashboard.views.base import board_view


@board_view
def governance(request, page):
    """The boards in force at the quarter's end, their roles and what they became, with
    their meetings, decisions and actions as at then."""
    data = cached_page_data("governance", page=page, compute=lambda: governance_page(page=page))
    return render(request, "dashboard/governance.html", {"page": page, "data": data})
