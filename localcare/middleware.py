"""Middleware of the project as a whole: pages never stored by browsers or proxies,
the database being down, refused access, and smaller HTML (template indentation
and blank lines are not sent)."""

import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.utils.cache import patch_cache_control

from localcare.database_deadline import request_deadline
from localcare.errors import DATABASE_UNAVAILABLE, service_unavailable

access_logger = logging.getLogger("localcare.access")


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response Django makes (ASVS 8.2.1).

    Pages, downloads, JSON and admin show unpublished programme data: a shared
    computer's browser cache, or a proxy, must not keep a copy on disk. Set
    here, once, so no view can forget; the login and error pages get it too
    (nothing there is worth caching, and a login form holds a CSRF token).
    Goes just after WhiteNoise, which answers for static files itself without
    calling further in: those keep their long, immutable caching. Directives a
    view set are kept (no-store overrides any max-age), except "public".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response


class DatabaseUnavailableMiddleware:
    """Answers 503 "service unavailable" while the database cannot be reached.

    Goes after WhiteNoise (static files need no database) and before the
    session and authentication middleware, which read the database. Django
    turns an exception raised further in into a response before it gets back
    here, so three places share one answer (localcare.errors):
    - here, before anything else: the default connection is opened, or checked
      if it is a kept-alive one (CONN_HEALTH_CHECKS), so every page, even one
      that would not query, says 503 rather than half-working;
    - process_exception: a view whose database goes away mid-request;
    - localcare.errors.server_error (handler500): the same in a middleware or
      template, after Django has turned it into an error response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Every database wait from here on, in this middleware and the ones
        # after it, ends by the deadline (under gunicorn: localcare/wsgi.py).
        with request_deadline(settings.DB_REQUEST_DEADLINE):
            connection = connections["default"]
            try:
                # The check Django would make at the first query anyway (a SELECT 1
                # on a connection kept from an earlier request); no cost when the
                # connection is fresh.
                connection.close_if_health_check_failed()
                connection.ensure_connection()
            except DATABASE_UNAVAILABLE as error:
                return service_unavailable(request, error)
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return service_unavailable(request, exception)
        return None


class RefusedAccessLogMiddleware:
    """Logs every refused access (PermissionDenied from a view) once, here.

    Views and services raise `localities.access.refuse(what, target)`, or any
    PermissionDenied (Django admin does); this records who, what, which object
    and where to the "localcare.access" logger, with the time on the record.
    Django then answers with the 403 page as usual, and its own log record of
    the refusal is dropped (settings.LOGGING), so each refusal is one line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            user = getattr(request, "user", None)
            username = user.get_username() if user and user.is_authenticated else "anonymous"
            what = getattr(exception, "what", None) or str(exception) or "access"
            target = getattr(exception, "target", None)
            access_logger.warning(
                "Refused %s to user %s (id %s) on %s %s%s",
                what,
                username,
                getattr(user, "pk", None),
                request.method,
                request.path,
                f" (object: {target})" if target is not None else "",
                extra={
                    "user": username,
                    "path": request.path,
                    "target": str(target) if target is not None else "",
                },
            )
            # Django's own "Forbidden" record with its traceback is then dropped
            # (localcare.log_filters.ExpectedRefusalFilter): one line a refusal.
            request.refusal_logged = True
        return None


# Elements whose whitespace matters (pre, textarea) or that are not HTML
# (script, style): left exactly as they are.
_KEPT = re.compile(r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
# A line break and the indentation after it (starts with a literal: fast).
_INDENTATION = re.compile(r"\n\s+")


def compact_html(html: str) -> str:
    """Collapse each line break with the whitespace after it to one line break.

    Browsers render such a run exactly as they render a single line break, so
    the page looks the same; the dashboards' templates nest deeply and their
    indentation was 10-20% of each page. About 1 ms for 200 kB.
    """
    parts, position = [], 0
    for kept in _KEPT.finditer(html):
        parts.append(_INDENTATION.sub("\n", html[position : kept.start()]))
        parts.append(kept.group(0))
        position = kept.end()
    parts.append(_INDENTATION.sub("\n", html[position:]))
    return "".join(parts)


class CompactHtmlMiddleware:
    """Applies compact_html to every complete HTML response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        charset = response.charset or "utf-8"
        response.content = compact_html(response.content.decode(charset)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
