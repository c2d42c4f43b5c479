"""The NHS 5 × 5 risk matrix: descriptors, trend and review timing.

Scores are likelihood × consequence (1–25). Bands are data (ScoreBand rows,
NPSA defaults 1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme) and each band
says how often its risks are reviewed; a risk may override that.
"""

import datetime
from enum import StrEnum

from risks.models import Risk, ScoreBand

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
