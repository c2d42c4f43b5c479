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
"""

import datetime
from enum import StrEnum

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


def review_interval_days(risk: Risk, bands: list[ScoreBand]) -> int | None:
    """The risk's own review frequency, else its band's; None for an unscored risk."""
    if risk.review_every_days:
        return risk.review_every_days
    from risks.selectors import band_for

    band = band_for(risk.current_score_value, bands)
    return band.review_every_days if band else None


def next_review_date(
    *, risk: Risk, reviewed_on: datetime.date, bands: list[ScoreBand]
) -> datetime.date | None:
    interval = review_interval_days(risk, bands)
    return reviewed_on + datetime.timedelta(days=interval) if interval else None


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
