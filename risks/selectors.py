"""Reads of the risk register, shared by the dashboards and the risk pages."""

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from risks.models import Risk, ScoreBand
from risks.scoring import band_for


def risks_as_at(day: datetime.date) -> QuerySet[Risk]:
    """Risks open at `day` (RiskQuerySet.open_as_at), each annotated with its score as it stood then.

    The score as at a day is the latest review on or before it; a risk not yet
    reviewed by then keeps its current score (RiskQuerySet.with_score_as_at:
    `likelihood_then`, `consequence_then`, `score_then`, `last_reviewed_on_then`).
    One query, however many risks.
    """
    return Risk.objects.open_as_at(day).with_score_as_at(day)


@dataclass(frozen=True)
class BandCount:
    band: ScoreBand
    count: int


def open_risks_by_band(
    day: datetime.date, *, risks: QuerySet[Risk] | None = None
) -> list[BandCount]:
    """How many open risks fall in each score band as at `day` (two queries).

    `risks`, if given, is risks_as_at(day) narrowed. The database counts the
    risks per score (at most 25 rows, whatever the number of risks); the bands
    are summed here from those counts.
    """
    return open_risks_by_band_and_illustrative(day, risks=risks)[0]


def open_risks_by_band_and_illustrative(
    day: datetime.date, *, risks: QuerySet[Risk] | None = None
) -> tuple[list[BandCount], bool]:
    """open_risks_by_band, and whether any of the scores counted is illustrative.

    In the same two queries: a page marks its band counts when they count invented scores.
    """
    bands = list(ScoreBand.objects.all())
    per_score = (
        (risks if risks is not None else risks_as_at(day))
        .order_by()
        .values("score_then")
        .annotate(
            count=Count("id"),
            illustrative=Count(
                "id", filter=Q(is_illustrative=True) | Q(scores_are_illustrative=True)
            ),
        )
    )
    counts, illustrative = {}, False
    for row in per_score:
        counts[row["score_then"]] = row["count"]
        illustrative = illustrative or bool(row["illustrative"])
    return count_by_band(counts, bands), illustrative


def count_by_band(
    risks_per_score: Mapping[int | None, int], bands: list[ScoreBand]
) -> list[BandCount]:
    """Every band with the number of risks whose score falls in it, from counts per score."""
    totals: Counter[int] = Counter()
    for score, count in risks_per_score.items():
        if (band := band_for(score, bands)) is not None:
            totals[band.pk] += count
    return [BandCount(band=band, count=totals[band.pk]) for band in bands]


@dataclass(frozen=True)
class RegisterWork:
    """What the programme office owes the register: risks to accept, reviews to do.

    `proposed` and `review_overdue` are the first few of each, oldest first;
    the counts cover them all.
    """

    proposed: list[Risk]
    proposed_count: int
    review_overdue: list[Risk]
    review_overdue_count: int


def register_work(*, today: datetime.date, limit: int) -> RegisterWork:
    """Proposed risks awaiting acceptance and open risks past their review date.

    Three queries whatever the register's size: both counts in one, then the
    first `limit` of each with its locality.
    """
    proposed = Risk.objects.filter(status=Risk.Status.PROPOSED)
    overdue = Risk.objects.review_overdue(today)
    counts = Risk.objects.order_by().aggregate(
        proposed=Count("pk", filter=Q(pk__in=proposed.values("pk"))),
        overdue=Count("pk", filter=Q(pk__in=overdue.values("pk"))),
    )
    return RegisterWork(
        proposed=list(proposed.select_related("locality").order_by("date_raised", "pk")[:limit]),
        proposed_count=counts["proposed"],
        review_overdue=list(
            overdue.select_related("locality").order_by("next_review_date", "reference", "pk")[
                :limit
            ]
        ),
        review_overdue_count=counts["overdue"],
    )
