"""Reads for the quarterly-update pages: which return is due, and where each one stands."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from localities import access
from localities.models import LeadAssignment, Locality, Milestone, Quarter, in_force_on
from updates.models import OutboxMessage, QuarterlyUpdate

NOT_STARTED = "Not started"


def return_status_label(update: QuarterlyUpdate | None) -> str:
    """The status a lead or the office reads: "Not started", "Draft", "Returned with comments"…"""
    return update.get_status_display() if update else NOT_STARTED


def current_return_quarter(
    *, quarters: list[Quarter], updates: list[QuarterlyUpdate], today: datetime.date
) -> Quarter | None:
    """The quarter a locality reports on next.

    The quarter after its latest approved update, or the one it has already
    started after that; with nothing approved, the latest quarter that has
    ended by `today`. `quarters` are chronological; `updates` are the
    locality's own. Never later than the last quarter in the data.
    """
    if not quarters:
        return None
    approved = [u.quarter_id for u in updates if u.status == QuarterlyUpdate.Status.APPROVED]
    position = {q.pk: index for index, q in enumerate(quarters)}
    if approved:
        latest = max(position[pk] for pk in approved)
        return quarters[min(latest + 1, len(quarters) - 1)]
    ended = [q for q in quarters if q.end_date < today]
    return ended[-1] if ended else quarters[0]


@dataclass
class ReturnRow:
    """One locality's return for one quarter, as the lead and the office see it."""

    locality: Locality
    quarter: Quarter
    update: QuarterlyUpdate | None
    today: datetime.date
    past_updates: list[QuarterlyUpdate] = field(default_factory=list)
    # Whether the lead reading the row works on this return (My localities): false
    # for a lead who took the locality over after the quarter ended.
    can_work: bool = True

    @property
    def status_label(self) -> str:
        return return_status_label(self.update)

    @property
    def deadline(self) -> datetime.date:
        return self.quarter.submission_deadline

    @property
    def is_done(self) -> bool:
        return self.update is not None and self.update.status in (
            QuarterlyUpdate.Status.SUBMITTED,
            QuarterlyUpdate.Status.APPROVED,
        )

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.deadline < self.today

    @property
    def days_to_deadline(self) -> int:
        return (self.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_to_deadline) if self.is_overdue else 0

    @property
    def next_step(self) -> str:
        """What the lead does next: "start", "continue" (a draft or returned update) or "view"
        (done, or the return of a quarter they did not lead at its end)."""
        if not self.can_work:
            return "view"
        if self.update is None:
            return "start"
        return "view" if self.is_done else "continue"

    @property
    def submitted_on(self) -> str:
        return short_date(self.update.submitted_at) if self.update else ""

    @property
    def reviewed_on(self) -> str:
        return short_date(self.update.reviewed_at) if self.update else ""


def short_date(moment: datetime.datetime | None) -> str:
    """ "21 Apr 2019" in local time, as the template filter date:"j M Y" writes it.

    In Python because the filter costs a third of a millisecond a call and the
    returns page shows two a row.
    """
    if moment is None:
        return ""
    day = timezone.localtime(moment)
    return f"{day.day} {day:%b %Y}"


def _updates_prefetch():
    return Prefetch(
        "updates",
        queryset=QuarterlyUpdate.objects.select_related(
            "quarter__financial_year", "submitted_by", "reviewed_by"
        ).order_by("-quarter__start_date"),
    )


def current_returns(*, localities, today: datetime.date) -> list[ReturnRow]:
    """Each locality's current return, with its earlier updates (the office, reminders)."""
    return _current_returns(
        list(localities.prefetch_related(_updates_prefetch()).order_by("name")), today=today
    )


def _current_returns(localities: list[Locality], *, today: datetime.date) -> list[ReturnRow]:
    """current_returns for `localities`, in order, their updates prefetched."""
    quarters = list(Quarter.objects.chronological())
    rows = []
    for locality in localities:
        updates = list(locality.updates.all())
        quarter = current_return_quarter(quarters=quarters, updates=updates, today=today)
        if quarter is None:
            continue
        current = next((u for u in updates if u.quarter_id == quarter.pk), None)
        if current is None and not locality.is_in_force_on(quarter.end_date):
            # It ended before that quarter did (a merger, decision 0023): what it became
            # owes the return, as on the office's returns page.
            continue
        rows.append(
            ReturnRow(
                locality=locality,
                quarter=quarter,
                update=current,
                today=today,
                past_updates=[u for u in updates if u is not current],
            )
        )
    return rows


def lead_returns(*, user, today: datetime.date) -> list[ReturnRow]:
    """A lead's My localities: each locality's current return, for the localities
    they lead today, and for those they led on the last day of the quarter whose
    return is still current (they work on it after moving on, until it is
    approved). A locality taken over after its current quarter ended is listed,
    with `can_work` false: its return is the previous lead's (decision 0023)."""
    localities = access.localities_ever_led_by(user)
    prefetch_related_objects(localities, _updates_prefetch())
    rows = []
    for row in _current_returns(localities, today=today):
        row.can_work = access.can_work_on_return(user, row.locality, row.quarter)
        if row.can_work or access.leads_locality_on(user, row.locality, today):
            rows.append(row)
    return rows


# The returns page's status filter: "overdue" first, the one the office chases.
OVERDUE = "overdue"
NOT_STARTED_VALUE = "not_started"
RETURN_STATUS_CHOICES = [
    (OVERDUE, "Overdue"),
    (NOT_STARTED_VALUE, NOT_STARTED),
    *QuarterlyUpdate.Status.choices,
]
# Statuses that leave a return still to do once its deadline has passed.
_UNFINISHED = [
    NOT_STARTED_VALUE,
    QuarterlyUpdate.Status.DRAFT,
    QuarterlyUpdate.Status.RETURNED,
]


def overdue_statuses(*, quarter: Quarter, today: datetime.date) -> list[str]:
    """The statuses that make a return overdue for `quarter`: none until its deadline has passed."""
    return list(_UNFINISHED) if quarter.submission_deadline < today else []


# The office's queue, in the order it works through it: what waits for its review,
# then what it must chase, then the rest. `None` is where overdue returns go.
QUEUE_ORDER = (
    QuarterlyUpdate.Status.SUBMITTED,
    None,
    QuarterlyUpdate.Status.RETURNED,
    QuarterlyUpdate.Status.DRAFT,
    NOT_STARTED_VALUE,
    QuarterlyUpdate.Status.APPROVED,
)
QUEUE_ORDER_TEXT = (
    "submitted first, then overdue, returned, in draft, not started and approved, by name"
)


def localities_with_return_status(*, quarter: Quarter, today: datetime.date) -> QuerySet[Locality]:
    """Every locality that owes `quarter` a return, with `return_status`: its `quarter`
    update's status, or "not_started".

    A locality owes one if it is in force at the quarter's end (decision 0023: a
    locality merged into another before then does not, what it became does), or
    if it has an update for the quarter all the same. In QUEUE_ORDER, then by
    name. One LEFT JOIN on the quarter's update (at most one per locality), so
    the database can filter, count and page the returns instead of Python
    building a row for every locality.
    """
    localities = Locality.objects.annotate(
        quarter_update=FilteredRelation("updates", condition=Q(updates__quarter=quarter)),
        return_status=Coalesce(F("quarter_update__status"), Value(NOT_STARTED_VALUE)),
    ).filter(in_force_on(quarter.end_date) | Q(quarter_update__isnull=False))
    overdue = overdue_statuses(quarter=quarter, today=today)
    overdue_position = QUEUE_ORDER.index(None)
    # Overdue is judged first: a draft past the deadline is overdue, not "in draft".
    whens = [When(return_status__in=overdue, then=Value(overdue_position))] if overdue else []
    whens += [
        When(return_status=status, then=Value(position))
        for position, status in enumerate(QUEUE_ORDER)
        if status is not None
    ]
    return localities.order_by(Case(*whens), "name")


def return_rows(
    localities: Iterable[Locality], *, quarter: Quarter, today: datetime.date
) -> list[ReturnRow]:
    """The rows of one page of returns: one query for those localities' updates."""
    localities = list(localities)
    updates = {
        u.locality_id: u
        for u in QuarterlyUpdate.objects.for_quarter(quarter)
        .filter(locality__in=[locality.pk for locality in localities])
        .select_related("submitted_by", "reviewed_by")
        .order_by()  # the model's ordering would join quarter and locality only to sort
    }
    return [
        ReturnRow(locality=locality, quarter=quarter, update=updates.get(locality.pk), today=today)
        for locality in localities
    ]


def default_returns_quarter(*, today: datetime.date) -> Quarter | None:
    """The quarter the returns page opens on: the latest with any update, else the last ended."""
    # EXISTS per quarter, not "the update with the latest quarter": that sorted every
    # update (25,000 at factor 100, about 100 ms on PostgreSQL) to keep one.
    has_updates = QuarterlyUpdate.objects.filter(quarter=OuterRef("pk"))
    latest = Quarter.objects.chronological().filter(Exists(has_updates)).last()
    if latest:
        return latest
    return (
        Quarter.objects.chronological().filter(end_date__lt=today).last()
        or Quarter.objects.chronological().first()
    )


# --- Added for the programme office's pages (issue 4) ------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One recorded change to a quarterly update: who, when, what, and where it left it."""

    when: datetime.datetime
    who: str
    what: str
    status_label: str
    version: int


_HISTORY_TYPE_WORDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def update_timeline(update: QuarterlyUpdate) -> list[TimelineEntry]:
    """The update's history, newest first (the lead's update page and the review page).

    One query. Each save, submit, return, approve and reopen records a row
    with its reason (updates.services); rows without one (such as data
    loaded by a command) say only that the update was created or changed.
    """
    if update.pk is None:
        return []
    rows = (
        update.history.select_related("history_user")
        .order_by("-history_date", "-history_id")
        .only(
            "history_id",
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user__username",
            "history_user__first_name",
            "history_user__last_name",
            "status",
            "version",
        )
    )
    return [
        TimelineEntry(
            when=row.history_date,
            who=_person(row.history_user),
            what=row.history_change_reason or _HISTORY_TYPE_WORDS.get(row.history_type, "Changed"),
            status_label=row.get_status_display(),
            version=row.version,
        )
        for row in rows
    ]


def why_locked(update: QuarterlyUpdate) -> str:
    """Why a lead's save was refused: who submitted (or approved) the update, and when."""
    if update.status == QuarterlyUpdate.Status.APPROVED:
        done, who, when = "approved", update.reviewed_by, update.reviewed_at
    else:
        done, who, when = (
            update.get_status_display().lower(),
            update.submitted_by,
            update.submitted_at,
        )
    by = f" by {_person(who)}" if who is not None else ""
    at = ""
    if when is not None:
        moment = timezone.localtime(when)
        at = f" at {moment:%H:%M} on {moment.day} {moment:%b %Y}"
    return (
        f"This update was {done}{by}{at}, so your changes were not saved. What you typed "
        "is below: copy it somewhere safe, then ask the programme office to return the "
        "update if it needs changing."
    )


def _person(user) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ReturnsSummary:
    """The counts at the top of the returns page."""

    total: int
    by_status: tuple[tuple[str, str, int], ...]  # (value, label, how many), every status
    overdue: int

    @property
    def counts(self) -> dict[str, int]:
        return {label: how_many for _, label, how_many in self.by_status}

    @property
    def approved(self) -> int:
        return self.counts.get(QuarterlyUpdate.Status.APPROVED.label, 0)

    @property
    def sentence(self) -> str:
        """For example "3 of 8 approved, 2 overdue"."""
        return f"{self.approved} of {self.total} approved, {self.overdue} overdue"


def summarise_returns(*, quarter: Quarter, today: datetime.date) -> ReturnsSummary:
    """How many of every locality's returns stand at each status (every status listed, even
    at 0), and how many are overdue: one GROUP BY over all localities, whatever the filters."""
    grouped = dict(
        localities_with_return_status(quarter=quarter, today=today)
        .order_by()
        .values("return_status")
        .annotate(how_many=Count("pk"))
        .values_list("return_status", "how_many")
    )
    by_status = tuple(
        (value, label, grouped.get(value, 0))
        for value, label in RETURN_STATUS_CHOICES
        if value != OVERDUE
    )
    overdue = sum(grouped.get(value, 0) for value in overdue_statuses(quarter=quarter, today=today))
    return ReturnsSummary(total=sum(grouped.values()), by_status=by_status, overdue=overdue)


# A report older than a quarter is stale: the office should chase an update.
STALE_REPORT_DAYS = 92
PROGRAMME_OFFICE = "Programme office"


@dataclass(frozen=True)
class ReportingGap:
    """A milestone the programme office should chase: never reported, or no recent update."""

    title: str
    locality_name: str | None
    planned: str
    last_report: str  # "Never reported" or "No update since 12 Dec 2018"
    owner: str


@dataclass(frozen=True)
class ReportingGaps:
    rows: list[ReportingGap]
    total: int
    never_reported: int


def _owner(milestone: Milestone, leads: dict[int, list[str]]) -> str:
    if milestone.locality is None:
        return PROGRAMME_OFFICE
    names = leads.get(milestone.locality_id, [])
    return ", ".join(names) if names else f"{milestone.locality.name} lead (none assigned)"


def _leads_of_localities_of(
    milestones: QuerySet[Milestone], *, day: datetime.date
) -> dict[int, list[str]]:
    """Each locality's leads on `day`, for the localities of these milestones: always
    one query (a prefetch would skip it when no row has a locality, so the count
    would vary)."""
    leads: dict[int, list[str]] = {}
    for row in (
        LeadAssignment.objects.in_force_on(day)
        .filter(locality__milestones__in=milestones.values("pk"))
        .select_related("user")
        .order_by("locality_id", "user__username", "user_id")
        .distinct()
    ):
        names = leads.setdefault(row.locality_id, [])
        if _person(row.user) not in names:  # two assignments in force on one day
            names.append(_person(row.user))
    return leads


def _last_report(milestone: Milestone) -> str:
    if not milestone.is_reported:
        return "Never reported"
    if milestone.reported_on:
        return f"No update since {milestone.reported_on:%-d %b %Y}"
    return f"No update since the paper: {milestone.source}"


def milestone_reporting_gaps(*, today: datetime.date, limit: int) -> ReportingGaps:
    """Unfinished milestones with no report, or none in the last quarter, owner named.

    For the programme office only: the board sees just the count of unreported
    milestones. Never-reported first, then the stalest; the first `limit` rows.
    Three queries whatever the data.
    """
    stale_before = today - datetime.timedelta(days=STALE_REPORT_DAYS)
    gaps = (
        Milestone.objects.in_plan_on(today)
        .exclude(status__in=[Milestone.Status.COMPLETE, Milestone.Status.CANCELLED])
        .filter(
            Q(status=Milestone.Status.NOT_REPORTED)
            | Q(reported_on__isnull=True)
            | Q(reported_on__lt=stale_before)
        )
    )
    counts = gaps.order_by().aggregate(
        total=Count("pk"),
        never_reported=Count("pk", filter=Q(status=Milestone.Status.NOT_REPORTED)),
    )
    ordered = (
        gaps.select_related("locality")
        .annotate(
            reported_first=Case(
                When(status=Milestone.Status.NOT_REPORTED, then=Value(0)), default=Value(1)
            )
        )
        .order_by(
            "reported_first",
            F("reported_on").asc(nulls_first=True),
            F("locality__name").asc(nulls_first=True),
            F("planned_end").asc(nulls_last=True),
            "pk",
        )
    )
    leads = _leads_of_localities_of(ordered[:limit], day=today)
    rows = [
        ReportingGap(
            title=milestone.title,
            locality_name=milestone.locality.name if milestone.locality else None,
            planned=milestone.planned_window_text(),
            last_report=_last_report(milestone),
            owner=_owner(milestone, leads),
        )
        for milestone in ordered[:limit]
    ]
    return ReportingGaps(rows=rows, total=counts["total"], never_reported=counts["never_reported"])


def messages_for_return(*, locality: Locality, quarter: Quarter) -> list[OutboxMessage]:
    """Every e-mail about one locality's return for a quarter, newest first (one query).

    For the programme office's review page: addresses are theirs to see, not
    other leads'. Reminders sent before the update was started count too.
    """
    return list(
        OutboxMessage.objects.for_return(locality=locality, quarter=quarter)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )
