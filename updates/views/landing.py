"""Where a login lands: each role on its own work, the overview one click away."""

from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from localities import access


def landing_page(user) -> str:
    """The URL name of the page this user starts on after logging in.

    A lead's work is their localities' returns; the programme office's is the
    returns queue. A superuser counts as the office for access, but lands on
    the overview like a board member: they look after the site, not the returns.
    Anyone else (a board member, or someone with no role, whom the overview
    refuses) goes to the overview.
    """
    if access.is_locality_lead(user):
        return "updates:mine"
    if access.is_programme_office(user) and not user.is_superuser:
        return "updates:returns"
    return "dashboard:home"


@require_GET
def start(request):
    return redirect(landing_page(request.user))
