"""Spreadsheet downloads, CSV and XLSX, for any app: the one place their safety is decided.

The dashboard's tables (dashboard.exports) and the risk register's admin
export (risks.exports) both build their responses here. It is plain Python and
Django with no app's models, so that the risks app need not import the
dashboard to share it (apps import downwards only; see docs/security.md).

- A spreadsheet opens a cell that starts with = + - @ (or a tab or carriage
  return) as a formula, so free text such as a narrative could run code on a
  board member's machine. Every text cell, headers included, is neutralised
  with a leading apostrophe before it is written (OWASP "CSV injection").
- Excel on Windows reads a CSV without a byte-order mark in the local code
  page, so "→ ↓ –" arrive garbled; every CSV starts with the UTF-8 BOM, once.
  An XLSX file declares its own encoding and has none.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CSV = "csv"
XLSX = "xlsx"
EXPORT_FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BYTE_ORDER_MARK = "\ufeff"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Wide enough to read a title; a long narrative wraps in the cell instead.
_WIDEST_COLUMN = 100


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def download_filename(*parts: str, today: datetime.date, export_format: str) -> str:
    """localcare-<parts>-<date>.<format>, in lower-case letters, digits and hyphens only.

    Parts are page names, slugs and quarter labels ("2018/19 Q4" gives
    "2018-19-q4"); nothing else reaches the Content-Disposition header.
    """
    words = [re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts]
    return "-".join(["localcare", *filter(None, words), today.isoformat()]) + f".{export_format}"


def spreadsheet_response(
    *,
    export_format: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    filename: str,
    sheet_title: str = "Export Data",
    freeze_panes: str = "A2",
    date_format: str | None = None,
) -> HttpResponse:
    """A download of `rows` under `headers`, every text cell neutralised.

    For XLSX, `freeze_panes` is the first cell that scrolls and `date_format`
    (e.g. "dd/mm/yyyy") the number format of date cells; openpyxl's own
    (yyyy-mm-dd) otherwise.
    """
    safe_headers = [neutralise_formula(value) for value in headers]
    safe_rows = [[neutralise_formula(value) for value in row] for row in rows]
    if export_format == CSV:
        content = _csv_content(safe_headers, safe_rows)
    elif export_format == XLSX:
        content = _xlsx_content(
            safe_headers,
            safe_rows,
            sheet_title=sheet_title,
            freeze_panes=freeze_panes,
            date_format=date_format,
        )
    else:
        raise ValueError(f"Unknown export format {export_format!r}.")
    response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_content(*, headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A CSV file's bytes, as every download here makes them: each text cell neutralised,
    the UTF-8 byte-order mark once (also the data API's `?format=csv`)."""
    return _csv_content(
        [neutralise_formula(value) for value in headers],
        [[neutralise_formula(value) for value in row] for row in rows],
    )


def _csv_content(headers: list, rows: list[list]) -> bytes:
    text = io.StringIO()
    text.write(BYTE_ORDER_MARK)
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)  # None is written as an empty cell
    return text.getvalue().encode("utf-8")


def _xlsx_content(
    headers: list,
    rows: list[list],
    *,
    sheet_title: str,
    freeze_panes: str,
    date_format: str | None,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(headers)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    wrap = Alignment(wrap_text=True)
    widths = {index: len(str(value)) for index, value in enumerate(headers, start=1)}
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=index, value=value)
            if isinstance(value, str) and "\n" in value:
                cell.alignment = wrap
            if date_format and isinstance(value, datetime.date):
                cell.number_format = date_format
            if value is not None:
                widths[index] = max(widths.get(index, 0), len(str(value)))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(width, _WIDEST_COLUMN)
    sheet.freeze_panes = freeze_panes
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
