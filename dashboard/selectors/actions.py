"""Actions and decisions, as at the page's day: the board's action log and what its meetings decided.

Statuses and "overdue" are as at DashboardPage.as_at (the quarter's end for a
past quarter), through ActionQuerySet.open_as_at / overdue_as_at and
Action.status_as_at; only actions agreed, and meetings held, by that day are
shown. A fixed number of queries however many actions there are.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from dashboard.filters.actions import ActionFilter
from dashboard.periods import DashboardPage
from governance.models import Action, Decision, Meeting
from governance.selectors import ActionRow, action_row, in_overdue_order
from localities.models import GovernanceBody


@dataclass(frozen=True)
class ActionFilterChoices:
    bodies: list[tuple[int, str]]
    owners: list[tuple[str, str]]
    linked: list[tuple[str, str]]


@dataclass(frozen=True)
class MeetingDecisions:
    meeting: str  # its board and date, never more precise than the papers
    body: str
    papers: list[str]
    is_illustrative: bool
    decisions: list[Decision]


@dataclass(frozen=True)
class ActionsPage:
    rows: list[ActionRow]
    total: int  # agreed by the day, before filtering
    overdue: int  # as at the day, before filtering
    meetings: list[MeetingDecisions]
    filter_choices: ActionFilterChoices
    any_illustrative: bool


def _agreed_by(page: DashboardPage):
    return Action.objects.filter(created_on__lte=page.as_at)


def _filter_choices(page: DashboardPage) -> ActionFilterChoices:
    """What the filters offer: only what the actions agreed by the day have (three queries)."""
    actions = _agreed_by(page)
    bodies = list(
        GovernanceBody.objects.filter(meetings__actions__in=actions)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
    owners: dict[str, str] = {}
    linked: list[tuple[str, str]] = []
    for action in actions.with_links().order_by("pk"):
        if action.owner_user_id:
            owners[f"user:{action.owner_user_id}"] = action.owner_text
        else:
            owners[f"role:{action.owner_role}"] = action.owner_role
        linked += [
            (item.key, f"{item.kind}: {item.label}")
            for item in action_row(action, day=page.as_at).linked
        ]
    return ActionFilterChoices(
        bodies=bodies,
        owners=sorted(owners.items(), key=lambda item: item[1].lower()),
        linked=sorted(set(linked), key=lambda item: item[1].lower()),
    )


def action_filterset(
    *, page: DashboardPage, filter_data, choices: ActionFilterChoices
) -> ActionFilter:
    """The page's filter, bound to `filter_data`; building it runs no query."""
    return ActionFilter(
        filter_data,
        queryset=_agreed_by(page),
        day=page.as_at,
        bodies=choices.bodies,
        owners=choices.owners,
        linked=choices.linked,
    )


def action_rows(
    *, page: DashboardPage, filter_data, choices: ActionFilterChoices
) -> list[ActionRow]:
    """The filtered actions as at the page's day, overdue first then by due date (one query)."""
    actions = action_filterset(page=page, filter_data=filter_data, choices=choices).qs
    rows = [action_row(action, day=page.as_at) for action in actions.with_links()]
    return sorted(
        rows,
        key=lambda row: (
            not row.is_overdue,
            row.status != "Open",
            row.due_date is None,
            row.due_date or page.as_at,
            row.pk,
        ),
    )


def actions_as_at(*, page: DashboardPage) -> QuerySet[Action]:
    """Every action agreed by the page's day, overdue first, then open, then closed, each by
    due date, read `with_links()` for `governance.selectors.action_row` (one query when
    read). For the data API: the actions page's rows, in SQL order so it can page them."""
    return in_overdue_order(_agreed_by(page).with_links(), day=page.as_at)


def decisions_as_at(*, page: DashboardPage) -> QuerySet[Decision]:
    """The decisions of every meeting held by the page's day, latest meeting first (one query)."""
    meetings = Meeting.objects.held_by(page.as_at)
    return (
        Decision.objects.filter(meeting__in=meetings)
        .select_related("meeting__body")
        .annotate(sort_date=Coalesce("meeting__held_on", "meeting__held_after"))
        .order_by("-sort_date", "-meeting_id", "reference", "pk")
    )


def _meetings(page: DashboardPage, filter_data) -> list[MeetingDecisions]:
    """Meetings held by the day, latest first, each with its decisions (two queries)."""
    meetings = Meeting.objects.held_by(page.as_at).select_related("body").in_date_order()
    body = filter_data.get("body")
    if body and body.isdigit():
        meetings = meetings.filter(body_id=body)
    meetings = list(meetings.reverse())
    decisions = defaultdict(list)
    for decision in Decision.objects.filter(meeting__in=[m.pk for m in meetings]).order_by(
        "meeting_id", "reference"
    ):
        decisions[decision.meeting_id].append(decision)
    return [
        MeetingDecisions(
            meeting=meeting.date_text,
            body=meeting.body.name,
            papers=meeting.paper_list,
            is_illustrative=meeting.is_illustrative,
            decisions=decisions[meeting.pk],
        )
        for meeting in meetings
    ]


def actions_page(*, page: DashboardPage, filter_data) -> ActionsPage:
    choices = _filter_choices(page)
    rows = action_rows(page=page, filter_data=filter_data, choices=choices)
    agreed = _agreed_by(page)
    return ActionsPage(
        rows=rows,
        total=agreed.count(),
        overdue=agreed.overdue_as_at(page.as_at).count(),
        meetings=_meetings(page, filter_data),
        filter_choices=choices,
        any_illustrative=any(
            row.owner_and_status_are_illustrative or row.is_illustrative for row in rows
        ),
    )
