"""Who may see a dashboard page, said where the view is read.

Every view in dashboard/urls.py carries one of these decorators
(tests/dashboard/test_view_access.py checks), so a new page cannot forget its
access check. Anonymous visitors never reach a view: LoginRequiredMiddleware
sends them to log in first.
"""

import functools

from django.views.decorators.http import require_safe

from dashboard.periods import dashboard_page
from localities import access

# What a view's `access` attribute says.
BOARD = "board"  # access.can_view_dashboards: any programme role, or a superuser
SIGNED_IN = "signed in"  # anyone logged in, with or without a programme role


def require_dashboard_access(user) -> None:
    """Refuse (403, logged by localcare.middleware) a user with no programme role."""
    if not access.can_view_dashboards(user):
        raise access.refuse(
            "the dashboards (no programme role)",
            message="Your account has no role in the Local Care programme yet.",
        )


def board_view(view):
    """A dashboard page, read-only: for board members, leads and the programme office.

    Checks access first, then resolves the page's quarter and the updates the
    viewer may see, and calls `view(request, page, *args, **kwargs)`.
    """

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        require_dashboard_access(request.user)
        return view(request, dashboard_page(request), *args, **kwargs)

    # GET and HEAD only, checked before access as it always was (405 before 403).
    wrapped = require_safe(checked)
    wrapped.access = BOARD
    return wrapped


def signed_in_view(view):
    """A read-only page for anyone logged in, programme role or not (no quarter).

    LoginRequiredMiddleware does the checking; this says so on the view.
    """
    wrapped = require_safe(view)
    wrapped.access = SIGNED_IN
    return wrapped
