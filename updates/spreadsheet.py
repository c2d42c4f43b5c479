"""A quarterly update as an XLSX workbook, and back again.

Leads used to fill spreadsheets and e-mail them; they still may. The
download is built from the section forms themselves
(updates.forms.build_section), so each sheet shows exactly what the page
shows. The upload turns each row back into the POST those forms expect and
validates it with the very same forms, so a rule and its message live once.

Rows are matched by their key column (objective number, milestone id, MDT
id, measure code, element number) against the server's own rows for the
locality; nothing else in the file decides what a row is about. The About
sheet says which locality, quarter and version the file was made from, and
the upload is refused unless they match the page it is uploaded to.

openpyxl never runs macros and does not evaluate formulas: a formula cell
gives the value Excel last cached, a formula with no cached value (a file
written by a script, not saved by Excel) is a problem at its cell rather
than a blank, and a macro-enabled (.xlsm) workbook is refused before it is
opened. No part may declare a DTD (XML entities: XXE, "billion laughs"): the
package check refuses one in whatever encoding, and openpyxl parses through
defusedxml besides.
"""

import datetime
import io
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from defusedxml import DefusedXmlException
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import Truncator
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from localities.models import MDT, Milestone, Rag
from updates import services
from updates.forms import SectionContext, build_section
from updates.models import MaturityScore, QuarterlyUpdate

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A 2 MB zip could inflate to gigabytes ("zip bomb"): refuse before openpyxl inflates it.
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
# Rows read per sheet, besides the header; more is not an update.
MAX_ROWS = 2000
# Empty rows offered on the New risks sheet, with the category drop-down.
BLANK_RISK_ROWS = 20

_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

logger = logging.getLogger(__name__)

NOT_A_SPREADSHEET = (
    "The file is not an Excel spreadsheet (.xlsx). Download the spreadsheet from this "
    "page, fill it in, and upload it as an .xlsx file."
)
XML_DECLARATIONS_REFUSED = (
    "The spreadsheet contains XML declarations (a DOCTYPE or entities) that no Excel "
    "workbook has, so it was not read. Download the spreadsheet from this page, fill it in "
    "in Excel and upload that."
)
NOT_OUR_SPREADSHEET = (
    "This is not a quarterly update spreadsheet from this service: its About sheet is "
    "missing or changed. Download the spreadsheet from this page and fill that in."
)


def max_upload_bytes() -> int:
    return getattr(settings, "UPDATE_UPLOAD_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def too_large_message() -> str:
    return (
        f"The file is larger than {filesizeformat(max_upload_bytes())}, so it was not read. Upload the spreadsheet "
        "downloaded from this page: it is much smaller than that."
    )


def file_name(update: QuarterlyUpdate) -> str:
    return f"localcare-update-{update.locality.slug}-{update.quarter.slug}.xlsx"


class Rejected(Exception):
    """The file as a whole cannot be used. `message` says why in plain words."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an uploaded spreadsheet, and where."""

    sheet: str
    row: int | None
    column: str
    message: str


class UploadForm(forms.Form):
    spreadsheet = forms.FileField(
        label="Upload the filled-in spreadsheet",
        help_text="The .xlsx file you downloaded from this page.",
        error_messages={
            "required": "Choose the spreadsheet to upload.",
            "empty": "The file you chose is empty: choose the filled-in spreadsheet.",
            "invalid": "Choose the spreadsheet to upload.",
            "missing": "Choose the spreadsheet to upload.",
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,{CONTENT_TYPE}", "class": "nhsuk-file-upload__input"}
        ),
    )


def check_editable(update: QuarterlyUpdate) -> None:
    """Refuse an upload to an update the lead can no longer change."""
    if update.pk is not None and update.status not in services.EDITABLE_STATUSES:
        raise Rejected(locked_message(update))


def locked_message(update: QuarterlyUpdate) -> str:
    return (
        f"The {update.locality} {update.quarter} update is "
        f"{update.get_status_display().lower()}, so it is locked: nothing can be uploaded "
        "to it. If it needs correcting, ask the programme office to return or reopen it."
    )


# --- Columns and sheets ---------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """A drop-down: the labels shown in the sheet and the form values they stand for."""

    name: str
    pairs: tuple[tuple[object, object], ...]  # (form value, label shown in the sheet)

    def label(self, value):
        for choice, label in self.pairs:
            if str(choice) == str(value):
                return label
        return None if value in (None, "") else str(value)

    def value(self, text) -> tuple[bool, object]:
        """(found, form value) for a cell's text, matching labels without regard to case.

        Only labels: a category's id typed in the sheet must not pick that category.
        """
        wanted = str(text).strip().casefold()
        for choice, label in self.pairs:
            if wanted == str(label).casefold():
                return True, choice
        return False, None

    @property
    def labels(self) -> list:
        return [label for _, label in self.pairs]


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None = None  # the row form's field; None for the key or a reference column
    kind: str = "text"  # text, long_text, date, integer, pounds, decimal, choice
    width: int = 18
    choices: str | None = None  # name of a Choices list
    note: str = ""

    @property
    def is_input(self) -> bool:
        return self.field is not None


@dataclass(frozen=True)
class Sheet:
    """One section of the update as a sheet: its columns and how its rows are keyed."""

    title: str
    section: str
    columns: tuple[Column, ...]
    key: Column | None = None  # None: money and summary (one row), risks (any number)
    key_of_form: Callable | None = None  # a row form → the key written in the key column
    prefixes: Callable | None = None  # context → {key: form prefix} for this locality's rows
    kind_of_thing: str = ""  # "objective", for messages

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return ((self.key,) if self.key else ()) + self.columns


SHEETS = (
    Sheet(
        title="Objectives",
        section="objectives",
        key=Column("Objective", kind="integer", width=11, note="Do not change."),
        columns=(
            Column("Title", width=45),
            Column("Suggested RAG", width=40, note="What this update's figures suggest."),
            Column("RAG status", "rag", kind="choice", choices="rag", width=14),
            Column("Progress this quarter", "narrative", kind="long_text", width=60),
            Column("Percent complete (optional)", "percent_complete", kind="integer", width=14),
            Column(
                "Why a different RAG from the suggested one?",
                "rag_reason",
                kind="long_text",
                width=45,
                note="Needed only when your RAG differs from the suggestion. The board sees it.",
            ),
        ),
        key_of_form=lambda form: form.subject.number,
        prefixes=lambda context: {o.number: f"objective-{o.number}" for o in context.objectives},
        kind_of_thing="objective",
    ),
    Sheet(
        title="Milestones",
        section="milestones",
        key=Column("Milestone ID", kind="integer", width=13, note="Do not change."),
        columns=(
            Column("Milestone", width=45),
            Column("Planned", width=22),
            Column(
                "Previous forecast or plan",
                kind="date",
                width=14,
                note="A forecast later than this needs a reason.",
            ),
            Column("Status", "status", kind="choice", choices="milestone_status", width=16),
            Column("Forecast date", "forecast_date", kind="date", width=14),
            Column(
                "Actual date",
                "actual_date",
                kind="date",
                width=14,
                note="Only for a complete milestone.",
            ),
            Column(
                "Why has the forecast moved later?",
                "forecast_change_reason",
                kind="long_text",
                width=45,
                note="Needed only when the forecast is later than last reported.",
            ),
        ),
        key_of_form=lambda form: form.subject.pk,
        prefixes=lambda context: {m.pk: f"milestone-{m.pk}" for m in context.milestones},
        kind_of_thing="milestone",
    ),
    Sheet(
        title="MDTs",
        section="mdts",
        key=Column("MDT ID", kind="integer", width=10, note="Do not change."),
        columns=(
            Column("MDT", width=30),
            Column("Tier", width=14),
            Column("Status", "status", kind="choice", choices="mdt_status", width=16),
            Column("Go-live date", "actual_go_live", kind="date", width=14),
            Column("Population covered", "population_covered", kind="integer", width=14),
        ),
        key_of_form=lambda form: form.subject.pk,
        prefixes=lambda context: {m.pk: f"mdt-{m.pk}" for m in context.mdts},
        kind_of_thing="MDT",
    ),
    Sheet(
        title="Money",
        section="money",
        columns=(
            Column("Planned spend this quarter (£)", "spend_planned", kind="pounds", width=22),
            Column("Actual spend this quarter (£)", "spend_actual", kind="pounds", width=22),
        ),
    ),
    Sheet(
        title="Maturity",
        section="maturity",
        key=Column("Element", kind="integer", width=10, note="Do not change."),
        columns=(
            Column("Care-model element", width=60),
            Column("Score (1 to 5)", "score", kind="choice", choices="score", width=14),
        ),
        key_of_form=lambda form: form.subject.number,
        prefixes=lambda context: {e.number: f"element-{e.number}" for e in context.elements},
        kind_of_thing="care-model element",
    ),
    Sheet(
        title="New risks",
        section="risks",
        columns=(
            Column("Risk or issue", "title", width=45),
            Column("Description (optional)", "description", kind="long_text", width=60),
            Column("Category", "category", kind="choice", choices="category", width=20),
        ),
    ),
    Sheet(
        title="Summary",
        section="summary",
        columns=(Column("Summary of the quarter", "summary", kind="long_text", width=100),),
    ),
)
ABOUT = "About"
LISTS = "Lists"


def _choice_lists(context: SectionContext) -> dict[str, Choices]:
    return {
        "rag": Choices("RAG status", tuple(Rag.choices)),
        # A return reports progress: "Not reported" is what a milestone is until one does.
        "milestone_status": Choices(
            "Milestone status",
            tuple(c for c in Milestone.Status.choices if c[0] != Milestone.Status.NOT_REPORTED),
        ),
        "mdt_status": Choices("MDT status", tuple(MDT.Status.choices)),
        "category": Choices(
            "Risk category", tuple((category.pk, category.name) for category in context.categories)
        ),
        "score": Choices(
            "Maturity score",
            # Numbers in the sheet, not text that looks like a number.
            tuple((n, n) for n in range(MaturityScore.MIN_SCORE, MaturityScore.MAX_SCORE + 1)),
        ),
    }


def _reference_values(sheet: Sheet, form) -> dict[str, object]:
    """The read-only columns of a row: what the row is about."""
    subject = form.subject
    if sheet.section == "objectives":
        suggestion = form.suggestion
        return {
            "Title": subject.title,
            "Suggested RAG": f"{suggestion.rag.label}: {suggestion.explanation}",
        }
    if sheet.section == "milestones":
        return {
            "Milestone": subject.title,
            "Planned": subject.planned_window_text(),
            "Previous forecast or plan": form.previous_forecast,
        }
    if sheet.section == "mdts":
        return {"MDT": subject.name, "Tier": subject.get_tier_display()}
    if sheet.section == "maturity":
        return {"Care-model element": subject.name}
    return {}


# --- Download ---------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D8DDE0")
_REFERENCE_FILL = PatternFill("solid", fgColor="F0F4F5")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="425563"))
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_NUMBER_FORMATS = {
    "date": "DD/MM/YYYY",
    "integer": "0",
    "pounds": "£#,##0.00",
    "decimal": "#,##0.0",
}


def _put(cell, value, *, kind: str = "text") -> None:
    """Write a value; text is always text, never a formula, whatever it starts with."""
    if isinstance(value, str):
        # Control characters cannot be stored in XLSX at all.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        # openpyxl takes a string starting with "=" as a formula; an inline string is not.
        cell.data_type = "s"
        if value.startswith(_FORMULA_TRIGGERS):
            # Excel keeps the cell as text even when someone edits it.
            cell.quotePrefix = True
    else:
        cell.value = value
    if kind in _NUMBER_FORMATS:
        cell.number_format = _NUMBER_FORMATS[kind]
    cell.alignment = _WRAP if kind == "long_text" else _TOP


def _header_row(worksheet, columns: Iterable[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index)
        _put(cell, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        if column.note:
            cell.comment = Comment(column.note, "Local Care")
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = "A2"
    worksheet.row_dimensions[1].height = 32


def _form_value(form, column: Column, choice_lists: dict[str, Choices]):
    """What the form shows in this field: its saved value, or the current one."""
    value = form[column.field].initial
    if column.kind == "choice":
        return choice_lists[column.choices].label(value)
    return value


def _write_section(worksheet, sheet: Sheet, section, choice_lists, list_ranges) -> None:
    columns = sheet.all_columns
    _header_row(worksheet, columns)
    forms_ = section.forms
    for row_number, form in enumerate(forms_, start=2):
        reference = _reference_values(sheet, form)
        for index, column in enumerate(columns, start=1):
            cell = worksheet.cell(row=row_number, column=index)
            if column is sheet.key:
                _put(cell, sheet.key_of_form(form), kind=column.kind)
                cell.fill = _REFERENCE_FILL
            elif column.is_input:
                _put(cell, _form_value(form, column, choice_lists), kind=column.kind)
            else:
                _put(cell, reference.get(column.header), kind=column.kind)
                cell.fill = _REFERENCE_FILL
    last_row = len(forms_) + 1
    if sheet.section == "risks":
        last_row += BLANK_RISK_ROWS
        for row_number in range(len(forms_) + 2, last_row + 1):
            for index, column in enumerate(columns, start=1):
                _put(worksheet.cell(row=row_number, column=index), None, kind=column.kind)
    _add_validations(worksheet, columns, last_row=last_row, list_ranges=list_ranges)


def _add_validations(worksheet, columns, *, last_row: int, list_ranges) -> None:
    if last_row < 2:
        return
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{last_row}"
        validation = None
        if column.kind == "choice" and list_ranges.get(column.choices):
            validation = DataValidation(
                type="list",
                formula1=list_ranges[column.choices],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error="Choose from the drop-down list.",
            )
        elif column.kind == "date" and column.is_input:
            validation = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="DATE(2000,1,1)",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error="Enter a date, like 15/03/2019.",
            )
        if validation is not None:
            worksheet.add_data_validation(validation)
            validation.add(cells)


def _write_lists(worksheet, choice_lists: dict[str, Choices]) -> dict[str, str]:
    """The reference lists behind the drop-downs; returns name → range formula."""
    ranges = {}
    for index, (name, choices) in enumerate(choice_lists.items(), start=1):
        letter = get_column_letter(index)
        header = worksheet.cell(row=1, column=index)
        _put(header, choices.name)
        header.font = _HEADER_FONT
        header.fill = _HEADER_FILL
        worksheet.column_dimensions[letter].width = max(18, len(choices.name) + 4)
        for row_number, label in enumerate(choices.labels, start=2):
            _put(worksheet.cell(row=row_number, column=index), label)
        if choices.labels:
            last = len(choices.labels) + 1
            ranges[name] = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${last}"
    note = worksheet.cell(row=1, column=len(choice_lists) + 2)
    _put(note, "Reference lists for the drop-downs. Do not change this sheet.")
    note.font = Font(italic=True)
    worksheet.freeze_panes = "A2"
    worksheet.protection.sheet = True
    return ranges


INSTRUCTIONS = (
    "Fill in the white columns on each sheet. Grey columns show what each row is about: "
    "changing them has no effect.",
    "Do not change the first column (Objective, Milestone ID, MDT ID, Element): "
    "it is how the upload knows which row is which. Do not add or remove rows, except on "
    "the New risks sheet.",
    "Choose RAG statuses, milestone and MDT statuses, risk categories and maturity scores "
    "from the drop-down lists.",
    "Write dates as day/month/year, for example 15/03/2019.",
    "If your RAG for an objective differs from the suggested RAG, say why.",
    "New risks: one risk or issue per row, with a category; leave unused rows empty. "
    "Deleting a row removes that risk from this update.",
    "Upload the file on the update's page. Nothing is saved unless the whole spreadsheet is "
    "correct; if anything is wrong, you will see every problem by sheet, row and column.",
    "If someone saves this update after you download the file, the upload is refused: "
    "download a fresh copy and copy your changes into it.",
    "Outcome figures are not entered on the return: they come from the monthly data "
    "warehouse extract the programme office loads, and the update's page shows them.",
)


def _write_about(worksheet, update: QuarterlyUpdate, *, now: datetime.datetime) -> None:
    title = worksheet.cell(row=1, column=1)
    _put(title, "Kent and Medway Local Care: quarterly update")
    title.font = Font(bold=True, size=14)
    rows = (
        ("Locality", str(update.locality)),
        ("Locality ID", update.locality.slug),
        ("Quarter", str(update.quarter.label)),
        ("Quarter ID", update.quarter.slug),
        ("Version", update.version if update.pk else 0),
        ("Status when downloaded", update.get_status_display() if update.pk else "Not started"),
        ("Downloaded", now),
    )
    for row_number, (label, value) in enumerate(rows, start=3):
        label_cell = worksheet.cell(row=row_number, column=1)
        _put(label_cell, label)
        label_cell.font = _HEADER_FONT
        value_cell = worksheet.cell(row=row_number, column=2)
        _put(value_cell, value)
        if isinstance(value, datetime.datetime):
            value_cell.number_format = "DD/MM/YYYY HH:MM"
        value_cell.alignment = Alignment(horizontal="left")
    heading = worksheet.cell(row=len(rows) + 4, column=1)
    _put(heading, "How to fill this in")
    heading.font = Font(bold=True, size=12)
    for offset, text in enumerate(INSTRUCTIONS, start=len(rows) + 5):
        cell = worksheet.cell(row=offset, column=1)
        _put(cell, f"{offset - len(rows) - 4}. {text}")
        worksheet.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=2)
        cell.alignment = _WRAP
        worksheet.row_dimensions[offset].height = 32
    worksheet.column_dimensions["A"].width = 24
    worksheet.column_dimensions["B"].width = 90


def build_workbook(update: QuarterlyUpdate, *, now: datetime.datetime | None = None) -> bytes:
    """The update as an XLSX file, pre-filled with what the section forms show."""
    now = timezone.localtime(now or timezone.now()).replace(tzinfo=None, microsecond=0)
    context = SectionContext(locality=update.locality, quarter=update.quarter, update=update)
    choice_lists = _choice_lists(context)

    workbook = Workbook()
    workbook.properties.creator = "Kent and Medway Local Care"
    workbook.properties.title = f"{update.locality} {update.quarter} quarterly update"
    about = workbook.active
    about.title = ABOUT
    _write_about(about, update, now=now)
    section_sheets = [workbook.create_sheet(sheet.title) for sheet in SHEETS]
    lists = workbook.create_sheet(LISTS)
    list_ranges = _write_lists(lists, choice_lists)
    for worksheet, sheet in zip(section_sheets, SHEETS, strict=True):
        section = build_section(sheet.section, update=update, context=context)
        _write_section(worksheet, sheet, section, choice_lists, list_ranges)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Upload ------------------------------------------------------------------------------


def _check_package(content: bytes) -> None:
    """Refuse anything but a plain XLSX before openpyxl reads a byte of it."""
    if not content:
        raise Rejected("The file you chose is empty: choose the filled-in spreadsheet.")
    stream = io.BytesIO(content)
    if not zipfile.is_zipfile(stream):
        raise Rejected(NOT_A_SPREADSHEET)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise Rejected(NOT_A_SPREADSHEET)
            if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
                raise Rejected(
                    "The spreadsheet holds far more data than a quarterly update: upload the "
                    "spreadsheet downloaded from this page."
                )
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names:
                raise Rejected(NOT_A_SPREADSHEET)
            content_types = archive.read("[Content_Types].xml")
            if _MACRO_MAIN in content_types or "xl/vbaProject.bin" in names:
                raise Rejected(
                    "The file is a macro-enabled workbook (.xlsm). Macros are not accepted: "
                    "save it as an Excel Workbook (.xlsx) and upload that."
                )
            if _XLSX_MAIN not in content_types:
                raise Rejected(NOT_A_SPREADSHEET)
            # No part of a real workbook declares a DTD; entity tricks (XXE, billion
            # laughs) need one. Every member, whatever its name: openpyxl finds parts
            # through the relationships, not by their extension.
            for member in members:
                with archive.open(member) as part:
                    if _declares_a_dtd(part):
                        raise Rejected(XML_DECLARATIONS_REFUSED)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise Rejected(NOT_A_SPREADSHEET) from None
    except NotImplementedError:  # an unsupported compression method
        raise Rejected(NOT_A_SPREADSHEET) from None


class _DoctypeFound(Exception):
    pass


class _RootElementReached(Exception):
    pass


def _declares_a_dtd(part) -> bool:
    """Whether an XML part declares a DTD, in whatever encoding the XML parser reads it.

    Searching the bytes for "<!DOCTYPE" misses the same text in UTF-16 (or
    any other encoding a declaration names), which expat reads just as well.
    So expat itself, the parser openpyxl (through defusedxml) uses, reads the
    part up to its root element: a DTD can only come before it, so only the
    prolog is read. A part expat cannot read at all (an image) declares
    nothing that openpyxl could parse.
    """

    def doctype(*args):
        raise _DoctypeFound

    def root_element(*args):
        raise _RootElementReached

    # As xml.etree.ElementTree.XMLParser creates it, so that both read the same.
    parser = expat.ParserCreate(None, "}")
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = root_element
    try:
        while chunk := part.read(16 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _DoctypeFound:
        return True
    except _RootElementReached:
        return False
    except Exception:
        # ExpatError, or LookupError for an encoding expat lacks: whatever stops
        # expat here stops openpyxl's parser too, and the file is refused there.
        return False
    return False


def _forbidden_xml(error: BaseException) -> bool:
    """Whether defusedxml refused the XML, however deep openpyxl wrapped its exception."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DefusedXmlException):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _plain(value):
    """A cell's value as the forms take it: dates as dates, whole numbers as int."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime.time, datetime.timedelta)):
        return str(value)
    return value


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value) -> str:
    if isinstance(value, datetime.date):
        return f"{value.day}/{value.month}/{value.year}"
    return Truncator(str(value)).chars(60)


class _UncachedFormula:
    """A formula cell saved without its value: what it shows in Excel is unknown here."""

    def __repr__(self):
        return "<formula with no saved value>"


UNCACHED_FORMULA = _UncachedFormula()
UNCACHED_FORMULA_MESSAGE = (
    "This cell holds a formula with no saved value (the file was not last saved by Excel), "
    "so what it shows cannot be read. Type the value itself instead of the formula."
)


@dataclass
class _ParsedSheet:
    """A sheet's cells: the header row, then (row number, values) for each non-empty row."""

    header: tuple = ()
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    overflow_row: int | None = None  # the first non-empty row beyond MAX_ROWS
    # Where the formulas are: row number → column indexes (0 = column A).
    formulas: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class _ParsedWorkbook:
    about: dict[str, object]
    sheets: dict[str, _ParsedSheet]


def _parse(content: bytes) -> _ParsedWorkbook:
    """Every cell the import needs, read with openpyxl; any failure means a broken file.

    A formula is never evaluated: a formula cell reads as the value Excel saved
    with it. openpyxl gives either the formulas (data_only=False) or the saved
    values (data_only=True), and the saved value of a formula saved without one
    reads as None, like an empty cell. So the file is read first with its
    formulas, which finds them, and a second time for their saved values only
    if a section sheet has any: a download filled in by typing is read once.
    """
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    try:
        if ABOUT not in workbook.sheetnames:
            raise Rejected(NOT_OUR_SPREADSHEET)
        about = {}
        for row in workbook[ABOUT].iter_rows(min_row=1, max_row=40, max_col=2):
            # A formula in the About sheet was not written by this service.
            values = [cell.value if cell.data_type != "f" else None for cell in row]
            if values and isinstance(values[0], str):
                about.setdefault(values[0].strip(), values[1] if len(values) > 1 else None)
        sheets = {}
        for sheet in SHEETS:
            if sheet.title not in workbook.sheetnames:
                continue
            sheets[sheet.title] = _parse_sheet(workbook[sheet.title])
    finally:
        workbook.close()
    if any(parsed.formulas for parsed in sheets.values()):
        _read_saved_values(content, sheets)
    return _ParsedWorkbook(about=about, sheets=sheets)


def _parse_sheet(worksheet) -> _ParsedSheet:
    worksheet.reset_dimensions()  # some programs write a wrong size: read every row
    parsed = _ParsedSheet()
    for row_number, cells in enumerate(worksheet.iter_rows(), start=1):
        values = tuple(cell.value for cell in cells)
        if row_number == 1:
            parsed.header = values
        elif all(_is_blank(value) for value in values):
            continue
        elif row_number > MAX_ROWS + 1:
            parsed.overflow_row = row_number
            break
        else:
            parsed.rows.append((row_number, values))
        formulas = [index for index, cell in enumerate(cells) if cell.data_type == "f"]
        if formulas:
            parsed.formulas[row_number] = formulas
    return parsed


def _read_saved_values(content: bytes, sheets: dict[str, _ParsedSheet]) -> None:
    """Put in place of each formula the value saved with it, or UNCACHED_FORMULA."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    try:
        for title, parsed in sheets.items():
            if not parsed.formulas:
                continue
            worksheet = workbook[title]
            worksheet.reset_dimensions()
            rows = dict(parsed.rows)
            rows[1] = parsed.header
            saved_rows = worksheet.iter_rows(max_row=max(parsed.formulas), values_only=True)
            for row_number, saved in enumerate(saved_rows, start=1):
                if row_number not in parsed.formulas:
                    continue
                values = list(rows[row_number])
                for index in parsed.formulas[row_number]:
                    value = saved[index] if index < len(saved) else None
                    values[index] = UNCACHED_FORMULA if value is None else value
                rows[row_number] = tuple(values)
            parsed.header = rows.pop(1)
            parsed.rows = sorted(rows.items())
    finally:
        workbook.close()


def _rows_by_header(
    parsed: _ParsedSheet, sheet: Sheet, problems: list[Problem]
) -> list[tuple[int, dict]] | None:
    """(row number, header → value) for each non-empty row; None if the sheet is unusable."""
    positions = {}
    for index, text in enumerate(parsed.header):
        if isinstance(text, str) and text.strip() and text.strip() not in positions:
            positions[text.strip()] = index
    wanted = [column for column in sheet.all_columns if column.is_input or column is sheet.key]
    missing = [column.header for column in wanted if column.header not in positions]
    for header in missing:
        problems.append(
            Problem(
                sheet.title,
                1,
                header,
                "This column is missing. Put it back with its heading exactly as downloaded.",
            )
        )
    if parsed.overflow_row is not None:
        problems.append(
            Problem(
                sheet.title,
                parsed.overflow_row,
                "",
                f"The sheet has more than {MAX_ROWS:,} rows: only the downloaded rows, and "
                "new risks, belong here.",
            )
        )
    if missing or parsed.overflow_row is not None:
        return None
    found = []
    for row_number, values in parsed.rows:
        cells = {
            column.header: values[positions[column.header]]
            if positions[column.header] < len(values)
            else None
            for column in wanted
        }
        if not all(_is_blank(value) for value in cells.values()):
            found.append((row_number, cells))
    return found


@dataclass
class Reading:
    """An uploaded spreadsheet, read and validated section by section."""

    version: int
    sections: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def cleaned(self) -> dict:
        """Every section's data for updates.services.save_draft."""
        return {slug: section.cleaned() for slug, section in self.sections.items()}


def _check_about(about: dict, update: QuarterlyUpdate) -> int:
    """The version the file was made from, once its locality and quarter are this update's."""
    locality_id = about.get("Locality ID")
    quarter_id = about.get("Quarter ID")
    version = _plain(about.get("Version"))
    if not isinstance(locality_id, str) or not isinstance(quarter_id, str):
        raise Rejected(NOT_OUR_SPREADSHEET)
    if locality_id.strip() != update.locality.slug:
        named = about.get("Locality") or locality_id
        raise Rejected(
            f"This spreadsheet is for {_show(named)}, not {update.locality}. Upload it on "
            f"that locality's update, or download {update.locality}'s spreadsheet from this page."
        )
    if quarter_id.strip() != update.quarter.slug:
        named = about.get("Quarter") or quarter_id
        raise Rejected(
            f"This spreadsheet is for {_show(named)}, not {update.quarter}. Download the "
            f"{update.quarter} spreadsheet from this page and fill that in."
        )
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise Rejected(NOT_OUR_SPREADSHEET)
    return version


def _key(value, column: Column):
    value = _plain(value)
    if column.kind == "integer":
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return value if isinstance(value, int) else None
    return value.strip() if isinstance(value, str) else None


def _keep_line_endings(value, initial):
    """Text as stored when only its line endings differ (XLSX keeps "\\n", browsers send "\\r\\n")."""
    if (
        isinstance(value, str)
        and isinstance(initial, str)
        and "\r" in initial
        and value == initial.replace("\r\n", "\n").replace("\r", "\n")
    ):
        return initial
    return value


class _SectionReader:
    """Turn one sheet's rows into the POST its section's forms expect."""

    def __init__(self, sheet: Sheet, *, context, choice_lists, blank_section, problems):
        self.sheet = sheet
        self.context = context
        self.choice_lists = choice_lists
        self.initial_forms = {form.prefix: form for form in blank_section.forms}
        self.problems = problems
        self.data: dict[str, object] = {}
        self.origin: dict[str, int] = {}  # form prefix → sheet row
        self.reported: set[tuple[str, str]] = set()  # (prefix, field) already reported

    def problem(self, row, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet.title, row, column, message))

    def read(self, rows: list[tuple[int, dict]]) -> None:
        if self.sheet.key is not None:
            self._read_keyed(rows)
        elif self.sheet.section == "risks":
            for index, (row_number, cells) in enumerate(rows):
                self._fill(f"risk-{index}", row_number, cells)
        else:
            if rows:
                row_number, cells = rows[0]
                self._fill(self.sheet.section, row_number, cells)
            for row_number, _ in rows[1:]:
                self.problem(
                    row_number, "", "Only row 2 is read on this sheet: put everything in row 2."
                )

    def _read_keyed(self, rows) -> None:
        key_column = self.sheet.key
        thing = self.sheet.kind_of_thing
        prefixes = self.sheet.prefixes(self.context)
        seen: dict[str, int] = {}
        for row_number, cells in rows:
            raw = cells[key_column.header]
            if raw is UNCACHED_FORMULA:
                self.problem(row_number, key_column.header, UNCACHED_FORMULA_MESSAGE)
                continue
            if _is_blank(raw):
                self.problem(
                    row_number,
                    key_column.header,
                    f"The {key_column.header} is empty: put back the one from the downloaded "
                    "spreadsheet, or clear this row.",
                )
                continue
            key = _key(raw, key_column)
            prefix = prefixes.get(key)
            if prefix is None:
                self.problem(
                    row_number,
                    key_column.header,
                    f"“{_show(raw)}” is not one of {self.context.locality}'s {thing}s in this "
                    "update. Do not change this column: copy the row from a fresh download.",
                )
                continue
            if prefix in seen:
                self.problem(
                    row_number,
                    key_column.header,
                    f"This {thing} is already on row {seen[prefix]}: keep one row for it.",
                )
                continue
            seen[prefix] = row_number
            self._fill(prefix, row_number, cells)
        for prefix, form in self.initial_forms.items():
            if prefix not in seen:
                self.problem(
                    None,
                    key_column.header,
                    f"{thing[:1].upper()}{thing[1:]} {_show(self.sheet.key_of_form(form))} "
                    f"(“{_show(form.subject)}”) is missing from the sheet: put its row back, "
                    "or start again from a fresh download.",
                )

    def _fill(self, prefix: str, row_number: int, cells: dict) -> None:
        self.origin[prefix] = row_number
        initial_form = self.initial_forms.get(prefix)
        for column in self.sheet.columns:
            if not column.is_input:
                continue
            value = _plain(cells.get(column.header))
            if value is UNCACHED_FORMULA:
                self.reported.add((prefix, column.field))
                self.problem(row_number, column.header, UNCACHED_FORMULA_MESSAGE)
                value = ""
            if column.kind == "choice" and not _is_blank(value):
                choices = self.choice_lists[column.choices]
                found, choice = choices.value(value)
                if not found:
                    self.reported.add((prefix, column.field))
                    self.problem(
                        row_number,
                        column.header,
                        f"“{_show(value)}” is not in the list: choose one of "
                        f"{', '.join(str(label) for label in choices.labels)}.",
                    )
                    # A category is found by id: never let the text stand in for one.
                    value = "" if column.choices == "category" else value
                else:
                    value = choice
            elif initial_form is not None and column.kind in ("text", "long_text"):
                value = _keep_line_endings(value, initial_form[column.field].initial)
            self.data[f"{prefix}-{column.field}"] = value

    def report(self, section) -> None:
        """Every error of the section's forms, placed at its sheet row and column."""
        headers = {column.field: column.header for column in self.sheet.columns}
        for form in section.forms:
            row = self.origin.get(form.prefix)
            if row is None and self.sheet.key is not None:
                continue  # already reported as a missing row
            for name, messages in form.errors.items():
                if (form.prefix, name) in self.reported:
                    continue
                for message in messages:
                    column = "" if name == NON_FIELD_ERRORS else headers.get(name, name)
                    self.problem(row, column, message)


def read_workbook(content: bytes, *, update: QuarterlyUpdate) -> Reading:
    """Read and validate an uploaded update; raise Rejected if the file cannot be used at all.

    Nothing is written: the caller saves `reading.cleaned()` only when
    `reading.problems` is empty.
    """
    check_editable(update)
    if len(content) > max_upload_bytes():
        raise Rejected(too_large_message(), status=413)
    _check_package(content)
    try:
        parsed = _parse(content)
    except Rejected:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken file
        if _forbidden_xml(error):
            # The package check should have refused it first: say so loudly.
            logger.warning("Spreadsheet declaring XML entities refused for %s", update)
            raise Rejected(XML_DECLARATIONS_REFUSED) from None
        logger.info("Unreadable spreadsheet uploaded for %s", update, exc_info=True)
        raise Rejected(NOT_A_SPREADSHEET) from None
    reading = Reading(version=_check_about(parsed.about, update))
    context = SectionContext(locality=update.locality, quarter=update.quarter, update=update)
    choice_lists = _choice_lists(context)
    readers = {}
    for sheet in SHEETS:
        if sheet.title not in parsed.sheets:
            reading.problems.append(
                Problem(
                    sheet.title,
                    None,
                    "",
                    "This sheet is missing. Put it back, or start again from a fresh download.",
                )
            )
            continue
        rows = _rows_by_header(parsed.sheets[sheet.title], sheet, reading.problems)
        if rows is None:
            continue
        reader = _SectionReader(
            sheet,
            context=context,
            choice_lists=choice_lists,
            blank_section=build_section(sheet.section, update=update, context=context),
            problems=reading.problems,
        )
        reader.read(rows)
        readers[sheet.section] = reader
    for slug, reader in readers.items():
        section = build_section(slug, update=update, data=reader.data, context=context)
        section.is_valid()
        reader.report(section)
        reading.sections[slug] = section
    reading.problems.sort(key=_in_sheet_order)
    return reading


def _in_sheet_order(problem: Problem):
    """Sheets in workbook order, then rows, then columns left to right; whole-sheet ones last."""
    titles = [sheet.title for sheet in SHEETS]
    sheet = SHEETS[titles.index(problem.sheet)] if problem.sheet in titles else None
    headers = [column.header for column in sheet.all_columns] if sheet else []
    return (
        titles.index(problem.sheet) if sheet else len(titles),
        problem.row if problem.row is not None else MAX_ROWS + 2,
        headers.index(problem.column) if problem.column in headers else len(headers),
    )
