"""The Local Care risk register, scored on the NHS 5 × 5 matrix."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from localities.models import (
    DESCRIPTION_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    IllustrativeMixin,
    Locality,
    Objective,
    limited_text,
)

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Likelihood(models.IntegerChoices):
    RARE = 1, "1 – Rare"
    UNLIKELY = 2, "2 – Unlikely"
    POSSIBLE = 3, "3 – Possible"
    LIKELY = 4, "4 – Likely"
    ALMOST_CERTAIN = 5, "5 – Almost certain"


class Consequence(models.IntegerChoices):
    NEGLIGIBLE = 1, "1 – Negligible"
    MINOR = 2, "2 – Minor"
    MODERATE = 3, "3 – Moderate"
    MAJOR = 4, "4 – Major"
    CATASTROPHIC = 5, "5 – Catastrophic"


def one_to_five(field: str) -> Q:
    return Q(**{f"{field}__gte": 1, f"{field}__lte": 5})


class ScoreBand(models.Model):
    """A band of risk scores (likelihood × consequence), such as "High" for 8–12.

    Bands are data so that the programme office can change them; every page
    that shows a band reads them from here, and finds a score's band by
    risks.scoring.band_for (band_expression in SQL).
    """

    class Colour(models.TextChoices):
        # NHS.UK tag colours; the band's name is always shown beside the colour.
        GREEN = "green", "Green"
        YELLOW = "yellow", "Yellow"
        ORANGE = "orange", "Orange"
        RED = "red", "Red"

    name = models.CharField(max_length=50, unique=True)
    min_score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    max_score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    colour = models.CharField(max_length=10, choices=Colour.choices)
    review_every_days = models.PositiveSmallIntegerField(
        help_text="How often a risk in this band is reviewed, unless the risk says otherwise."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["min_score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=1, max_score__lte=25, max_score__gte=F("min_score")),
                name="band_range_valid",
                violation_error_message="A band runs from a lower to a higher score within 1–25.",
            ),
            models.CheckConstraint(
                condition=Q(review_every_days__gte=1),
                name="band_review_every_positive",
                violation_error_message="Review frequency must be at least one day.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.min_score}–{self.max_score})"


class RiskCategory(models.Model):
    """The kind of risk: culture, communication, workforce, financial, …"""

    name = models.CharField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "risk categories"

    def __str__(self):
        return self.name


class RiskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Risk.Status.OPEN)

    def open_as_at(self, day):
        """Risks open at the end of `day`: raised by then and not yet closed.

        A risk closed after `day` was open then. A closed risk whose closing
        date is unknown (closed before `closed_on` was kept, with no history to
        date it) stays closed, as it was shown before. Every "as at" reader of
        the register starts here, so a later close never rewrites a past quarter.
        """
        return self.filter(
            Q(status=Risk.Status.OPEN) | Q(status=Risk.Status.CLOSED, closed_on__gt=day),
            date_raised__lte=day,
        )

    def programme_wide(self):
        return self.filter(locality__isnull=True)

    def with_current_score(self):
        return self.annotate(current_score=F("current_likelihood") * F("current_consequence"))

    def review_overdue(self, today):
        """Open risks whose next review date has passed."""
        return self.open().filter(next_review_date__lt=today)

    def with_score_as_at(self, day):
        """Annotate the score as it stood on `day`: the latest review on or before it.

        A risk not reviewed by then has the score of its first review: the score
        it was first given, which later reviews do not change (its current
        score would make a past quarter move with every review since); a risk
        never reviewed, its current score. The latest review is joined once (`_latest_review_by`), so likelihood, consequence, score and
        date read its columns instead of each repeating a subquery.
        """
        return (
            self.alias(review_then=_latest_review_by(day))
            .annotate(
                likelihood_then=Coalesce(
                    F("review_then__likelihood"),
                    _first_review("likelihood"),
                    F("current_likelihood"),
                ),
                consequence_then=Coalesce(
                    F("review_then__consequence"),
                    _first_review("consequence"),
                    F("current_consequence"),
                ),
                last_reviewed_on_then=F("review_then__reviewed_on"),
            )
            .annotate(score_then=F("likelihood_then") * F("consequence_then"))
        )

    def with_words_as_at(self, day):
        """Annotate `title_then` and `owner_role_then`: as recorded by the end of `day`.

        Titles and owners have no dates of their own, so the history is the only
        record of what they said then. Where it starts after `day` (rows loaded
        from the programme's papers are stamped with the day they were loaded),
        the earliest record stands for the risk as it was, so a later edit never
        rewrites a past quarter. Subqueries: for the rows a page shows, not for counts.
        """
        end_of_day = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        )
        records = self.model.history.model.objects.filter(id=OuterRef("pk"))
        by_then = records.filter(history_date__lt=end_of_day).order_by(
            "-history_date", "-history_id"
        )
        earliest = records.order_by("history_date", "history_id")
        return self.annotate(
            **{
                f"{field}_then": Coalesce(
                    Subquery(by_then.values(field)[:1]),
                    Subquery(earliest.values(field)[:1]),
                    F(field),
                )
                for field in ("title", "owner_role")
            }
        )

    def with_scores_as_at(self, **days):
        """Annotate `score_<name>` for each `name=day`: the score as it stood on that day.

        As `with_score_as_at`, for comparing days in one query: each day's latest
        review is joined once (`review_<name>`).
        """
        risks, scores = self, {}
        for name, day in days.items():
            review = f"review_{name}"
            risks = risks.alias(**{review: _latest_review_by(day)})
            scores[f"score_{name}"] = Coalesce(
                F(f"{review}__likelihood") * F(f"{review}__consequence"),
                _first_review("score"),
                F("current_likelihood") * F("current_consequence"),
            )
        return risks.annotate(**scores)

    def with_previous_score_as_at(self, day):
        """Annotate the score at the review before the latest one on or before `day` (the trend).

        A correlated subquery, not a second join: only the trend
        needs it, and under a LIMIT (the register's page) PostgreSQL looks it
        up for the page's rows alone, one index probe each, after sorting.
        """
        reviews = RiskReview.objects.newest_first_by(day, risk=OuterRef("pk"))
        return self.annotate(
            previous_score_then=Subquery(
                reviews.annotate(score=F("likelihood") * F("consequence")).values("score")[1:2]
            )
        )

    def with_previous_score(self):
        """Annotate the score at the review before the latest, for the trend (one subquery)."""
        earlier_reviews = RiskReview.objects.filter(risk=models.OuterRef("pk")).order_by(
            "-reviewed_on", "-id"
        )
        return self.annotate(
            previous_score=models.Subquery(
                earlier_reviews.annotate(score=F("likelihood") * F("consequence")).values("score")[
                    1:2
                ]
            )
        )


def _first_review(column: str) -> Subquery:
    """A column of each risk's first review (`score`: likelihood × consequence), for the
    score as at a day before any review: a subquery evaluated only for those risks,
    as Coalesce's fallback."""
    first = RiskReview.objects.filter(risk=OuterRef("pk")).order_by("reviewed_on", "id")
    if column == "score":
        first = first.annotate(score=F("likelihood") * F("consequence"))
    return Subquery(first.values(column)[:1])


def _latest_review_by(day) -> FilteredRelation:
    """Each risk's latest review on or before `day`, as a relation to join (none: NULLs).

    The review that was its risk's latest on `day`: reviewed by then and not yet
    superseded by the next (`superseded_on`, kept by risks.review_dates), a plain
    join on the review's own columns. Before, a subquery for the latest review's
    id sat in the join's condition, and PostgreSQL ran it once for every review
    of every risk (24 of the register's 30 ms at factor 100). A window function
    over the reviews was tried instead: without planner statistics it took 26 s.
    """
    return FilteredRelation(
        "reviews",
        condition=Q(reviews__reviewed_on__lte=day)
        & (Q(reviews__superseded_on__isnull=True) | Q(reviews__superseded_on__gt=day)),
    )


class Risk(IllustrativeMixin, models.Model):
    """A risk to the Local Care programme, programme-wide or in one locality."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        REJECTED = "rejected", "Rejected"

    reference = models.CharField(
        max_length=20, unique=True, null=True, blank=True, help_text="Assigned when accepted."
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = limited_text(NARRATIVE_MAX_LENGTH, blank=True)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        help_text="Leave empty for a programme-wide risk.",
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="risks"
    )
    owner_role = models.CharField(max_length=200, blank=True, help_text="A role, not a name.")
    inherent_likelihood = models.PositiveSmallIntegerField(
        choices=Likelihood.choices, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    inherent_consequence = models.PositiveSmallIntegerField(
        choices=Consequence.choices, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    current_likelihood = models.PositiveSmallIntegerField(
        choices=Likelihood.choices, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    current_consequence = models.PositiveSmallIntegerField(
        choices=Consequence.choices, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    target_likelihood = models.PositiveSmallIntegerField(
        choices=Likelihood.choices, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    target_consequence = models.PositiveSmallIntegerField(
        choices=Consequence.choices, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    scores_are_illustrative = models.BooleanField(
        default=False, help_text="Scores invented for demonstration; the papers give none."
    )
    # The papers list the key risks but name no owner and give no date raised
    # or review dates: where the register fills those in, it says so.
    owner_and_dates_are_illustrative = models.BooleanField(
        "owner and dates are illustrative",
        default=False,
        help_text="Owner, date raised and review dates invented for demonstration; the papers "
        "give none.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    date_raised = models.DateField()
    review_every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty to follow the score band's frequency."
    )
    next_review_date = models.DateField(null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closing_note = limited_text(NOTE_MAX_LENGTH, blank=True)
    # Set by the close step, cleared on reopening: a past quarter counts a
    # risk closed after its end as open (RiskQuerySet.open_as_at).
    closed_on = models.DateField(null=True, blank=True, editable=False)
    rejection_reason = limited_text(NOTE_MAX_LENGTH, blank=True)
    source = models.CharField(max_length=300, blank=True)
    # Incremented on every save, so concurrent edits are refused, not merged.
    version = models.PositiveIntegerField(default=1)

    objects = RiskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference", "id"]
        constraints = [
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | one_to_five(field),
                    name=f"risk_{field}_1_to_5",
                    violation_error_message="Likelihood and consequence are scored 1 to 5.",
                )
                for field in [
                    "inherent_likelihood",
                    "inherent_consequence",
                    "current_likelihood",
                    "current_consequence",
                    "target_likelihood",
                    "target_consequence",
                ]
            ],
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "rejected"])
                | Q(
                    reference__isnull=False,
                    current_likelihood__isnull=False,
                    current_consequence__isnull=False,
                ),
                name="risk_accepted_has_reference_and_score",
                violation_error_message="An open or closed risk needs a reference and a current score.",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closing_note=""),
                name="risk_closed_has_note",
                violation_error_message="Say why the risk is closed.",
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(closed_on__isnull=True),
                name="risk_closed_on_only_when_closed",
                violation_error_message="Only a closed risk has a date it was closed.",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="risk_rejected_has_reason",
                violation_error_message="Say why the proposed risk is rejected.",
            ),
            models.CheckConstraint(
                condition=Q(next_review_date__isnull=True)
                | Q(next_review_date__gte=F("date_raised")),
                name="risk_review_not_before_raised",
                violation_error_message="The next review cannot be before the risk was raised.",
            ),
        ]

    def __str__(self):
        return f"{self.reference or 'Proposed'}: {self.title}"

    @staticmethod
    def score(likelihood: int | None, consequence: int | None) -> int | None:
        if likelihood is None or consequence is None:
            return None
        return likelihood * consequence

    @property
    def inherent_score(self):
        return self.score(self.inherent_likelihood, self.inherent_consequence)

    @property
    def current_score_value(self):
        return self.score(self.current_likelihood, self.current_consequence)

    @property
    def target_score(self):
        return self.score(self.target_likelihood, self.target_consequence)


class MitigatingAction(IllustrativeMixin, models.Model):
    """Something being done to reduce a risk."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = limited_text(DESCRIPTION_MAX_LENGTH)
    owner_role = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # Set when the status becomes complete (risks.services.save_action), so a
    # past quarter judges an action complete only if it was by then.
    completed_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = [F("due_date").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="complete") | Q(completed_on__isnull=True),
                name="action_completed_on_only_when_complete",
                violation_error_message="Only a complete action has a date it was completed.",
            ),
        ]

    def __str__(self):
        return self.description[:80]

    def is_complete_as_at(self, day) -> bool:
        """Complete by the end of `day`. An action completed on a date not
        recorded (before `completed_on` was kept) counts as complete, as it was shown."""
        return self.status == self.Status.COMPLETE and (
            self.completed_on is None or self.completed_on <= day
        )


class RiskReviewQuerySet(models.QuerySet):
    def newest_first_by(self, day, *, risk):
        """A risk's reviews on or before `day`, the latest first (review_latest_per_risk_idx order).

        `risk` is a risk or an OuterRef to one, for a subquery per risk.
        """
        return self.filter(risk=risk, reviewed_on__lte=day).order_by("-reviewed_on", "-id")


class RiskReview(models.Model):
    """A review of a risk at a date, re-scoring its current likelihood and consequence."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewer_role = models.CharField(max_length=200, blank=True)
    likelihood = models.PositiveSmallIntegerField(
        choices=Likelihood.choices, validators=SCORE_VALIDATORS
    )
    consequence = models.PositiveSmallIntegerField(
        choices=Consequence.choices, validators=SCORE_VALIDATORS
    )
    note = limited_text(NOTE_MAX_LENGTH, blank=True)
    is_illustrative = models.BooleanField(default=False)
    superseded_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The date of the risk's next review, when this one stopped being its latest "
        "(empty: it still is). Derived from the reviews' dates by risks.review_dates.",
    )

    objects = RiskReviewQuerySet.as_manager()
    # superseded_on follows from the reviews' dates, whose history is kept.
    history = HistoricalRecords(excluded_fields=["superseded_on"])

    class Meta:
        ordering = ["risk_id", "reviewed_on", "id"]
        indexes = [
            # A risk's latest review on or before a day (newest_first_by) is the
            # first entry at or after (risk, day) in this index: no sort.
            models.Index(fields=["risk", "-reviewed_on", "-id"], name="review_latest_per_risk_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_to_five("likelihood") & one_to_five("consequence"),
                name="review_scores_1_to_5",
                violation_error_message="Likelihood and consequence are scored 1 to 5.",
            ),
        ]

    def __str__(self):
        return f"{self.risk} reviewed {self.reviewed_on:%d %b %Y}"

    @property
    def score(self):
        return self.likelihood * self.consequence
