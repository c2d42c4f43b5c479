"""The risk register as a CSV or XLSX download, for a selection made in admin.

Every text cell goes through dashboard.exports.neutralise_formula: a title or
note starting with = + - @ would otherwise run as a formula in a spreadsheet.
"""

import csv
import datetime
import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.exports import neutralise_formula
from localities.admin import PROGRAMME_WIDE
from risks import scoring
from risks.models import Risk, ScoreBand
from risks.selectors import band_for

HEADERS = [
    "Reference",
    "Title",
    "Description",
    "Category",
    "Locality",
    "Objective",
    "Owner",
    "Status",
    "Inherent likelihood",
    "Inherent consequence",
    "Inherent score",
    "Current likelihood",
    "Current consequence",
    "Current score",
    "Band",
    "Trend",
    "Target likelihood",
    "Target consequence",
    "Target score",
    "Date raised",
    "Next review",
    "Review overdue",
    "Closing note",
    "Rejection reason",
    "Illustrative",
    "Scores illustrative",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register_rows(
    risks: Iterable[Risk], *, bands: list[ScoreBand], today: datetime.date
) -> list[list]:
    """One row per risk, in HEADERS order.

    `risks` carry `previous_score` (RiskQuerySet.with_previous_score) and
    their category, locality and objective (select_related): no query per row.
    """
    rows = []
    for risk in risks:
        band = band_for(risk.current_score_value, bands)
        rows.append(
            [
                risk.reference or "",
                risk.title,
                risk.description,
                risk.category.name,
                risk.locality.name if risk.locality else PROGRAMME_WIDE,
                str(risk.objective) if risk.objective else "",
                risk.owner_role,
                risk.get_status_display(),
                risk.inherent_likelihood,
                risk.inherent_consequence,
                risk.inherent_score,
                risk.current_likelihood,
                risk.current_consequence,
                risk.current_score_value,
                band.name if band else "",
                scoring.trend(risk.previous_score, risk.current_score_value).words
                if risk.current_score_value is not None
                else "",
                risk.target_likelihood,
                risk.target_consequence,
                risk.target_score,
                risk.date_raised,
                risk.next_review_date,
                "Overdue" if scoring.is_review_overdue(risk, today) else "",
                risk.closing_note,
                risk.rejection_reason,
                "Yes" if risk.is_illustrative else "No",
                "Yes" if risk.scores_are_illustrative else "No",
            ]
        )
    return [[neutralise_formula(value) for value in row] for row in rows]


def _filename(today: datetime.date, extension: str) -> str:
    return f"localcare-risk-register-{today.isoformat()}.{extension}"


def csv_response(rows: list[list], *, today: datetime.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(today, "csv")}"'
    # A byte-order mark makes Excel read the file as UTF-8 (en dashes, arrows).
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return response


def xlsx_response(rows: list[list], *, today: datetime.date) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Risk register"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for heading in ("Date raised", "Next review"):
        for cell in sheet[get_column_letter(HEADERS.index(heading) + 1)][1:]:
            cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(today, "xlsx")}"'
    return response
