"""Reads of governance records for the office's pages (writes are governance.report_services)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from governance.models import BoardReport


def board_reports(*, approved_only: bool, quarter=None) -> QuerySet[BoardReport]:
    """Reports latest quarter first, then by board; one query with their quarter and board."""
    reports = BoardReport.objects.select_related("quarter__financial_year", "body", "approved_by")
    if approved_only:
        reports = reports.approved()
    if quarter is not None:
        reports = reports.for_quarter(quarter)
    return reports.order_by("-quarter__start_date", "body__name")


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    what: str


def report_history(*, report: BoardReport) -> list[HistoryEntry]:
    """Who changed the report, when and what: newest first, one query."""
    records = report.history.select_related("history_user").order_by("-history_date", "-pk")
    entries = []
    for record in records:
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user else "The system"
        what = (
            record.history_change_reason
            or {"+": "Created", "~": "Changed", "-": "Deleted"}[record.history_type]
        )
        entries.append(HistoryEntry(when=record.history_date, who=who, what=what))
    return entries
