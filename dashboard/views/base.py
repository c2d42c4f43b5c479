"""What every dashboard view shares: who may see it, and a table page's one sequence.

Every view in dashboard/urls.py carries one of these decorators
(tests/dashboard/test_view_access.py checks), so a new page cannot forget its
access check. Anonymous visitors never reach a view: LoginRequiredMiddleware
sends them to log in first.
"""

import functools
from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dashboard.caching import cached_page_data
from dashboard.exports import export_query, export_response, requested_export_format
from dashboard.periods import DashboardPage, dashboard_page
from dashboard.tables.base import DashboardTable, SqlPageRows, configure_sql_table
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


def table_page(
    request,
    page: DashboardPage,
    *,
    name: str,
    template: str,
    compute: Callable[[], dict],
    table: Callable[[dict], DashboardTable],
    download: Callable[[Callable[[], dict]], DashboardTable],
    cache_parts: dict,
    context: Callable[[dict, DashboardTable], dict] = lambda found, table: {},
) -> HttpResponse:
    """A page around one table read a page at a time (SqlPageRows): download, or cache and render.

    - `?_export=csv|xlsx`: `download(cached)` is the table to download, named
      `name` and the quarter: the whole list, read afresh and not cached (a
      download is rare and has every row). `cached()` gives the page's cached
      data for a download that needs it (the risk register's filter choices);
      most never call it, and then nothing is read for the page.
    - Otherwise: `compute()` is the page's data and charts, as template context,
      cached as `name` with `cache_parts` (dashboard.caching); `table(found)`
      is its table, configured for the request's sort and page; `context(found,
      table)` adds what is built from them each time (filter forms, figures).

    The template gets `page`, what `compute` found, `table` and `export_query`.
    """

    def cached() -> dict:
        return cached_page_data(name, page=page, compute=compute, **cache_parts)

    if export_format := requested_export_format(request):
        return export_response(
            _configured(request, download(cached)),
            export_format=export_format,
            name=name,
            quarter_label=page.quarter.label,
        )
    found = cached()
    shown = _configured(request, table(found))
    return render(
        request,
        template,
        {
            "page": page,
            **found,
            "table": shown,
            "export_query": export_query(request),
            **context(found, shown),
        },
    )


def _configured(request, table: DashboardTable) -> DashboardTable:
    rows = table.data
    if not isinstance(rows, SqlPageRows):
        raise TypeError(f"{type(table).__name__}: table_page shows rows read a page at a time")
    return configure_sql_table(request, table, rows.sql_page)
