"""Reads that shape programme data for the dashboard pages."""

from dataclasses import dataclass

from django.db.models import Count, Q

from localities.models import MDT, Locality, Objective, Quarter, QuarterlyUpdate
from risks.models import Risk


@dataclass(frozen=True)
class LandingSummary:
    localities: list[Locality]
    objectives: list[Objective]
    latest_approved_quarter: Quarter | None
    mdts_live: int
    mdts_total: int
    open_risks: int


def landing_summary() -> LandingSummary:
    """Headline counts and the locality list, in a fixed number of queries."""
    localities = list(
        Locality.objects.select_related("sub_system")
        .annotate(
            mdt_count=Count("mdts", distinct=True),
            live_mdt_count=Count("mdts", filter=Q(mdts__status=MDT.Status.LIVE), distinct=True),
        )
        .order_by("sub_system__name", "name")
    )
    latest_approved_quarter = (
        Quarter.objects.filter(updates__status=QuarterlyUpdate.Status.APPROVED)
        .select_related("financial_year")
        .order_by("-start_date")
        .first()
    )
    objectives = list(
        Objective.objects.select_related("financial_year").order_by(
            "-financial_year__start_year", "number"
        )[:4]
    )
    return LandingSummary(
        localities=localities,
        objectives=sorted(objectives, key=lambda objective: objective.number),
        latest_approved_quarter=latest_approved_quarter,
        mdts_live=sum(locality.live_mdt_count for locality in localities),
        mdts_total=sum(locality.mdt_count for locality in localities),
        open_risks=Risk.objects.open().count(),
    )
