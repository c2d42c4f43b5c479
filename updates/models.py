"""What each locality reports every quarter: the quarterly update (its return)
and the rows that belong to it, and the totals derived from them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from localities.models import (
    COMMENTS_MAX_LENGTH,
    MDT,
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RETURN_COMMENT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CareModelElement,
    IllustrativeMixin,
    Locality,
    Milestone,
    Objective,
    OutcomeMeasure,
    Quarter,
    Rag,
    limited_text,
)


class QuarterlyUpdateQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=QuarterlyUpdate.Status.APPROVED)

    def for_quarter(self, quarter):
        return self.filter(quarter=quarter)

    def for_locality(self, locality):
        return self.filter(locality=locality)

    def latest_first_before(self, quarter):
        """Updates for quarters before this one, the latest first: `.first()` is "last
        quarter's" (the review's comparison, "No change since last quarter")."""
        return self.filter(quarter__start_date__lt=quarter.start_date).order_by(
            "-quarter__start_date"
        )


class QuarterlyUpdate(IllustrativeMixin, models.Model):
    """A locality's report for one quarter: RAG per objective, money, MDTs and outcomes.

    Leads draft and submit it; the programme office approves it (the version
    the board sees) or returns it with comments.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned with comments"
        APPROVED = "approved", "Approved"

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="updates")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    summary = limited_text(
        SUMMARY_MAX_LENGTH, blank=True, help_text="Overall narrative for the quarter."
    )
    spend_planned = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Pounds planned this quarter.",
    )
    spend_actual = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Pounds spent this quarter.",
    )
    # No MDT counts here: how many MDTs were live, and the population they
    # cover, are derived from the MDT register (decision 0009).
    partners_signed_up = models.PositiveSmallIntegerField(null=True, blank=True)
    locality_plan_refreshed = models.BooleanField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comments = limited_text(COMMENTS_MAX_LENGTH, blank=True)
    # Incremented on every save through the services, so a second editor
    # working from a stale copy is told instead of overwriting the first.
    version = models.PositiveIntegerField(default=1)

    objects = QuarterlyUpdateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter__start_date", "locality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "quarter"],
                name="update_one_per_locality_quarter",
                violation_error_message="This locality already has an update for this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(spend_planned__isnull=True) | Q(spend_planned__gte=0),
                name="update_spend_planned_not_negative",
                violation_error_message="Planned spend cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(spend_actual__isnull=True) | Q(spend_actual__gte=0),
                name="update_spend_actual_not_negative",
                violation_error_message="Actual spend cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft"]) | Q(submitted_at__isnull=False),
                name="update_submitted_has_time",
                violation_error_message="A submitted update records when it was submitted.",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(reviewed_at__isnull=False),
                name="update_approved_has_review_time",
                violation_error_message="An approved update records when it was approved.",
            ),
        ]

    def __str__(self):
        return f"{self.locality} {self.quarter}"

    def get_absolute_url(self):
        return reverse("admin:updates_quarterlyupdate_change", args=[self.pk])


class ObjectiveStatus(models.Model):
    """A locality's RAG status and narrative against one objective in a quarter."""

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="objective_statuses"
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="statuses")
    rag = models.CharField("RAG status", max_length=20, choices=Rag.choices)
    narrative = limited_text(NARRATIVE_MAX_LENGTH, blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    rag_reason = limited_text(
        REASON_MAX_LENGTH,
        blank=True,
        help_text="Why the lead chose a RAG different from the suggested one.",
    )
    suggested_rag = models.CharField(
        "suggested RAG",
        max_length=20,
        choices=Rag.choices,
        blank=True,
        help_text="What the data suggested when the lead last saved (localities.rag).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["objective__number"]
        verbose_name_plural = "objective statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["update", "objective"],
                name="status_one_per_update_objective",
                violation_error_message="This update already has a status for this objective.",
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="status_percent_0_to_100",
                violation_error_message="Percent complete must be between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=Q(rag__in=Rag.values),
                name="status_rag_valid",
                violation_error_message="Choose Red, Amber, Green, Complete or Not started.",
            ),
        ]

    def __str__(self):
        return f"{self.update}: objective {self.objective.number} {self.get_rag_display()}"


class OutcomeFigure(models.Model):
    """A locality's reported value of an outcome measure for a quarter, as returns carried
    it before the monthly extract became the record (decision 0019). Read by no page
    and written by nothing; kept, read-only, for the record."""

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="outcome_figures"
    )
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.PROTECT, related_name="figures")
    value = models.DecimalField(
        max_digits=12, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "measure"],
                name="outcome_one_per_update_measure",
                violation_error_message="This update already has a figure for this measure.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="outcome_not_negative",
                violation_error_message="An outcome figure cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.update}: {self.measure}"


class MaturityScore(models.Model):
    """A locality's self-assessed maturity (1–5) on one care-model element in a quarter.

    The October 2017 maturity matrix is the baseline, held as the 2017/18 Q3
    update of each locality.
    """

    MIN_SCORE = 1
    MAX_SCORE = 5

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="maturity_scores"
    )
    element = models.ForeignKey(
        CareModelElement, on_delete=models.PROTECT, related_name="maturity_scores"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["element__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "element"],
                name="maturity_one_per_update_element",
                violation_error_message="This update already has a score for this element.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="maturity_score_1_to_5",
                violation_error_message="A maturity score is between 1 and 5.",
            ),
        ]

    def __str__(self):
        return f"{self.update}: {self.element} = {self.score}"


class MilestoneUpdate(models.Model):
    """A lead's report on one of their locality's milestones in a quarterly update.

    Held apart from the milestone itself so that the board never sees an
    unapproved forecast: approval copies it onto the milestone.
    """

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="milestone_updates"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20, choices=Milestone.Status.choices)
    forecast_date = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)
    forecast_change_reason = limited_text(
        REASON_MAX_LENGTH, blank=True, help_text="Why the forecast moved later than last reported."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("milestone__planned_end").asc(nulls_last=True), "milestone__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "milestone"],
                name="milestone_update_one_per_update",
                violation_error_message="This update already reports on this milestone.",
            ),
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(actual_date__isnull=False),
                name="milestone_update_complete_has_actual_date",
                violation_error_message="A complete milestone needs its actual date.",
            ),
            models.CheckConstraint(
                condition=Q(actual_date__isnull=True) | Q(status="complete"),
                name="milestone_update_actual_date_only_when_complete",
                violation_error_message="Only a complete milestone has an actual date.",
            ),
        ]

    def __str__(self):
        return f"{self.update}: {self.milestone}"


class MDTUpdate(models.Model):
    """A lead's report on one MDT in a quarterly update; approval copies it onto the MDT."""

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="mdt_updates"
    )
    mdt = models.ForeignKey(MDT, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20, choices=MDT.Status.choices)
    actual_go_live = models.DateField(null=True, blank=True)
    population_covered = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(2_000_000)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["mdt__name"]
        verbose_name = "MDT update"
        constraints = [
            models.UniqueConstraint(
                fields=["update", "mdt"],
                name="mdt_update_one_per_update",
                violation_error_message="This update already reports on this MDT.",
            ),
            models.CheckConstraint(
                condition=~Q(status="live") | Q(actual_go_live__isnull=False),
                name="mdt_update_live_has_go_live_date",
                violation_error_message="A live MDT needs its actual go-live date.",
            ),
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(actual_go_live__isnull=True),
                name="mdt_update_planned_has_no_go_live_date",
                violation_error_message=(
                    "A planned MDT has not gone live: clear the go-live date or change its status."
                ),
            ),
            models.CheckConstraint(
                condition=Q(population_covered__isnull=True) | Q(population_covered__lte=2_000_000),
                name="mdt_update_population_plausible",
                violation_error_message="Population covered must be at most 2,000,000.",
            ),
        ]

    def __str__(self):
        return f"{self.update}: {self.mdt.name}"


class RaisedRisk(models.Model):
    """A new risk or issue a lead raises in an update.

    On submission it reaches the programme office as a proposed risk on the
    register (`proposed_risk`), where they accept or reject it.
    """

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="raised_risks"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = limited_text(NARRATIVE_MAX_LENGTH, blank=True)
    category = models.ForeignKey("risks.RiskCategory", on_delete=models.PROTECT, related_name="+")
    proposed_risk = models.OneToOneField(
        "risks.Risk", on_delete=models.SET_NULL, null=True, blank=True, related_name="raised_in"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class ReturnCommentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=ReturnComment.State.OPEN)

    def for_update(self, update):
        """The update's comments and replies, oldest first, with who wrote and closed them."""
        return (
            self.filter(update=update)
            .select_related("author", "closed_by")
            .order_by("created", "pk")
        )


class ReturnComment(models.Model):
    """A remark in the conversation between the programme office and a locality's lead
    about one section of a quarterly update, or one row of it (an objective, a
    milestone, an MDT).

    The office starts a thread on a submitted update; the lead and the office
    reply; returning or approving the update closes every open comment with
    that decision (updates.services). While it is returned, the lead's reply
    re-opens a thread that return closed (comment_services, decision 0012).
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    update = models.ForeignKey(QuarterlyUpdate, on_delete=models.CASCADE, related_name="comments")
    # A section slug of updates.services.SECTIONS, checked by the service that writes it.
    section = models.CharField(max_length=20)
    # Which row of the section: "objective-12", "milestone-3", "mdt-7"; blank for the section.
    row_key = models.CharField(max_length=40, blank=True)
    # The row as people read it ("Objective 2", a milestone's title), as it was when written.
    row_label = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment that starts the thread; empty for that comment itself.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = limited_text(RETURN_COMMENT_MAX_LENGTH)
    created = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_by_decision = models.CharField(
        max_length=100,
        blank=True,
        help_text='The decision that closed it: "Returned with comments on 3 Jan 2019", "Approved".',
    )

    objects = ReturnCommentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True, closed_by_decision="")
                | Q(state="closed", closed_at__isnull=False) & ~Q(closed_by_decision=""),
                name="return_comment_closed_has_decision",
                violation_error_message=(
                    "A closed comment records when and by which decision it was closed; "
                    "an open one neither."
                ),
            ),
        ]

    def __str__(self):
        where = self.row_label or self.section
        return f"{self.update}: comment on {where}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class OutboxMessageQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)

    def sent(self):
        return self.filter(sent_at__isnull=False)

    def for_update(self):
        """Rows locked for sending: a second sender (another cron run, a request's
        on-commit send) skips them instead of waiting, so no message goes twice.

        skip_locked where the database has it (PostgreSQL); SQLite serialises
        writers anyway and Django ignores select_for_update there."""
        skip_locked = connections[self.db].features.has_select_for_update_skip_locked
        return self.select_for_update(skip_locked=skip_locked)

    def for_return(self, *, locality, quarter):
        return self.filter(locality=locality, quarter=quarter)


class OutboxMessage(models.Model):
    """One e-mail the app sends, recorded when the event that causes it happens.

    Written in the same transaction as the event (a submission, a return, an
    approval, a reminder run), so an event that rolls back leaves no message,
    and sent afterwards by updates.outbox: once after the commit and by the
    `send_outbox` command from cron until it goes. `key` names the event and
    the recipient, so the same event cannot queue the same message twice.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned with comments"
        APPROVED = "approved", "Approved"
        REMINDER = "reminder", "Reminder"

    key = models.CharField(
        max_length=200,
        help_text="The event and the recipient, e.g. 'submitted:update-12:v5:user-3'.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Which return: a reminder may come before the update is started.
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="+")
    update = models.ForeignKey(
        QuarterlyUpdate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The address as it was when the message was queued: what was actually used.
    to_address = models.EmailField("to")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did what caused the message; empty for reminders sent by cron.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    # Not programme data: a record of e-mails. It keeps its own who and when
    # (no simple-history copy) and sending one must not move the dashboards'
    # data version (dashboard.signals), so it is skipped by the checks that
    # skip derived read models.
    is_read_model = True

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "e-mail"
        verbose_name_plural = "e-mails (outbox)"
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                name="outbox_one_message_per_key",
                violation_error_message="This message has already been queued.",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(attempts__gte=1),
                name="outbox_sent_after_an_attempt",
                violation_error_message="A sent message records at least one attempt.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["submitted", "returned", "approved", "reminder"]),
                name="outbox_kind_valid",
                violation_error_message="Choose submitted, returned, approved or reminder.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_unsent_idx",
                condition=Q(sent_at__isnull=True),
            ),
            models.Index(fields=["locality", "quarter"], name="outbox_return_idx"),
        ]

    def __str__(self):
        return f"{self.subject} to {self.to_address}"


class UpdateSection(models.TextChoices):
    """The sections of the update form, in order (updates.services.SECTIONS)."""

    OBJECTIVES = "objectives", "Objectives"
    MILESTONES = "milestones", "Milestones"
    MDTS = "mdts", "MDTs"
    MONEY = "money", "Money"
    OUTCOMES = "outcomes", "Outcomes"
    MATURITY = "maturity", "Care-model maturity"
    RISKS = "risks", "New risks or issues"
    SUMMARY = "summary", "Summary"


class SectionConfirmation(models.Model):
    """A lead's word that a section of an update has not changed since the last approved return.

    The values themselves are carried forward into the update's own rows (each
    with its history); this records who said so and when, for the sections
    whose "no change" leaves no row of its own (no new risks, an empty summary).
    """

    update = models.ForeignKey(
        QuarterlyUpdate, on_delete=models.CASCADE, related_name="confirmations"
    )
    section = models.CharField(max_length=20, choices=UpdateSection.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "section"],
                name="confirmation_one_per_update_section",
                violation_error_message="This section of the update is already confirmed.",
            ),
            models.CheckConstraint(
                condition=Q(section__in=UpdateSection.values),
                name="confirmation_section_valid",
                violation_error_message="There is no such section of the update.",
            ),
        ]

    def __str__(self):
        return f"{self.update}: {self.get_section_display()} unchanged"


# A kept section is the raw POST of one section form, as JSON: 64 KB is what a
# browser's keepalive fetch may send, and far more than the section forms hold
# (the longest, objectives, is four narratives of NARRATIVE_MAX_LENGTH).
TYPED_SECTION_MAX_BYTES = 64 * 1024


class TypedSection(models.Model):
    """What a lead had typed in one section of an update, not saved, when their session ended.

    Kept just before an idle session ends (updates.typed_sections), shown back in
    the section's form when they log in again, and deleted once they save the
    section or discard it. It is the form's raw POST data, not a draft: typing
    half done may not pass the section's checks, and nothing reaches the update
    until its lead presses a save button.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="+")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=20)
    data = models.JSONField(help_text="The section form's fields as typed: name → list of values.")
    kept_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "locality", "quarter", "section"],
                name="typed_section_one_per_user_section",
                violation_error_message=(
                    "Only one copy of what was typed is kept for each person and section."
                ),
            )
        ]

    def __str__(self):
        return f"{self.section} typed by {self.user_id} for {self.locality_id} in {self.quarter_id}"
