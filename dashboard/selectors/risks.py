"""The board's view of the risk register: a heatmap, each risk's movement and the
register itself, all as at a quarter's end; and one risk with its review history.

Scores "as at" a day come from risks.selectors.risks_as_at (the latest review on
or before it), and band counts from risks.selectors.count_by_band (as
open_risks_by_band counts them), so that the overview's and the locality pages'
numbers are the same numbers. The database counts, sorts and pages: only the
register's current page becomes rows here.
"""

import copy
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.pagination import SqlPage, sql_page
from dashboard.filters.localities import LocalityChoice, locality_choice_rows
from dashboard.filters.risks import RiskFilter
from dashboard.periods import DashboardPage
from localities.models import PROGRAMME_WIDE, Locality, Objective
from risks.models import MitigatingAction, Risk, RiskCategory, RiskReview, ScoreBand
from risks.scoring import (
    CONSEQUENCE_DESCRIPTORS,
    LIKELIHOOD_DESCRIPTORS,
    Trend,
    band_for,
    is_action_overdue,
    is_review_overdue,
    review_due,
    review_due_expression,
    trend,
    trend_as_at,
    trend_label,
    trend_order,
    trend_order_expression,
)
from risks.selectors import BandCount, count_by_band, risks_as_at

# The matrix is drawn with the most likely row at the top, as NHS risk matrices are.
LIKELIHOODS_TOP_DOWN = (5, 4, 3, 2, 1)
CONSEQUENCES = (1, 2, 3, 4, 5)
# The statuses a board member may look at; proposed and rejected risks are the office's.
BOARD_VISIBLE_STATUSES = (Risk.Status.OPEN, Risk.Status.CLOSED)
CURRENT = "Current"


def likelihood_word(likelihood: int) -> str:
    """ "Likely" for 4: the descriptor's first word(s), before the explanation."""
    return LIKELIHOOD_DESCRIPTORS[likelihood].split(" – ")[0]


def consequence_word(consequence: int) -> str:
    return CONSEQUENCE_DESCRIPTORS[consequence].split(" – ")[0]


def objective_label(objective: Objective | None, *, with_year: bool = False) -> str:
    if objective is None:
        return ""
    label = f"{objective.number}. {objective.short_title}"
    return f"{objective.financial_year.label}: {label}" if with_year else label


@dataclass(frozen=True)
class RiskRow:
    """One open risk as it stood at the quarter's end; plain values, so sorting needs no queries."""

    reference: str
    title: str
    category: str
    locality_name: str | None
    objective_label: str
    owner_role: str
    likelihood: int
    consequence: int
    score: int
    band: ScoreBand | None
    inherent_score: int | None
    target_score: int | None
    trend: Trend
    last_reviewed_on: datetime.date | None
    review_due: datetime.date | None
    is_review_overdue: bool
    is_illustrative: bool
    # Told apart on the page: a risk the papers do not list at all (LC-R09 onwards),
    # and a real key risk whose score is invented.
    is_invented: bool = False
    score_is_illustrative: bool = False

    @property
    def band_name(self) -> str:
        return self.band.name if self.band else ""

    @property
    def trend_label(self) -> str:
        return trend_label(self.trend if self.last_reviewed_on else None)

    @property
    def trend_order(self) -> int:
        """Sorting by trend puts rising risks first (trend_order_expression in SQL)."""
        return trend_order(self.trend if self.last_reviewed_on else None)

    @property
    def where(self) -> str:
        return self.locality_name or PROGRAMME_WIDE


@dataclass(frozen=True)
class HeatmapCell:
    likelihood: int
    consequence: int
    count: int
    band: ScoreBand | None
    is_selected: bool

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence

    @property
    def likelihood_word(self) -> str:
        return likelihood_word(self.likelihood)

    @property
    def consequence_word(self) -> str:
        return consequence_word(self.consequence)


@dataclass(frozen=True)
class HeatmapRow:
    likelihood: int
    cells: list[HeatmapCell]

    @property
    def word(self) -> str:
        return likelihood_word(self.likelihood)


@dataclass(frozen=True)
class Heatmap:
    rows: list[HeatmapRow]
    total: int

    @property
    def consequences(self) -> list[tuple[int, str]]:
        return [(consequence, consequence_word(consequence)) for consequence in CONSEQUENCES]

    @property
    def occupied_cells(self) -> list[HeatmapCell]:
        """Cells with risks in them, highest score first, for the list beside the grid."""
        cells = [cell for row in self.rows for cell in row.cells if cell.count]
        return sorted(cells, key=lambda cell: (-cell.score, -cell.likelihood))


@dataclass(frozen=True)
class SelectedCell:
    likelihood: int | None
    consequence: int | None

    @property
    def description(self) -> str:
        parts = []
        if self.likelihood:
            parts.append(f"likelihood {self.likelihood} ({likelihood_word(self.likelihood)})")
        if self.consequence:
            parts.append(f"consequence {self.consequence} ({consequence_word(self.consequence)})")
        return " and ".join(parts)


@dataclass(frozen=True)
class RiskFilterChoices:
    """What the filter offers, read from the data: (value, label) pairs."""

    localities: list[LocalityChoice]
    objectives: list[tuple[int, str]]
    categories: list[tuple[int, str]]


@dataclass(frozen=True)
class RisksData:
    """The page's data; plain values, so that it can be cached (dashboard.caching)."""

    filter_choices: RiskFilterChoices
    band_counts: list[BandCount]
    summary_sentence: str
    heatmap: Heatmap
    selected_cell: SelectedCell | None
    register: SqlPage  # of RiskRow: one page, sorted and sliced by the database
    is_filtered: bool
    includes_illustrative: bool

    @property
    def descriptors(self) -> list[tuple[int, str, str]]:
        """(score, likelihood descriptor, consequence descriptor) for the page's key."""
        return [
            (number, LIKELIHOOD_DESCRIPTORS[number], CONSEQUENCE_DESCRIPTORS[number])
            for number in CONSEQUENCES
        ]


def band_summary(band_counts: list[BandCount], *, quarter_label: str, is_filtered: bool) -> str:
    """ "13 open risks at the end of 2018/19 Q4: 4 extreme, 7 high, 2 moderate and 0 low." """
    total = sum(item.count for item in band_counts)
    noun = "open risk" if total == 1 else "open risks"
    scope = " matching these filters" if is_filtered else ""
    by_band = [
        f"{item.count} {item.band.name.lower()}"
        for item in sorted(band_counts, key=lambda item: -item.band.min_score)
    ]
    counts = (
        ", ".join(by_band[:-1]) + f" and {by_band[-1]}" if len(by_band) > 1 else "".join(by_band)
    )
    return f"{total} {noun}{scope} at the end of {quarter_label}: {counts}."


def _heatmap(counts: dict[tuple[int, int], int], bands: list[ScoreBand], selected) -> Heatmap:
    return Heatmap(
        rows=[
            HeatmapRow(
                likelihood=likelihood,
                cells=[
                    HeatmapCell(
                        likelihood=likelihood,
                        consequence=consequence,
                        count=counts.get((likelihood, consequence), 0),
                        band=band_for(likelihood * consequence, bands),
                        is_selected=selected is not None
                        and selected.likelihood in (None, likelihood)
                        and selected.consequence in (None, consequence),
                    )
                    for consequence in CONSEQUENCES
                ],
            )
            for likelihood in LIKELIHOODS_TOP_DOWN
        ],
        total=sum(counts.values()),
    )


def _row(risk: Risk, bands: list[ScoreBand], day: datetime.date) -> RiskRow:
    band = band_for(risk.score_then, bands)
    due = review_due(
        last_reviewed_on=risk.last_reviewed_on_then,
        date_raised=risk.date_raised,
        review_every_days=risk.review_every_days,
        band=band,
    )
    return RiskRow(
        reference=risk.reference,
        title=risk.title_then,
        category=risk.category.name,
        locality_name=risk.locality.name if risk.locality else None,
        objective_label=objective_label(risk.objective),
        owner_role=risk.owner_role_then,
        likelihood=risk.likelihood_then,
        consequence=risk.consequence_then,
        score=risk.score_then,
        band=band,
        inherent_score=risk.inherent_score,
        target_score=risk.target_score,
        # Only a review on or before `day` counts: a later one was not known then.
        trend=trend_as_at(
            last_reviewed_on=risk.last_reviewed_on_then,
            previous_score=risk.previous_score_then,
            score=risk.score_then,
        )
        or Trend.NEW,
        last_reviewed_on=risk.last_reviewed_on_then,
        review_due=due,
        is_review_overdue=due is not None and due < day,
        is_illustrative=risk.is_illustrative or risk.scores_are_illustrative,
        is_invented=risk.is_illustrative,
        score_is_illustrative=risk.scores_are_illustrative or risk.is_illustrative,
    )


def risk_filterset(*, page: DashboardPage, filter_data, choices: RiskFilterChoices) -> RiskFilter:
    """The register's filter, bound to `filter_data`; building it runs no query."""
    return RiskFilter(
        filter_data,
        queryset=risks_as_at(page.quarter.end_date),
        localities=choices.localities,
        objectives=choices.objectives,
        categories=choices.categories,
    )


def _register(
    filterset: RiskFilter,
    *,
    day: datetime.date,
    bands: list[ScoreBand],
    ordering: Sequence[OrderBy],
) -> QuerySet[Risk]:
    """The register in the reader's order (RegisterTable.sql_ordering), then highest score first."""
    return _in_register_order(filterset.qs, day=day, bands=bands, ordering=ordering)


def _in_register_order(
    risks: QuerySet[Risk],
    *,
    day: datetime.date,
    bands: list[ScoreBand],
    ordering: Sequence[OrderBy],
) -> QuerySet[Risk]:
    """`risks` (from risks_as_at) with the register's words as at `day`, in its order.

    The aliases are the register's computed sort keys, which its columns name.
    """
    return (
        risks.with_previous_score_as_at(day)
        .with_words_as_at(day)
        .select_related("category", "locality", "objective")
        .alias(
            where_order=Coalesce(F("locality__name"), Value(PROGRAMME_WIDE)),
            trend_order=trend_order_expression(),
            review_due_order=review_due_expression(bands),
        )
        .order_by(*ordering, F("score_then").desc(), F("reference").asc(), F("id").asc())
    )


def risk_filter_choices() -> RiskFilterChoices:
    """What the register's filter offers (three queries)."""
    return RiskFilterChoices(
        localities=locality_choice_rows(),
        objectives=[
            (objective.id, objective_label(objective, with_year=True))
            # EXISTS, not a join with DISTINCT: a probe per objective, not a pass over every risk.
            for objective in Objective.objects.filter(
                Exists(Risk.objects.filter(objective=OuterRef("pk")))
            )
            .select_related("financial_year")
            .order_by("financial_year__start_year", "number")
        ],
        categories=list(RiskCategory.objects.order_by("name").values_list("id", "name")),
    )


def risks_data(
    *,
    page: DashboardPage,
    filter_data,
    register_page: int | str | None = 1,
    ordering: Sequence[OrderBy] = (),
    per_page: int,
) -> RisksData:
    """The heatmap, band counts and one page of the register as at `page.quarter`.

    Six queries whatever the data: the filter's choices (localities,
    objectives, categories), the bands, the open risks counted per heatmap
    cell (which also gives the band counts, the register's length and whether
    any score is illustrative), and the register's page, sorted and sliced
    in SQL. Locality, objective and category narrow everything; likelihood
    and consequence (a heatmap cell) narrow the register only, so the grid
    still shows where the selected cell sits.
    """
    day = page.quarter.end_date
    choices = risk_filter_choices()
    filterset = risk_filterset(page=page, filter_data=filter_data, choices=choices)
    bands = list(ScoreBand.objects.all())
    selected = filterset.selected_cell
    selected_cell = SelectedCell(*selected) if any(selected) else None

    cells = list(
        filterset.scope_qs.order_by()
        .values("likelihood_then", "consequence_then")
        .annotate(
            count=Count("id"),
            illustrative=Count(
                "id", filter=Q(is_illustrative=True) | Q(scores_are_illustrative=True)
            ),
        )
    )
    counts = {(cell["likelihood_then"], cell["consequence_then"]): cell["count"] for cell in cells}
    per_score: dict[int, int] = {}
    for (likelihood, consequence), count in counts.items():
        score = likelihood * consequence
        per_score[score] = per_score.get(score, 0) + count
    band_counts = count_by_band(per_score, bands)
    listed = [
        cell
        for cell in cells
        if selected[0] in (None, cell["likelihood_then"])
        and selected[1] in (None, cell["consequence_then"])
    ]

    register = sql_page(
        _register(filterset, day=day, bands=bands, ordering=ordering),
        requested=register_page,
        per_page=per_page,
        total=sum(cell["count"] for cell in listed),
        row=lambda risk: _row(risk, bands, day),
    )
    is_filtered = filterset.is_scoped
    return RisksData(
        filter_choices=choices,
        band_counts=band_counts,
        summary_sentence=band_summary(
            band_counts, quarter_label=page.quarter.label, is_filtered=is_filtered
        ),
        heatmap=_heatmap(counts, bands, selected_cell),
        selected_cell=selected_cell,
        register=register,
        is_filtered=is_filtered,
        includes_illustrative=any(cell["illustrative"] for cell in listed),
    )


def register_rows(
    *,
    page: DashboardPage,
    filter_data,
    choices: RiskFilterChoices,
    bands: list[ScoreBand],
    ordering: Sequence[OrderBy] = (),
) -> list[RiskRow]:
    """Every risk in the (filtered) register, sorted as the page is: for the downloads."""
    day = page.quarter.end_date
    filterset = risk_filterset(page=page, filter_data=filter_data, choices=choices)
    register = _register(filterset, day=day, bands=bands, ordering=ordering)
    return [_row(risk, bands, day) for risk in register]


def register_as_at(
    *, page: DashboardPage, bands: list[ScoreBand], localities: QuerySet[Locality] | None = None
) -> QuerySet[Risk]:
    """The register as the risks page lists it unfiltered and unsorted: the risks open at
    the page's quarter end (never proposed or rejected), highest score first, narrowed to
    `localities` if given. One query when read; `risk_row` turns each into the page's row.
    For the data API, so that it and the page cannot disagree."""
    day = page.quarter.end_date
    risks = risks_as_at(day)
    if localities is not None:
        risks = risks.filter(locality__in=localities)
    return _in_register_order(risks, day=day, bands=bands, ordering=())


def risk_row(risk: Risk, *, bands: list[ScoreBand], day: datetime.date) -> RiskRow:
    """A risk from `register_as_at` as the register's row (no query)."""
    return _row(risk, bands, day)


# --- one risk ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """A likelihood × consequence pair with its words, for one of the risk's scores."""

    label: str
    likelihood: int | None
    consequence: int | None
    band: ScoreBand | None
    note: str = ""

    @property
    def score(self) -> int | None:
        return Risk.score(self.likelihood, self.consequence)

    @property
    def likelihood_descriptor(self) -> str:
        return LIKELIHOOD_DESCRIPTORS.get(self.likelihood, "")

    @property
    def consequence_descriptor(self) -> str:
        return CONSEQUENCE_DESCRIPTORS.get(self.consequence, "")


@dataclass(frozen=True)
class ReviewRow:
    reviewed_on: datetime.date
    reviewer_role: str
    likelihood: int
    consequence: int
    score: int
    band: ScoreBand | None
    note: str
    is_illustrative: bool

    @property
    def band_name(self) -> str:
        return self.band.name if self.band else ""


@dataclass(frozen=True)
class ActionRow:
    description: str
    owner_role: str
    due_date: datetime.date | None
    status: str
    status_label: str
    is_overdue: bool


@dataclass(frozen=True)
class RiskDetail:
    """One risk as at the page's as-at day (DashboardPage.as_at).

    For a past quarter that is its end: the score, trend, next review and
    overdue actions from the reviews dated by then, and only those reviews; the
    title, owner and description as recorded by then. For the quarter still
    running, the risk as recorded today.
    """

    risk: Risk
    objective_label: str
    scores: list[ScoreLine]
    score_at_quarter_end: ScoreLine | None
    trend: Trend
    reviews: list[ReviewRow]
    actions: list[ActionRow]
    bands: list[ScoreBand]
    next_review: datetime.date | None
    is_review_overdue: bool
    as_at: datetime.date
    is_past: bool
    # The review the as-at score comes from; None if not reviewed by then.
    scored_at: ReviewRow | None
    includes_illustrative: bool

    # What the page marks as illustrative, part by part: a risk the papers do not
    # list is invented throughout; a key risk of July 2018 is real, its score is not.
    @property
    def is_invented(self) -> bool:
        return self.risk.is_illustrative

    @property
    def scores_are_illustrative(self) -> bool:
        return self.risk.is_illustrative or self.risk.scores_are_illustrative

    @property
    def owner_and_dates_are_illustrative(self) -> bool:
        return self.risk.is_illustrative or self.risk.owner_and_dates_are_illustrative

    @property
    def history_is_illustrative(self) -> bool:
        return self.scores_are_illustrative or any(
            review.is_illustrative for review in self.reviews
        )

    @property
    def where(self) -> str:
        return self.risk.locality.name if self.risk.locality else PROGRAMME_WIDE

    @property
    def current(self) -> ScoreLine:
        """The score the page leads with: today's, or a past quarter's as at its end."""
        return self.scores[1]

    @property
    def trend_label(self) -> str:
        return trend_label(self.trend if self.reviews else None)

    @property
    def overdue_actions(self) -> int:
        return sum(action.is_overdue for action in self.actions)


def board_visible_risks() -> QuerySet[Risk]:
    """Risks a board member may open: open and closed, never proposed or rejected."""
    return Risk.objects.filter(status__in=BOARD_VISIBLE_STATUSES).select_related(
        "category", "locality", "objective__financial_year"
    )


def _score_at(
    risk: Risk, reviews: list[ReviewRow], day: datetime.date, bands, *, quarter_label: str
) -> ScoreLine | None:
    """The score as risks_as_at would give it on `day`: latest review by then, else the first."""
    if risk.date_raised > day:
        return None
    by_then = [review for review in reviews if review.reviewed_on <= day]
    scored = by_then[-1] if by_then else (reviews[0] if reviews else None)
    likelihood, consequence = (
        (scored.likelihood, scored.consequence)
        if scored
        else (risk.current_likelihood, risk.current_consequence)
    )
    if by_then:
        note = f"At the review of {scored.reviewed_on:%-d %B %Y}"
    elif scored:
        note = f"Not reviewed by then: the score first given, at the review of {scored.reviewed_on:%-d %B %Y}"
    else:
        note = "Not reviewed by then: the current score"
    return ScoreLine(
        label=f"At the end of {quarter_label}",
        likelihood=likelihood,
        consequence=consequence,
        band=band_for(Risk.score(likelihood, consequence), bands),
        note=note,
    )


def risk_as_recorded_by(risk: Risk, day: datetime.date) -> Risk:
    """The risk with its title, owner and description as recorded by the end of `day`,
    and open if it was closed after `day`.

    These have no dates of their own, so the history is the only record of
    what they said then. Where the history starts later (rows loaded from the
    programme's papers are stamped with the day they were loaded), the
    earliest record stands for the risk as it was. One query.
    """
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )
    records = risk.history.order_by("history_date", "history_id").values(
        "history_date", "title", "owner_role", "description"
    )
    chosen = None
    for record in records:
        if chosen is not None and record["history_date"] >= end_of_day:
            break
        chosen = record
    then = copy.copy(risk)
    if risk.status == Risk.Status.CLOSED and risk.closed_on is not None and risk.closed_on > day:
        # Closed after `day`: open then (RiskQuerySet.open_as_at), with no closing note yet.
        then.status, then.closing_note, then.closed_on = Risk.Status.OPEN, "", None
    if chosen is not None:
        then.title = chosen["title"]
        then.owner_role = chosen["owner_role"]
        then.description = chosen["description"]
    return then


def heatmap_as_at(day: datetime.date, bands: list[ScoreBand]) -> Heatmap:
    """Open risks counted per cell of the 5 × 5 matrix at the end of `day` (one query)."""
    counts = {
        (row["likelihood_then"], row["consequence_then"]): row["count"]
        for row in risks_as_at(day)
        .order_by()
        .values("likelihood_then", "consequence_then")
        .annotate(count=Count("id"))
    }
    return _heatmap(counts, bands, None)


def actions_as_at(actions, day: datetime.date) -> list[MitigatingAction]:
    """The actions with the status each had at the end of `day` (see _actions_as_at)."""
    return _actions_as_at(actions, day)


def _actions_as_at(actions: QuerySet[MitigatingAction], day: datetime.date):
    """The actions with the status each had at the end of `day`.

    Only an action completed after `day` differs from today's: its status then
    is its history's last record by then that is not complete (the earliest,
    if the history starts later; "In progress" if it has none). That one query
    is made only when such an action exists.
    """
    actions = list(actions)
    completed_later = {
        action.pk: action
        for action in actions
        if action.status == MitigatingAction.Status.COMPLETE and not action.is_complete_as_at(day)
    }
    if not completed_later:
        return actions
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )
    status_then = {}
    records = (
        MitigatingAction.history.filter(id__in=completed_later)
        .exclude(status=MitigatingAction.Status.COMPLETE)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "status")
    )
    for action_id, recorded_at, status in records:
        if action_id not in status_then or recorded_at < end_of_day:
            status_then[action_id] = status
    for action_id, action in completed_later.items():
        then = copy.copy(action)
        then.status = status_then.get(action_id, MitigatingAction.Status.IN_PROGRESS)
        then.completed_on = None
        actions[actions.index(action)] = then
    return actions


def risk_detail_data(*, page: DashboardPage, risk: Risk) -> RiskDetail:
    """One risk as at the page's as-at day, with its score at the quarter end; four queries."""
    day = page.as_at
    bands = list(ScoreBand.objects.all())
    all_reviews = [
        ReviewRow(
            reviewed_on=review.reviewed_on,
            reviewer_role=review.reviewer_role,
            likelihood=review.likelihood,
            consequence=review.consequence,
            score=review.score,
            band=band_for(review.score, bands),
            note=review.note,
            is_illustrative=review.is_illustrative,
        )
        # The model orders by risk, date and id: oldest first.
        for review in RiskReview.objects.filter(risk=risk)
    ]
    # A review dated after the as-at day was not known then (none is dated after today).
    reviews = [review for review in all_reviews if review.reviewed_on <= day]
    actions = [
        ActionRow(
            description=action.description,
            owner_role=action.owner_role,
            due_date=action.due_date,
            status=action.status,
            status_label=action.get_status_display(),
            is_overdue=is_action_overdue(action, day),
        )
        for action in _actions_as_at(MitigatingAction.objects.filter(risk=risk), day)
    ]

    def line(label, likelihood, consequence, note=""):
        return ScoreLine(
            label=label,
            likelihood=likelihood,
            consequence=consequence,
            band=band_for(Risk.score(likelihood, consequence), bands),
            note=note,
        )

    if page.is_past:
        risk = risk_as_recorded_by(risk, day)
        as_at = _score_at(risk, all_reviews, day, bands, quarter_label=page.quarter.label)
        headline = line(
            f"At {day:%-d %B %Y}",
            as_at.likelihood if as_at else None,
            as_at.consequence if as_at else None,
            as_at.note if as_at else "Not yet raised",
        )
        next_review = review_due(
            last_reviewed_on=reviews[-1].reviewed_on if reviews else None,
            date_raised=risk.date_raised,
            review_every_days=risk.review_every_days,
            band=headline.band,
        )
        is_overdue = (
            risk.status == Risk.Status.OPEN and next_review is not None and next_review < day
        )
    else:
        latest_note = f"At the review of {reviews[-1].reviewed_on:%-d %B %Y}" if reviews else ""
        headline = line(CURRENT, risk.current_likelihood, risk.current_consequence, latest_note)
        next_review = risk.next_review_date
        is_overdue = is_review_overdue(risk, day)

    return RiskDetail(
        risk=risk,
        objective_label=objective_label(risk.objective, with_year=True),
        scores=[
            line(
                "Inherent",
                risk.inherent_likelihood,
                risk.inherent_consequence,
                "Before any mitigation",
            ),
            headline,
            line(
                "Target",
                risk.target_likelihood,
                risk.target_consequence,
                "Once the mitigating actions are complete",
            ),
        ],
        # A past quarter's page already leads with the score at its end.
        score_at_quarter_end=None
        if page.is_past
        else _score_at(
            risk, all_reviews, page.quarter.end_date, bands, quarter_label=page.quarter.label
        ),
        trend=trend(
            reviews[-2].score if len(reviews) > 1 else None,
            reviews[-1].score if reviews else None,
        ),
        reviews=reviews,
        actions=actions,
        bands=bands,
        next_review=next_review,
        is_review_overdue=is_overdue,
        as_at=day,
        is_past=page.is_past,
        scored_at=reviews[-1] if reviews else None,
        includes_illustrative=(
            risk.is_illustrative
            or risk.scores_are_illustrative
            or risk.owner_and_dates_are_illustrative
            or any(review.is_illustrative for review in reviews)
        ),
    )
