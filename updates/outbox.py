"""The outbox: every e-mail the app sends, recorded with the event and sent after it.

An event (a lead submits, the office returns, reopens or approves, a reminder
run) queues its messages with `notify` or `queue`, inside the event's own
transaction: if the event rolls back, so do its messages. Once the
transaction commits, the messages are tried once (`transaction.on_commit`);
whatever did not go stays in the outbox, and the `send_outbox` command, run
from cron, tries it again. So:

- every message is recorded (to whom, what, when queued and sent, for which
  return), and the office sees them on the review page;
- the same event cannot queue a message twice (`OutboxMessage.key` is unique:
  the event, the update's version and the recipient);
- a message is sent once: the sender locks each row (skipping rows another
  sender holds) and marks it sent in the same transaction as it sends it;
- a failed send is recorded (attempts, last error) and left to be retried.

Plain-text e-mail: free text (the office's comments) goes into the body as
typed, and never into a subject or other header.
"""

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from localities import access
from localities.models import Locality, Quarter
from updates.models import OutboxMessage, QuarterlyUpdate

logger = logging.getLogger(__name__)

# Enough of an SMTP error to act on; the log has the rest.
ERROR_LENGTH = 500

Kind = OutboxMessage.Kind


class Event(enum.StrEnum):
    """What happened to an update, and so who is told: see `notify`."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    REOPENED = "reopened"
    APPROVED = "approved"


# --- Queueing ----------------------------------------------------------------------


def queue(
    *,
    key: str,
    kind: str,
    locality: Locality,
    quarter: Quarter,
    recipient: AbstractBaseUser,
    subject: str,
    body: str,
    update: QuarterlyUpdate | None = None,
    triggered_by: AbstractBaseUser | None = None,
) -> OutboxMessage | None:
    """Record one message in the caller's transaction; the caller sends what it queued
    (`send_after_this_commits`, or `send_queued` at once), over one connection.

    None if a message with this key is already queued (sent or not): the same
    event, or the same day's reminder, is not sent twice.
    """
    message = OutboxMessage(
        key=key,
        kind=kind,
        locality=locality,
        quarter=quarter,
        update=update,
        recipient=recipient,
        to_address=recipient.email.strip(),
        subject=subject,
        body=body,
        triggered_by=triggered_by,
    )
    # The key's uniqueness is checked by get_or_create (and the database), not here.
    message.full_clean(validate_unique=False, validate_constraints=False)
    fields = {f.attname: getattr(message, f.attname) for f in OutboxMessage._meta.concrete_fields}
    fields.pop("id")
    fields.pop("key")
    message, created = OutboxMessage.objects.get_or_create(key=key, defaults=fields)
    return message if created else None


def send_after_this_commits(ids: list[int]) -> None:
    """Try these messages once the transaction commits (cron retries what fails).

    robust: a failure there is logged; it must not turn the user's committed
    submission or approval into an error page.
    """
    if ids:
        transaction.on_commit(partial(send_queued, ids=ids), robust=True)


def has_usable_address(user: AbstractBaseUser) -> bool:
    """An address to send to. A malformed one is logged and skipped: it must not
    stop the approval (or submission, or reminder run) that would have e-mailed them."""
    address = (user.email or "").strip()
    if not address:
        return False
    try:
        validate_email(address)
    except ValidationError:
        logger.warning("Not e-mailing %s: %r is not an e-mail address", user, address)
        return False
    return True


def _with_address(users: Iterable[AbstractBaseUser]) -> list[AbstractBaseUser]:
    return [user for user in users if has_usable_address(user)]


def office_recipients() -> list[AbstractBaseUser]:
    """The programme office's active members with an e-mail address."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=access.PROGRAMME_OFFICE)
        .distinct()
        .order_by("username")
    )
    return _with_address(users)


def lead_recipients(locality: Locality, quarter: Quarter) -> list[AbstractBaseUser]:
    """The leads of this locality's return for `quarter` (assigned on its last day:
    access.return_leads) who are active and have an e-mail address."""
    return _with_address(access.return_leads(locality, quarter))


def notify(event: Event, *, update: QuarterlyUpdate, by: AbstractBaseUser) -> list[OutboxMessage]:
    """Queue the e-mails an event on an update sends, in the event's transaction.

    Submitted: to the programme office. Returned with comments, reopened for
    correction, approved: to the return's leads (assigned to the locality on the
    quarter's last day, whoever leads it today). Call after the update is
    saved with its new status and version (the services do).
    """
    recipients = (
        office_recipients()
        if event == Event.SUBMITTED
        else lead_recipients(update.locality, update.quarter)
    )
    kind = Kind.RETURNED if event == Event.REOPENED else Kind(event.value)
    subject = event_subject(event, update)
    queued = []
    for recipient in recipients:
        message = queue(
            key=f"{event}:update-{update.pk}:v{update.version}:user-{recipient.pk}",
            kind=kind,
            locality=update.locality,
            quarter=update.quarter,
            update=update,
            recipient=recipient,
            subject=subject,
            body=event_body(event, update, recipient=recipient, by=by),
            triggered_by=by,
        )
        if message is not None:
            queued.append(message)
    send_after_this_commits([message.pk for message in queued])
    return queued


# --- The words ---------------------------------------------------------------------


def person(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _update_path(update: QuarterlyUpdate, name: str) -> str:
    return reverse(
        f"updates:{name}",
        kwargs={"locality": update.locality.slug, "quarter": update.quarter.slug},
    )


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


def _moment(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{_day(moment)} at {moment:%H:%M}"


def event_subject(event: Event, update: QuarterlyUpdate) -> str:
    """For example "Swale 2018/19 Q4 update: returned with comments" (never free text)."""
    what = f"{update.locality.name} {update.quarter.label} update"
    return {
        Event.SUBMITTED: f"{what}: submitted for review",
        Event.RETURNED: f"{what}: returned with comments",
        Event.REOPENED: f"{what}: reopened for correction",
        Event.APPROVED: f"{what}: approved",
    }[event]


def event_body(
    event: Event, update: QuarterlyUpdate, *, recipient: AbstractBaseUser, by: AbstractBaseUser
) -> str:
    what = f"the {update.locality.name} quarterly update for {update.quarter.label}"
    if event == Event.SUBMITTED:
        opening = f"{person(by)} submitted {what} on {_moment(update.submitted_at)}."
        action = f"Review it, then approve it or return it with comments: {site_link(_update_path(update, 'review'))}"
        why = "you are in the programme office"
    else:
        when = _moment(update.reviewed_at)
        opening = {
            Event.RETURNED: f"{person(by)} of the programme office returned {what} to you with "
            f"comments on {when}. Change it and submit it again.",
            Event.REOPENED: f"{person(by)} of the programme office reopened {what} for correction "
            f"on {when}. It has left the dashboards until it is approved again: correct it and "
            "submit it again.",
            Event.APPROVED: f"{person(by)} of the programme office approved {what} on {when}. "
            "The board now sees it.",
        }[event]
        action = f"Open the update: {site_link(_update_path(update, 'detail'))}"
        why = f"you are a locality lead for {update.locality.name}"
    lines = [f"Dear {person(recipient)},", "", opening]
    comments = update.review_comments.strip()
    if event in (Event.RETURNED, Event.REOPENED) and comments:
        lines += ["", "Comments from the programme office:", comments]
    lines += [
        "",
        action,
        "",
        f"You are receiving this because {why} on the Kent and Medway Local Care dashboard. "
        "If you should not be, reply to let the programme office know.",
    ]
    return "\n".join(lines)


# --- Sending -----------------------------------------------------------------------


@dataclass
class SendReport:
    """What one sending run did."""

    sent: list[OutboxMessage] = field(default_factory=list)
    failed: list[OutboxMessage] = field(default_factory=list)
    # Claimed or sent by another sender meanwhile.
    skipped: int = 0


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def _email(message: OutboxMessage, connection) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.to_address],
        connection=connection,
    )


def _send_one(pk: int, connection, report: SendReport) -> None:
    # One transaction per message: the row stays locked while it is sent and
    # is marked sent in the same commit, so a second sender skips it and a
    # crash between the two re-sends at most this one message.
    with transaction.atomic():
        message = OutboxMessage.objects.unsent().for_update().filter(pk=pk).first()
        if message is None:
            report.skipped += 1
            return
        message.attempts += 1
        try:
            _email(message, connection).send()
        except Exception as error:
            # Any failure (SMTP, network, a bad address) is recorded and retried.
            logger.warning(
                "Could not send outbox message %s to %s: %s", pk, message.to_address, error
            )
            message.last_error = _error_text(error)
            message.save(update_fields=["attempts", "last_error"])
            report.failed.append(message)
        else:
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "sent_at", "last_error"])
            report.sent.append(message)


def send_queued(*, ids: Iterable[int] | None = None, limit: int | None = None) -> SendReport:
    """Send unsent messages (these `ids`, else all, oldest first) over one connection.

    One failure does not stop the rest; nothing raises: each failure is
    recorded on its message, which stays unsent for the next run.
    """
    report = SendReport()
    pending = OutboxMessage.objects.unsent().order_by("created_at", "pk")
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    pks = list(pending.values_list("pk", flat=True)[:limit])
    if not pks:
        return report
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        # The server is unreachable: one wait, not one per message.
        logger.warning("Could not connect to send %d outbox messages: %s", len(pks), error)
        for message in (
            OutboxMessage.objects.unsent().filter(pk__in=pks).order_by("created_at", "pk")
        ):
            message.attempts += 1
            message.last_error = _error_text(error)
            message.save(update_fields=["attempts", "last_error"])
            report.failed.append(message)
        return report
    try:
        for pk in pks:
            _send_one(pk, connection, report)
    finally:
        connection.close()
    return report
