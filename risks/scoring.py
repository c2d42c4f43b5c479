"""The NHS 5 × 5 risk matrix: descriptors, trend, review timing and the scoring rules.

Scores are likelihood × consequence (1–25). Bands are data (ScoreBand rows,
NPSA defaults 1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme) and each band
says how often its risks are reviewed; a risk may override that with its own
`review_every_days`.

Review frequency by band (the defaults in fixtures/reference.json; admins edit
them on the score band's admin page):

| band     | scores | reviewed every          |
|----------|--------|-------------------------|
| Low      | 1–3    | 180 days (six-monthly)  |
| Moderate | 4–6    | 90 days (quarterly)     |
| High     | 8–12   | 30 days (monthly)       |
| Extreme  | 15–25  | 30 days (monthly)       |

Why (our choice: the papers say only that the register is "reviewed
regularly at LCIB"): the boards meet quarterly, so a quarter suits a moderate
risk. High and extreme risks cannot wait a whole board cycle, so the programme
office reviews them monthly, the shortest cycle it can keep for every such
risk; an extreme risk is escalated to the board rather than reviewed more
often. Low risks are reviewed twice a year so that none drops off unseen.

Each review sets the next review date: the review's date plus the frequency of
the band its new score falls in. A band edit therefore applies from each risk's
next review; dates already set are not moved. An open risk whose next review
date has passed is "overdue" (`is_review_overdue`, `RiskQuerySet.review_overdue`).

This module is the one owner of the register's rules. Where a page needs a
rule in the database too (to sort, filter or count), its SQL twin sits beside
the Python function, and one test runs both on the same rows
(tests/risks/test_rules_agree.py): the band a score is in (`band_for`,
`band_expression`), when a review is due (`review_due`, `review_due_expression`)
and the order of the trends (`trend_order`, `trend_order_expression`); and
overdue by the stored next review date (`is_review_overdue`, whose twin is
`RiskQuerySet.review_overdue`, a filter the admin uses).
"""

import datetime
from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Case, DateField, F, Func, IntegerField, Value, When
from django.db.models.functions import Coalesce, NullIf

from risks.models import MitigatingAction, Risk, ScoreBand

# NPSA "A risk matrix for risk managers" (2008), the descriptors NHS bodies use.
LIKELIHOOD_DESCRIPTORS = {
    1: "Rare – not expected to happen; will only occur in exceptional circumstances",
    2: "Unlikely – not expected to happen, but it is possible",
    3: "Possible – may occur occasionally",
    4: "Likely – will probably happen, but it is not a persisting issue",
    5: "Almost certain – will undoubtedly happen, possibly frequently",
}
CONSEQUENCE_DESCRIPTORS = {
    1: "Negligible – minimal impact; no service disruption",
    2: "Minor – short-term disruption or small overspend, little effect on objectives",
    3: "Moderate – some disruption to services or objectives; overspend or delay needing action",
    4: "Major – objectives or key milestones missed; significant overspend or service loss",
    5: "Catastrophic – programme objectives not met; loss of confidence; major financial loss",
}


class Trend(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    NEW = "new"

    @property
    def words(self) -> str:
        return {
            Trend.RISING: "↑ Rising",
            Trend.FALLING: "↓ Falling",
            Trend.STEADY: "→ No change",
            Trend.NEW: "New (one review)",
        }[self]


def trend(previous_score: int | None, current_score: int | None) -> Trend:
    """How the score moved at the latest review, as a word and an arrow."""
    if previous_score is None or current_score is None:
        return Trend.NEW
    if current_score > previous_score:
        return Trend.RISING
    if current_score < previous_score:
        return Trend.FALLING
    return Trend.STEADY


NOT_REVIEWED = "Not reviewed yet"
# Sorting by trend puts rising risks first and risks not reviewed yet last (None).
TREND_ORDER = (Trend.RISING, Trend.STEADY, Trend.FALLING, Trend.NEW, None)


def trend_as_at(
    *, last_reviewed_on: datetime.date | None, previous_score: int | None, score: int | None
) -> Trend | None:
    """The trend at the latest review by a day; None if the risk was not reviewed by then."""
    if last_reviewed_on is None:
        return None
    return trend(previous_score, score)


def trend_label(movement: Trend | None) -> str:
    """ "↑ Rising", …, or "Not reviewed yet" (`trend_as_at` gave None)."""
    return NOT_REVIEWED if movement is None else movement.words


def trend_order(movement: Trend | None) -> int:
    return TREND_ORDER.index(movement)


def trend_order_expression(
    *,
    last_reviewed_on: str = "last_reviewed_on_then",
    previous_score: str = "previous_score_then",
    score: str = "score_then",
) -> Case:
    """trend_order(trend_as_at(...)) in SQL, from the named columns (by default those of
    RiskQuerySet.with_score_as_at and with_previous_score_as_at)."""
    return Case(
        When(**{f"{last_reviewed_on}__isnull": True}, then=Value(4)),
        When(**{f"{previous_score}__isnull": True}, then=Value(3)),
        When(**{f"{score}__isnull": True}, then=Value(3)),
        When(**{f"{score}__gt": F(previous_score)}, then=Value(0)),
        When(**{score: F(previous_score)}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


# --- Bands ---------------------------------------------------------------------


def band_for(score: int | None, bands: Iterable[ScoreBand]) -> ScoreBand | None:
    """The band a score falls in, from bands already loaded (in order: the first that fits).

    Pages band many scores and must not ask the database once per score.
    """
    if score is None:
        return None
    return next((band for band in bands if band.min_score <= score <= band.max_score), None)


def band_expression(
    bands: Iterable[ScoreBand], *, score: str = "score_then", value: str = "id"
) -> Case:
    """band_for in SQL: the `value` column (id, review_every_days) of the band the score in
    column `score` falls in, NULL where none does; the bands are the loaded ones, as there."""
    return Case(
        *[
            When(
                **{f"{score}__gte": band.min_score, f"{score}__lte": band.max_score},
                then=Value(getattr(band, value)),
            )
            for band in bands
        ],
        default=Value(None),
        output_field=IntegerField(),
    )


# --- Review timing ---------------------------------------------------------------


def review_interval(*, review_every_days: int | None, band: ScoreBand | None) -> int | None:
    """The risk's own review frequency, else its band's; None for an unscored risk."""
    return review_every_days or (band.review_every_days if band else None)


def review_interval_days(risk: Risk, bands: list[ScoreBand]) -> int | None:
    """review_interval for a risk's current score."""
    return review_interval(
        review_every_days=risk.review_every_days, band=band_for(risk.current_score_value, bands)
    )


def next_review_date(
    *, risk: Risk, reviewed_on: datetime.date, bands: list[ScoreBand]
) -> datetime.date | None:
    interval = review_interval_days(risk, bands)
    return reviewed_on + datetime.timedelta(days=interval) if interval else None


def review_due(
    *,
    last_reviewed_on: datetime.date | None,
    date_raised: datetime.date,
    review_every_days: int | None,
    band: ScoreBand | None,
) -> datetime.date | None:
    """When the next review was due, as things stood after the last review by a day.

    The same rule the register applies when a review is recorded (the risk's
    own frequency, else its band's), counted from the last review, or from the
    day the risk was raised if it had not been reviewed yet. The stored
    next_review_date is only today's, so a past quarter cannot use it.
    """
    interval = review_interval(review_every_days=review_every_days, band=band)
    if interval is None:
        return None
    return (last_reviewed_on or date_raised) + datetime.timedelta(days=interval)


class AddDays(Func):
    """A date plus a whole number of days, as a date, on PostgreSQL and SQLite.

    Django's duration arithmetic cannot multiply a duration by a column on
    SQLite, and PostgreSQL adds an integer to a date directly.
    """

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '+' || ",
        )


def review_due_expression(
    bands: Iterable[ScoreBand],
    *,
    last_reviewed_on: str = "last_reviewed_on_then",
    score: str = "score_then",
) -> AddDays:
    """review_due in SQL, for sorting: the last review (or the day raised) plus the risk's
    own days (0 counts as none, as there), else its band's by the score in `score`."""
    days = Coalesce(
        NullIf(F("review_every_days"), Value(0)),
        band_expression(bands, score=score, value="review_every_days"),
    )
    return AddDays(Coalesce(F(last_reviewed_on), F("date_raised")), days)


def is_review_overdue(risk: Risk, today: datetime.date) -> bool:
    return (
        risk.status == Risk.Status.OPEN
        and risk.next_review_date is not None
        and risk.next_review_date < today
    )


# --- Choice labels with the descriptors, wherever a score is entered ----------


def descriptor_label(value: int, descriptors: dict[int, str]) -> str:
    """'4 – Likely: will probably happen, but it is not a persisting issue'."""
    name, _, meaning = descriptors[value].partition(" – ")
    return f"{value} – {name}: {meaning}" if meaning else f"{value} – {name}"


LIKELIHOOD_CHOICES = [
    (value, descriptor_label(value, LIKELIHOOD_DESCRIPTORS)) for value in LIKELIHOOD_DESCRIPTORS
]
CONSEQUENCE_CHOICES = [
    (value, descriptor_label(value, CONSEQUENCE_DESCRIPTORS)) for value in CONSEQUENCE_DESCRIPTORS
]
LIKELIHOOD_OUT_OF_RANGE = "Likelihood is scored from 1 (rare) to 5 (almost certain)."
CONSEQUENCE_OUT_OF_RANGE = "Consequence is scored from 1 (negligible) to 5 (catastrophic)."


def score_choices(field_name: str) -> list[tuple[int, str]] | None:
    """The labelled choices for a likelihood or consequence field, by its name."""
    if field_name.endswith("likelihood"):
        return LIKELIHOOD_CHOICES
    if field_name.endswith("consequence"):
        return CONSEQUENCE_CHOICES
    return None


def out_of_range_message(field_name: str) -> str:
    return (
        LIKELIHOOD_OUT_OF_RANGE if field_name.endswith("likelihood") else CONSEQUENCE_OUT_OF_RANGE
    )


def is_valid_score(value) -> bool:
    # bool is an int in Python; a tick box is not a score.
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


# --- Rules that forms and services share ---------------------------------------


def target_is_worse(*, current: int | None, target: int | None) -> bool:
    """A target score above the current one: allowed, but only once someone confirms it."""
    return current is not None and target is not None and target > current


def review_date_error(
    *, reviewed_on: datetime.date, date_raised: datetime.date, today: datetime.date
) -> str | None:
    """Why a review cannot carry this date, or None when it can."""
    if reviewed_on > today:
        return "A review cannot be dated in the future."
    if reviewed_on < date_raised:
        return (
            "A review cannot be dated before the risk was raised "
            f"({date_raised.day} {date_raised:%b %Y})."
        )
    return None


def is_action_overdue(action: MitigatingAction, today: datetime.date) -> bool:
    """A mitigating action past its due date and not complete by `today` (or a past as-at day)."""
    return (
        action.due_date is not None
        and action.due_date < today
        and not action.is_complete_as_at(today)
    )
