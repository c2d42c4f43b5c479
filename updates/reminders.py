"""Return reminders: which locality leads to e-mail about which quarterly update.

`due_reminders` is pure: from each locality's current return
(`returns_for_reminders`, which brings each locality's lead assignments with it)
it says who gets what: the return's leads, assigned to the locality on the
quarter's last day (access.assignment_covers_return, decision 0023), not
whoever leads it today. `send_reminders` words the e-mails, records them in
the outbox (updates.outbox: one a day per lead and return) and sends them
through Django's e-mail backend (the console in development, SMTP in
production). The `send_return_reminders` management command runs both, for cron.

A return needs a reminder until it is submitted: a lead hears about it from
`days` days before its deadline, and every run after the deadline until it
is in. Submitted and approved returns need nothing.
"""

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from localities import access
from localities.models import LeadAssignment, Locality, Quarter
from updates import outbox, selectors
from updates.models import OutboxMessage

DEFAULT_DAYS = 7


class Kind(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    """One e-mail to one lead about one locality's return."""

    user: AbstractBaseUser
    locality: Locality
    quarter: Quarter
    kind: Kind
    row: selectors.ReturnRow

    @property
    def has_address(self) -> bool:
        return outbox.has_usable_address(self.user)


def reminder_kind(row: selectors.ReturnRow, *, days: int) -> Kind | None:
    """Overdue, due within `days` days (0 is today), or nothing to say."""
    if row.is_done:
        return None
    if row.is_overdue:
        return Kind.OVERDUE
    if row.days_to_deadline <= days:
        return Kind.DUE_SOON
    return None


def due_reminders(rows: Iterable[selectors.ReturnRow], *, days: int) -> list[Reminder]:
    """A reminder per active lead of each return that is overdue or due soon.

    Each row's `locality.lead_assignments` must hold the locality's assignments
    with their users (as `returns_for_reminders` prefetches them: members of the
    locality lead group only); those in force on the quarter's last day say who
    leads the return. Leads without an e-mail address are included: the sender
    skips and reports them, so that someone can add one.
    """
    reminders = []
    for row in rows:
        kind = reminder_kind(row, days=days)
        if kind is None:
            continue
        leads = {
            assignment.user.pk: assignment.user
            for assignment in row.locality.lead_assignments.all()
            if access.assignment_covers_return(assignment, row.locality, row.quarter)
            and assignment.user.is_active
        }
        reminders.extend(
            Reminder(user=lead, locality=row.locality, quarter=row.quarter, kind=kind, row=row)
            for lead in sorted(leads.values(), key=lambda user: user.get_username())
        )
    return reminders


def returns_for_reminders(*, today: datetime.date) -> list[selectors.ReturnRow]:
    """Each locality's current return, with the locality's lead assignments and their
    active leads (four queries)."""
    assignments = (
        LeadAssignment.objects.filter(
            user__is_active=True,
            user__in=get_user_model().objects.filter(groups__name=access.LOCALITY_LEAD),
        )
        .select_related("user")
        .order_by("user__username", "pk")
    )
    localities = Locality.objects.prefetch_related(
        Prefetch("lead_assignments", queryset=assignments)
    )
    return selectors.current_returns(localities=localities, today=today)


# --- The e-mails --------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def reminder_subject(reminder: Reminder) -> str:
    """For example "Thanet 2018/19 Q4 update: due 21 Apr 2019"."""
    what = f"{reminder.locality.name} {reminder.quarter.label} update"
    deadline = reminder.row.deadline
    if reminder.kind == Kind.OVERDUE:
        return f"{what}: overdue since {_day(deadline)}"
    if reminder.row.days_to_deadline == 0:
        return f"{what}: due today, {_day(deadline)}"
    return f"{what}: due {_day(deadline)}"


def update_link(reminder: Reminder) -> str:
    path = reverse(
        "updates:detail",
        kwargs={"locality": reminder.locality.slug, "quarter": reminder.quarter.slug},
    )
    return settings.SITE_URL.rstrip("/") + path


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def reminder_body(reminder: Reminder) -> str:
    row = reminder.row
    user = reminder.user
    name = user.get_full_name() or user.get_username()
    what = f"The {reminder.locality.name} quarterly update for {reminder.quarter.label}"
    deadline = f"{row.deadline.day} {row.deadline:%B %Y}"
    if reminder.kind == Kind.OVERDUE:
        opening = f"{what} was due by {deadline} and is {_days(-row.days_to_deadline)} overdue."
    elif row.days_to_deadline == 0:
        opening = f"{what} is due today, {deadline}."
    else:
        opening = f"{what} is due by {deadline}, in {_days(row.days_to_deadline)}."
    lines = [
        f"Dear {name},",
        "",
        opening,
        "",
        f"Status: {row.status_label}",
        f"Deadline: {deadline}",
    ]
    comments = row.update.review_comments.strip() if row.update else ""
    if comments:
        lines += ["", "Comments from the programme office:", comments]
    lines += [
        "",
        f"Open the update: {update_link(reminder)}",
        "",
        f"You are receiving this because you are a locality lead for {reminder.locality.name} "
        "on the Kent and Medway Local Care dashboard. If you are not, reply to let the "
        "programme office know.",
    ]
    return "\n".join(lines)


def reminder_key(reminder: Reminder) -> str:
    """One reminder a day per lead and return: a second run that day sends nothing again."""
    return (
        f"reminder:{reminder.locality.slug}:{reminder.quarter.slug}:"
        f"{reminder.row.today.isoformat()}:user-{reminder.user.pk}"
    )


@dataclass
class SendReport:
    """What one run did: sent (or would send), skipped for want of an address, failed
    (left in the outbox for `send_outbox` to retry), and already queued earlier that day."""

    sent: list[Reminder] = field(default_factory=list)
    no_address: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    already_queued: list[Reminder] = field(default_factory=list)


def send_reminders(reminders: Iterable[Reminder], *, dry_run: bool = False) -> SendReport:
    """Queue each reminder in the outbox, then send them over one connection.

    Each is recorded like every other e-mail (updates.outbox); one failure
    does not stop the rest, and a failed one stays queued for `send_outbox`.
    """
    report = SendReport()
    to_send = []
    for reminder in reminders:
        (to_send if reminder.has_address else report.no_address).append(reminder)
    if dry_run:
        report.sent = to_send
        return report
    queued: dict[int, Reminder] = {}
    with transaction.atomic():
        for reminder in to_send:
            message = outbox.queue(
                key=reminder_key(reminder),
                kind=OutboxMessage.Kind.REMINDER,
                locality=reminder.locality,
                quarter=reminder.quarter,
                update=reminder.row.update,
                recipient=reminder.user,
                subject=reminder_subject(reminder),
                body=reminder_body(reminder),
            )
            if message is None:
                report.already_queued.append(reminder)
            else:
                queued[message.pk] = reminder
    sent = outbox.send_queued(ids=list(queued))
    report.sent = [queued[message.pk] for message in sent.sent]
    report.failed = [(queued[message.pk], message.last_error) for message in sent.failed]
    return report
