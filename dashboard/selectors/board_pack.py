"""The board pack: every dashboard page in summary, as at one quarter, on a few A4 pages.

It reuses each page's selector, so a figure in the pack is the figure on the
page; it adds only what a printed summary needs (the top risks, the
milestones that need the board's attention).
"""

import datetime
from dataclasses import dataclass

from dashboard.periods import DashboardPage
from dashboard.selectors.critical_areas import CriticalAreasData, critical_areas_data
from dashboard.selectors.mdts import MdtsData, mdts_data
from dashboard.selectors.milestones import MilestoneRow, MilestonesData, StatusAsAt, milestones_data
from dashboard.selectors.money import Money, money_data
from dashboard.selectors.outcomes import OverviewCell, outcomes_data
from dashboard.selectors.overview import Overview, programme_overview
from risks.models import Risk, ScoreBand
from risks.selectors import band_for, risks_as_at

TOP_RISKS = 10


@dataclass(frozen=True)
class RiskLine:
    risk: Risk
    score: int
    band: ScoreBand | None


@dataclass(frozen=True)
class OutcomeLine:
    name: str
    cells: list[OverviewCell]  # in the order of BoardPack.outcome_measures


@dataclass(frozen=True)
class BoardPack:
    overview: Overview
    milestones: MilestonesData
    milestones_for_attention: list[MilestoneRow]
    mdts: MdtsData
    money: Money
    outcome_measures: list
    outcome_lines: list[OutcomeLine]
    critical_areas: CriticalAreasData
    top_risks: list[RiskLine]
    open_risk_count: int


def _milestones_for_attention(data: MilestonesData, quarter) -> list[MilestoneRow]:
    """Overdue ones, and those completed during the quarter."""
    return [
        row
        for row in data.rows
        if row.status_then == StatusAsAt.OVERDUE
        or (row.actual_date and quarter.start_date <= row.actual_date <= quarter.end_date)
    ]


def _top_risks(day: datetime.date) -> tuple[list[RiskLine], int]:
    bands = list(ScoreBand.objects.all())
    risks = list(
        risks_as_at(day).select_related("category", "locality").order_by("-score_then", "reference")
    )
    lines = [
        RiskLine(risk=risk, score=risk.score_then, band=band_for(risk.score_then, bands))
        for risk in risks[:TOP_RISKS]
    ]
    return lines, len(risks)


def board_pack(*, page: DashboardPage, today: datetime.date) -> BoardPack:
    milestones = milestones_data(page=page, filter_data={})
    top_risks, open_risk_count = _top_risks(page.quarter.end_date)
    outcomes = outcomes_data(page=page)
    outcome_lines = [
        OutcomeLine(name=row.name, cells=[row.cells[measure.id] for measure in outcomes.measures])
        for row in [*outcomes.overview, outcomes.programme_overview]
    ]
    return BoardPack(
        overview=programme_overview(page=page, today=today),
        milestones=milestones,
        milestones_for_attention=_milestones_for_attention(milestones, page.quarter),
        mdts=mdts_data(page=page, filter_data={}),
        money=money_data(page=page),
        outcome_measures=outcomes.measures,
        outcome_lines=outcome_lines,
        critical_areas=critical_areas_data(page=page),
        top_risks=top_risks,
        open_risk_count=open_risk_count,
    )
