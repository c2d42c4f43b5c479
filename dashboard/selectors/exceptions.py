"""Exceptions worst first: what the board must look at this quarter, each linked to its detail.

Six groups in a fixed order (off-track localities, Red objectives, milestones
slipped, Extreme and rising risks, returns overdue, actions overdue), each its
first EXCEPTIONS_PER_GROUP items worst first and how many in all: one or two
queries a group, whatever the number of localities. Judged as at the page's
quarter (DashboardPage.as_at / quarter.end_date), except overdue returns,
which fall due weeks after the quarter and are judged today (as the overview's
"overdue returns" always were).

Names never carry "(illustrative)": each item says whether it is illustrative
(`is_illustrative`) and the page marks it (decision 0011). The overview shows
them above the fold; the board pack reuses `templates/dashboard/includes/exceptions.html`
(context: `exceptions`, a ProgrammeExceptions).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import NoReverseMatch, reverse

from dashboard.periods import DashboardPage
from governance.models import Action
from localities.models import Locality, Milestone, Rag
from localities.slippage import slippage
from risks.models import Risk, ScoreBand
from updates.models import ObjectiveStatus, QuarterlyUpdate

EXCEPTIONS_PER_GROUP = 5
REASON_LENGTH = 140
ILLUSTRATIVE_SUFFIX = " (illustrative)"
# An action's own page, if the actions part of issue 17 gives it one (first that resolves).
ACTION_URL_NAMES = ("governance:action-detail", "governance:action")


@dataclass(frozen=True)
class ExceptionItem:
    text: str
    url: str | None
    reason: str = ""
    is_illustrative: bool = False
    # What the group sorted by (days slipped, score …), for tests and the pack.
    sort_days: int | None = None


@dataclass(frozen=True)
class ExceptionGroup:
    key: str
    title: str
    items: list[ExceptionItem]
    total: int
    more_url: str | None = None
    empty_text: str = ""
    # Whether anything counted in the group is illustrative (not only the items shown).
    illustrative: bool = False

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def is_illustrative(self) -> bool:
        return self.illustrative or any(item.is_illustrative for item in self.items)


@dataclass(frozen=True)
class ProgrammeExceptions:
    quarter_label: str
    groups: list[ExceptionGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def groups_with_items(self) -> list[ExceptionGroup]:
        """The groups with something to show, still worst first."""
        return [group for group in self.groups if group.total]

    @property
    def empty_groups(self) -> list[ExceptionGroup]:
        """The groups with nothing this quarter: one line for them all keeps the rest above the fold."""
        return [group for group in self.groups if not group.total]


def plain_name(text: str) -> str:
    """A name without the "(illustrative)" the data gives some rows: the page marks them."""
    return text.replace(ILLUSTRATIVE_SUFFIX, "").replace("(illustrative)", "").strip()


def _one_line(text: str) -> str:
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    if len(line) > REASON_LENGTH:
        line = line[: REASON_LENGTH - 1].rstrip() + "…"
    return line


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _first(rows: QuerySet, *fields: str) -> tuple[list[tuple], int]:
    """The first EXCEPTIONS_PER_GROUP rows and how many in all, in one query (a window count)."""
    found = list(
        rows.annotate(total_rows=Window(Count("*"))).values_list(*fields, "total_rows")[
            :EXCEPTIONS_PER_GROUP
        ]
    )
    return [row[:-1] for row in found], (found[0][-1] if found else 0)


def _url(page: DashboardPage, name: str, *args) -> str:
    return f"{reverse(name, args=args)}{page.query_string}"


def _red_statuses(page: DashboardPage) -> QuerySet[ObjectiveStatus]:
    return ObjectiveStatus.objects.filter(
        update__quarter=page.quarter,
        update__status__in=page.statuses,
        objective__financial_year=page.quarter.financial_year_id,
        rag=Rag.RED,
    )


def _off_track(page: DashboardPage) -> ExceptionGroup:
    """Localities with any objective at Red: most Reds first; the first Red's reason in a line."""
    # The first Red (by objective number) of each locality, as subqueries of the one
    # grouped query: a second query for the shown localities would be skipped when
    # there are none, and the page's query count would move with the data.
    first_red = (
        _red_statuses(page)
        .filter(update__locality_id=OuterRef("update__locality_id"))
        .order_by("objective__number")
    )
    rows, total = _first(
        _red_statuses(page)
        .values("update__locality_id", "update__locality__name", "update__locality__slug")
        .annotate(
            reds=Count("id"),
            illustrative=Count("id", filter=Q(update__is_illustrative=True)),
            first_title=Subquery(first_red.values("objective__short_title")[:1]),
            first_reason=Subquery(first_red.values("rag_reason")[:1]),
            first_narrative=Subquery(first_red.values("narrative")[:1]),
        )
        .order_by("-reds", "update__locality__name"),
        "update__locality__name",
        "update__locality__slug",
        "reds",
        "illustrative",
        "first_title",
        "first_reason",
        "first_narrative",
    )
    items = []
    for name, slug, reds, illustrative, title, reason, narrative in rows:
        why = _one_line(reason or narrative)
        more = f" and {reds - 1} more at Red" if reds > 1 else ""
        items.append(
            ExceptionItem(
                text=plain_name(name),
                url=_url(page, "dashboard:locality", slug),
                reason=f"Red: {title}{more}." + (f" {why}" if why else ""),
                is_illustrative=bool(illustrative),
                sort_days=reds,
            )
        )
    return ExceptionGroup(
        "off-track",
        "Localities off track",
        items,
        total,
        more_url=_url(page, "dashboard:objectives"),
        empty_text="No locality has an objective at Red.",
    )


def _red_objectives(page: DashboardPage) -> ExceptionGroup:
    """Objectives at Red anywhere: in most localities first."""
    rows, total = _first(
        _red_statuses(page)
        .values("objective_id", "objective__number", "objective__short_title")
        .annotate(
            localities=Count("update__locality_id", distinct=True),
            illustrative=Count("id", filter=Q(update__is_illustrative=True)),
        )
        .order_by("-localities", "objective__number"),
        "objective__number",
        "objective__short_title",
        "localities",
        "illustrative",
    )
    items = [
        ExceptionItem(
            text=f"Objective {number}, {title}: Red in {count} localit{'y' if count == 1 else 'ies'}",
            url=_url(page, "dashboard:objectives"),
            is_illustrative=bool(illustrative),
            sort_days=count,
        )
        for number, title, count, illustrative in rows
    ]
    return ExceptionGroup(
        "red-objectives",
        "Objectives at Red",
        items,
        total,
        more_url=_url(page, "dashboard:objectives"),
        empty_text="No objective is at Red.",
    )


def _milestones_slipped(page: DashboardPage) -> ExceptionGroup:
    """Reported milestones not complete by the quarter end, past their planned window:
    the largest slip first (to the forecast date, or to the quarter end without one)."""
    end = page.quarter.end_date
    slipped = (
        Milestone.objects.in_plan_on(end)
        .exclude(status__in=[Milestone.Status.CANCELLED, Milestone.Status.NOT_REPORTED])
        .filter(planned_end__lt=end)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=end))
        .annotate(
            # To the forecast, or to the quarter end when there is none or it has passed.
            slip=ExpressionWrapper(
                Greatest(
                    Coalesce("forecast_date", Value(end, output_field=DateField())),
                    Value(end, output_field=DateField()),
                )
                - F("planned_end"),
                output_field=DurationField(),
            )
        )
        .order_by("-slip", "planned_end", "title", "pk")
    )
    rows, total = _first(
        slipped,
        "title",
        "locality__name",
        "planned_start",
        "planned_end",
        "timing_as_written",
        "is_date_uncertain",
        "forecast_date",
        "slip",
        "is_illustrative",
    )
    # Always asked (not only when some are not shown): the page's query count stays flat.
    illustrative_anywhere = slipped.filter(is_illustrative=True).exists()
    items = []
    for (
        title,
        locality,
        start,
        planned_end,
        as_written,
        uncertain,
        forecast,
        slip,
        illustrative,
    ) in rows:
        plan_text = Milestone(
            planned_start=start,
            planned_end=planned_end,
            timing_as_written=as_written,
            is_date_uncertain=uncertain,
        ).planned_window_text()
        still_forecast = forecast is not None and forecast > end
        found = slippage(
            plan_text=plan_text,
            planned_start=start,
            planned_end=planned_end,
            timing_as_written=as_written,
            is_date_uncertain=uncertain,
            actual_date=None,
            forecast_date=forecast if still_forecast else end,
        )
        if found is None:
            status = f"not complete by {_long_date(end)}"
        elif still_forecast:
            status = found.phrase
        else:  # measured to the quarter end, not a forecast
            status = (
                f"{found.phrase.removesuffix(' (forecast)')} at {_long_date(end)}, not complete"
            )
        where = f" ({plain_name(locality)})" if locality else ""
        items.append(
            ExceptionItem(
                text=f"{plain_name(title)}{where}",
                url=_url(page, "dashboard:milestones"),
                reason=f"Planned: {plan_text}. {status[0].upper()}{status[1:]}.",
                is_illustrative=bool(illustrative),
                sort_days=slip.days if slip is not None else None,
            )
        )
    return ExceptionGroup(
        "milestones",
        "Milestones slipped",
        items,
        total,
        more_url=_url(page, "dashboard:milestones"),
        empty_text=f"Every milestone due by {_long_date(end)} was complete by then.",
        illustrative=illustrative_anywhere,
    )


def _risks(page: DashboardPage) -> ExceptionGroup:
    """Open risks in the top score band as at the quarter end, or whose score rose in it."""
    end = page.quarter.end_date
    top = ScoreBand.objects.order_by("-min_score").first()
    previous = page.previous_quarter
    risks = Risk.objects.open_as_at(end)
    if previous is not None:
        risks = risks.with_scores_as_at(before=previous.end_date, now=end).filter(
            Q(score_now__gte=top.min_score)
            | Q(score_now__gt=F("score_before"), date_raised__lte=previous.end_date)
        )
    else:
        risks = risks.with_scores_as_at(now=end).filter(score_now__gte=top.min_score)
        risks = risks.annotate(score_before=Value(None, output_field=IntegerField()))
    rows, total = _first(
        risks.with_words_as_at(end).order_by("-score_now", "reference"),
        "reference",
        "title_then",
        "score_before",
        "score_now",
        "is_illustrative",
        "scores_are_illustrative",
    )
    items = []
    for reference, title, before, now, invented, invented_scores in rows:
        band = top.name if now is not None and now >= top.min_score else ""
        rose = f", up from {before}" if before is not None and now > before else ""
        items.append(
            ExceptionItem(
                text=f"{reference} {plain_name(title)}",
                url=_url(page, "dashboard:risk-detail", reference),
                reason=f"score {now}{f' ({band})' if band else ''}{rose}",
                is_illustrative=bool(invented or invented_scores),
                sort_days=now,
            )
        )
    # The reason reads as part of the line: "LC-R03 Workforce …: score 16 (Extreme)".
    items = [
        ExceptionItem(
            text=f"{item.text}: {item.reason}",
            url=item.url,
            is_illustrative=item.is_illustrative,
            sort_days=item.sort_days,
        )
        for item in items
    ]
    return ExceptionGroup(
        "risks",
        f"{top.name} and rising risks",
        items,
        total,
        more_url=_url(page, "dashboard:risks"),
        empty_text=f"No open risk is {top.name} or rose this quarter.",
    )


def _returns_overdue(page: DashboardPage) -> ExceptionGroup:
    quarter = page.quarter
    deadline = quarter.submission_deadline
    empty = f"No {quarter.label} return is overdue."
    if page.today <= deadline:
        return ExceptionGroup("returns", "Returns overdue", [], 0, empty_text=empty)
    handed_in = QuarterlyUpdate.objects.filter(
        quarter=quarter,
        status__in=[QuarterlyUpdate.Status.SUBMITTED, QuarterlyUpdate.Status.APPROVED],
    ).values("locality_id")
    rows, total = _first(
        Locality.objects.exclude(pk__in=handed_in).order_by("name"),
        "name",
        "slug",
        "is_illustrative",
    )
    items = [
        ExceptionItem(
            text=f"{plain_name(name)}: no {quarter.label} return (due {_long_date(deadline)})",
            url=_url(page, "dashboard:locality", slug),
            is_illustrative=bool(illustrative),
        )
        for name, slug, illustrative in rows
    ]
    return ExceptionGroup(
        "returns",
        "Returns overdue",
        items,
        total,
        # The full list is the programme office's returns page, not the board's.
        more_url=None,
        empty_text=empty,
    )


def _action_url(page: DashboardPage, action: Action) -> str | None:
    for name in ACTION_URL_NAMES:
        try:
            return reverse(name, args=[action.pk])
        except NoReverseMatch:
            continue
    if action.risk_id:
        return _url(page, "dashboard:risk-detail", action.risk.reference)
    if action.locality_id:
        return _url(page, "dashboard:locality", action.locality.slug)
    if action.milestone_id:
        return _url(page, "dashboard:milestones")
    if action.objective_id:
        return _url(page, "dashboard:objectives")
    if action.critical_area_id:
        return _url(page, "dashboard:critical-areas")
    return None


def _actions_overdue(page: DashboardPage) -> ExceptionGroup:
    day = page.as_at
    overdue = Action.objects.overdue_as_at(day).with_links().order_by("due_date", "pk")
    found = list(overdue.annotate(total_rows=Window(Count("*")))[:EXCEPTIONS_PER_GROUP])
    total = found[0].total_rows if found else 0
    items = []
    for action in found:
        due = action.due_as_written or _long_date(action.due_date)
        items.append(
            ExceptionItem(
                text=_one_line(action.text),
                url=_action_url(page, action),
                reason=f"{action.owner_text}; due {due}",
                is_illustrative=action.is_illustrative or action.owner_and_status_are_illustrative,
                sort_days=(day - action.due_date).days,
            )
        )
    return ExceptionGroup(
        "actions",
        "Actions overdue",
        items,
        total,
        more_url=None,
        empty_text=f"No action was overdue at {_long_date(day)}.",
    )


def programme_exceptions(*, page: DashboardPage) -> ProgrammeExceptions:
    """The quarter's exceptions, worst first, in a fixed number of queries."""
    return ProgrammeExceptions(
        quarter_label=page.quarter.label,
        groups=[
            _off_track(page),
            _red_objectives(page),
            _milestones_slipped(page),
            _risks(page),
            _returns_overdue(page),
            _actions_overdue(page),
        ],
    )
