"""The monthly warehouse extract: read a CSV or XLSX file and check every row.

One row a locality, measure and month: columns `locality` (its slug or exact
name), `measure` (its code), `month` (2018-04, or a date in the month) and
`value` (a whole number, 0 or more). Decision 0019: the extract is the one
record of outcome activity, loaded by the programme office.

All or nothing: `read_extract` returns every problem it finds, each by sheet,
row and column, and the caller saves nothing unless there are none. The file
is read in memory only, with the quarterly-update spreadsheet's own limits
(updates.spreadsheet: size, zip bomb, no macros, no DTD) and a row limit of
its own. A CSV's one sheet is called after its file.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django import forms
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from common.exports import CONTENT_TYPES, CSV, XLSX, neutralise_formula
from localities.models import BASELINE_FIRST_MONTH, Locality, OutcomeMeasure
from localities.outcome_months import month_of, next_month
from updates import spreadsheet
from updates.spreadsheet import Problem, Rejected

COLUMNS = ("locality", "measure", "month", "value")
SHEET = "Activity"
# A month for Kent and Medway is 8 localities × 4 measures = 32 rows; three years
# restated at once is 1,152. Far more is not an extract of this programme.
MAX_ROWS = 10_000
SOURCE_MAX_LENGTH = 300

NOT_AN_EXTRACT = (
    "The file is neither a CSV file (.csv) nor an Excel workbook (.xlsx). Download the "
    "template from this page, fill it in and upload it as .csv or .xlsx."
)
NOT_UTF8 = (
    "The CSV file is not in UTF-8, so its names cannot be read reliably. In Excel, save "
    "it as “CSV UTF-8 (Comma delimited)” and upload that."
)

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class ExtractRow:
    """One checked row: ids, the first day of the month, and the value."""

    locality_id: int
    measure_id: int
    month: datetime.date
    value: int


@dataclass
class ExtractReading:
    sheet: str
    rows: list[ExtractRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class ExtractForm(forms.Form):
    extract = forms.FileField(
        label="Upload the extract",
        help_text="A .csv or .xlsx file with the columns locality, measure, month and value.",
        error_messages={
            "required": "Choose the extract to upload.",
            "empty": "The file you chose is empty: choose the extract.",
            "invalid": "Choose the extract to upload.",
            "missing": "Choose the extract to upload.",
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": f".csv,.xlsx,text/csv,{CONTENT_TYPES[XLSX]}",
                "class": "nhsuk-file-upload__input",
            }
        ),
    )
    source = forms.CharField(
        label="Where the figures come from",
        help_text="For example “SUS+ via the Kent and Medway data warehouse, run of 12 May 2019”.",
        max_length=SOURCE_MAX_LENGTH,
        error_messages={
            "required": "Say where the figures come from.",
            "max_length": f"Keep the source to {SOURCE_MAX_LENGTH} characters or fewer.",
        },
    )


# --- The template -------------------------------------------------------------


def template_rows(*, today: datetime.date) -> list[list]:
    """A filled example for last month: every locality in force at its end (decision 0023)
    and every measure, value left blank."""
    last_day = month_of(today) - datetime.timedelta(days=1)
    return [
        [locality.slug, measure.code, f"{last_day:%Y-%m}", None]
        for locality in Locality.objects.in_force_on(last_day).order_by("name")
        for measure in OutcomeMeasure.objects.order_by("pk")
    ]


def template_file(export_format: str, *, today: datetime.date) -> bytes:
    rows = template_rows(today=today)
    if export_format == CSV:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return text.getvalue().encode("utf-8")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise_formula(value) for value in row])
    sheet.freeze_panes = "A2"
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


# --- Reading ------------------------------------------------------------------


def read_extract(content: bytes, *, file_name: str, today: datetime.date) -> ExtractReading:
    """Every row of the file checked; `Rejected` if the file as a whole cannot be read."""
    if not content:
        raise Rejected("The file you chose is empty: choose the extract.")
    if file_name.lower().endswith(".xlsx") or content[:2] == b"PK":
        sheet, header, rows = _xlsx_rows(content)
    elif file_name.lower().endswith(".csv"):
        sheet, header, rows = _csv_rows(content, file_name=file_name)
    else:
        raise Rejected(NOT_AN_EXTRACT)
    return _check(sheet, header, rows, today=today)


def _csv_rows(content: bytes, *, file_name: str):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Rejected(NOT_UTF8) from None
    if "\0" in text:
        raise Rejected(NOT_AN_EXTRACT)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = []
        for values in reader:
            lines.append(values)
            if len(lines) > MAX_ROWS + 1:
                break
    except csv.Error:
        raise Rejected(NOT_AN_EXTRACT) from None
    sheet = file_name.rsplit("/", 1)[-1][:60] or "CSV"
    header = lines[0] if lines else []
    return sheet, header, list(enumerate(lines[1:], start=2))


def _xlsx_rows(content: bytes):
    spreadsheet._check_package(content)
    try:
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception:
        raise Rejected(NOT_AN_EXTRACT) from None
    try:
        title = SHEET if SHEET in workbook.sheetnames else workbook.sheetnames[0]
        worksheet = workbook[title]
        worksheet.reset_dimensions()
        header, rows = [], []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number == 1:
                header = list(values)
            else:
                rows.append((number, list(values)))
                if len(rows) > MAX_ROWS:
                    break
    finally:
        workbook.close()
    return title, header, rows


def _in_force_words(locality: Locality) -> str:
    """For example "was in force until 31 December 2018"."""
    start, end = locality.in_force_from, locality.in_force_until
    if start and end:
        return f"was in force from {start:%-d %B %Y} to {end:%-d %B %Y}"
    if end:
        return f"was in force until {end:%-d %B %Y}"
    return f"is in force from {start:%-d %B %Y}"


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _month(value) -> datetime.date | None:
    """The first day of the month `value` names, or None."""
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        if match := _MONTH.match(text):
            return datetime.date(int(match[1]), int(match[2]), 1)
        if match := _ISO_DAY.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3])).replace(day=1)
        if match := _UK_DAY.match(text):
            return datetime.date(int(match[3]), int(match[2]), int(match[1])).replace(day=1)
    except ValueError:
        return None
    return None


def _value(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(",", "")
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _check(sheet: str, header, rows, *, today: datetime.date) -> ExtractReading:
    reading = ExtractReading(sheet=sheet)
    problem = reading.problems.append
    names = [str(value).strip().lower() if value is not None else "" for value in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        problem(
            Problem(
                sheet,
                1,
                ", ".join(missing),
                "The first row must name the columns locality, measure, month and value; "
                f"missing: {', '.join(missing)}.",
            )
        )
        return reading
    if len(rows) > MAX_ROWS:
        problem(
            Problem(
                sheet,
                rows[MAX_ROWS][0],
                "",
                f"An extract holds at most {MAX_ROWS:,} rows: split the file by month.",
            )
        )
        return reading
    at = {column: names.index(column) for column in COLUMNS}
    localities, dated = {}, {}
    for locality in Locality.objects.only("pk", "slug", "name", "in_force_from", "in_force_until"):
        localities[locality.slug.lower()] = locality.pk
        localities[locality.name] = locality.pk
        dated[locality.pk] = locality
    measures = {code.lower(): pk for pk, code in OutcomeMeasure.objects.values_list("pk", "code")}
    this_month = month_of(today)
    seen: dict[tuple, int] = {}

    for number, values in rows:
        cells = {column: values[i] if i < len(values) else None for column, i in at.items()}
        if all(_blank(value) for value in values):
            continue

        def wrong(column: str, message: str, *, number=number) -> None:
            problem(Problem(sheet, number, column, message))

        locality_id = measure_id = month = value = None
        if _blank(cells["locality"]):
            wrong("locality", "Give the locality (its short name, such as “thanet”).")
        else:
            text = str(cells["locality"]).strip()
            locality_id = localities.get(text.lower()) or localities.get(text)
            if locality_id is None:
                wrong("locality", f"{_show(text)} is not a locality of the programme.")
        if _blank(cells["measure"]):
            wrong("measure", "Give the measure’s code, such as “ae-attendances”.")
        else:
            text = str(cells["measure"]).strip()
            measure_id = measures.get(text.lower())
            if measure_id is None:
                wrong(
                    "measure",
                    f"{_show(text)} is not an outcome measure: use one of "
                    f"{', '.join(sorted(measures))}.",
                )
        if _blank(cells["month"]):
            wrong("month", "Give the month, such as 2018-04.")
        else:
            month = _month(cells["month"])
            if month is None:
                wrong("month", f"{_show(cells['month'])} is not a month: write it as 2018-04.")
            elif month < BASELINE_FIRST_MONTH:
                wrong(
                    "month",
                    f"{month:%B %Y} is before the series starts ({BASELINE_FIRST_MONTH:%B %Y}).",
                )
                month = None
            elif month >= this_month:
                wrong("month", f"{month:%B %Y} has not ended yet: load a month once it is over.")
                month = None
        if _blank(cells["value"]):
            wrong("value", "Give the month’s activity as a whole number (0 if there was none).")
        else:
            value = _value(cells["value"])
            if value is None:
                wrong("value", f"{_show(cells['value'])} is not a whole number.")
            elif value < 0:
                wrong("value", f"{value} is negative: activity is 0 or more.")
                value = None
            elif value > 2_147_483_647:
                wrong("value", f"{value} is far larger than any month’s activity.")
                value = None
        if locality_id is not None and month is not None:
            locality = dated[locality_id]
            last_day = next_month(month) - datetime.timedelta(days=1)
            # A month's figures belong to an area in force in it: one that ended before
            # it (or began after it) would count twice, or under the wrong area.
            if not locality.is_in_force_during(month, last_day):
                wrong(
                    "locality",
                    f"{locality.name} {_in_force_words(locality)}, not in {month:%B %Y}.",
                )
                locality_id = None
        if None in (locality_id, measure_id, month, value):
            continue
        key = (locality_id, measure_id, month)
        if key in seen:
            wrong(
                "month",
                f"Row {seen[key]} already gives this locality’s {month:%B %Y} for this "
                "measure: one row for each locality, measure and month.",
            )
            continue
        seen[key] = number
        reading.rows.append(ExtractRow(locality_id, measure_id, month, value))
    if not reading.rows and not reading.problems:
        problem(Problem(sheet, None, "", "The file has no rows of figures under its header."))
    return reading
