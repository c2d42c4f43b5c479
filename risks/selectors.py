"""Reads of the risk register, shared by the dashboards and the risk pages."""

import datetime
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from risks.models import Risk, RiskReview, ScoreBand


def risks_as_at(day: datetime.date) -> QuerySet[Risk]:
    """Open risks raised by `day`, each annotated with its score as it stood then.

    The score as at a day is the latest review on or before it; a risk not yet
    reviewed by then keeps its current score. One query, however many risks.
    """
    latest_review = RiskReview.objects.filter(risk=OuterRef("pk"), reviewed_on__lte=day).order_by(
        "-reviewed_on", "-id"
    )
    return (
        Risk.objects.filter(status=Risk.Status.OPEN, date_raised__lte=day)
        .annotate(
            likelihood_then=Coalesce(
                Subquery(latest_review.values("likelihood")[:1]), F("current_likelihood")
            ),
            consequence_then=Coalesce(
                Subquery(latest_review.values("consequence")[:1]), F("current_consequence")
            ),
        )
        .annotate(score_then=F("likelihood_then") * F("consequence_then"))
    )


@dataclass(frozen=True)
class BandCount:
    band: ScoreBand
    count: int


def open_risks_by_band(
    day: datetime.date, *, risks: QuerySet[Risk] | None = None
) -> list[BandCount]:
    """How many open risks fall in each score band as at `day` (two queries)."""
    bands = list(ScoreBand.objects.all())
    scores = list(
        (risks if risks is not None else risks_as_at(day)).values_list("score_then", flat=True)
    )
    banded = [band_for(score, bands) for score in scores]
    return [BandCount(band=band, count=banded.count(band)) for band in bands]


def band_for(score: int | None, bands: list[ScoreBand]) -> ScoreBand | None:
    """The band a score falls in, from bands already loaded.

    The in-memory twin of ScoreBand.objects.for_score(), for pages that band
    many scores and must not ask the database once per score.
    """
    if score is None:
        return None
    return next((band for band in bands if band.min_score <= score <= band.max_score), None)
