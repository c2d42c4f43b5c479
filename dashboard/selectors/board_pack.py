"""The board pack: every dashboard page in summary, as at one quarter, on a few A4 pages.

It reuses each page's selector, so a figure in the pack is the figure on the
page; it adds only what a printed summary needs (the top risks, the
milestones that need the board's attention).
"""

import datetime
from dataclasses import dataclass, replace

from dashboard.periods import DashboardPage
from dashboard.selectors.critical_areas import CriticalAreasData, critical_areas_data
from dashboard.selectors.mdts import LocalityRollout, MdtsData, mdts_data
from dashboard.selectors.milestones import MilestoneRow, MilestonesData, StatusAsAt, milestones_data
from dashboard.selectors.money import Money, SpendAgainstPlan, money_data
from dashboard.selectors.outcomes import OverviewCell, outcomes_data
from dashboard.selectors.overview import LocalityHealth, Overview, programme_overview
from risks.models import Risk, ScoreBand
from risks.selectors import band_for, risks_as_at

TOP_RISKS = 10
# A printed summary stays a few pages however many localities there are: each
# per-locality table shows at most this many, those that most need the board's
# attention, and each list at most PACK_LIST_ITEMS; the pages have the rest.
PACK_LOCALITIES = 20
PACK_LIST_ITEMS = 50
# Worst first: which localities the pack shows when it cannot show them all.
ATTENTION_ORDER = (
    LocalityHealth.OFF_TRACK,
    LocalityHealth.CONCERNS,
    LocalityHealth.NO_RETURN,
    LocalityHealth.ON_TRACK,
)


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
    """Every page in summary. `overview.matrix` and the per-locality rows hold the
    localities shown (see PACK_LOCALITIES); totals and headlines cover them all."""

    overview: Overview
    milestones: MilestonesData
    milestones_for_attention: list[MilestoneRow]
    mdts: MdtsData
    mdt_rows: list[LocalityRollout]
    money: Money
    money_rows: list[SpendAgainstPlan]
    outcome_measures: list
    outcome_lines: list[OutcomeLine]
    critical_areas: CriticalAreasData
    top_risks: list[RiskLine]
    open_risk_count: int
    localities_shown: int
    localities_total: int
    more_changes: int
    more_milestones: int

    @property
    def shows_every_locality(self) -> bool:
        return self.localities_shown == self.localities_total


def localities_needing_attention(overview: Overview, limit: int) -> set[str]:
    """Slugs of the `limit` localities worst placed on the overview: off track first."""
    ranked = sorted(
        overview.matrix,
        key=lambda row: (ATTENTION_ORDER.index(row.health), row.locality.name),
    )
    return {row.locality.slug for row in ranked[:limit]}


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
    overview = programme_overview(page=page, today=today)
    shown = localities_needing_attention(overview, PACK_LOCALITIES)
    milestones = milestones_data(page=page, filter_data={})
    for_attention = _milestones_for_attention(milestones, page.quarter)
    mdts = mdts_data(page=page, filter_data={})
    money = money_data(page=page)
    top_risks, open_risk_count = _top_risks(page.quarter.end_date)
    outcomes = outcomes_data(page=page)
    outcome_lines = [
        OutcomeLine(name=row.name, cells=[row.cells[measure.id] for measure in outcomes.measures])
        for row in [*outcomes.overview, outcomes.programme_overview]
        if row.slug in shown or row is outcomes.programme_overview
    ]
    return BoardPack(
        overview=replace(
            overview,
            matrix=[row for row in overview.matrix if row.locality.slug in shown],
            changes=overview.changes[:PACK_LIST_ITEMS],
        ),
        milestones=milestones,
        milestones_for_attention=for_attention[:PACK_LIST_ITEMS],
        mdts=mdts,
        mdt_rows=[row for row in mdts.localities if row.slug in shown],
        money=money,
        money_rows=[row for row in money.localities if row.slug in shown],
        outcome_measures=outcomes.measures,
        outcome_lines=outcome_lines,
        critical_areas=critical_areas_data(page=page),
        top_risks=top_risks,
        open_risk_count=open_risk_count,
        localities_shown=len(shown),
        localities_total=len(overview.matrix),
        more_changes=max(len(overview.changes) - PACK_LIST_ITEMS, 0),
        more_milestones=max(len(for_attention) - PACK_LIST_ITEMS, 0),
    )
