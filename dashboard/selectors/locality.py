"""One locality as at a quarter: its objectives, MDTs, milestones, money, outcomes,
maturity and risks, in a fixed number of queries however much data there is."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dashboard.periods import DashboardPage
from dashboard.selectors.outcomes import quarter_figures
from localities.milestone_status import status_as_at
from localities.models import (
    MDT,
    CareModelElement,
    Locality,
    Milestone,
    Objective,
    OutcomeMeasure,
    PlannedInvestment,
    Quarter,
    Rag,
)
from localities.years import objective_lineages
from risks.models import ScoreBand
from risks.scoring import band_for
from risks.selectors import risks_as_at
from updates.models import MaturityScore, ObjectiveStatus, QuarterlyUpdate

# The October 2017 maturity matrix is held as each locality's 2017/18 Q3 update.
MATURITY_BASELINE_YEAR = 2017
MATURITY_BASELINE_QUARTER = 3


@dataclass(frozen=True)
class ObjectiveProgress:
    """A locality's status against one objective in the page's quarter (None: no return)."""

    objective: Objective
    status: ObjectiveStatus | None

    @property
    def rag_label(self) -> str:
        return Rag.label_for(self.status.rag if self.status else None)


class MDTStatusAsAt:
    """Where an MDT stood at a quarter's end; the model holds only today's status."""

    LIVE = "Live"
    LATE = "Not live, planned date passed"
    NOT_YET = "Not yet live"


@dataclass(frozen=True)
class MDTRow:
    name: str
    tier: str
    status: str
    population_covered: int | None
    planned_go_live: datetime.date | None
    actual_go_live: datetime.date | None
    is_illustrative: bool

    @property
    def is_live(self) -> bool:
        return self.status == MDTStatusAsAt.LIVE


@dataclass(frozen=True)
class TierGroup:
    tier: str
    mdts: list[MDTRow]

    @property
    def live_count(self) -> int:
        return sum(mdt.is_live for mdt in self.mdts)


@dataclass(frozen=True)
class MilestoneRow:
    title: str
    planned: str
    forecast_date: datetime.date | None
    actual_date: datetime.date | None  # for sorting; the page shows actual_text
    status: str
    slippage_days: int | None  # only against an exact plan (localities.slippage)
    slippage: str  # the phrase, in the unit the plan supports
    report: str
    is_illustrative: bool
    # The paper's words when it gives only a month, else the day (decision 0002).
    actual_text: str = ""


@dataclass(frozen=True)
class SpendQuarter:
    quarter: Quarter
    planned: Decimal | None
    actual: Decimal | None
    has_return: bool


@dataclass(frozen=True)
class OutcomeRow:
    measure: str
    unit: str
    baseline: Decimal | None
    value: Decimal | None
    lower_is_better: bool
    is_illustrative: bool = False
    months: int = 3  # the quarter's months with a figure: fewer than 3 is partial

    @property
    def is_partial(self) -> bool:
        return self.months < 3 and self.value is not None

    @property
    def difference(self) -> Decimal | None:
        if self.baseline is None or self.value is None or self.is_partial:
            return None
        return self.value - self.baseline

    @property
    def percent_change(self) -> Decimal | None:
        if self.difference is None or not self.baseline:
            return None
        return self.difference / self.baseline * 100

    @property
    def verdict(self) -> str:
        if self.is_partial:
            return f"Partial: {self.months} of 3 months"
        if self.difference is None:
            return "Not known"
        if self.difference == 0:
            return "Same as baseline"
        if (self.difference < 0) == self.lower_is_better:
            return "Better than baseline"
        return "Worse than baseline"


@dataclass(frozen=True)
class MaturityRow:
    element: CareModelElement
    baseline: int | None
    latest: int | None
    is_illustrative: bool = False

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


@dataclass(frozen=True)
class RiskRow:
    reference: str
    title: str
    category: str
    score: int | None
    band: ScoreBand | None
    is_illustrative: bool


@dataclass(frozen=True)
class HistoryCell:
    quarter: Quarter
    rag: str | None

    @property
    def label(self) -> str:
        return Rag.label_for(self.rag)


@dataclass(frozen=True)
class HistoryRow:
    objective: Objective
    cells: list[HistoryCell]
    # The objective carries forward one agreed for an earlier year (decision 0024).
    carried_from: Objective | None = None


@dataclass(frozen=True)
class LocalityPage:
    locality: Locality
    quarter: Quarter
    update: QuarterlyUpdate | None
    objectives: list[ObjectiveProgress]
    mdts: list[MDTRow]
    tier_groups: list[TierGroup]
    milestones: list[MilestoneRow]
    year_quarters: list[Quarter]
    spend: list[SpendQuarter]
    planned_for_year: Decimal | None
    outcomes: list[OutcomeRow]
    maturity: list[MaturityRow]
    maturity_baseline_quarter: Quarter | None
    maturity_latest_quarter: Quarter | None
    risks: list[RiskRow]
    history: list[HistoryRow]
    includes_illustrative: bool
    # The quarters of the RAG history: the year's so far, from the first year an
    # objective carried forward was agreed for (decision 0024).
    history_quarters: list[Quarter] = ()
    # Whether any figure in each part of the page is illustrative, for its marker.
    returns_are_illustrative: bool = False
    plan_is_illustrative: bool = False

    @property
    def mdts_are_illustrative(self) -> bool:
        return any(mdt.is_illustrative for mdt in self.mdts)

    @property
    def milestones_are_illustrative(self) -> bool:
        return any(milestone.is_illustrative for milestone in self.milestones)

    @property
    def spend_is_illustrative(self) -> bool:
        return self.returns_are_illustrative or self.plan_is_illustrative

    @property
    def outcomes_are_illustrative(self) -> bool:
        return any(row.is_illustrative for row in self.outcomes)

    @property
    def maturity_is_illustrative(self) -> bool:
        return any(row.is_illustrative for row in self.maturity)

    @property
    def risks_are_illustrative(self) -> bool:
        return any(risk.is_illustrative for risk in self.risks)

    @property
    def history_span(self) -> str:
        """ "2018/19" for one year's RAG history; "2018/19 Q1 to 2020/21 Q2" across years."""
        if not self.history_quarters:
            return self.quarter.financial_year.label
        first, last = self.history_quarters[0], self.history_quarters[-1]
        if first.financial_year_id == last.financial_year_id:
            return first.financial_year.label
        return f"{first.label} to {last.label}"

    @property
    def mdts_live(self) -> int:
        return sum(mdt.is_live for mdt in self.mdts)


def mdt_status_as_at(mdt: MDT, day: datetime.date) -> str:
    """Live if it went live on or before `day`; otherwise whether it was late by then."""
    if mdt.actual_go_live and mdt.actual_go_live <= day:
        return MDTStatusAsAt.LIVE
    if mdt.planned_go_live and mdt.planned_go_live <= day:
        return MDTStatusAsAt.LATE
    return MDTStatusAsAt.NOT_YET


def milestone_row(milestone: Milestone, day: datetime.date) -> MilestoneRow:
    """A milestone as it stood at `day`: a completion after then is not yet known."""
    done_by_then = milestone.actual_date is not None and milestone.actual_date <= day
    status = status_as_at(milestone, day).label
    # As known on `day`: a completion after then is not yet known.
    found = milestone.slippage(
        as_known=True, actual_date=milestone.actual_date if done_by_then else None
    )
    return MilestoneRow(
        title=milestone.title,
        planned=milestone.planned_window_text(),
        forecast_date=None if done_by_then else milestone.forecast_date,
        actual_date=milestone.actual_date if done_by_then else None,
        status=status,
        slippage_days=found.days if found else None,
        slippage=found.phrase if found else "",
        report=milestone.report_text(),
        is_illustrative=milestone.is_illustrative,
        actual_text=milestone.actual_text() if done_by_then else "",
    )


def _maturity(
    locality: Locality, page: DashboardPage
) -> tuple[list[MaturityRow], Quarter | None, Quarter | None]:
    elements = list(CareModelElement.objects.order_by("number"))
    scores = list(
        MaturityScore.objects.filter(
            update__locality=locality,
            update__status__in=page.statuses,
            update__quarter__start_date__lte=page.quarter.start_date,
        )
        .select_related("update__quarter__financial_year")
        .only(
            "element_id",
            "score",
            "update__quarter__number",
            "update__quarter__start_date",
            "update__quarter__financial_year__start_year",
            "update__is_illustrative",
        )
    )
    baseline_scores = {
        score.element_id: score
        for score in scores
        if score.update.quarter.financial_year.start_year == MATURITY_BASELINE_YEAR
        and score.update.quarter.number == MATURITY_BASELINE_QUARTER
    }
    latest_start = max((score.update.quarter.start_date for score in scores), default=None)
    latest_scores = {
        score.element_id: score
        for score in scores
        if score.update.quarter.start_date == latest_start
    }
    rows = [
        MaturityRow(
            element=element,
            baseline=baseline_scores[element.id].score if element.id in baseline_scores else None,
            latest=latest_scores[element.id].score if element.id in latest_scores else None,
            is_illustrative=any(
                scored[element.id].update.is_illustrative
                for scored in (baseline_scores, latest_scores)
                if element.id in scored
            ),
        )
        for element in elements
    ]
    baseline_quarter = (
        next(iter(baseline_scores.values())).update.quarter if baseline_scores else None
    )
    latest_quarter = next(iter(latest_scores.values())).update.quarter if latest_scores else None
    return rows, baseline_quarter, latest_quarter


def _risks(locality: Locality, day: datetime.date) -> list[RiskRow]:
    bands = list(ScoreBand.objects.all())
    risks = (
        risks_as_at(day)
        .filter(locality=locality)
        .with_words_as_at(day)
        .select_related("category")
        .order_by("-score_then", "reference")
    )
    return [
        RiskRow(
            reference=risk.reference or "",
            title=risk.title_then,
            category=risk.category.name,
            score=risk.score_then,
            band=band_for(risk.score_then, bands),
            is_illustrative=risk.is_illustrative or risk.scores_are_illustrative,
        )
        for risk in risks
    ]


def _outcomes(locality: Locality, quarter: Quarter) -> list[OutcomeRow]:
    """The quarter's activity per measure, added up from the monthly extract's months,
    against the baseline mean month × 3 (a quarter missing a month says "partial")."""
    figures = quarter_figures(locality=locality, quarter=quarter)
    rows = []
    for measure in OutcomeMeasure.objects.order_by("id"):
        figure = figures.get(measure.id)
        rows.append(
            OutcomeRow(
                measure=measure.name,
                unit=measure.unit,
                baseline=_decimal(figure.baseline) if figure else None,
                value=_decimal(figure.value) if figure else None,
                lower_is_better=measure.lower_is_better,
                is_illustrative=bool(figure and figure.is_illustrative),
                months=figure.months if figure and figure.value is not None else 3,
            )
        )
    return rows


def _rag_in(statuses: dict, lineage: list[tuple[int, int]]) -> str | None:
    """The RAG a quarter's return gave the objective, or the one it carries forward
    (a year without new objectives reports on the last year's: Objective.reported_in)."""
    for objective_id, _ in lineage:
        if objective_id in statuses:
            return statuses[objective_id].rag
    return None


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


def locality_data(*, page: DashboardPage, locality: Locality) -> LocalityPage:
    """Everything on a locality's page as at `page.quarter`."""
    quarter = page.quarter
    year = quarter.financial_year
    day = quarter.end_date

    objectives = list(
        Objective.objects.filter(financial_year=year)
        .select_related("financial_year", "continues__financial_year")
        .order_by("number")
    )
    # A carried objective's RAG history runs on from the one it continues.
    lineages = objective_lineages(objectives)
    first_year = min(
        (start_year for lineage in lineages.values() for _, start_year in lineage),
        default=year.start_year,
    )
    history_quarters = list(
        Quarter.objects.filter(
            financial_year__start_year__gte=first_year, start_date__lte=quarter.start_date
        ).chronological()
    )
    year_quarters = [
        history_quarter
        for history_quarter in history_quarters
        if history_quarter.financial_year_id == year.id
    ]
    updates = {
        update.quarter_id: update
        for update in QuarterlyUpdate.objects.filter(
            locality=locality,
            quarter__in=history_quarters,
            status__in=page.statuses,
        ).prefetch_related("objective_statuses")
    }
    current = updates.get(quarter.id)
    rags = {
        quarter_id: {status.objective_id: status for status in update.objective_statuses.all()}
        for quarter_id, update in updates.items()
    }

    mdts = [
        MDTRow(
            name=mdt.name,
            tier=mdt.get_tier_display(),
            status=mdt_status_as_at(mdt, day),
            population_covered=mdt.population_covered,
            planned_go_live=mdt.planned_go_live,
            actual_go_live=(
                mdt.actual_go_live if mdt.actual_go_live and mdt.actual_go_live <= day else None
            ),
            is_illustrative=mdt.is_illustrative,
        )
        for mdt in MDT.objects.for_locality(locality).order_by("name")
    ]
    tier_groups = [
        TierGroup(tier=label, mdts=[mdt for mdt in mdts if mdt.tier == label])
        for _, label in MDT.Tier.choices
    ]
    milestones = [
        milestone_row(milestone, day)
        # The model's ordering: planned end, undated last.
        for milestone in Milestone.objects.for_locality(locality).in_plan_on(day)
    ]
    planned_for_year, plan_is_illustrative = (
        PlannedInvestment.objects.filter(locality=locality, financial_year=year)
        .values_list("amount", "is_illustrative")
        .first()
    ) or (None, False)
    carried_from = {
        objective.id: objective.continues for objective in objectives if objective.continues_id
    }
    maturity, baseline_quarter, latest_quarter = _maturity(locality, page)
    risks = _risks(locality, day)

    return LocalityPage(
        locality=locality,
        quarter=quarter,
        update=current,
        objectives=[
            ObjectiveProgress(
                objective=objective, status=rags.get(quarter.id, {}).get(objective.id)
            )
            for objective in objectives
        ],
        mdts=mdts,
        tier_groups=tier_groups,
        milestones=milestones,
        year_quarters=year_quarters,
        spend=[
            SpendQuarter(
                quarter=year_quarter,
                planned=updates[year_quarter.id].spend_planned
                if year_quarter.id in updates
                else None,
                actual=updates[year_quarter.id].spend_actual
                if year_quarter.id in updates
                else None,
                has_return=year_quarter.id in updates,
            )
            for year_quarter in year_quarters
        ],
        planned_for_year=planned_for_year,
        outcomes=_outcomes(locality, quarter),
        maturity=maturity,
        maturity_baseline_quarter=baseline_quarter,
        maturity_latest_quarter=latest_quarter,
        risks=risks,
        history=[
            HistoryRow(
                objective=objective,
                cells=[
                    HistoryCell(
                        quarter=history_quarter,
                        rag=_rag_in(rags.get(history_quarter.id, {}), lineages[objective.id]),
                    )
                    for history_quarter in history_quarters
                ],
                carried_from=carried_from.get(objective.id),
            )
            for objective in objectives
        ],
        history_quarters=history_quarters,
        includes_illustrative=(
            locality.is_illustrative
            or any(update.is_illustrative for update in updates.values())
            or any(mdt.is_illustrative for mdt in mdts)
            or any(milestone.is_illustrative for milestone in milestones)
            or any(risk.is_illustrative for risk in risks)
        ),
        returns_are_illustrative=any(update.is_illustrative for update in updates.values()),
        plan_is_illustrative=plan_is_illustrative,
    )
