"""The Local Care programme: where care is delivered, what the programme set
out to do, and what each locality reports every quarter."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from localities.slippage import Slippage, actual_text, plan_is_fuzzy, slippage

# How many characters each kind of free text holds: the one place for the
# limits. A CharField's max_length is checked by full_clean() (and the
# database); a TextField's is not, so limited_text() adds the validator. The
# forms take their max_length from the model field, and the NHS.UK character
# count shows it (templates/updates/includes/field.html).
TITLE_MAX_LENGTH = 300  # a risk's or milestone's title (CharField)
REASON_MAX_LENGTH = 1_000  # why a RAG differs from the suggestion, why a forecast moved
NOTE_MAX_LENGTH = 2_000  # a review's note, why a risk was closed or rejected
DESCRIPTION_MAX_LENGTH = 2_000  # what a governance body, MDT, milestone or action is
NARRATIVE_MAX_LENGTH = 5_000  # progress this quarter; a risk's description
COMMENTS_MAX_LENGTH = 5_000  # the programme office's comments returning an update
RETURN_COMMENT_MAX_LENGTH = 2_000  # a comment or reply in the conversation on a return
SUMMARY_MAX_LENGTH = 10_000  # the update's summary of the quarter for the board

# What the pages, admin and downloads call a risk or milestone with no locality.
PROGRAMME_WIDE = "Programme-wide"


def limited_text(max_length: int, **kwargs) -> models.TextField:
    """A TextField that full_clean() refuses beyond `max_length` characters."""
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


class IllustrativeMixin(models.Model):
    """Marks a row whose figures are not in the source papers.

    The papers give no per-locality splits, scores or quarterly figures; demo
    data fills those in and must say so wherever it is shown.
    """

    is_illustrative = models.BooleanField(
        default=False,
        help_text="Figures invented for demonstration; not from the source papers.",
    )

    class Meta:
        abstract = True


def in_force_on(day: datetime.date, prefix: str = "") -> Q:
    """In force on `day`: started on or before it (or before the programme) and not
    ended before it. The one rule for "the structure at a quarter's end" (decision 0023)."""
    return (
        Q(**{f"{prefix}in_force_from__isnull": True}) | Q(**{f"{prefix}in_force_from__lte": day})
    ) & (
        Q(**{f"{prefix}in_force_until__isnull": True}) | Q(**{f"{prefix}in_force_until__gte": day})
    )


class InForceQuerySet(models.QuerySet):
    """Querysets of dated rows: what was in force on a day."""

    def in_force_on(self, day: datetime.date):
        return self.filter(in_force_on(day))

    def in_force_during(self, start: datetime.date, end: datetime.date):
        """In force on any day from `start` to `end` (inclusive)."""
        return self.filter(
            (Q(in_force_from__isnull=True) | Q(in_force_from__lte=end))
            & (Q(in_force_until__isnull=True) | Q(in_force_until__gte=start))
        )


class InForceMixin(models.Model):
    """The dates an organisation, area or team was in force (decision 0023).

    Rows are never re-parented or deleted when the structure changes: the old row
    ends (`in_force_until`), a new one starts (`in_force_from`), and a
    Reorganisation's Successions say what became what. Both dates are inclusive;
    blank means from before the programme began, or still in force.
    """

    in_force_from = models.DateField(
        null=True, blank=True, help_text="First day in force; blank: from before the programme."
    )
    in_force_until = models.DateField(
        null=True, blank=True, help_text="Last day in force; blank: still in force."
    )

    class Meta:
        abstract = True

    def is_in_force_on(self, day: datetime.date) -> bool:
        return self.is_in_force_during(day, day)

    def is_in_force_during(self, start: datetime.date, end: datetime.date) -> bool:
        """In force on any day from `start` to `end` (inclusive): in_force_during's rule."""
        return (self.in_force_from is None or self.in_force_from <= end) and (
            self.in_force_until is None or start <= self.in_force_until
        )


def in_force_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(in_force_until__isnull=True)
        | Q(in_force_from__isnull=True)
        | Q(in_force_until__gte=models.F("in_force_from")),
        name=name,
        violation_error_message="It cannot end before it starts.",
    )


class SubSystemQuerySet(InForceQuerySet):
    def choices(self) -> list[tuple[str, str]]:
        """(slug, name) of each sub-system, by name: the options of a sub-system filter."""
        return list(self.order_by("name").values_list("slug", "name"))


class SubSystem(InForceMixin, models.Model):
    """A group of localities that work together (east Kent, west Kent, …; from
    July 2022 the Integrated Care System's, decision 0023)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)

    objects = SubSystemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [in_force_constraint("sub_system_in_force_until_after_from")]

    def __str__(self):
        return self.name


class LocalityQuerySet(InForceQuerySet):
    pass


class Locality(IllustrativeMixin, InForceMixin, models.Model):
    """An area with its own Local Care plan: one of the eight CCG localities (from
    April 2020 the merged CCG's places: the same rows), or from July 2022 a Health
    and Care Partnership, which succeeded them (decision 0023)."""

    class Kind(models.TextChoices):
        CCG_AREA = "ccg_area", "CCG area (a locality; from April 2020 a place)"
        HEALTH_AND_CARE_PARTNERSHIP = "hcp", "Health and Care Partnership"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CCG_AREA)
    sub_system = models.ForeignKey(SubSystem, on_delete=models.PROTECT, related_name="localities")
    registered_population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Patients registered with the locality's GP practices.",
    )
    # Its leads are dated: LeadAssignment (decision 0023).

    objects = LocalityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"
        constraints = [in_force_constraint("locality_in_force_until_after_from")]

    def __str__(self):
        return self.name


class PartnerOrganisationQuerySet(InForceQuerySet):
    pass


class PartnerOrganisation(InForceMixin, models.Model):
    """An organisation that works in Local Care partnerships and MDTs."""

    class Kind(models.TextChoices):
        CCG = "ccg", "Clinical commissioning group"
        COUNTY_COUNCIL = "county_council", "County council"
        UNITARY_COUNCIL = "unitary_council", "Unitary council"
        DISTRICT_COUNCIL = "district_council", "District or borough council"
        COMMUNITY_TRUST = "community_trust", "Community health trust"
        MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
        ACUTE_TRUST = "acute_trust", "Acute hospital trust"
        GP_FEDERATION = "gp_federation", "GP federation"
        VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    localities = models.ManyToManyField(Locality, blank=True, related_name="partners")

    objects = PartnerOrganisationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[localities])

    class Meta:
        ordering = ["name"]
        constraints = [in_force_constraint("partner_in_force_until_after_from")]

    def __str__(self):
        return self.name


class GovernanceBodyQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "GovernanceBodyQuerySet":
        """Bodies certainly in force on `day`: inclusive dates, blank = open (as decision 0023's
        `in_force_on` for organisations). A start or end the papers date only roughly counts
        from its conservative bound (decision 0027)."""
        return self.filter(Q(active_from__isnull=True) | Q(active_from__lte=day)).filter(
            Q(active_until__isnull=True) | Q(active_until__gte=day)
        )


class GovernanceBody(models.Model):
    """A board or committee that oversees Local Care (LCIB, the Joint Board, …).

    When it started and stopped are often known only roughly ("early 2019", "newly
    formed" by an undated meeting): `active_from` is then the latest day it can have
    started, `formed_after` the last day it is known not yet to have, and the words go
    in `active_from_as_written`; the end likewise (decision 0027). Between the two
    bounds a page says the papers cannot tell, rather than guess.
    """

    class Standing(models.TextChoices):
        """Where a body stands on a day: in force, or why not (never a guess)."""

        IN_FORCE = "in_force", "In force"
        PERHAPS_FORMED = "perhaps_formed", "Perhaps formed"
        NOT_YET_FORMED = "not_yet_formed", "Not yet formed"
        PERHAPS_ENDED = "perhaps_ended", "Perhaps no longer meeting"
        ENDED = "ended", "No longer meeting"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, blank=True)
    purpose = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)
    active_from = models.DateField(
        null=True,
        blank=True,
        help_text="The first day it is certainly in force: the day it was formed, or where the "
        "papers give no day, the latest day it can have been (shown as written). Empty: in force "
        "before any record the programme keeps.",
    )
    formed_after = models.DateField(
        null=True,
        blank=True,
        help_text="Where the papers give no day: the last day it is known not yet to have been "
        "formed. Between this and the first day it is certainly in force, pages say it may have "
        "been. Empty, with words as written: formed before the first day, when is not known.",
    )
    active_from_as_written = models.CharField(
        max_length=200,
        blank=True,
        help_text="When it started, as the papers give it, where they give no day: “early 2019”.",
    )
    active_until = models.DateField(
        null=True,
        blank=True,
        help_text="The last day it is certainly in force: the day it ended, or where the papers "
        "give no day, the last day it is known to have met (shown as written). Empty: still in "
        "force.",
    )
    ended_by = models.DateField(
        null=True,
        blank=True,
        help_text="Where the papers give no day: the first day it is known no longer to meet.",
    )
    active_until_as_written = models.CharField(
        max_length=200,
        blank=True,
        help_text="When it ended, as the papers give it, where they give no day.",
    )
    succeeded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="preceded",
        help_text="The body that took on its work when it ended, if one did.",
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="Papers that record when it started and ended."
    )

    history = HistoricalRecords()
    objects = GovernanceBodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "governance bodies"
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="governance_body_active_until_after_from",
                violation_error_message="A board cannot stop before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(formed_after__isnull=True)
                | Q(active_from__gt=models.F("formed_after")),
                name="governance_body_formed_after_before_active_from",
                violation_error_message="Give the first day it is certainly in force, after the "
                "last day it is known not yet to have been formed.",
            ),
            models.CheckConstraint(
                condition=Q(ended_by__isnull=True) | Q(ended_by__gt=models.F("active_until")),
                name="governance_body_ended_by_after_active_until",
                violation_error_message="Give the last day it is certainly in force, before the "
                "first day it is known no longer to meet.",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def started_text(self) -> str:
        """When it started, never more precisely than the papers say ("" when not known)."""
        if self.active_from_as_written:
            return self.active_from_as_written
        return _day_text(self.active_from)

    @property
    def ended_text(self) -> str:
        """When it ended, never more precisely than the papers say ("" while in force)."""
        if self.active_until_as_written:
            return self.active_until_as_written
        return _day_text(self.active_until)

    def standing_on(self, day: datetime.date) -> str:
        """Where it stands at the end of `day`: a `Standing`, judged conservatively.

        In force only between the bounds the papers make certain; before or after them,
        "perhaps" unless a bound says otherwise: an exact day (no words as written), or
        `formed_after` / `ended_by`.
        """
        if self.active_from and day < self.active_from:
            known_not_yet = (self.formed_after and day <= self.formed_after) or (
                not self.formed_after and not self.active_from_as_written
            )
            return self.Standing.NOT_YET_FORMED if known_not_yet else self.Standing.PERHAPS_FORMED
        if self.active_until and day > self.active_until:
            known_ended = (self.ended_by and day >= self.ended_by) or (
                not self.ended_by and not self.active_until_as_written
            )
            return self.Standing.ENDED if known_ended else self.Standing.PERHAPS_ENDED
        return self.Standing.IN_FORCE


def _day_text(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


class GovernanceBodyRole(IllustrativeMixin, models.Model):
    """What a governance body did from a day: its role, which may change while the body
    carries on (LCIB became a "learn and share" board from early 2019).

    Dated like the body (decision 0027): `held_from` is the first day the role is
    certainly held, `changed_after` the last day the role before it is known still to
    have been; empty `held_from` is the role the body started with.
    """

    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="roles")
    role = limited_text(
        DESCRIPTION_MAX_LENGTH, help_text="What the body does, in a sentence or two."
    )
    held_from = models.DateField(
        null=True,
        blank=True,
        help_text="The first day it certainly holds this role (where the papers give no day, "
        "the latest day the change can have been). Empty: the role it started with.",
    )
    changed_after = models.DateField(
        null=True,
        blank=True,
        help_text="Where the papers give no day: the last day the role before is known still to "
        "have been held.",
    )
    held_from_as_written = models.CharField(
        max_length=200, blank=True, help_text="When the role began, as the papers give it."
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that records it.")

    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("held_from").asc(nulls_first=True), "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "held_from"],
                nulls_distinct=False,
                name="governance_body_role_one_per_day",
                violation_error_message="This body already has a role from that day.",
            ),
            models.CheckConstraint(
                condition=Q(changed_after__isnull=True)
                | Q(held_from__gt=models.F("changed_after")),
                name="governance_body_role_changed_after_before_held_from",
                violation_error_message="Give the first day the role is certainly held, after the "
                "last day the role before is known still to have been.",
            ),
        ]

    def __str__(self):
        return f"{self.body}: {self.role[:60]}"

    @property
    def from_text(self) -> str:
        """When the role began, never more precisely than the papers say."""
        return self.held_from_as_written or _day_text(self.held_from)

    def is_uncertain_on(self, day: datetime.date) -> bool:
        """Has the role perhaps begun by the end of `day`? Before its first certain day,
        and after the last day the role before is known held (or with no such day, when
        the papers give only words)."""
        if self.held_from is None or day >= self.held_from:
            return False
        if self.changed_after is not None:
            return day > self.changed_after
        return bool(self.held_from_as_written)


def live_by(day: datetime.date, prefix: str = "") -> Q:
    """An MDT live as at `day`: its go-live date (written when a return's report
    of it is approved, decision 0004) is on or before `day`. The one rule for an
    MDT's status as at a quarter (decision 0009)."""
    return Q(**{f"{prefix}actual_go_live__lte": day})


def planned_in_year(year: "FinancialYear", prefix: str = "") -> Q:
    """An MDT planned to go live by the end of `year`: the fixed base of "MDTs live"."""
    return Q(**{f"{prefix}planned_go_live__lte": year.end_date})


class MDTQuerySet(InForceQuerySet):
    def live(self):
        return self.filter(status=MDT.Status.LIVE)

    def live_by(self, day: datetime.date):
        return self.filter(live_by(day))

    def figures_as_at(self, quarter: "Quarter") -> dict[str, int]:
        """MDTs live at the quarter's end, out of those planned for its financial
        year, and the population the live ones cover: one aggregate.

        The base is the register's plan for the year, never the MDTs of the
        returns that happen to be approved, so the figure moves only when an MDT
        goes live (decision 0009).
        """
        live = live_by(quarter.end_date)
        planned = planned_in_year(quarter.financial_year)
        totals = self.order_by().aggregate(
            live=models.Count("id", filter=live),
            planned_for_year=models.Count("id", filter=planned),
            population_live=models.Sum("population_covered", filter=live),
        )
        totals["population_live"] = totals["population_live"] or 0
        return totals

    def for_locality(self, locality):
        return self.filter(locality=locality)


class MDT(IllustrativeMixin, InForceMixin, models.Model):
    """A multi-disciplinary team (neighbourhood team) wrapped around GP practices."""

    class Tier(models.TextChoices):
        GP_PRACTICE = "gp_practice", "GP practice"
        TIER_1 = "tier_1", "Tier 1"
        TIER_2 = "tier_2", "Tier 2"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SHADOW = "shadow", "Shadow running"
        LIVE = "live", "Live"

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="mdts")
    name = models.CharField(max_length=200)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.TIER_1)
    population_covered = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(2_000_000)],
        help_text="GP registered population the team covers (the plan is 30,000–50,000).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    planned_go_live = models.DateField(null=True, blank=True)
    actual_go_live = models.DateField(null=True, blank=True)
    partners = models.ManyToManyField(PartnerOrganisation, blank=True, related_name="mdts")
    notes = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)

    objects = MDTQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[partners])

    class Meta:
        ordering = ["locality__name", "name"]
        verbose_name = "MDT"
        verbose_name_plural = "MDTs"
        constraints = [
            in_force_constraint("mdt_in_force_until_after_from"),
            models.UniqueConstraint(
                fields=["locality", "name"],
                name="mdt_unique_name_per_locality",
                violation_error_message="This locality already has an MDT with this name.",
            ),
            models.CheckConstraint(
                condition=~Q(status="live") | Q(actual_go_live__isnull=False),
                name="mdt_live_has_go_live_date",
                violation_error_message="A live MDT needs its actual go-live date.",
            ),
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(actual_go_live__isnull=True),
                name="mdt_planned_has_no_go_live_date",
                violation_error_message=(
                    "A planned MDT has not gone live: clear the actual go-live date "
                    "or change its status."
                ),
            ),
            models.CheckConstraint(
                condition=Q(population_covered__isnull=True) | Q(population_covered__lte=2_000_000),
                name="mdt_population_plausible",
                violation_error_message="Population covered must be at most 2,000,000.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.locality})"


class CommissionerQuerySet(InForceQuerySet):
    pass


class Commissioner(IllustrativeMixin, InForceMixin, models.Model):
    """The statutory body that commissioned care for some localities, while it was
    in force: the eight CCGs to 31 March 2020, NHS Kent and Medway CCG from
    1 April 2020, NHS Kent and Medway ICB from 1 July 2022 (decision 0023)."""

    class Kind(models.TextChoices):
        CCG = "ccg", "Clinical commissioning group"
        ICB = "icb", "Integrated care board"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    localities = models.ManyToManyField(
        Locality,
        blank=True,
        related_name="commissioners",
        help_text="The localities (places, partnerships) it commissioned for while in force.",
    )
    source = models.CharField(max_length=300, blank=True, help_text="Where its dates come from.")

    objects = CommissionerQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[localities])

    class Meta:
        ordering = ["in_force_from", "name"]
        constraints = [in_force_constraint("commissioner_in_force_until_after_from")]

    def __str__(self):
        return self.short_name or self.name


class PrimaryCareNetworkQuerySet(InForceQuerySet):
    pass


class PrimaryCareNetwork(IllustrativeMixin, InForceMixin, models.Model):
    """A Primary Care Network: GP practices of 30,000–50,000 patients working
    together from July 2019, the footprint MDTs re-aligned to. Its MDTs belong to
    it while it is in force, and to their locality throughout."""

    name = models.CharField(max_length=200, unique=True)
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="primary_care_networks"
    )
    mdts = models.ManyToManyField(
        MDT, blank=True, related_name="primary_care_networks", verbose_name="MDTs"
    )
    source = models.CharField(max_length=300, blank=True)

    objects = PrimaryCareNetworkQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[mdts])

    class Meta:
        ordering = ["locality__name", "name"]
        verbose_name = "Primary Care Network"
        constraints = [in_force_constraint("pcn_in_force_until_after_from")]

    def __str__(self):
        return self.name


class LeadAssignmentQuerySet(InForceQuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class LeadAssignment(InForceMixin, models.Model):
    """A person led a locality's quarterly returns from one day to another:
    access follows what they led at the time (decision 0023)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_assignments"
    )
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="lead_assignments"
    )

    objects = LeadAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["locality__name", "in_force_from"]
        constraints = [in_force_constraint("lead_assignment_in_force_until_after_from")]

    def __str__(self):
        return f"{self.user} leads {self.locality}"


class Reorganisation(IllustrativeMixin, models.Model):
    """A dated change of structure: what merged into, split from or became what.

    Recorded, never applied by editing: the rows that ended keep their figures
    and their dates say when they stopped (decision 0023).
    """

    effective_date = models.DateField(help_text="The first day of the new structure.")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)
    source = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_date", "id"]

    def __str__(self):
        return f"{self.title} ({self.effective_date:%-d %B %Y})"


class Succession(models.Model):
    """One line of a reorganisation: a predecessor and what it became, at one level
    (locality, sub-system or commissioner)."""

    class Kind(models.TextChoices):
        MERGED_INTO = "merged_into", "Merged into"
        SPLIT_INTO = "split_into", "Split into"
        RENAMED = "renamed", "Renamed"
        BECAME = "became", "Became"

    reorganisation = models.ForeignKey(
        Reorganisation, on_delete=models.CASCADE, related_name="successions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    predecessor_locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="successions_out"
    )
    successor_locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="successions_in"
    )
    predecessor_sub_system = models.ForeignKey(
        SubSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="successions_out"
    )
    successor_sub_system = models.ForeignKey(
        SubSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="successions_in"
    )
    predecessor_commissioner = models.ForeignKey(
        Commissioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successions_out",
    )
    successor_commissioner = models.ForeignKey(
        Commissioner, on_delete=models.PROTECT, null=True, blank=True, related_name="successions_in"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["reorganisation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        predecessor_locality__isnull=False,
                        successor_locality__isnull=False,
                        predecessor_sub_system__isnull=True,
                        successor_sub_system__isnull=True,
                        predecessor_commissioner__isnull=True,
                        successor_commissioner__isnull=True,
                    )
                    | Q(
                        predecessor_locality__isnull=True,
                        successor_locality__isnull=True,
                        predecessor_sub_system__isnull=False,
                        successor_sub_system__isnull=False,
                        predecessor_commissioner__isnull=True,
                        successor_commissioner__isnull=True,
                    )
                    | Q(
                        predecessor_locality__isnull=True,
                        successor_locality__isnull=True,
                        predecessor_sub_system__isnull=True,
                        successor_sub_system__isnull=True,
                        predecessor_commissioner__isnull=False,
                        successor_commissioner__isnull=False,
                    )
                ),
                name="succession_one_level",
                violation_error_message=(
                    "A succession links a predecessor and a successor at one level: "
                    "localities, sub-systems or commissioners."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} {self.get_kind_display().lower()} {self.successor}"

    @property
    def predecessor(self):
        return (
            self.predecessor_locality
            or self.predecessor_sub_system
            or self.predecessor_commissioner
        )

    @property
    def successor(self):
        return self.successor_locality or self.successor_sub_system or self.successor_commissioner


class FinancialYear(models.Model):
    """An NHS financial year, April to March ("2018/19")."""

    start_year = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start_date(self):
        return datetime.date(self.start_year, 4, 1)

    @property
    def end_date(self):
        return datetime.date(self.start_year + 1, 3, 31)


# A quarter in a URL: 2018/19 Q2 is "2018-19-q2" (Quarter.slug).
_QUARTER_SLUG = re.compile(r"^(?P<start_year>\d{4})-(?P<end_year>\d{2})-q(?P<number>[1-4])$")


class QuarterQuerySet(models.QuerySet):
    def chronological(self):
        return self.select_related("financial_year").order_by("start_date")

    def with_slug(self, slug: str):
        """The quarter a URL names ("2018-19-q2"); none for a slug that names no quarter."""
        match = _QUARTER_SLUG.match(slug or "")
        start_year = int(match["start_year"]) if match else None
        if match is None or (start_year + 1) % 100 != int(match["end_year"]):
            return self.none()
        return self.filter(financial_year__start_year=start_year, number=int(match["number"]))

    def containing(self, day):
        return self.filter(start_date__lte=day, end_date__gte=day)


class Quarter(models.Model):
    """A quarter of a financial year: Q1 is April–June, Q4 January–March."""

    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, related_name="quarters"
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    # Stored, not derived, so that pages can filter and order by date in SQL.
    start_date = models.DateField()
    end_date = models.DateField()
    submission_deadline = models.DateField(
        help_text="Date by which locality leads submit their quarterly update."
    )

    objects = QuarterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "number"],
                name="quarter_unique_per_year",
                violation_error_message="This financial year already has that quarter.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=4),
                name="quarter_number_1_to_4",
                violation_error_message="A quarter is numbered 1 to 4.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="quarter_ends_after_start",
                violation_error_message="A quarter must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(submission_deadline__gte=models.F("start_date")),
                name="quarter_deadline_not_before_start",
                violation_error_message="The submission deadline cannot be before the quarter starts.",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.financial_year.label} Q{self.number}"

    @property
    def slug(self) -> str:
        """The quarter in a URL: 2018/19 Q2 is "2018-19-q2" (read by QuarterQuerySet.with_slug)."""
        start_year = self.financial_year.start_year
        return f"{start_year}-{(start_year + 1) % 100:02d}-q{self.number}"

    @staticmethod
    def dates_for(start_year: int, number: int) -> tuple[datetime.date, datetime.date]:
        """The first and last day of quarter `number` of the year starting in April `start_year`."""
        first_month = 4 + 3 * (number - 1)
        year = start_year + (first_month - 1) // 12
        month = (first_month - 1) % 12 + 1
        start = datetime.date(year, month, 1)
        next_month = month + 3
        next_start = (
            datetime.date(year + 1, next_month - 12, 1)
            if next_month > 12
            else datetime.date(year, next_month, 1)
        )
        return start, next_start - datetime.timedelta(days=1)


class ObjectiveQuerySet(models.QuerySet):
    def reported_in(self, quarter):
        """The objectives a quarterly update reports on: its year's, or the latest set before it.

        The papers set objectives for 2018/19 only; later years carry them on
        until new ones are agreed.
        """
        start_year = (
            self.filter(financial_year__start_year__lte=quarter.financial_year.start_year)
            .order_by("-financial_year__start_year")
            .values_list("financial_year__start_year", flat=True)
            .first()
        )
        return self.filter(financial_year__start_year=start_year).order_by("number")


class Objective(models.Model):
    """A programme objective for a financial year, reported on by every locality."""

    class Kind(models.TextChoices):
        # What the suggested RAG judges it by (localities.rag, README "Suggested RAG").
        LOCALITY_PLANS = "locality_plans", "Locality plans: its milestones"
        MDTS = "mdts", "MDTs: MDTs live against plan and population covered"
        PARTNERSHIPS = "partnerships", "Partnerships: partners signed up and its milestones"
        EXPANSION = "expansion", "Expanding the model: its milestones"
        OTHER = "other", "Other: its milestones"

    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, related_name="objectives"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    short_title = models.CharField(max_length=60, help_text="For table headings.")
    measure = models.CharField(
        max_length=200,
        blank=True,
        help_text="How progress is measured, for example “MDTs live against planned”.",
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that sets it.")
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text="The evidence its suggested RAG is judged on.",
    )
    carries_spend = models.BooleanField(
        default=False,
        help_text=(
            "The locality's Local Care spend is judged against this objective's RAG "
            "(one objective a year)."
        ),
    )
    # Carried forward when a year is opened (decision 0024): the same objective agreed
    # again for the next year, so that a locality's RAG history runs across years.
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text="Last year's objective this one carries forward, if any.",
    )

    objects = ObjectiveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year__start_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "number"],
                name="objective_unique_number_per_year",
                violation_error_message="This year already has an objective with that number.",
            ),
            # Spend is one figure per locality: judging it on two objectives counts it twice.
            models.UniqueConstraint(
                fields=["financial_year"],
                condition=Q(carries_spend=True),
                name="objective_one_carries_spend_per_year",
                violation_error_message="Another objective this year already carries the spend.",
            ),
            # One objective a year continues a given one: two would split its history.
            models.UniqueConstraint(
                fields=["continues"],
                name="objective_continued_once",
                violation_error_message="That objective has already been carried forward.",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.short_title}"


class CriticalArea(models.Model):
    """One of the seven areas the September 2018 review found critical to delivery."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.name


class CriticalAreaAction(models.Model):
    """An action under a critical area, with progress to date and next steps."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    critical_area = models.ForeignKey(
        CriticalArea, on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    progress_to_date = limited_text(NARRATIVE_MAX_LENGTH, blank=True)
    next_steps = limited_text(NARRATIVE_MAX_LENGTH, blank=True)
    owner_role = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["critical_area__number", "id"]

    def __str__(self):
        return self.title


class MilestoneQuerySet(models.QuerySet):
    def programme_wide(self):
        return self.filter(locality__isnull=True)

    def for_locality(self, locality):
        return self.filter(locality=locality)

    def overdue(self, today):
        """Reported as not complete, and its planned window closed before `today`.

        A milestone nobody has reported on is never overdue: the papers say
        nothing of it, so calling it late would invent a miss (see `unreported`).
        """
        return self.exclude(
            status__in=[
                Milestone.Status.COMPLETE,
                Milestone.Status.CANCELLED,
                Milestone.Status.NOT_REPORTED,
            ]
        ).filter(planned_end__lt=today)

    def unreported(self):
        """Milestones whose progress nobody has reported: a gap for the programme office."""
        return self.filter(status=Milestone.Status.NOT_REPORTED)

    def in_plan_on(self, day):
        """The milestones in the plan on `day` (decision 0024).

        A milestone rolled forward into a new year is a new row from that year's
        start; the row it continues stays as the record of the year before, and
        leaves the plan when its successor enters it. Rows from the papers have
        no `in_plan_from`: in the plan from the start.
        """
        return self.filter(Q(in_plan_from__isnull=True) | Q(in_plan_from__lte=day)).exclude(
            continued_by__in_plan_from__lte=day
        )


# "9 October 2018" in a milestone's source: the date of the paper that reports it.
_PAPER_DATE = re.compile(
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December) \d{4}\b"
)

_PAPER_WORDS = re.compile(r"Board|Committee|minutes|paper")


class Milestone(IllustrativeMixin, models.Model):
    """A dated step of the programme, programme-wide or for one locality.

    Real milestone dates are often uncertain ("July–Sep?", "TBC", "in
    progress"): a planned window (start and end), an uncertainty flag and
    the timing as written in the paper hold that honestly. A milestone with
    no planned date yet has neither start nor end.
    """

    class Status(models.TextChoices):
        # The default: only a report (a lead's approved return, the programme
        # office in admin, or a paper) gives a milestone any other status.
        NOT_REPORTED = "not_reported", "Not reported"
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)
    workstream = models.CharField(
        max_length=100, blank=True, help_text="For example “Communications and engagement”."
    )
    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
        help_text="Leave empty for a programme-wide milestone.",
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    critical_area = models.ForeignKey(
        CriticalArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    planned_start = models.DateField(
        null=True, blank=True, help_text="First day of the planned window."
    )
    planned_end = models.DateField(
        null=True,
        blank=True,
        help_text="Last day of the planned window; the same as the start for a single date.",
    )
    timing_as_written = models.CharField(
        max_length=100,
        blank=True,
        help_text="The timing as the paper gives it, for example “July–Sep?” or “TBC”.",
    )
    is_date_uncertain = models.BooleanField(
        default=False, help_text="The planned timing is tentative."
    )
    forecast_date = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)
    # The paper's words when it gives no day: the actual date is then the month's
    # last day, for sorting only, never shown (decision 0002).
    actual_as_written = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "The actual timing as the paper gives it, for example “September 2017”, "
            "when it gives no day."
        ),
    )

    class DerivedFrom(models.TextChoices):
        REPORTED = "", "Reported by its lead"
        MDTS_LIVE = "mdts_live", "The locality's MDTs going live"
        PLAN_REFRESHED = "plan_refreshed", "The locality's returns saying its plan is refreshed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_REPORTED)
    # A milestone the data can decide is not reported: its status and dates
    # are derived from that data whenever it changes (decision 0009).
    derived_from = models.CharField(
        max_length=20,
        choices=DerivedFrom.choices,
        default=DerivedFrom.REPORTED,
        blank=True,
        help_text="Data that decides this milestone's status, if any.",
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that gives it.")
    reported_by = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Who reported the status the board sees: “the programme office”, a "
            "locality's return, or the paper. Set when the status is saved."
        ),
    )
    reported_on = models.DateField(
        null=True, blank=True, help_text="When the status the board sees was reported."
    )
    # Rolled forward into a new year (decision 0024): a new row from that year's start,
    # linked to the one it continues; the plan's words and window are kept unchanged.
    continues = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text="The milestone this one carries forward from last year, if any.",
    )
    in_plan_from = models.DateField(
        null=True,
        blank=True,
        help_text="The first day of the year it was rolled forward into; blank from the start.",
    )

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("planned_end").asc(nulls_last=True), "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="milestone_window_in_order",
                violation_error_message="The planned window must end on or after its start.",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | Q(planned_end__isnull=False),
                name="milestone_window_has_end",
                violation_error_message="Give the end of the planned window (the same date for a single day).",
            ),
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(actual_date__isnull=False),
                name="milestone_complete_has_actual_date",
                violation_error_message="A complete milestone needs its actual date.",
            ),
            models.CheckConstraint(
                condition=Q(actual_date__isnull=True) | Q(status="complete"),
                name="milestone_actual_date_only_when_complete",
                violation_error_message="Only a complete milestone has an actual date.",
            ),
            # A forecast is a report: it comes with the status reported alongside it.
            models.CheckConstraint(
                condition=Q(continues__isnull=True, in_plan_from__isnull=True)
                | Q(continues__isnull=False, in_plan_from__isnull=False),
                name="milestone_rolled_forward_has_year",
                violation_error_message=(
                    "A milestone rolled forward says the milestone it continues and the "
                    "day it entered the plan."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="not_reported") | Q(forecast_date__isnull=True),
                name="milestone_forecast_is_reported",
                violation_error_message=(
                    "A forecast date is a report on progress: set the status reported with it."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_reported(self) -> bool:
        return self.status != self.Status.NOT_REPORTED

    @property
    def is_plan_fuzzy(self) -> bool:
        """See localities.slippage.plan_is_fuzzy."""
        return plan_is_fuzzy(
            planned_start=self.planned_start,
            planned_end=self.planned_end,
            timing_as_written=self.timing_as_written,
            is_date_uncertain=self.is_date_uncertain,
        )

    def report_text(self) -> str:
        """Who reported the status the board sees, and when, for the board to weigh it."""
        if not self.is_reported:
            return "Not reported"
        if self.reported_by:
            when = f", {self.reported_on:%-d %b %Y}" if self.reported_on else ""
            return f"Reported by {self.reported_by}{when}"
        # A paper reports it: the latest paper `source` cites (the minutes that report
        # the deep dives held, not the paper that planned them), short enough for a column.
        papers = [part for part in self.source.split(";") if _PAPER_WORDS.search(part)]
        latest = papers[-1] if papers else self.source
        if "minutes" in latest:
            return "In the Joint Board minutes" if "Board minutes" in latest else "In the minutes"
        dated = _PAPER_DATE.search(latest)
        return f"In the paper of {dated.group(0)}" if dated else "In the papers"

    @property
    def is_programme_wide(self):
        return self.locality_id is None

    def planned_window_text(self) -> str:
        """The planned timing as the paper wrote it, never more precise than the source.

        The paper's words ("Early August 2018", "TBC") when there are any: the
        stored window is only our reading of them, for sorting (decision 0002).
        Otherwise the dates (`window_text`). "(uncertain)" marks a tentative timing.
        """
        text = self.timing_as_written or self.window_text()
        if self.is_date_uncertain:
            text += " (uncertain)"
        return text

    def window_text(self) -> str:
        """The stored window as dates: a single day reads "28 Jun 2018"; whole months
        "Sep 2017" or "Aug 2018 – Sep 2018"; other windows "1 Aug 2018 – 7 Sep 2018";
        only an end, "By 19 Mar 2019"; none, "No date yet"."""
        start, end = self.planned_start, self.planned_end
        if end is None:
            return "No date yet"
        if start is None:
            return f"By {end:%-d %b %Y}"
        if start == end:
            return f"{end:%-d %b %Y}"
        if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1:
            same_month = (start.year, start.month) == (end.year, end.month)
            return f"{end:%b %Y}" if same_month else f"{start:%b %Y} – {end:%b %Y}"
        return f"{start:%-d %b %Y} – {end:%-d %b %Y}"

    def actual_text(self) -> str:
        """When it was completed, never more precise than the source: the paper's
        words ("September 2017") when it gives no day, else "28 Jun 2018"; "" if not."""
        return actual_text(self.actual_date, self.actual_as_written)

    def slippage(
        self, *, as_known=False, actual_date: datetime.date | None = None
    ) -> Slippage | None:
        """See localities.slippage.slippage.

        With `as_known`, against `actual_date` as known on a page's day (None when
        the milestone was completed after it) instead of the recorded one.
        """
        return slippage(
            plan_text=self.timing_as_written or self.planned_window_text(),
            planned_start=self.planned_start,
            planned_end=self.planned_end,
            timing_as_written=self.timing_as_written,
            is_date_uncertain=self.is_date_uncertain,
            actual_date=actual_date if as_known else self.actual_date,
            forecast_date=self.forecast_date,
            actual_as_written=self.actual_as_written,
        )


class CareModelElement(models.Model):
    """One of the eight elements of the complex elderly care model."""

    class Group(models.TextChoices):
        # The paper's three groups, in its order (elements 1–3, 4–7 and 8).
        HEALTHY_AND_INDEPENDENT = (
            "healthy_and_independent",
            "Supporting people to be healthy and independent",
        )
        COORDINATED_CARE = "coordinated_care", "Coordinated care for people who need it"
        SUPPORTING_SERVICES = "supporting_services", "Supporting services"

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    group = models.CharField(max_length=30, choices=Group.choices, blank=True)
    description = limited_text(
        DESCRIPTION_MAX_LENGTH, blank=True, help_text="The paper's one-sentence description."
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that gives it.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class InfrastructureTier(models.Model):
    """A tier of Local Care infrastructure (GP practices, Tier 1, Tier 2) as the STP defined it.

    Reference data from the papers: what each tier is and the population it
    serves, as written ("20 – 60k", or "Various" for single practices).
    """

    tier = models.CharField(max_length=20, choices=MDT.Tier.choices, unique=True)
    name = models.CharField(max_length=200)
    description = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)
    population_served = models.CharField(
        max_length=50, help_text="As the paper writes it, for example “20 – 60k” or “Various”."
    )
    source = models.CharField(max_length=300, blank=True, help_text="Paper that gives it.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class OutcomeMeasure(models.Model):
    """A measure of hospital activity that Local Care should reduce."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    unit = models.CharField(max_length=50, help_text="For example “attendances”.")
    lower_is_better = models.BooleanField(default=True)
    description = limited_text(DESCRIPTION_MAX_LENGTH, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class OutcomeBaseline(IllustrativeMixin, models.Model):
    """A locality's baseline for an outcome measure, per quarter, as kept before the
    monthly extract. Read by no page: the baseline is now the mean of the baseline
    months (decision 0019); kept, read-only, for the record."""

    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="baselines")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.PROTECT, related_name="baselines")
    baseline_period = models.CharField(max_length=50, help_text="For example “2017/18 average”.")
    quarterly_value = models.DecimalField(
        max_digits=12, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["locality__name", "measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "measure"],
                name="baseline_unique_per_locality_measure",
                violation_error_message="This locality already has a baseline for this measure.",
            ),
            models.CheckConstraint(
                condition=Q(quarterly_value__gte=0),
                name="baseline_not_negative",
                violation_error_message="A baseline cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.locality}: {self.measure} baseline"


class PlannedInvestment(IllustrativeMixin, models.Model):
    """Money planned for Local Care in a locality in a financial year (pounds)."""

    locality = models.ForeignKey(
        Locality, on_delete=models.CASCADE, related_name="planned_investments"
    )
    financial_year = models.ForeignKey(
        FinancialYear, on_delete=models.PROTECT, related_name="planned_investments"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year__start_year", "locality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "financial_year"],
                name="investment_unique_per_locality_year",
                violation_error_message="This locality already has a plan for this year.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="investment_not_negative",
                violation_error_message="Planned investment cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.locality} {self.financial_year}"


# --- Outcomes and benefits (issue 18) ----------------------------------------
#
# Activity arrives monthly from the data warehouse, loaded by the programme office
# as an extract for every locality (decision 0019: the extract is the one record of
# activity; a return shows it, read-only). The months up to 31 March 2018 are the
# baseline before Local Care: the XmR limits are set on them and frozen, and
# recalculated only from a change point the office records with its reason.

BASELINE_FIRST_MONTH = datetime.date(2016, 4, 1)
BASELINE_LAST_MONTH = datetime.date(2018, 3, 1)  # the month of 31 March 2018


class OutcomeExtract(IllustrativeMixin, models.Model):
    """One load of the monthly activity extract: who loaded which file, when, covering what."""

    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the demonstration data, which nobody loaded.",
    )
    file_name = models.CharField(max_length=255)
    source = models.CharField(
        max_length=300,
        help_text="Where the figures come from, for example “SUS+ via the Kent and Medway "
        "data warehouse”.",
    )
    first_month = models.DateField()
    last_month = models.DateField()
    rows = models.PositiveIntegerField(help_text="Monthly figures loaded or restated.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_month__lte=models.F("last_month")),
                name="extract_months_in_order",
                violation_error_message="The first month must not be after the last month.",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.first_month:%b %Y} to {self.last_month:%b %Y})"


class MonthlyOutcomeQuerySet(models.QuerySet):
    def up_to(self, last_day: datetime.date):
        """Months that ended by `last_day` (a quarter's end: judged as at then)."""
        return self.filter(month__lte=last_day.replace(day=1))

    def baseline(self):
        return self.filter(month__gte=BASELINE_FIRST_MONTH, month__lte=BASELINE_LAST_MONTH)

    def baseline_means(self):
        """Each locality's and measure's mean month in the baseline, and how many months."""
        return (
            self.baseline()
            .order_by()
            .values("locality_id", "measure_id")
            .annotate(
                mean=models.Avg(models.functions.Cast("value", models.FloatField())),
                months=models.Count("pk"),
            )
        )


class MonthlyOutcome(IllustrativeMixin, models.Model):
    """A locality's activity on one outcome measure in one calendar month.

    One source per month: the latest extract that held the month (a later
    extract restating a month replaces its value; history keeps the old one).
    """

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="monthly_outcomes"
    )
    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="monthly_outcomes"
    )
    month = models.DateField(help_text="The first day of the calendar month.")
    value = models.PositiveIntegerField(help_text="Activity in the month, as counted.")
    extract = models.ForeignKey(
        OutcomeExtract, on_delete=models.PROTECT, related_name="monthly_outcomes"
    )

    history = HistoricalRecords()

    objects = MonthlyOutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["locality_id", "measure_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "measure", "month"],
                name="monthly_outcome_one_per_month",
                violation_error_message="This locality already has a figure for this measure "
                "and month.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="monthly_outcome_month_starts",
                violation_error_message="A month is given by its first day.",
            ),
        ]
        indexes = [models.Index(fields=["month", "measure"], name="monthly_outcome_month")]

    def __str__(self):
        return f"{self.locality}: {self.measure}, {self.month:%B %Y}"


class OutcomeChangePoint(IllustrativeMixin, models.Model):
    """A deliberate change in a process, recorded by the programme office with its reason.

    The XmR limits are set on the baseline months and frozen; from a change
    point on they are recalculated from the months after it. No locality: the
    Kent and Medway total.
    """

    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="change_points"
    )
    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcome_change_points",
        help_text="Empty for the Kent and Medway total.",
    )
    month = models.DateField(help_text="The first month of the changed process.")
    reason = limited_text(REASON_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id", "locality_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "locality", "month"],
                condition=Q(locality__isnull=False),
                name="change_point_one_per_locality_month",
                violation_error_message="There is already a change point in this month.",
            ),
            models.UniqueConstraint(
                fields=["measure", "month"],
                condition=Q(locality__isnull=True),
                name="change_point_one_per_programme_month",
                violation_error_message="There is already a change point in this month.",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="change_point_month_starts",
                violation_error_message="A month is given by its first day.",
            ),
            models.CheckConstraint(
                condition=Q(month__gt=BASELINE_LAST_MONTH),
                name="change_point_after_baseline",
                violation_error_message="A change point comes after the baseline (March 2018).",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="change_point_has_reason",
                violation_error_message="Say why the process changed.",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: change from {self.month:%B %Y}"


class SavingsRamp(IllustrativeMixin, models.Model):
    """The share of the steady-state reductions and savings expected in a financial year.

    The ramp is data, not code: trajectories and the expected savings both read it.
    """

    start_year = models.PositiveSmallIntegerField(
        unique=True, help_text="The year the financial year starts: 2018 for 2018/19."
    )
    share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gte=0, share_percent__lte=100),
                name="ramp_share_0_to_100",
                violation_error_message="A share must be between 0 and 100 per cent.",
            ),
        ]

    def __str__(self):
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}: {self.share_percent}%"


class OutcomeTrajectory(IllustrativeMixin, models.Model):
    """The reduction the investment case expects of a locality on a measure.

    Month by month the expected activity is the locality's baseline monthly mean
    × (1 − reduction × the ramp's share for the month's financial year).
    """

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="trajectories")
    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="trajectories"
    )
    steady_state_reduction_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Reduction against the baseline once in steady state.",
    )
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["locality__name", "measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "measure"],
                name="trajectory_one_per_locality_measure",
                violation_error_message="This locality already has a trajectory for this measure.",
            ),
            models.CheckConstraint(
                condition=Q(
                    steady_state_reduction_percent__gte=0, steady_state_reduction_percent__lte=100
                ),
                name="trajectory_reduction_0_to_100",
                violation_error_message="A reduction must be between 0 and 100 per cent.",
            ),
        ]

    def __str__(self):
        return f"{self.locality}: {self.measure} trajectory"


class OutcomeUnitCost(IllustrativeMixin, models.Model):
    """What one unit of a measure's activity costs, to turn activity avoided into savings."""

    measure = models.OneToOneField(
        OutcomeMeasure, on_delete=models.PROTECT, related_name="unit_cost"
    )
    pounds = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    as_at = models.CharField(max_length=50, blank=True, help_text="For example “2017/18 prices”.")
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pounds__gte=0),
                name="unit_cost_not_negative",
                violation_error_message="A unit cost cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: £{self.pounds} a unit"


class InvestmentCommitment(IllustrativeMixin, models.Model):
    """Non-recurring money committed to Local Care: double-running revenue or capital."""

    class Kind(models.TextChoices):
        NON_RECURRING_REVENUE = "non_recurring_revenue", "Non-recurring revenue"
        CAPITAL = "capital", "Capital"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investment_commitments",
        help_text="Empty for programme-wide.",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    committed_on = models.DateField()
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["committed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="commitment_not_negative",
                violation_error_message="A commitment cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["non_recurring_revenue", "capital"]),
                name="commitment_kind_valid",
                violation_error_message="Choose non-recurring revenue or capital.",
            ),
        ]

    def __str__(self):
        return self.title


class ProgrammeFigure(models.Model):
    """A headline figure from the papers, such as the investment case's net saving.

    These are context for the board, never mixed with reported actuals. A
    range ("£164m–£190m") has a low and a high value.
    """

    class Unit(models.TextChoices):
        POUNDS = "pounds", "Pounds"
        COUNT = "count", "Count"
        PERCENT = "percent", "Per cent"
        YEARS = "years", "Years"

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=200)
    group = models.CharField(
        max_length=100, help_text="For example “Investment case (steady state)”."
    )
    value = models.DecimalField(max_digits=16, decimal_places=2)
    value_high = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Upper end of a range."
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.POUNDS)
    as_at = models.CharField(
        max_length=50,
        blank=True,
        help_text="When it applied, for example “Investment Case, September 2017”.",
    )
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value_high__gte=models.F("value")),
                name="figure_range_in_order",
                violation_error_message="The upper end of a range must not be below its lower end.",
            ),
        ]

    def __str__(self):
        return self.label


class Rag(models.TextChoices):
    """Red/Amber/Green status, with Complete (blue) and Not started (grey).

    Also the one owner of how severe each status is and what a missing one is
    called: `severity` and its SQL twin `severity_case` sort worst first
    (tests/localities/test_rag_severity.py runs both on the same rows).
    """

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"
    NOT_STARTED = "not_started", "Not started"

    @classmethod
    def severity(cls, value: str | None) -> int:
        """0 for the worst news (Red), then Amber, Not started, Green, Complete; no status last."""
        return _RAG_SEVERITY.get(value, NO_STATUS_SEVERITY)

    @classmethod
    def severity_case(cls, field: str) -> models.Case:
        """`severity` in SQL, of the RAG in `field` (NULL: no status), for sorting in the database."""
        return models.Case(
            *(
                models.When(Q(**{field: rag}), then=models.Value(rank))
                for rag, rank in _RAG_SEVERITY.items()
            ),
            default=models.Value(NO_STATUS_SEVERITY),
            output_field=models.IntegerField(),
        )

    @classmethod
    def in_board_order(cls) -> tuple["Rag", ...]:
        """The order a board reads RAG counts in, worst first and not started last: the
        stack of the objectives chart and its table (not `severity`, which ranks a
        status not started above green)."""
        return (cls.RED, cls.AMBER, cls.GREEN, cls.COMPLETE, cls.NOT_STARTED)

    @classmethod
    def label_for(cls, value: str | None) -> str:
        """The status's word, or "No status" where a locality has none (no return)."""
        return cls(value).label if value else NO_STATUS


# Outside the class: a plain attribute of a choices enum would become a member.
_RAG_SEVERITY = {Rag.RED: 0, Rag.AMBER: 1, Rag.NOT_STARTED: 2, Rag.GREEN: 3, Rag.COMPLETE: 4}
NO_STATUS_SEVERITY = 5
NO_STATUS = "No status"
