"""CSV and XLSX downloads of any dashboard table.

A table's `value_*` methods say what a download holds: the number the page
shows, rounded as shown (dashboard.tables.base), and words rather than tags.
The response itself (formula neutralising, the CSV byte-order mark, the
filename) is common.exports', shared with the risk register's admin export.
"""

from collections.abc import Mapping
from typing import TypeVar

from django.http import Http404
from django.utils import timezone

from common.exports import EXPORT_FORMATS, download_filename, spreadsheet_response

T = TypeVar("T")

EXPORT_PARAMETER = "_export"
# On a page with several tables, which one a download is of: `?_export=csv&table=mdts`.
TABLE_PARAMETER = "table"


def requested_export_format(request) -> str | None:
    export_format = request.GET.get(EXPORT_PARAMETER)
    return export_format if export_format in EXPORT_FORMATS else None


def export_response(table, *, export_format: str, name: str, quarter_label: str | None = None):
    """The table as a download named after its content and quarter."""
    headers, *rows = table.as_values(exclude_columns=getattr(table, "exclude_from_export", ()))
    return spreadsheet_response(
        export_format=export_format,
        headers=headers,
        rows=rows,
        filename=download_filename(
            name, quarter_label or "", today=timezone.localdate(), export_format=export_format
        ),
    )


def export_query(request, *, table: str | None = None) -> str:
    """The page's query string (quarter, filters, sorting) for a download link of `table`."""
    query = request.GET.copy()
    query.pop(EXPORT_PARAMETER, None)
    query.pop(TABLE_PARAMETER, None)
    if table:
        query[TABLE_PARAMETER] = table
    return query.urlencode()


def requested_table(request, tables: Mapping[str, T], *, default: str | None = None) -> T:
    """The table a download asks for by name; 404 for a name the page does not have.

    With a `default`, a name the page does not have (or none) is that table's
    instead: the page whose download links name no table for one of them.
    """
    table = tables.get(request.GET.get(TABLE_PARAMETER, ""))
    if table is None and default is not None:
        table = tables[default]
    if table is None:
        raise Http404("There is no such table on this page.")
    return table
