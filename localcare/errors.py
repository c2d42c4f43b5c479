"""Error pages that must work when little else does: 500 and 503.

Both are rendered without the request's context (no user, no session, no
context processors), so they need neither the database nor anything that
reads it. A database that cannot be reached is not a bug in the app: the
person gets "Sorry, the service is unavailable" with status 503 and a
Retry-After header, the log gets one line, and the next request tries the
database again (no restart needed).
"""

import contextlib
import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import reverse

from dashboard.views.health import UNAVAILABLE_BODY

logger = logging.getLogger("localcare.database")

# What a database that is down, unreachable, restarting or refusing
# connections raises (connection refused, timeout, server closed the
# connection, too many clients, "database is locked" on SQLite). Integrity and
# programming errors are bugs, and stay 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 30


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_UNAVAILABLE)


def service_unavailable(request, error: BaseException) -> HttpResponse:
    """503 for a database that cannot be reached: JSON for /healthz, the NHS page for people."""
    # One line: psycopg's messages run over several.
    reason = " ".join(f"{type(error).__name__}: {error}".split())
    logger.warning(
        "Database unavailable; answered 503 to %s %s (%s)", request.method, request.path, reason
    )
    _drop_broken_connections()
    if request.path == reverse("healthz"):
        response = JsonResponse(UNAVAILABLE_BODY, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above, once: Django would otherwise add its own error with a traceback.
    response._has_been_logged = True
    return response


def _drop_broken_connections() -> None:
    """Close connections that failed, so that the next request opens a fresh one.

    Django would also do this when the request finishes; doing it here means a
    persistent connection (CONN_MAX_AGE) that the server dropped is never
    reused. A connection inside a transaction (tests) is left to its owner.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block:
            with contextlib.suppress(DATABASE_UNAVAILABLE):
                connection.close()


def server_error(request):
    """handler500: the 503 page if the database was the problem, otherwise the 500 page.

    Django calls this inside its `except` block for any exception that nothing
    else handled: one raised by a middleware before the view (the session and
    the user are loaded there), a template, or a view while DEBUG is off.
    """
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return service_unavailable(request, error)
    return HttpResponseServerError(loader.render_to_string("500.html"))
