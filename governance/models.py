"""Governance: the meetings of the boards that oversee Local Care, what they
decided, the actions that follow, the programme office's report to each board
every quarter, and the board packs published for a meeting.

Sits between the quarterly returns and the risk register (pyproject.toml's
import-linter layers): an action may concern a locality, objective, milestone,
critical area or risk, and nothing below imports it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from localities.models import (
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CriticalArea,
    GovernanceBody,
    IllustrativeMixin,
    Locality,
    Milestone,
    Objective,
    Quarter,
    Rag,
    limited_text,
)
from risks.models import Risk

KEY_MESSAGES_MAX_LENGTH = 3_000  # 3–5 key messages, one per line
RECOMMENDATIONS_MAX_LENGTH = 2_000  # "The Board is asked to:", one recommendation per line


class MeetingQuerySet(models.QuerySet):
    def in_date_order(self) -> "MeetingQuerySet":
        """Earliest first; a meeting the papers leave undated sorts at the earliest it can be."""
        return self.annotate(sort_date=models.functions.Coalesce("held_on", "held_after")).order_by(
            "sort_date", "pk"
        )

    def held_by(self, day: datetime.date) -> "MeetingQuerySet":
        """Meetings held on or before `day` (an undated one once its earliest date has passed)."""
        return self.filter(Q(held_on__lte=day) | Q(held_on__isnull=True, held_after__lt=day))


class Meeting(IllustrativeMixin, models.Model):
    """A meeting of a governance body, with the papers presented to it.

    The papers date most meetings exactly; the Joint Board minutes carry no
    date (their meeting was after 11 December 2018), so a meeting may be
    known only as "after" a day, and says so in `date_as_written`.
    """

    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(null=True, blank=True, help_text="The day, when it is known.")
    held_after = models.DateField(
        null=True,
        blank=True,
        help_text="For a meeting the papers leave undated: the last day it is known to follow.",
    )
    date_as_written = models.CharField(
        max_length=200,
        blank=True,
        help_text="The date as the papers give it, where they give no exact day.",
    )
    papers = limited_text(
        DESCRIPTION_MAX_LENGTH, blank=True, help_text="Papers presented, one per line."
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that records it.")

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "held_after", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_on__isnull=False) | Q(held_after__isnull=False),
                name="meeting_has_a_date_or_a_day_it_follows",
                violation_error_message="Give the meeting's date, or the day it is known to follow.",
            ),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | Q(held_after__isnull=True),
                name="meeting_dated_one_way",
                violation_error_message="Give the meeting's date or the day it follows, not both.",
            ),
        ]

    def __str__(self):
        return f"{self.body}, {self.date_text}"

    @property
    def date_text(self) -> str:
        """The date as precisely as the papers give it, never more."""
        if self.held_on:
            return f"{self.held_on.day} {self.held_on:%B %Y}"
        return (
            self.date_as_written or f"undated, after {self.held_after.day} {self.held_after:%B %Y}"
        )

    @property
    def paper_list(self) -> list[str]:
        return [line.strip() for line in self.papers.splitlines() if line.strip()]


class Decision(models.Model):
    """What a meeting decided, noted or recommended, with the paper and section it cites."""

    class Kind(models.TextChoices):
        NOTED = "noted", "Noted"
        AGREED = "agreed", "Agreed"
        SUPPORTED = "supported", "Supported"
        APPROVED = "approved", "Approved"
        RECOMMENDED = "recommended", "Recommended"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    reference = models.CharField(
        max_length=20, help_text="As the paper numbers it: “11.1.2”, “(b)”."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = limited_text(DESCRIPTION_MAX_LENGTH, help_text="As the paper words it.")
    paper = models.CharField(max_length=TITLE_MAX_LENGTH, help_text="The paper it was made on.")
    section = models.CharField(
        max_length=100, blank=True, help_text="Where in the paper or minutes it is recorded."
    )
    note = limited_text(
        NOTE_MAX_LENGTH, blank=True, help_text="What a reader must know that the text does not say."
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that records it.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__held_on", "meeting__held_after", "meeting_id", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "reference"],
                name="decision_reference_unique_per_meeting",
                violation_error_message="This meeting already has a decision with that reference.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.text[:80]}"


class ActionQuerySet(models.QuerySet):
    def open_as_at(self, day: datetime.date) -> "ActionQuerySet":
        """Actions open at the end of `day`: agreed by then and not yet done or dropped."""
        return self.filter(created_on__lte=day).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=day)
        )

    def overdue_as_at(self, day: datetime.date) -> "ActionQuerySet":
        """Open at the end of `day` with a due date before it."""
        return self.open_as_at(day).filter(due_date__lt=day)

    def for_locality(self, locality: Locality) -> "ActionQuerySet":
        return self.filter(locality=locality)

    def with_links(self) -> "ActionQuerySet":
        return self.select_related(
            "meeting__body",
            "owner_user",
            "locality",
            "objective__financial_year",
            "milestone",
            "risk",
            "critical_area",
            "decision",
        )


class Action(IllustrativeMixin, models.Model):
    """Something a meeting asked someone to do, followed until it is done or dropped.

    Not a risk's mitigating action nor a critical area's action (those belong
    to their register): the reverse names on the linked items are `board_actions`.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    text = limited_text(DESCRIPTION_MAX_LENGTH)
    owner_role = models.CharField(
        max_length=200, blank=True, help_text="A role, for example “STP Local Care Lead”."
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_actions",
    )
    created_on = models.DateField(
        help_text="The day it was agreed: the meeting's, or for an undated meeting the "
        "earliest day it can have been held (it counts as open from then)."
    )
    due_date = models.DateField(
        null=True,
        blank=True,
        help_text="The last day it is due: overdue after it. Where the papers give only a "
        "month or a meeting, the last day that allows (shown as written).",
    )
    due_as_written = models.CharField(
        max_length=200, blank=True, help_text="The due date as the papers give it, if not a day."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    owner_and_status_are_illustrative = models.BooleanField(
        default=False,
        help_text="The papers give the action, not who owns it or whether it was done: "
        "those are invented for demonstration.",
    )
    closed_on = models.DateField(null=True, blank=True, help_text="The day it was done or dropped.")
    status_reason = limited_text(
        REASON_MAX_LENGTH,
        blank=True,
        help_text="Why it was dropped (required), or how it was done.",
    )
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="board_actions"
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, null=True, blank=True, related_name="board_actions"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="board_actions"
    )
    risk = models.ForeignKey(
        Risk, on_delete=models.PROTECT, null=True, blank=True, related_name="board_actions"
    )
    critical_area = models.ForeignKey(
        CriticalArea, on_delete=models.PROTECT, null=True, blank=True, related_name="board_actions"
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that records it.")
    # Two people editing one action: the second is told (as with risks).
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner_role="") | Q(owner_user__isnull=False),
                name="action_has_an_owner",
                violation_error_message="Say who owns the action: a role or a person.",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="action_closed_on_iff_done_or_dropped",
                violation_error_message="Give the day a done or dropped action closed, and none for an open one.",
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(status_reason=""),
                name="action_dropped_has_a_reason",
                violation_error_message="Say why the action was dropped.",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("created_on")),
                name="action_closed_after_agreed",
                violation_error_message="An action cannot close before it was agreed.",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def owner_text(self) -> str:
        if self.owner_user_id:
            name = self.owner_user.get_full_name() or self.owner_user.get_username()
            return f"{name} ({self.owner_role})" if self.owner_role else name
        return self.owner_role

    def status_as_at(self, day: datetime.date) -> str:
        """Its status at the end of `day` (a later close does not count)."""
        if self.closed_on and self.closed_on <= day:
            return self.get_status_display()
        return self.Status.OPEN.label

    def is_overdue_as_at(self, day: datetime.date) -> bool:
        return (
            self.created_on <= day
            and self.status_as_at(day) == self.Status.OPEN.label
            and self.due_date is not None
            and self.due_date < day
        )


class BoardReportQuerySet(models.QuerySet):
    def approved(self) -> "BoardReportQuerySet":
        return self.filter(status=BoardReport.Status.APPROVED)

    def for_quarter(self, quarter: Quarter) -> "BoardReportQuerySet":
        return self.filter(quarter=quarter)


class BoardReport(models.Model):
    """The programme office's report to a board for a quarter: its cover sheet.

    The overall assessment, the key messages and what the board is asked to do,
    written and approved by the programme office. Until it is approved the board
    sees the data without it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    class Purpose(models.TextChoices):
        ASSURANCE = "assurance", "For assurance"
        NOTING = "noting", "For noting"
        DISCUSSION = "discussion", "For discussion"
        DECISION = "decision", "For decision"

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="board_reports")
    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="board_reports")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="board_reports"
    )
    meeting_date = models.DateField(null=True, blank=True)
    agenda_item = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, default="Local Care progress report")
    report_from = models.CharField(
        max_length=200, help_text="A role: “Local Care Senior Responsible Officer”."
    )
    author = models.CharField(max_length=200, help_text="A role: “STP Local Care Lead”.")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.ASSURANCE)
    assessment_rag = models.CharField(max_length=20, choices=Rag.choices)
    assessment_reason = limited_text(REASON_MAX_LENGTH)
    key_messages = limited_text(
        KEY_MESSAGES_MAX_LENGTH, help_text="3 to 5 key messages, one per line."
    )
    recommendations = limited_text(
        RECOMMENDATIONS_MAX_LENGTH,
        help_text="The Board is asked to: one recommendation per line, each starting with what "
        "it is asked to do (note, discuss, approve, support …).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    is_illustrative = models.BooleanField(
        default=False, help_text="Written for demonstration; not a report the programme made."
    )
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = BoardReportQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter__start_date", "body__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "body"],
                name="board_report_one_per_quarter_and_body",
                violation_error_message="This board already has a report for the quarter.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="board_report_approved_has_a_time",
                violation_error_message="An approved report says when it was approved.",
            ),
        ]

    def __str__(self):
        return f"{self.title}: {self.body}, {self.quarter}"

    @property
    def key_message_list(self) -> list[str]:
        return [line.strip() for line in self.key_messages.splitlines() if line.strip()]

    @property
    def recommendation_list(self) -> list[str]:
        return [line.strip() for line in self.recommendations.splitlines() if line.strip()]


class PublishedPackQuerySet(models.QuerySet):
    def without_pdf(self) -> "PublishedPackQuerySet":
        """Lists never read the stored PDFs (megabytes each)."""
        return self.defer("pdf")

    def published(self) -> "PublishedPackQuerySet":
        return self.filter(status=PublishedPack.Status.PUBLISHED)


class PublishedPack(models.Model):
    """A board pack as published for a meeting: the PDF the board read, kept unchanged.

    A correction is a new version with its reason; the old one stays.
    """

    class Status(models.TextChoices):
        PUBLISHING = "publishing", "Publishing…"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"

    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="published_packs")
    body = models.ForeignKey(
        GovernanceBody, on_delete=models.PROTECT, related_name="published_packs"
    )
    board_report = models.ForeignKey(
        BoardReport, on_delete=models.PROTECT, null=True, blank=True, related_name="published_packs"
    )
    number = models.PositiveSmallIntegerField(
        help_text="Version 1, 2, … of this quarter's pack for this board."
    )
    correction_reason = limited_text(
        REASON_MAX_LENGTH, blank=True, help_text="Why a new version replaces the last one."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHING)
    failure = limited_text(
        NOTE_MAX_LENGTH, blank=True, help_text="What went wrong, for the office."
    )
    data_version = models.CharField(
        max_length=100, blank=True, help_text="The version of the programme data it was made from."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_bytes = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    # Who published and when the status moved; not the PDF itself (megabytes a copy).
    history = HistoricalRecords(excluded_fields=["pdf"])
    objects = PublishedPackQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter__start_date", "body__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "body", "number"],
                name="published_pack_number_unique",
                violation_error_message="This quarter's pack for this board already has that version.",
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(correction_reason=""),
                name="published_pack_correction_has_a_reason",
                violation_error_message="Say why this version corrects the last one.",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(pdf__isnull=False, published_at__isnull=False),
                name="published_pack_has_its_pdf",
                violation_error_message="A published pack has its PDF.",
            ),
        ]

    def __str__(self):
        return f"Board pack {self.quarter}, {self.body}, version {self.number}"

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    def _refuse_if_published(self) -> None:
        """What the board read never changes: a correction is a new version."""
        if self.pk and type(self).objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise ValidationError(
                "A published pack never changes: publish a corrected version with its reason."
            )
