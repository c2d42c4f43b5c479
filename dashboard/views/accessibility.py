from django.shortcuts import render

from dashboard.views.base import signed_in_view


@signed_in_view
def accessibility_statement(request):
    """For everyone who is logged in, with or without a programme role, whatever data exists.

    Not a dashboard page: no quarter, so it never 404s for want of approved data.
    Anonymous visitors are sent to log in by LoginRequiredMiddleware.
    """
    return render(request, "dashboard/accessibility.html")
