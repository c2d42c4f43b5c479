import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Also what localcare.errors answers on /healthz when a middleware finds the database down.
UNAVAILABLE_BODY = {"status": "unavailable", "database": "unreachable"}


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
        return JsonResponse(UNAVAILABLE_BODY, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
