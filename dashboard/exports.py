"""CSV and XLSX downloads of any dashboard table.

A spreadsheet opens a cell that starts with = + - @ (or a tab or carriage
return) as a formula, so free text such as a narrative could run code on a
board member's machine. Every text cell is neutralised with a leading
apostrophe before it is written (OWASP "CSV injection").
"""

from collections.abc import Mapping

from django.http import Http404
from django.utils import timezone
from django_tables2 import Table
from django_tables2.export import TableExport

EXPORT_PARAMETER = "_export"
# On a page with several tables, which one a download is of: `?_export=csv&table=mdts`.
TABLE_PARAMETER = "table"
EXPORT_FORMATS = ("csv", "xlsx")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeTableExport(TableExport):
    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        safe_rows = [[neutralise_formula(value) for value in row] for row in dataset]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in safe_rows:
            dataset.append(row)
        return dataset


def requested_export_format(request) -> str | None:
    export_format = request.GET.get(EXPORT_PARAMETER)
    return export_format if export_format in EXPORT_FORMATS else None


def export_response(table, *, export_format: str, name: str, quarter_label: str | None = None):
    """The table as a download named after its content and quarter."""
    parts = ["localcare", name]
    if quarter_label:
        parts.append(quarter_label.replace("/", "-").replace(" ", "-"))
    parts.append(timezone.localdate().isoformat())
    exporter = SafeTableExport(
        export_format, table, exclude_columns=getattr(table, "exclude_from_export", ())
    )
    return exporter.response(filename=f"{'-'.join(parts).lower()}.{export_format}")


def export_query(request, *, table: str | None = None) -> str:
    """The page's query string (quarter, filters, sorting) for a download link of `table`."""
    query = request.GET.copy()
    query.pop(EXPORT_PARAMETER, None)
    query.pop(TABLE_PARAMETER, None)
    if table:
        query[TABLE_PARAMETER] = table
    return query.urlencode()


def requested_table(request, tables: Mapping[str, Table]) -> Table:
    """The table a download asks for by name; 404 for a name the page does not have."""
    table = tables.get(request.GET.get(TABLE_PARAMETER, ""))
    if table is None:
        raise Http404("There is no such table on this page.")
    return table
