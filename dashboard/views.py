import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dashboard import selectors
from localities import access

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the app and its database answer, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: database unreachable", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    if not access.can_view_dashboards(request.user):
        raise PermissionDenied("Your account has no role in the Local Care programme yet.")
    summary = selectors.landing_summary()
    led_locality_ids = set(request.user.led_localities.values_list("id", flat=True))
    return render(
        request,
        "dashboard/home.html",
        {
            "summary": summary,
            "led_localities": [
                locality for locality in summary.localities if locality.id in led_locality_ids
            ],
        },
    )
