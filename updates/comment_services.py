"""Writes for the conversation on a return (issue 16).

The programme office comments on a section, or one row, of a submitted
update; the locality's lead and the office reply. Returning or approving the
update closes the open comments (updates.services, in the decision's own
transaction), so a thread is open only while the update waits for review.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from localities import access
from updates.comment_selectors import comment_rows
from updates.models import RETURN_COMMENT_MAX_LENGTH, QuarterlyUpdate, ReturnComment
from updates.services import (
    SECTION_HEADINGS,
    _lock,
    _require_reviewer,
    _require_status,
    _save_row,
)

EMPTY_COMMENT = "Write your comment."
EMPTY_REPLY = "Write your reply."
TOO_LONG = f"Keep it to {RETURN_COMMENT_MAX_LENGTH:,} characters or fewer."
UNKNOWN_SECTION = "Choose a section of the update to comment on."


def can_reply(user, update: QuarterlyUpdate) -> bool:
    """The locality's leads and the programme office talk about its update; others read."""
    return access.can_review_updates(user) or access.can_edit_locality(user, update.locality)


def require_can_reply(update: QuarterlyUpdate, by: AbstractBaseUser) -> None:
    if access.can_review_updates(by):
        _require_reviewer(by)  # and their second factor
        return
    if not access.can_edit_locality(by, update.locality):
        raise access.refuse(
            "replying to comments on this update",
            update,
            message=(
                f"Only a lead for {update.locality} or the programme office can reply to "
                "comments on its update."
            ),
        )


def _clean_text(text: str, *, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": empty}, code="required")
    if len(text) > RETURN_COMMENT_MAX_LENGTH:
        raise ValidationError({"text": TOO_LONG}, code="max_length")
    return text


@transaction.atomic
def add_comment(
    *,
    update: QuarterlyUpdate,
    section: str,
    row_key: str = "",
    text: str,
    by: AbstractBaseUser,
) -> ReturnComment:
    """Start a thread on a section of a submitted update, or on one of its rows."""
    _require_reviewer(by)
    text = _clean_text(text, empty=EMPTY_COMMENT)
    if section not in SECTION_HEADINGS:
        raise ValidationError({"section": UNKNOWN_SECTION}, code="unknown_section")
    label = ""
    if row_key:
        rows = comment_rows(update).get(section, {})
        if row_key not in rows:
            raise ValidationError(
                {
                    "row": f"Choose a row of {SECTION_HEADINGS[section]} to comment on, "
                    "or the whole section."
                },
                code="unknown_row",
            )
        label = rows[row_key]
    _lock(update)
    _require_status(update, [QuarterlyUpdate.Status.SUBMITTED], "commented on")
    comment = ReturnComment(
        update=update,
        section=section,
        row_key=row_key,
        row_label=label,
        author=by,
        text=text,
        created=timezone.now(),
    )
    _save_row(comment, by=by, reason=f"Comment on {SECTION_HEADINGS[section]}")
    return comment


@transaction.atomic
def reply(*, comment: ReturnComment, text: str, by: AbstractBaseUser) -> ReturnComment:
    """Reply in a comment's thread while it is open (the update still waits for review)."""
    first = comment.parent or comment
    update = first.update
    require_can_reply(update, by)
    text = _clean_text(text, empty=EMPTY_REPLY)
    # The decisions lock the update before closing its comments: holding the same
    # lock, this sees the thread as the decision left it.
    _lock(update)
    first.refresh_from_db(fields=["state", "closed_by_decision"])
    if not first.is_open:
        raise ValidationError(
            f"This conversation was closed ({first.closed_by_decision}), so it takes no "
            "more replies.",
            code="closed",
        )
    _require_status(update, [QuarterlyUpdate.Status.SUBMITTED], "replied to")
    answer = ReturnComment(
        update=update,
        section=first.section,
        row_key=first.row_key,
        row_label=first.row_label,
        parent=first,
        author=by,
        text=text,
        created=timezone.now(),
    )
    _save_row(answer, by=by, reason=f"Reply on {SECTION_HEADINGS.get(first.section, '')}")
    return answer
