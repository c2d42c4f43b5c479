"""A complete, valid quarterly update's section data, for tests of the workflow."""

import datetime
from decimal import Decimal

from localities.models import (
    MDT,
    CareModelElement,
    Locality,
    Milestone,
    Objective,
    Quarter,
)
from updates import services
from updates.models import QuarterlyUpdate

Q4_2018_19 = {"financial_year__start_year": 2018, "number": 4}


def q4_2018_19() -> Quarter:
    return Quarter.objects.select_related("financial_year").get(**Q4_2018_19)


def complete_sections(locality: Locality, quarter: Quarter, **overrides) -> dict:
    """Every section filled in so that the update can be submitted.

    Milestones are reported complete and spend on plan, so the suggested RAG
    of every objective is Green or Complete; objectives are reported with the
    suggestion and need no reason.
    """
    sections = {
        "milestones": [
            {
                "milestone": milestone,
                "status": Milestone.Status.COMPLETE,
                "forecast_date": None,
                "actual_date": quarter.end_date - datetime.timedelta(days=3),
                "forecast_change_reason": "",
            }
            for milestone in Milestone.objects.for_locality(locality)
        ],
        "mdts": [
            {
                "mdt": mdt,
                "status": MDT.Status.LIVE,
                "actual_go_live": mdt.actual_go_live or quarter.start_date,
                "population_covered": 40_000,
            }
            for mdt in MDT.objects.for_locality(locality)
        ],
        "money": {"spend_planned": Decimal("100000"), "spend_actual": Decimal("102000")},
        "maturity": [{"element": e, "score": 3} for e in CareModelElement.objects.all()],
        "risks": [],
        "summary": {"summary": "A good quarter."},
    }
    sections.update(overrides)
    if "objectives" not in sections:
        sections["objectives"] = [
            {
                "objective": objective,
                # Filled in after the milestones are saved: see save_complete_update.
                "rag": None,
                "narrative": f"Progress on objective {objective.number}.",
                "percent_complete": 50,
                "rag_reason": "",
            }
            for objective in Objective.objects.reported_in(quarter)
        ]
    return sections


def save_complete_update(locality, quarter, by) -> QuarterlyUpdate:
    """Save every section through the services, objectives with their suggested RAG."""
    sections = complete_sections(locality, quarter)
    objectives = sections.pop("objectives")
    current = QuarterlyUpdate.objects.filter(locality=locality, quarter=quarter).first()
    update = services.save_draft(
        locality=locality,
        quarter=quarter,
        sections=sections,
        expected_version=current.version if current else 0,
        by=by,
    )
    suggestions = services.suggested_rags(update)
    for row in objectives:
        row["rag"] = suggestions[row["objective"].pk].rag
    return services.save_draft(
        locality=locality,
        quarter=quarter,
        sections={"objectives": objectives},
        expected_version=update.version,
        by=by,
    )
