"""The risk register as a CSV or XLSX download, for a selection made in admin.

The response is common.exports', as the dashboard's downloads are: every text
cell neutralised (a title or note starting with = + - @ would otherwise run as
a formula in a spreadsheet), and a byte-order mark before a CSV.
"""

import datetime
from collections.abc import Iterable

from django.http import HttpResponse

from common.exports import download_filename, spreadsheet_response
from localities.models import PROGRAMME_WIDE
from risks import scoring
from risks.models import Risk, ScoreBand
from risks.scoring import band_for

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
    return rows


def register_response(
    rows: list[list], *, export_format: str, today: datetime.date
) -> HttpResponse:
    """The register as a download: dates as dates, reference and title kept in view."""
    return spreadsheet_response(
        export_format=export_format,
        headers=HEADERS,
        rows=rows,
        filename=download_filename("risk-register", today=today, export_format=export_format),
        sheet_title="Risk register",
        freeze_panes="C2",
        date_format="dd/mm/yyyy",
    )
