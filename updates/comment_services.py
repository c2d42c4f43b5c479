"""Writes for the conversation on a return (issue 16).

The programme office comments on a section, or one row, of a submitted
update; the locality's lead and the office reply. Returning or approving the
update closes the open comments (updates.services, in the decision's own
transaction). While the update is returned, the lead may still answer a thread
that return closed: the answer re-opens it, so the office finds it open, with
the answer, when the update comes back for review (decision 0012).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from localities import access
from updates.comment_selectors import comment_rows
from updates.models import RETURN_COMMENT_MAX_LENGTH, QuarterlyUpdate, ReturnComment
from updates.services import (
    CLOSED_ON_RETURN,
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
OFFICE_WAITS = (
    "The update is back with its lead, so the programme office replies once it is submitted again."
)
REOPENED_BY_REPLY = "Re-opened by a reply from the lead"


def can_reply(user, update: QuarterlyUpdate) -> bool:
    """The locality's leads and the programme office talk about its update; others read."""
    return access.can_review_updates(user) or access.can_work_on_return(
        user, update.locality, update.quarter
    )


def require_can_reply(update: QuarterlyUpdate, by: AbstractBaseUser) -> None:
    if access.can_review_updates(by):
        _require_reviewer(by)  # and their second factor
        return
    if not access.can_work_on_return(by, update.locality, update.quarter):
        raise access.refuse(
            "replying to comments on this update",
            update,
            message=(
                f"Only the lead for {update.locality} at the end of {update.quarter} or the "
                "programme office can reply to comments on its update."
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


def _closed_by_the_return(first: ReturnComment, update: QuarterlyUpdate) -> bool:
    """Whether the decision that last returned the update closed this thread.

    return_update dates the update's review just before it closes the comments;
    a thread closed by an earlier return, or by an approval since reopened, is not.
    """
    return (
        first.closed_by_decision.startswith(CLOSED_ON_RETURN)
        and update.reviewed_at is not None
        and first.closed_at is not None
        and first.closed_at >= update.reviewed_at
    )


def why_no_reply(first: ReturnComment, update: QuarterlyUpdate, *, office: bool) -> str:
    """Why a thread takes no reply now from the office (office=True) or the locality's
    lead, or "" if it does: both reply on an open thread of a submitted update; while
    it is returned, only the lead, on the threads that return closed or re-opened."""
    status = update.status
    Status = QuarterlyUpdate.Status
    if status == Status.SUBMITTED and first.is_open:
        return ""
    if status == Status.RETURNED:
        if office:
            return OFFICE_WAITS
        if first.is_open or _closed_by_the_return(first, update):
            return ""
    if not first.is_open:
        return (
            f"This conversation was closed ({first.closed_by_decision}), so it takes no "
            "more replies."
        )
    return f"The {update} update is {update.get_status_display().lower()}, so its comments take no replies."


def mark_replies(threads, update: QuarterlyUpdate, user) -> None:
    """Set takes_reply on each thread (the CommentThread objects of
    comment_selectors) for what the user may do now: no queries per thread, none
    where there is no thread."""
    if not threads:
        return
    may = can_reply(user, update)
    office = may and access.can_review_updates(user)
    for thread in threads:
        thread.takes_reply = may and not why_no_reply(thread.first, update, office=office)


@transaction.atomic
def reply(*, comment: ReturnComment, text: str, by: AbstractBaseUser) -> ReturnComment:
    """Reply in a comment's thread: while the update waits for review, or, for the
    locality's lead, while it is returned (which re-opens a thread the return closed)."""
    first = comment.parent or comment
    update = first.update
    require_can_reply(update, by)
    text = _clean_text(text, empty=EMPTY_REPLY)
    # The decisions lock the update before closing its comments: holding the same
    # lock, this sees the thread as the decision left it.
    _lock(update)
    first.refresh_from_db(fields=["state", "closed_at", "closed_by", "closed_by_decision"])
    refusal = why_no_reply(first, update, office=access.can_review_updates(by))
    if refusal:
        raise ValidationError(refusal, code="closed" if not first.is_open else "wrong_status")
    now = timezone.now()
    where = SECTION_HEADINGS.get(first.section, "")
    if not first.is_open:
        # The lead answers a returned update: the office finds the thread open again,
        # with the answer, when the update is submitted; the decision closes it again.
        first.state = ReturnComment.State.OPEN
        first.closed_at = None
        first.closed_by = None
        first.closed_by_decision = ""
        _save_row(first, by=by, reason=f"{REOPENED_BY_REPLY} on {where}")
    answer = ReturnComment(
        update=update,
        section=first.section,
        row_key=first.row_key,
        row_label=first.row_label,
        parent=first,
        author=by,
        text=text,
        created=now,
    )
    _save_row(answer, by=by, reason=f"Reply on {where}")
    return answer
