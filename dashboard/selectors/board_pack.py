"""The board pack: every dashboard page in summary, as at one quarter, on a few A4 pages.

It reuses each page's selector, so a figure in the pack is the figure on the
page; it adds only what a printed summary needs (the top risks, the
milestones that need the board's attention).
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Prefetch
from django.http import Http404, QueryDict

from dashboard.charts.base import Chart
from dashboard.charts.maturity import movement_chart
from dashboard.charts.money import quarter_spend_chart
from dashboard.charts.objectives import rag_counts_chart
from dashboard.charts.outcomes import spc_chart
from dashboard.periods import DashboardPage
from dashboard.selectors.areas import localities_in_force
from dashboard.selectors.critical_areas import CriticalAreasData, critical_areas_data
from dashboard.selectors.exceptions import ProgrammeExceptions, programme_exceptions
from dashboard.selectors.maturity import MaturityMovement, maturity_movement
from dashboard.selectors.mdts import LocalityRollout, rollout_of
from dashboard.selectors.milestones import (
    MilestoneRow,
    StatusAsAt,
    milestone_summary,
    milestones_for_attention,
)
from dashboard.selectors.money import SpendAgainstPlan, spend_of
from dashboard.selectors.objectives import objectives_data
from dashboard.selectors.outcomes import SummaryMatrix, month_label, summary_matrix
from dashboard.selectors.overview import (
    ChangeGroup,
    MatrixRow,
    Overview,
    localities_needing_attention,
    programme_overview,
    what_changed,
)
from dashboard.selectors.risks import Heatmap, actions_as_at, heatmap_as_at
from governance.models import BoardReport
from localities.models import GovernanceBody, Quarter
from risks.models import MitigatingAction, Risk, ScoreBand
from risks.scoring import Trend, band_for, trend_as_at, trend_label
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
    owner: str = ""  # a role, as recorded by the quarter end
    trend: Trend | None = None  # None: not reviewed by the quarter end
    target_band: ScoreBand | None = None
    actions: list[MitigatingAction] = field(default_factory=list)  # status as at the quarter end

    @property
    def trend_label(self) -> str:
        return trend_label(self.trend)

    @property
    def owner_is_illustrative(self) -> bool:
        return self.risk.is_illustrative or self.risk.owner_and_dates_are_illustrative

    @property
    def is_invented(self) -> bool:
        return self.risk.is_illustrative

    @property
    def score_is_illustrative(self) -> bool:
        return self.risk.is_illustrative or self.risk.scores_are_illustrative


@dataclass(frozen=True)
class BoardPack:
    """Every page in summary. `matrix` and the per-locality rows hold the localities
    shown (see PACK_LOCALITIES); totals and headlines cover them all.

    Only what the pack prints is kept (it is cached, pickled whole): the pages'
    selectors return every locality's rows, every milestone and the MDT register.
    """

    overview: Overview
    # The overview's own exceptions and grouped changes: the same selectors, the same figures.
    exceptions: ProgrammeExceptions
    change_groups: list[ChangeGroup]
    matrix: list[MatrixRow]
    milestones_summary: str
    # Only the count: the list of who to chase is the programme office's (returns page).
    milestones_unreported: int
    milestones_for_attention: list[MilestoneRow]
    mdt_rows: list[LocalityRollout]
    mdt_totals: LocalityRollout
    money_rows: list[SpendAgainstPlan]
    money_total: SpendAgainstPlan
    # Kent and Medway and the pack's localities, worst first (the summary matrix page's).
    outcome_matrix: SummaryMatrix
    critical_areas: CriticalAreasData
    top_risks: list[RiskLine]
    open_risk_count: int
    localities_shown: int
    localities_total: int
    more_milestones: int
    # Whether each section's figures include illustrative ones, for its marker.
    mdts_are_illustrative: bool = False
    outcomes_are_illustrative: bool = False
    # Issue 17: charts drawn for print, the heatmap, and maturity since October 2017.
    objective_charts: list[Chart] = field(default_factory=list)
    objectives_are_illustrative: bool = False
    spend_chart: Chart | None = None
    outcome_charts: list[Chart] = field(default_factory=list)
    heatmap: Heatmap | None = None
    maturity: MaturityMovement | None = None
    maturity_chart: Chart | None = None

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
                self.maturity_is_illustrative,
            )
        )

    @property
    def maturity_is_illustrative(self) -> bool:
        return self.maturity is not None and self.maturity.includes_illustrative

    @property
    def milestones_are_illustrative(self) -> bool:
        return any(row.is_illustrative for row in self.milestones_for_attention)

    @property
    def risks_are_illustrative(self) -> bool:
        return any(line.is_invented or line.score_is_illustrative for line in self.top_risks)

    @property
    def shows_every_locality(self) -> bool:
        return self.localities_shown == self.localities_total


def _top_risks(day: datetime.date, bands: list[ScoreBand]) -> tuple[list[RiskLine], int]:
    # LIMIT in SQL: the pack shows ten of thousands. Their mitigating actions in one
    # more query (prefetch), and the history only if one was completed after `day`.
    open_risks = risks_as_at(day)
    top = list(
        open_risks.with_words_as_at(day)
        .with_previous_score_as_at(day)
        .select_related("category", "locality")
        .prefetch_related(
            Prefetch("actions", queryset=MitigatingAction.objects.order_by("due_date", "id"))
        )
        .order_by("-score_then", "reference")[:TOP_RISKS]
    )
    actions_then = {
        action.pk: action
        for action in actions_as_at([action for risk in top for action in risk.actions.all()], day)
    }
    lines = [
        RiskLine(
            risk=risk,
            title=risk.title_then,
            score=risk.score_then,
            band=band_for(risk.score_then, bands),
            owner=risk.owner_role_then,
            trend=trend_as_at(
                last_reviewed_on=risk.last_reviewed_on_then,
                previous_score=risk.previous_score_then,
                score=risk.score_then,
            ),
            target_band=band_for(risk.target_score, bands) if risk.target_score else None,
            actions=[actions_then[action.pk] for action in risk.actions.all()],
        )
        for risk in top
    ]
    return lines, open_risks.count()


def _objective_charts(page: DashboardPage) -> tuple[list[Chart], bool]:
    """The objectives page's charts (RAG over quarters), counted over every locality; its
    tables are asked for one locality only, since the pack prints the matrix instead."""
    data = objectives_data(
        page=page,
        localities=localities_in_force(page.structure),
        table_query=QueryDict(),
        per_page=1,
    )
    charts = [
        rag_counts_chart(progress, locality_count=data.locality_count, is_preview=page.is_preview)
        for progress in data.objectives
    ]
    return charts, data.includes_illustrative


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
    money = spend_of(page=page, slugs=shown)
    bands = list(ScoreBand.objects.all())
    top_risks, open_risk_count = _top_risks(page.quarter.end_date, bands)
    # Charted for the localities in the pack only, not every locality.
    outcomes = summary_matrix(page=page, localities=[row.locality for row in matrix])
    objective_charts, objectives_are_illustrative = _objective_charts(page)
    maturity = maturity_movement(page=page)
    as_at = f"months to {month_label(outcomes.last_month)}, as at the end of {page.quarter.label}"
    return BoardPack(
        overview=overview,
        exceptions=programme_exceptions(page=page),
        change_groups=what_changed(page=page, objectives=overview.objectives),
        matrix=matrix,
        milestones_summary=summary.sentence(day=page.quarter.end_date),
        milestones_unreported=summary.by_status.get(StatusAsAt.NOT_REPORTED, 0),
        milestones_for_attention=for_attention,
        mdt_rows=mdt_rows,
        mdt_totals=mdt_totals,
        money_rows=money.rows,
        money_total=money.total,
        outcome_matrix=outcomes,
        critical_areas=critical_areas_data(page=page),
        top_risks=top_risks,
        open_risk_count=open_risk_count,
        localities_shown=len(shown),
        localities_total=overview.headline.localities_total,
        more_milestones=max(attention_count - PACK_LIST_ITEMS, 0),
        mdts_are_illustrative=mdts_are_illustrative,
        outcomes_are_illustrative=outcomes.includes_illustrative,
        objective_charts=objective_charts,
        objectives_are_illustrative=objectives_are_illustrative,
        spend_chart=quarter_spend_chart(
            quarters=money.quarters,
            total=money.total,
            area_name=money.total.name,
            year=page.quarter.financial_year.label,
            quarter_number=page.quarter.number,
        ),
        # Kent and Medway's chart of each measure, from the matrix's own series.
        outcome_charts=[
            spc_chart(series, dom_id=f"pack-outcome-{series.measure.code}", as_at=as_at)
            for series in outcomes.programme.cells
        ],
        heatmap=heatmap_as_at(page.quarter.end_date, bands),
        # The chart counts every locality; the table prints the pack's localities.
        maturity=replace(
            maturity,
            localities=[row for row in maturity.localities if row.locality.slug in shown],
        ),
        maturity_chart=movement_chart(maturity),
    )


@dataclass(frozen=True)
class CoverSheet:
    """The pack's first page: the board it is for, and that board's approved report for
    the quarter (None: no report approved yet, and the cover says so)."""

    bodies: list[GovernanceBody]
    body: GovernanceBody | None
    report: BoardReport | None


def cover_sheet(*, quarter: Quarter, board: str | None) -> CoverSheet:
    """The cover for `board` (a GovernanceBody id from `?board=`); by default the board of
    the quarter's approved report (the first by name if several), else the first board
    by name. Two queries; not cached, so an approval shows at once. Http404 for a board
    that does not exist."""
    bodies = list(GovernanceBody.objects.order_by("name"))
    approved = {
        report.body_id: report
        for report in BoardReport.objects.approved()
        .for_quarter(quarter)
        .select_related("meeting__body")
    }
    if board:
        body = next((item for item in bodies if str(item.pk) == board), None)
        if body is None:
            raise Http404("There is no such board.")
    else:
        body = next((item for item in bodies if item.pk in approved), None) or next(
            iter(bodies), None
        )
    return CoverSheet(
        bodies=bodies, body=body, report=approved.get(body.pk) if body is not None else None
    )
