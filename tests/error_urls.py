"""The site's URLs plus views and a middleware that fail on purpose, for the error-page tests.

Use with `@pytest.mark.urls("tests.error_urls")`.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.urls import path

from localcare.urls import handler500  # noqa: F401  (Django reads it from the root URLconf)
from localcare.urls import urlpatterns as site_urlpatterns

BUG = "/test-errors/bug/"
DATABASE_GONE = "/test-errors/database-gone/"
# With LoseDatabaseInMiddleware installed, any path under this prefix fails in the middleware.
MIDDLEWARE_DATABASE_GONE = "/test-errors/middleware/"


@login_not_required
def bug(request):
    raise RuntimeError("a bug: secret detail that must not reach the page")


@login_not_required
def database_gone(request):
    # What psycopg raises when the server goes away between two queries.
    raise OperationalError("server closed the connection unexpectedly\n\tThis probably means...")


class LoseDatabaseInMiddleware:
    """Raises the database's error from a middleware, as the session middleware would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(MIDDLEWARE_DATABASE_GONE) or request.path == "/healthz":
            raise OperationalError("connection to server failed: Connection refused")
        return self.get_response(request)


urlpatterns = [
    path(BUG.strip("/") + "/", bug),
    path(DATABASE_GONE.strip("/") + "/", database_gone),
    *site_urlpatterns,
]
