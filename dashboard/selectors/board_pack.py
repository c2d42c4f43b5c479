"""The board pack: every dashboard page in summary, as at one quarter, on a few A4 pages.

It reuses each page's selector, so a figure in the pack is the figure on the
page; it adds only what a printed summary needs (the top risks, the
milestones that need the board's attention).
"""

import datetime
from dataclasses import dataclass

from dashboard.periods import DashboardPage
from dashboard.selectors.critical_areas import CriticalAreasData, critical_areas_data
from dashboard.selectors.mdts import LocalityRollout, rollout_of
from dashboard.selectors.milestones import (
    MilestoneRow,
    StatusAsAt,
    milestone_summary,
    milestones_for_attention,
)
from dashboard.selectors.money import SpendAgainstPlan, spend_of
from dashboard.selectors.outcomes import OverviewCell, outcome_chart_data, overview_rows
from dashboard.selectors.overview import (
    MatrixRow,
    Overview,
    localities_needing_attention,
    programme_overview,
)
from risks.models import Risk, ScoreBand
from risks.scoring import band_for
from risks.selectors import risks_as_at

TOP_RISKS = 10
# A printed summary stays a few pages however many localities there are: each
# per-locality table shows at most this many, those that most need the board's
# attention, and each list at most PACK_LIST_ITEMS; the pages have the rest.
PACK_LOCALITIES = 20
PACK_LIST_ITEMS = 50


@dataclass(frozen=True)
class RiskLine:
    risk: Risk
    title: str  # as recorded by the quarter end (RiskQuerySet.with_words_as_at)
    score: int
    band: ScoreBand | None

    @property
    def is_invented(self) -> bool:
        return self.risk.is_illustrative

    @property
    def score_is_illustrative(self) -> bool:
        return self.risk.is_illustrative or self.risk.scores_are_illustrative


@dataclass(frozen=True)
class OutcomeLine:
    name: str
    cells: list[OverviewCell]  # in the order of BoardPack.outcome_measures


@dataclass(frozen=True)
class BoardPack:
    """Every page in summary. `matrix` and the per-locality rows hold the localities
    shown (see PACK_LOCALITIES); totals and headlines cover them all.

    Only what the pack prints is kept (it is cached, pickled whole): the pages'
    selectors return every locality's rows, every milestone and the MDT register.
    """

    overview: Overview
    matrix: list[MatrixRow]
    milestones_summary: str
    # Only the count: the list of who to chase is the programme office's (returns page).
    milestones_unreported: int
    milestones_for_attention: list[MilestoneRow]
    mdt_rows: list[LocalityRollout]
    mdt_totals: LocalityRollout
    money_rows: list[SpendAgainstPlan]
    money_total: SpendAgainstPlan
    outcome_measures: list
    outcome_lines: list[OutcomeLine]
    critical_areas: CriticalAreasData
    top_risks: list[RiskLine]
    open_risk_count: int
    localities_shown: int
    localities_total: int
    more_milestones: int
    # Whether each section's figures include illustrative ones, for its marker.
    mdts_are_illustrative: bool = False
    outcomes_are_illustrative: bool = False

    @property
    def includes_illustrative(self) -> bool:
        headline = self.overview.headline
        return any(
            (
                self.overview.changes_are_illustrative,
                headline.spend_is_illustrative,
                headline.overdue_milestones_are_illustrative,
                self.milestones_are_illustrative,
                self.mdts_are_illustrative,
                self.outcomes_are_illustrative,
                self.risks_are_illustrative,
            )
        )

    @property
    def milestones_are_illustrative(self) -> bool:
        return any(row.is_illustrative for row in self.milestones_for_attention)

    @property
    def risks_are_illustrative(self) -> bool:
        return any(line.is_invented or line.score_is_illustrative for line in self.top_risks)

    @property
    def shows_every_locality(self) -> bool:
        return self.localities_shown == self.localities_total


def _top_risks(day: datetime.date) -> tuple[list[RiskLine], int]:
    bands = list(ScoreBand.objects.all())
    # LIMIT in SQL: the pack shows ten of thousands.
    open_risks = risks_as_at(day)
    top = (
        open_risks.with_words_as_at(day)
        .select_related("category", "locality")
        .order_by("-score_then", "reference")
    )
    lines = [
        RiskLine(
            risk=risk,
            title=risk.title_then,
            score=risk.score_then,
            band=band_for(risk.score_then, bands),
        )
        for risk in top[:TOP_RISKS]
    ]
    return lines, open_risks.count()


def board_pack(*, page: DashboardPage) -> BoardPack:
    overview = programme_overview(page=page)
    matrix = localities_needing_attention(
        page=page, objectives=overview.objectives, limit=PACK_LOCALITIES
    )
    shown = {row.locality.slug for row in matrix}
    # Only what the pack prints is read: a few localities' rows and totals over all.
    for_attention, attention_count = milestones_for_attention(page=page, limit=PACK_LIST_ITEMS)
    summary = milestone_summary(page=page)
    mdt_rows, mdt_totals, mdts_are_illustrative = rollout_of(page=page, slugs=shown)
    money_rows, money_total = spend_of(page=page, slugs=shown)
    top_risks, open_risk_count = _top_risks(page.quarter.end_date)
    # Charted for the localities in the pack only, not every locality.
    outcomes = outcome_chart_data(page=page)
    outcome_rows = overview_rows(
        page=page, measures=outcomes.measures, localities=[row.locality for row in matrix]
    )
    outcome_lines = [
        OutcomeLine(name=row.name, cells=[row.cells[measure.id] for measure in outcomes.measures])
        for row in [*sorted(outcome_rows, key=lambda row: row.name), outcomes.programme_overview]
    ]
    return BoardPack(
        overview=overview,
        matrix=matrix,
        milestones_summary=summary.sentence(day=page.quarter.end_date),
        milestones_unreported=summary.by_status.get(StatusAsAt.NOT_REPORTED, 0),
        milestones_for_attention=for_attention,
        mdt_rows=mdt_rows,
        mdt_totals=mdt_totals,
        money_rows=money_rows,
        money_total=money_total,
        outcome_measures=outcomes.measures,
        outcome_lines=outcome_lines,
        critical_areas=critical_areas_data(page=page),
        top_risks=top_risks,
        open_risk_count=open_risk_count,
        localities_shown=len(shown),
        localities_total=overview.headline.localities_total,
        more_milestones=max(attention_count - PACK_LIST_ITEMS, 0),
        mdts_are_illustrative=mdts_are_illustrative,
        outcomes_are_illustrative=outcomes.includes_illustrative,
    )
