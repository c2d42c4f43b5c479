"""Writes to governance records: keyword-only functions, one transaction each.

Each function checks who is asking (localities.access), full_clean()s before
saving so that the model's constraints speak in words, claims the record's
`version` in one conditional UPDATE (a second person editing the same record
is refused with StaleEdit, saving nothing), and records who did it and why in
the history.

Edit after approval (docs/decisions/0018-board-report-edit-after-approval.md):
editing an approved board report makes it a draft again, and the history says
so; the board sees no report for that quarter until it is approved again.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from governance.models import BoardReport
from localities import access

HISTORY_REASON_LENGTH = 100
BACK_TO_DRAFT_REASON = "Edited after approval: back to draft"

REPORT_FIELDS = (
    "quarter",
    "body",
    "meeting",
    "meeting_date",
    "agenda_item",
    "title",
    "report_from",
    "author",
    "purpose",
    "assessment_rag",
    "assessment_reason",
    "key_messages",
    "recommendations",
)

STALE_REPORT_MESSAGE = (
    "Someone else saved this board report while you were editing it, so your changes have "
    "not been saved. They are still in the form below. Read the report's history to see "
    "what changed; then save again to replace their version with yours."
)
STALE_APPROVAL_MESSAGE = (
    "This board report changed after you opened it, so it has not been approved. "
    "Read it again, then approve it if it is still right."
)


class StaleEdit(ValidationError):
    """The record was saved by someone else after this edit began."""


def _require_office(user, what: str, target=None) -> None:
    if not access.can_write_board_reports(user):
        raise access.refuse(
            what,
            target,
            message="Only the programme office writes and approves board reports.",
        )


def _save(
    report: BoardReport, *, expected_version: int | None, by: AbstractBaseUser, reason: str
) -> None:
    report.full_clean()
    if not report._state.adding:
        # One conditional UPDATE both checks and claims the version, so two
        # concurrent saves cannot both pass the check.
        # history: report.save() below records the new version with who and why
        claimed = BoardReport.objects.filter(pk=report.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not claimed:
            raise StaleEdit(STALE_REPORT_MESSAGE, code="stale")
        report.version = expected_version + 1
    report._history_user = by
    report._change_reason = reason[:HISTORY_REASON_LENGTH]
    report.save()


@transaction.atomic
def create_board_report(*, by: AbstractBaseUser, **fields) -> BoardReport:
    """A new draft report to a board for a quarter."""
    _require_office(by, "writing a board report")
    report = BoardReport(**{name: fields[name] for name in REPORT_FIELDS if name in fields})
    report.status = BoardReport.Status.DRAFT
    report.version = 1
    _save(report, expected_version=None, by=by, reason="Drafted")
    return report


@transaction.atomic
def update_board_report(
    *, report: BoardReport, expected_version: int, by: AbstractBaseUser, **fields
) -> BoardReport:
    """Save an edit; an approved report becomes a draft again (decision 0018)."""
    _require_office(by, "editing a board report", report)
    was_approved = report.status == BoardReport.Status.APPROVED
    for name in REPORT_FIELDS:
        if name in fields:
            setattr(report, name, fields[name])
    reason = "Edited"
    if was_approved:
        report.status = BoardReport.Status.DRAFT
        report.approved_by = None
        report.approved_at = None
        reason = BACK_TO_DRAFT_REASON
    _save(report, expected_version=expected_version, by=by, reason=reason)
    return report


@transaction.atomic
def approve_board_report(
    *, report: BoardReport, expected_version: int, by: AbstractBaseUser
) -> BoardReport:
    """Approve a draft: the board reads it from now on, with who approved it and when."""
    _require_office(by, "approving a board report", report)
    if report.status == BoardReport.Status.APPROVED:
        raise ValidationError("This board report is already approved.", code="approved")
    if report.version != expected_version:
        raise StaleEdit(STALE_APPROVAL_MESSAGE, code="stale")
    report.status = BoardReport.Status.APPROVED
    report.approved_by = by
    report.approved_at = timezone.now()
    try:
        _save(report, expected_version=expected_version, by=by, reason="Approved")
    except StaleEdit as stale:
        raise StaleEdit(STALE_APPROVAL_MESSAGE, code="stale") from stale
    return report
