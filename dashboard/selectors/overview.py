"""The programme overview: where the programme stands as at a quarter, and what changed.

Everything is counted in the database: at 800 localities the page must cost
the same handful of small queries as at eight. The summary (headline figures,
health counts, what changed) covers every locality; the RAG matrix is read a
page of localities at a time (`rag_matrix`), and each "what changed" list
keeps its first few sentences and says how many more there are.
"""

import datetime
import functools
import operator
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
    Window,
)
from django.urls import reverse

from dashboard.periods import DashboardPage
from dashboard.selectors.figures import HeadlineFigures, headline_figures
from governance.models import BoardReport
from localities.models import (
    GovernanceBody,
    Locality,
    Milestone,
    Objective,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
    Rag,
)
from risks.models import Risk, RiskReview
from risks.selectors import BandCount, open_risks_by_band_and_illustrative
from updates.models import ObjectiveStatus, QuarterlyUpdate

ACTIVELY_INVESTED_CODE = "invested-to-date"
# A board member reads a few lines of each kind of change, not 800: each list
# keeps this many (those most needing attention first) and counts the rest,
# which the page named in ChangeList.more_url lists in full.
CHANGES_PER_KIND = 10
RAG_MOVES_PAGE = ("dashboard:objectives", "objectives")
MILESTONES_PAGE = ("dashboard:milestones", "milestones")
RISK_SCORE_RISES_PAGE = ("dashboard:risks", "risks")


class LocalityHealth:
    """How a locality stands across its objectives in a quarter (words for the headline)."""

    ON_TRACK = "On track"
    CONCERNS = "Some concerns"
    OFF_TRACK = "Off track"
    NO_RETURN = "No approved return"


# Worst first: the order in which localities need the board's attention.
ATTENTION_ORDER = (
    LocalityHealth.OFF_TRACK,
    LocalityHealth.CONCERNS,
    LocalityHealth.NO_RETURN,
    LocalityHealth.ON_TRACK,
)


def locality_health(rags: list[str]) -> str:
    """On track: every objective Green or Complete. Off track: any Red. Else some concerns."""
    if not rags:
        return LocalityHealth.NO_RETURN
    if Rag.RED in rags:
        return LocalityHealth.OFF_TRACK
    if all(rag in (Rag.GREEN, Rag.COMPLETE) for rag in rags):
        return LocalityHealth.ON_TRACK
    return LocalityHealth.CONCERNS


def _health_from_counts(*, statuses: int, red: int, good: int) -> str:
    """locality_health() from a locality's status counts, as the database groups them."""
    if not statuses:
        return LocalityHealth.NO_RETURN
    if red:
        return LocalityHealth.OFF_TRACK
    if good == statuses:
        return LocalityHealth.ON_TRACK
    return LocalityHealth.CONCERNS


@dataclass(frozen=True)
class MatrixCell:
    objective: Objective
    rag: str | None
    label: str


@dataclass(frozen=True)
class MatrixRow:
    locality: Locality
    cells: list[MatrixCell]
    health: str


@dataclass(frozen=True)
class Headline:
    localities_total: int
    returns_shown: int
    localities_on_track: int
    health_counts: dict[str, int]
    # MDTs, population, spend and data completeness: the figures every page
    # shows, from the one selector they all read.
    figures: HeadlineFigures
    planned_investment: Decimal
    plan_is_illustrative: bool
    # Whether any figure behind each tile is illustrative (see the is_illustrative flags):
    # the page marks each tile where it is read, not in a line at the bottom.
    returns_are_illustrative: bool
    spend_is_illustrative: bool
    risk_scores_are_illustrative: bool
    overdue_milestones_are_illustrative: bool
    # The £32m "actively being invested" (Joint Board minutes): context, never the plan.
    actively_invested: Decimal | None
    risks_by_band: list[BandCount]
    milestones_overdue: int


@dataclass(frozen=True)
class ChangeList:
    """One kind of change since the last quarter: the first sentences and how many in all."""

    kind: str  # plural noun for "and N more …"
    sentences: list[str]
    total: int
    # The dashboard page that lists them all (URL name, title), if a board member has one.
    more_url_name: str | None = None
    more_page_title: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.sentences)


@dataclass(frozen=True)
class Overview:
    quarter: Quarter
    previous_quarter: Quarter | None
    headline: Headline
    objectives: list[Objective]
    change_lists: list[ChangeList]
    includes_illustrative: bool

    @property
    def changes_are_illustrative(self) -> bool:
        """RAG moves come from the returns, score rises from the risks' reviews."""
        return self.includes_illustrative or self.headline.risk_scores_are_illustrative

    @property
    def changes(self) -> list[str]:
        """Every sentence shown, in order."""
        return [sentence for changes in self.change_lists for sentence in changes.sentences]

    @property
    def changes_not_shown(self) -> int:
        return sum(changes.more for changes in self.change_lists)


def _objectives(quarter: Quarter) -> list[Objective]:
    return list(Objective.objects.filter(financial_year=quarter.financial_year).order_by("number"))


def _visible_statuses(quarter: Quarter, statuses, objectives) -> QuerySet[ObjectiveStatus]:
    return ObjectiveStatus.objects.filter(
        update__quarter=quarter, update__status__in=statuses, objective__in=objectives
    )


def health_by_locality(quarter: Quarter, statuses, objectives) -> dict[int, str]:
    """{locality id: health} for localities with statuses in `quarter`; one GROUP BY.

    A locality missing from the result has no visible return: NO_RETURN.
    """
    grouped = (
        _visible_statuses(quarter, statuses, objectives)
        .values("update__locality_id")
        .annotate(
            statuses=Count("id"),
            red=Count("id", filter=Q(rag=Rag.RED)),
            good=Count("id", filter=Q(rag__in=[Rag.GREEN, Rag.COMPLETE])),
        )
        .values_list("update__locality_id", "statuses", "red", "good")
    )
    return {
        locality_id: _health_from_counts(statuses=count, red=red, good=good)
        for locality_id, count, red, good in grouped
    }


def _matrix_rows(
    localities: list[Locality], quarter: Quarter, statuses, objectives
) -> list[MatrixRow]:
    """Matrix rows for `localities` (in the order given); one query for their statuses."""
    rags: dict[int, dict[int, str]] = {}
    for locality_id, objective_id, rag in (
        _visible_statuses(quarter, statuses, objectives)
        .filter(update__locality__in=[locality.id for locality in localities])
        .values_list("update__locality_id", "objective_id", "rag")
    ):
        rags.setdefault(locality_id, {})[objective_id] = rag
    rows = []
    for locality in localities:
        found = rags.get(locality.id, {})
        cells = [
            MatrixCell(
                objective=objective,
                rag=found.get(objective.id),
                label=Rag.label_for(found.get(objective.id)),
            )
            for objective in objectives
        ]
        rows.append(
            MatrixRow(locality=locality, cells=cells, health=locality_health(list(found.values())))
        )
    return rows


def rag_matrix(
    *, page: DashboardPage, objectives: list[Objective], offset: int, limit: int
) -> list[MatrixRow]:
    """One page of the RAG matrix, localities by name: LIMIT/OFFSET in SQL, then their statuses.

    `objectives` are the columns (Overview.objectives).
    """
    localities = list(Locality.objects.order_by("name")[offset : offset + limit])
    return _matrix_rows(localities, page.quarter, page.statuses, objectives)


def localities_needing_attention(
    *, page: DashboardPage, objectives: list[Objective], limit: int
) -> list[MatrixRow]:
    """Matrix rows of the `limit` localities worst placed (off track first, then by name).

    The ranking needs every locality's health: one GROUP BY (health_by_locality)
    and every locality's id and name, small tuples, however many there are.
    """
    health = health_by_locality(page.quarter, page.statuses, objectives)
    ranked = sorted(
        Locality.objects.values_list("id", "name"),
        key=lambda row: (
            ATTENTION_ORDER.index(health.get(row[0], LocalityHealth.NO_RETURN)),
            row[1],
        ),
    )
    wanted = [locality_id for locality_id, _ in ranked[:limit]]
    by_id = Locality.objects.in_bulk(wanted)
    return _matrix_rows([by_id[pk] for pk in wanted], page.quarter, page.statuses, objectives)


def overdue_milestones(day: datetime.date):
    """Milestones whose planned window had closed by `day` without being completed by then.

    Only reported ones: a milestone nobody has reported on is not overdue, whatever its window.
    """
    return (
        Milestone.objects.in_plan_on(day)
        .exclude(status__in=[Milestone.Status.CANCELLED, Milestone.Status.NOT_REPORTED])
        .filter(planned_end__lt=day)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=day))
    )


def _returns_totals(page: DashboardPage) -> dict[str, int]:
    """How many of the quarter's returns are visible, and how many are illustrative; one query."""
    return QuarterlyUpdate.objects.filter(quarter=page.quarter, status__in=page.statuses).aggregate(
        shown=Count("id"),
        illustrative=Count("id", filter=Q(is_illustrative=True)),
    )


def _headline(
    page: DashboardPage,
    *,
    health: dict[int, str],
    localities_total: int,
    returns: dict[str, int],
    today: datetime.date,
) -> Headline:
    quarter = page.quarter
    year = quarter.financial_year
    plans = PlannedInvestment.objects.filter(financial_year=year).aggregate(
        total=Sum("amount"), illustrative=Count("id", filter=Q(is_illustrative=True))
    )
    planned = plans["total"]
    invested = (
        ProgrammeFigure.objects.filter(code=ACTIVELY_INVESTED_CODE)
        .values_list("value", flat=True)
        .first()
    )
    health_counts = Counter(health.values())
    if localities_total > len(health):
        health_counts[LocalityHealth.NO_RETURN] += localities_total - len(health)
    # A fixed order (the template words every state but "On track"): worst first.
    health_counts = {
        state: health_counts[state]
        for state in (LocalityHealth.ON_TRACK, *ATTENTION_ORDER[:-1])
        if health_counts[state]
    }
    risks_by_band, risk_scores_are_illustrative = open_risks_by_band_and_illustrative(
        quarter.end_date
    )
    overdue = overdue_milestones(quarter.end_date).aggregate(
        total=Count("id"), illustrative=Count("id", filter=Q(is_illustrative=True))
    )
    return Headline(
        localities_total=localities_total,
        returns_shown=returns["shown"],
        localities_on_track=health_counts.get(LocalityHealth.ON_TRACK, 0),
        health_counts=health_counts,
        figures=headline_figures(page=page, today=today),
        planned_investment=planned or Decimal("0"),
        plan_is_illustrative=bool(plans["illustrative"]),
        returns_are_illustrative=returns["illustrative"] > 0,
        # Spend is set against the plan, from the returns: illustrative if either is
        # (the quarter's returns stand for the year's, with no query of their own).
        spend_is_illustrative=bool(plans["illustrative"] or returns["illustrative"]),
        risk_scores_are_illustrative=risk_scores_are_illustrative,
        overdue_milestones_are_illustrative=bool(overdue["illustrative"]),
        actively_invested=invested,
        risks_by_band=risks_by_band,
        milestones_overdue=overdue["total"],
    )


def _first_and_total(rows: QuerySet, *fields: str) -> tuple[list[tuple], int]:
    """The first CHANGES_PER_KIND rows of `fields` and how many rows in all, in one query.

    The count is a window over the whole result, computed before the LIMIT.
    """
    found = list(
        rows.annotate(total_rows=Window(Count("*"))).values_list(*fields, "total_rows")[
            :CHANGES_PER_KIND
        ]
    )
    return [row[:-1] for row in found], (found[0][-1] if found else 0)


def _rag_in(quarter: Quarter) -> Max:
    """Within a (locality, objective) group: the RAG of `quarter`'s status (NULL if none)."""
    return Max(Case(When(update__quarter=quarter, then=F("rag"))))


def _rag_changes(page: DashboardPage, objectives) -> ChangeList:
    previous_quarter = page.previous_quarter
    if previous_quarter is None:
        return ChangeList("RAG moves", [], 0, *RAG_MOVES_PAGE)
    # One GROUP BY over both quarters' statuses, pairing each locality's two RAGs
    # for an objective: a hash aggregate, where a correlated subquery per status
    # took ~120 ms at 800 localities.
    moves = (
        ObjectiveStatus.objects.filter(
            update__quarter__in=[page.quarter, previous_quarter],
            update__status__in=page.statuses,
            objective__in=objectives,
        )
        .values("update__locality__name", "objective__number", "objective__short_title")
        .annotate(rag_now=_rag_in(page.quarter), rag_before=_rag_in(previous_quarter))
        .filter(rag_now__isnull=False, rag_before__isnull=False)
        .exclude(rag_now=F("rag_before"))
        # Worst news first: moves to Red, then to Amber, and so on.
        .order_by(Rag.severity_case("rag_now"), "update__locality__name", "objective__number")
    )
    rows, total = _first_and_total(
        moves, "update__locality__name", "objective__short_title", "rag_before", "rag_now"
    )
    sentences = [
        f"{locality}: “{objective}” moved from {Rag(old).label} to {Rag(new).label}."
        for locality, objective, old, new in rows
    ]
    return ChangeList("RAG moves", sentences, total, *RAG_MOVES_PAGE)


def _milestone_changes(quarter: Quarter) -> list[ChangeList]:
    milestones = (
        Milestone.objects.in_plan_on(quarter.end_date)
        .exclude(status=Milestone.Status.CANCELLED)
        .select_related("locality")
        # pk last: several localities share a milestone's title and date, and without
        # it PostgreSQL may list them in another order once a row is updated.
        .order_by("planned_end", "title", "pk")
    )
    fields = (
        "title",
        "locality__name",
        "planned_start",
        "planned_end",
        "timing_as_written",
        "is_date_uncertain",
        "actual_date",
        "actual_as_written",
    )
    # One word for slippage on every page: a milestone past its planned date is
    # "overdue", as the milestones register, its exports and the pack say. Only a
    # reported milestone can be overdue: silence in the papers is not slippage.
    overdue, overdue_total = _first_and_total(
        milestones.exclude(status=Milestone.Status.NOT_REPORTED)
        .filter(planned_end__range=(quarter.start_date, quarter.end_date))
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=quarter.end_date)),
        *fields,
    )
    completed, completed_total = _first_and_total(
        milestones.filter(actual_date__range=(quarter.start_date, quarter.end_date)), *fields
    )

    def where(locality: str | None) -> str:
        return f" ({locality})" if locality else ""

    def planned(start, end, as_written, uncertain) -> str:
        # As the paper wrote it, never the window read from it (decision 0002).
        text = Milestone(
            planned_start=start,
            planned_end=end,
            timing_as_written=as_written,
            is_date_uncertain=uncertain,
        ).planned_window_text()
        return "by" + text[2:] if text.startswith("By ") else text

    def completed_on(actual, as_written) -> str:
        # A month-only completion in the paper's words, never its stored last day.
        return f"in {as_written}" if as_written else f"on {actual:%-d %B %Y}"

    return [
        ChangeList(
            "milestones overdue",
            [
                f"Milestone overdue{where(locality)}: {title}, "
                f"planned {planned(start, end, as_written, uncertain)}."
                for title, locality, start, end, as_written, uncertain, _, _ in overdue
            ],
            overdue_total,
            *MILESTONES_PAGE,
        ),
        ChangeList(
            "milestones completed",
            [
                f"Milestone completed{where(locality)}: {title}, {completed_on(actual, words)}."
                for title, locality, _, _, _, _, actual, words in completed
            ],
            completed_total,
            *MILESTONES_PAGE,
        ),
    ]


def risks_whose_score_rose(*, since: datetime.date, until: datetime.date) -> QuerySet[Risk]:
    """Risks open at `until`, raised by `since`, scored higher as at `until` than as at `since`.

    A score only moves with a review, so only risks reviewed in between are
    compared. Each day's score is the same rule as risks.selectors.risks_as_at.
    """
    reviewed_between = RiskReview.objects.filter(
        risk=OuterRef("pk"), reviewed_on__gt=since, reviewed_on__lte=until
    )
    return (
        Risk.objects.open_as_at(until)
        .filter(date_raised__lte=since)
        .filter(Exists(reviewed_between))
        .with_scores_as_at(before=since, now=until)
        .filter(score_now__gt=F("score_before"))
    )


def _risk_changes(quarter: Quarter, previous_quarter: Quarter | None) -> ChangeList:
    if previous_quarter is None:
        return ChangeList("risk score rises", [], 0, *RISK_SCORE_RISES_PAGE)
    rows, total = _first_and_total(
        risks_whose_score_rose(since=previous_quarter.end_date, until=quarter.end_date)
        .with_words_as_at(quarter.end_date)
        .order_by("-score_now", "reference"),
        "reference",
        "title_then",
        "score_before",
        "score_now",
    )
    sentences = [
        f"Risk {reference} score rose from {before} to {now}: {title}."
        for reference, title, before, now in rows
    ]
    return ChangeList("risk score rises", sentences, total, *RISK_SCORE_RISES_PAGE)


def _overdue_returns(quarter: Quarter, today: datetime.date) -> ChangeList:
    """Localities yet to hand in the quarter's return, once its deadline has passed.

    Judged today, not at the page's as-at day: a quarter's returns fall due
    weeks after it ends, so as at its end none could ever be overdue. This is
    the reporting process as it stands, not the programme as at the quarter.
    """
    # The returns page that lists them all is the programme office's, not the board's.
    if today <= quarter.submission_deadline:
        return ChangeList("overdue returns", [], 0)
    handed_in = QuarterlyUpdate.objects.filter(
        locality=OuterRef("pk"),
        quarter=quarter,
        status__in=[QuarterlyUpdate.Status.SUBMITTED, QuarterlyUpdate.Status.APPROVED],
    )
    names, total = _first_and_total(
        Locality.objects.exclude(Exists(handed_in)).order_by("name"), "name"
    )
    sentences = [
        f"Return overdue: {name} has not submitted its {quarter.label} update "
        f"(due {quarter.submission_deadline:%-d %B %Y})."
        for (name,) in names
    ]
    return ChangeList("overdue returns", sentences, total)


def programme_overview(*, page: DashboardPage) -> Overview:
    """Everything on the overview page but the matrix (see rag_matrix), in a fixed number of queries."""
    quarter = page.quarter
    objectives = _objectives(quarter)
    returns = _returns_totals(page)
    change_lists = [
        _rag_changes(page, objectives),
        *_milestone_changes(quarter),
        _risk_changes(quarter, page.previous_quarter),
        _overdue_returns(quarter, page.today),
    ]
    return Overview(
        quarter=quarter,
        previous_quarter=page.previous_quarter,
        headline=_headline(
            page,
            health=health_by_locality(quarter, page.statuses, objectives),
            localities_total=Locality.objects.count(),
            returns=returns,
            today=page.today,
        ),
        objectives=objectives,
        change_lists=change_lists,
        includes_illustrative=returns["illustrative"] > 0,
    )


# --- What changed, grouped (issue 17) --------------------------------------------------

# A board member reads a few lines of each group: the most severe first, then "and N more".
CHANGES_PER_GROUP = 5


@dataclass(frozen=True)
class ChangeItem:
    text: str
    url: str | None
    is_illustrative: bool
    # Sorts the group worst (or most notable) first across its kinds: lower first.
    severity: tuple


@dataclass(frozen=True)
class MoreLink:
    count: int
    label: str
    url: str

    @property
    def text(self) -> str:
        """ "1 RAG move", "3 RAG moves", "1 milestone overdue"."""
        if self.count != 1:
            return f"{self.count:,} {self.label}"
        singular = {
            "RAG moves": "RAG move",
            "risk score rises": "risk score rise",
            "milestones overdue": "milestone overdue",
            "milestones completed": "milestone completed",
            "new risks": "new risk",
        }
        return f"1 {singular.get(self.label, self.label)}"


@dataclass(frozen=True)
class ChangeGroup:
    key: str
    title: str
    items: list[ChangeItem]
    total: int
    more_links: list[MoreLink]
    empty_text: str

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def is_illustrative(self) -> bool:
        return any(item.is_illustrative for item in self.items)


@dataclass(frozen=True)
class _Kind:
    """One kind of change within a group: its first items and how many in all."""

    items: list[ChangeItem]
    total: int
    label: str
    url: str


def _first_of(rows: QuerySet, *fields: str) -> tuple[list[tuple], int]:
    found = list(
        rows.annotate(total_rows=Window(Count("*"))).values_list(*fields, "total_rows")[
            :CHANGES_PER_GROUP
        ]
    )
    return [row[:-1] for row in found], (found[0][-1] if found else 0)


def _plain(text: str) -> str:
    """No "(illustrative)" in a name: the page marks what is illustrative (decision 0011)."""
    return text.replace(" (illustrative)", "").strip()


def _page_url(page: DashboardPage, name: str, *args) -> str:
    return f"{reverse(name, args=args)}{page.query_string}"


def _rag_pairs(better: bool) -> Q:
    """Pairs (now, before) where `now` is better (or worse) news than `before`; Complete aside."""
    ranked = [rag for rag in Rag if rag != Rag.COMPLETE]
    conditions = []
    for now in ranked:
        before = [
            rag
            for rag in Rag
            if rag != now
            and (
                Rag.severity(now) > Rag.severity(rag)
                if better
                else Rag.severity(now) < Rag.severity(rag)
            )
        ]
        if before:
            conditions.append(Q(rag_now=now, rag_before__in=before))
    return functools.reduce(operator.or_, conditions)


def _rag_moves(page: DashboardPage, objectives, condition: Q, *, worst_first: str) -> _Kind:
    url = _page_url(page, "dashboard:objectives")
    previous = page.previous_quarter
    if previous is None:
        return _Kind([], 0, "RAG moves", url)
    moves = (
        ObjectiveStatus.objects.filter(
            update__quarter__in=[page.quarter, previous],
            update__status__in=page.statuses,
            objective__in=objectives,
        )
        .values(
            "update__locality__name",
            "update__locality__slug",
            "objective__number",
            "objective__short_title",
        )
        .annotate(
            rag_now=_rag_in(page.quarter),
            rag_before=_rag_in(previous),
            illustrative=Count("id", filter=Q(update__is_illustrative=True)),
        )
        .filter(condition)
        .order_by(Rag.severity_case(worst_first), "update__locality__name", "objective__number")
    )
    rows, total = _first_of(
        moves,
        "update__locality__name",
        "update__locality__slug",
        "objective__short_title",
        "rag_before",
        "rag_now",
        "illustrative",
    )
    items = [
        ChangeItem(
            text=f"{_plain(name)}: “{title}” moved from {Rag(old).label} to {Rag(new).label}.",
            url=_page_url(page, "dashboard:locality", slug),
            is_illustrative=bool(illustrative),
            severity=(Rag.severity(new if worst_first == "rag_now" else old), 0, name),
        )
        for name, slug, title, old, new, illustrative in rows
    ]
    return _Kind(items, total, "RAG moves", url)


def _score_rank(score: int | None) -> int:
    """0 for an Extreme score (15+), 1 High (8+), 2 Moderate (4+), 3 Low."""
    score = score or 0
    return 0 if score >= 15 else 1 if score >= 8 else 2 if score >= 4 else 3


def _score_rises(page: DashboardPage) -> _Kind:
    url = _page_url(page, "dashboard:risks")
    previous = page.previous_quarter
    if previous is None:
        return _Kind([], 0, "risk score rises", url)
    rows, total = _first_of(
        risks_whose_score_rose(since=previous.end_date, until=page.quarter.end_date)
        .with_words_as_at(page.quarter.end_date)
        .order_by("-score_now", "reference"),
        "reference",
        "title_then",
        "score_before",
        "score_now",
        "is_illustrative",
        "scores_are_illustrative",
    )
    items = [
        ChangeItem(
            text=f"Risk {reference} score rose from {before} to {now}: {_plain(title)}.",
            url=_page_url(page, "dashboard:risk-detail", reference),
            is_illustrative=bool(invented or invented_scores),
            severity=(_score_rank(now), -now, reference),
        )
        for reference, title, before, now, invented, invented_scores in rows
    ]
    return _Kind(items, total, "risk score rises", url)


_MILESTONE_FIELDS = (
    "title",
    "locality__name",
    "planned_start",
    "planned_end",
    "timing_as_written",
    "is_date_uncertain",
    "actual_date",
    "actual_as_written",
    "is_illustrative",
)


def _window_text(start, end, as_written, uncertain) -> str:
    text = Milestone(
        planned_start=start,
        planned_end=end,
        timing_as_written=as_written,
        is_date_uncertain=uncertain,
    ).planned_window_text()
    return "by" + text[2:] if text.startswith("By ") else text


def _milestones_newly_overdue(page: DashboardPage) -> _Kind:
    quarter = page.quarter
    rows, total = _first_of(
        Milestone.objects.in_plan_on(quarter.end_date)
        .exclude(status__in=[Milestone.Status.CANCELLED, Milestone.Status.NOT_REPORTED])
        .filter(planned_end__range=(quarter.start_date, quarter.end_date))
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=quarter.end_date))
        .order_by("planned_end", "title", "pk"),
        *_MILESTONE_FIELDS,
    )
    items = [
        ChangeItem(
            text=f"Milestone overdue{f' ({_plain(locality)})' if locality else ''}: "
            f"{_plain(title)}, planned {_window_text(start, end, written, uncertain)}.",
            url=_page_url(page, "dashboard:milestones"),
            is_illustrative=illustrative,
            severity=(1, end.toordinal(), title),
        )
        for title, locality, start, end, written, uncertain, _, _, illustrative in rows
    ]
    return _Kind(items, total, "milestones overdue", _page_url(page, "dashboard:milestones"))


def _milestones_completed(page: DashboardPage) -> _Kind:
    quarter = page.quarter
    rows, total = _first_of(
        Milestone.objects.in_plan_on(quarter.end_date)
        .exclude(status=Milestone.Status.CANCELLED)
        .filter(actual_date__range=(quarter.start_date, quarter.end_date))
        .order_by("actual_date", "title", "pk"),
        *_MILESTONE_FIELDS,
    )

    def on(actual, words) -> str:
        return f"in {words}" if words else f"on {actual:%-d %B %Y}"

    items = [
        ChangeItem(
            text=f"Milestone completed{f' ({_plain(locality)})' if locality else ''}: "
            f"{_plain(title)}, {on(actual, words)}.",
            url=_page_url(page, "dashboard:milestones"),
            is_illustrative=illustrative,
            severity=(1, actual.toordinal(), title),
        )
        for title, locality, _, _, _, _, actual, words, illustrative in rows
    ]
    return _Kind(items, total, "milestones completed", _page_url(page, "dashboard:milestones"))


def _new_risks(page: DashboardPage) -> _Kind:
    quarter = page.quarter
    rows, total = _first_of(
        Risk.objects.open_as_at(quarter.end_date)
        .filter(date_raised__gte=quarter.start_date)
        .with_scores_as_at(now=quarter.end_date)
        .with_words_as_at(quarter.end_date)
        .order_by(models_desc_nulls_last("score_now"), "reference"),
        "reference",
        "title_then",
        "score_now",
        "is_illustrative",
        "scores_are_illustrative",
    )
    items = [
        ChangeItem(
            text=f"Risk {reference} raised: {_plain(title)}"
            + (f" (score {score})." if score is not None else "."),
            url=_page_url(page, "dashboard:risk-detail", reference),
            is_illustrative=bool(invented or invented_scores),
            severity=(_score_rank(score), -(score or 0), reference),
        )
        for reference, title, score, invented, invented_scores in rows
    ]
    return _Kind(items, total, "new risks", _page_url(page, "dashboard:risks"))


def models_desc_nulls_last(name: str):
    return F(name).desc(nulls_last=True)


def _group(key: str, title: str, kinds: list[_Kind], empty_text: str) -> ChangeGroup:
    items = sorted((item for kind in kinds for item in kind.items), key=lambda item: item.severity)
    shown = items[:CHANGES_PER_GROUP]
    more_links = []
    for kind in kinds:
        not_shown = kind.total - sum(1 for item in shown if item in kind.items)
        if not_shown > 0:
            more_links.append(MoreLink(not_shown, kind.label, kind.url))
    return ChangeGroup(
        key=key,
        title=title,
        items=shown,
        total=sum(kind.total for kind in kinds),
        more_links=more_links,
        empty_text=empty_text,
    )


def what_changed(*, page: DashboardPage, objectives: list[Objective]) -> list[ChangeGroup]:
    """Since the last quarter, grouped (worse, better, completed, new risks), most severe first.

    Each kind is read in one query (its first CHANGES_PER_GROUP rows, most severe
    first, and a window count), so a group costs the same at 8 localities or 800.
    """
    since = page.previous_quarter.label if page.previous_quarter else "the last quarter"
    completed_objectives = Q(rag_now=Rag.COMPLETE) & ~Q(rag_before=Rag.COMPLETE)
    return [
        _group(
            "worse",
            "Worse",
            [
                _rag_moves(page, objectives, _rag_pairs(better=False), worst_first="rag_now"),
                _score_rises(page),
                _milestones_newly_overdue(page),
            ],
            f"Nothing got worse since {since}.",
        ),
        _group(
            "better",
            "Better",
            [_rag_moves(page, objectives, _rag_pairs(better=True), worst_first="rag_before")],
            f"No objective improved its RAG status since {since}.",
        ),
        _group(
            "completed",
            "Completed",
            [
                _rag_moves(page, objectives, completed_objectives, worst_first="rag_before"),
                _milestones_completed(page),
            ],
            "No objective or milestone was completed this quarter.",
        ),
        _group("new-risks", "New risks", [_new_risks(page)], "No risk was raised this quarter."),
    ]


# --- The approved board report shown above the fold (issue 17) ---------------------------


@dataclass(frozen=True)
class BoardReportShown:
    """The approved report the overview shows for its quarter, if any, and which boards have one."""

    report: BoardReport | None
    # (body id, body name) of every board with an approved report for the quarter.
    boards: list[tuple[int, str]]
    requested_body: str  # the ?board= asked for and not found ("" when none was asked)

    @property
    def other_boards(self) -> list[tuple[int, str]]:
        """Boards with an approved report for the quarter other than the one shown."""
        shown = self.report.body_id if self.report else None
        return [(body_id, name) for body_id, name in self.boards if body_id != shown]


def approved_board_report(*, page: DashboardPage, board: str | None) -> BoardReportShown:
    """`?board=<body id>`: that board's approved report; otherwise the quarter's one approved
    report, or the latest approved of several. One query."""
    approved = list(
        BoardReport.objects.approved()
        .for_quarter(page.quarter)
        .select_related("body", "meeting__body")
        .order_by("-approved_at", "body__name")
    )
    boards = sorted(
        {(report.body_id, report.body.name) for report in approved}, key=lambda row: row[1]
    )
    if board and board.isdigit():
        chosen = next((r for r in approved if str(r.body_id) == board), None)
        if chosen is not None:
            return BoardReportShown(chosen, boards, "")
        name = GovernanceBody.objects.filter(pk=board).values_list("name", flat=True).first()
        if name:
            return BoardReportShown(None, boards, name)
    # No board asked for, or one that does not exist: the quarter's default.
    return BoardReportShown(approved[0] if approved else None, boards, "")
