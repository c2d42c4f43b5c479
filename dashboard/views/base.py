"""What every dashboard view shares: who may see it, and a table page's one sequence.

Every view in dashboard/urls.py carries one of these decorators
(tests/dashboard/test_view_access.py checks), so a new page cannot forget its
access check. Anonymous visitors never reach a view: LoginRequiredMiddleware
sends them to log in first.
"""

import functools
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig, Table

from dashboard.caching import cached_page_data
from dashboard.exports import (
    export_query,
    export_response,
    requested_export_format,
    requested_table,
)
from dashboard.periods import DashboardPage, dashboard_page
from dashboard.tables.base import DashboardTable, SqlPageRows, configure_sql_table
from localities import access

# What a view's `access` attribute says.
BOARD = "board"  # access.can_view_dashboards: any programme role, or a superuser
SIGNED_IN = "signed in"  # anyone logged in, with or without a programme role

# What a download is handed to read the page's cached data, if it needs it.
Cached = Callable[[], dict]


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


class Download(NamedTuple):
    """A table to download, and the name its file takes (with the quarter)."""

    name: str
    table: Table


def table_page(
    request,
    page: DashboardPage,
    *,
    name: str,
    template: str,
    compute: Callable[[], dict],
    cache_parts: dict,
    table: Callable[[dict], DashboardTable] | None = None,
    download: Callable[[Cached], DashboardTable] | None = None,
    tables: Callable[[dict], Mapping[str, Table]] | None = None,
    downloads: Callable[[Cached], Mapping[str, Callable[[], Download]]] | None = None,
    default_table: str | None = None,
    per_page: int | None = None,
    context: Callable[[dict, Any], dict] = lambda found, shown: {},
) -> HttpResponse:
    """A page around its tables: download one, or cache the page's data and render.

    A page with one table passes `table` and `download`; a page with several
    passes `tables` and `downloads`, the same thing by name (one table is the
    one-entry case, named `name`, downloaded whatever `?table=` says).

    - `?_export=csv|xlsx`: `requested_table` picks, by `?table=`, one of
      `downloads(cached)` (or `default_table` for a name the page has not
      got; 404 without one), and calls it for the table to download and its
      file's name. A download is the whole list, usually read afresh and not
      cached (it is rare and has every row): `cached()` gives the page's cached
      data to a download that needs it; most never call it, and then nothing
      is read for the page. With one table, `download(cached)` is the table,
      named `name`.
    - Otherwise: `compute()` is the page's data and charts, as template context,
      cached as `name` with `cache_parts` (dashboard.caching); `tables(found)`
      (or `table(found)`) are its tables; `context(found, shown)` adds what is
      built from them each time (filter forms, figures), given the shown
      tables (or table).

    Every table, shown or downloaded, is configured for the request's sort and
    page: rows read a page at a time (SqlPageRows) for the page that was read,
    rows held in memory paginated `per_page`.

    The template gets `page` and what `compute` found, then `table` and
    `export_query` (one table) or `tables` and `export_queries` by name
    (several), then what `context` adds.
    """
    if (table is None) == (tables is None) or (table is None) != (download is None):
        raise TypeError("table_page takes `table` and `download`, or `tables` and `downloads`")
    one = table is not None
    if one:
        tables = lambda found: {name: table(found)}  # noqa: E731
        downloads = lambda cached: {name: lambda: Download(name, download(cached))}  # noqa: E731
        default_table = name
    elif downloads is None:
        raise TypeError("table_page with `tables` needs `downloads`")

    def cached() -> dict:
        return cached_page_data(name, page=page, compute=compute, **cache_parts)

    if export_format := requested_export_format(request):
        chosen = requested_table(request, downloads(cached), default=default_table)()
        return export_response(
            _configured(request, chosen.table, per_page=per_page),
            export_format=export_format,
            name=chosen.name,
            quarter_label=page.quarter.label,
        )
    found = cached()
    shown = {
        key: _configured(request, each, per_page=per_page) for key, each in tables(found).items()
    }
    if one:
        extra = {"table": shown[name], "export_query": export_query(request)}
        extra.update(context(found, shown[name]))
    else:
        extra = {
            "tables": shown,
            "export_queries": {key: export_query(request, table=key) for key in shown},
        }
        extra.update(context(found, shown))
    return render(request, template, {"page": page, **found, **extra})


def _configured(request, table: Table, *, per_page: int | None) -> Table:
    rows = table.data
    if isinstance(rows, SqlPageRows):
        return configure_sql_table(request, table, rows.sql_page)
    if per_page is None:
        raise TypeError(
            f"{type(table).__name__}: rows held in memory need table_page(per_page=...)"
        )
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    return table
