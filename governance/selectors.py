"""Reads of the governance records, shaped for pages: keyword-only, a fixed number of queries.

`ActionRow` is what every page that lists actions prints (the action log of the
board pack, the Actions and decisions page, a linked item's page, My
localities): the action's status and whether it is overdue are as at a day the
caller passes (a past quarter's end, never today unless it is the quarter shown).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from governance.models import Action, BoardReport, Decision, Meeting
from localities.models import GovernanceBody

# The items an action may be linked to: (its field, the words for it).
LINKS = (
    ("locality", "Locality"),
    ("objective", "Objective"),
    ("milestone", "Milestone"),
    ("risk", "Risk"),
    ("critical_area", "Critical area"),
)


@dataclass(frozen=True)
class LinkedItem:
    kind: str  # "Locality", "Risk", …
    label: str
    key: str  # "locality:3": the link and the item's id, as a filter names it
    # Where the board reads it (a dashboard page), when it has a page of its own.
    url_name: str = ""
    url_kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ActionRow:
    """One action as at a day: what an action log prints."""

    pk: int
    text: str
    owner: str
    due_date: datetime.date | None
    due_text: str  # as precisely as the papers give it
    status: str  # as at the day
    is_overdue: bool
    closed_on: datetime.date | None
    status_reason: str
    meeting: str  # the meeting's name and date, never more precise than the papers
    body: str
    decision: str
    linked: tuple[LinkedItem, ...]
    owner_and_status_are_illustrative: bool
    is_illustrative: bool
    source: str

    @property
    def due_sort(self) -> datetime.date:
        """For sorting by due date: an action with none sorts last."""
        return self.due_date or datetime.date.max

    @property
    def linked_text(self) -> str:
        return "; ".join(f"{item.kind}: {item.label}" for item in self.linked)


def _date_text(day: datetime.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _linked(action: Action) -> tuple[LinkedItem, ...]:
    items = []
    if action.locality_id:
        items.append(
            LinkedItem(
                "Locality",
                action.locality.name,
                f"locality:{action.locality_id}",
                "dashboard:locality",
                {"slug": action.locality.slug},
            )
        )
    if action.objective_id:
        items.append(
            LinkedItem(
                "Objective",
                f"{action.objective.financial_year}: {action.objective}",
                f"objective:{action.objective_id}",
                "dashboard:objectives",
            )
        )
    if action.milestone_id:
        items.append(
            LinkedItem(
                "Milestone",
                action.milestone.title,
                f"milestone:{action.milestone_id}",
                "dashboard:milestones",
            )
        )
    if action.risk_id:
        risk = action.risk
        items.append(
            LinkedItem(
                "Risk",
                f"{risk.reference}: {risk.title}" if risk.reference else risk.title,
                f"risk:{action.risk_id}",
                "dashboard:risk-detail" if risk.reference else "",
                {"reference": risk.reference} if risk.reference else {},
            )
        )
    if action.critical_area_id:
        items.append(
            LinkedItem(
                "Critical area",
                action.critical_area.name,
                f"critical_area:{action.critical_area_id}",
                "dashboard:critical-areas",
            )
        )
    return tuple(items)


def action_row(action: Action, *, day: datetime.date) -> ActionRow:
    """The row of an action read `with_links()` (no query of its own)."""
    return ActionRow(
        pk=action.pk,
        text=action.text,
        owner=action.owner_text,
        due_date=action.due_date,
        due_text=action.due_as_written or _date_text(action.due_date) or "No date given",
        status=action.status_as_at(day),
        is_overdue=action.is_overdue_as_at(day),
        closed_on=action.closed_on if action.closed_on and action.closed_on <= day else None,
        status_reason=action.status_reason if action.closed_on and action.closed_on <= day else "",
        meeting=str(action.meeting),
        body=str(action.meeting.body),
        decision=f"{action.decision.reference} {action.decision.text}"
        if action.decision_id
        else "",
        linked=_linked(action),
        owner_and_status_are_illustrative=action.owner_and_status_are_illustrative,
        is_illustrative=action.is_illustrative,
        source=action.source,
    )


def _overdue_first(queryset: QuerySet, day: datetime.date) -> QuerySet:
    """Overdue as at `day` first, then the rest open, then closed; each by due date."""
    open_then = Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    return queryset.annotate(
        standing=Case(
            When(open_then & Q(due_date__lt=day), then=Value(0)),
            When(open_then, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("standing", "due_date", "pk")


def in_overdue_order(queryset: QuerySet, *, day: datetime.date) -> QuerySet:
    """Actions overdue as at `day` first, then the rest open, then closed; each by due date."""
    return _overdue_first(queryset, day)


def actions_from_previous_meetings(
    *, day: datetime.date, body=None, limit: int | None = None
) -> list[ActionRow]:
    """Actions agreed before `day`, each with its status as at `day`, overdue ones first.

    `body` (a GovernanceBody) keeps the actions of its meetings only. One query.
    """
    actions = Action.objects.with_links().filter(created_on__lt=day)
    if body is not None:
        actions = actions.filter(meeting__body=body)
    actions = _overdue_first(actions, day)
    if limit is not None:
        actions = actions[:limit]
    return [action_row(action, day=day) for action in actions]


def overdue_actions(*, day: datetime.date, limit: int | None = None) -> tuple[list[ActionRow], int]:
    """The actions overdue as at `day`, longest overdue first, and how many there are.

    Two queries at most (the count only when `limit` cuts the list).
    """
    overdue = Action.objects.overdue_as_at(day)
    rows = overdue.with_links().order_by("due_date", "pk")
    if limit is not None:
        rows = rows[:limit]
    found = [action_row(action, day=day) for action in rows]
    total = len(found) if limit is None or len(found) < limit else overdue.count()
    return found, total


def actions_by_link(*, link: str, day: datetime.date, ids=None) -> dict[int, list[ActionRow]]:
    """The actions linked by `link` ("locality", "risk", …) to each of `ids` (or to any item,
    with no `ids`), agreed by `day`, with their status as at `day`, overdue first.

    {item id: rows}. One query however many ids or actions.
    """
    if link not in dict(LINKS):
        raise ValueError(f"Actions are not linked by {link!r}")
    actions = Action.objects.with_links().filter(created_on__lte=day)
    if ids is None:
        actions = actions.filter(**{f"{link}__isnull": False})
    else:
        actions = actions.filter(**{f"{link}_id__in": list(ids)})
    found: dict[int, list[ActionRow]] = defaultdict(list)
    for action in _overdue_first(actions, day):
        found[getattr(action, f"{link}_id")].append(action_row(action, day=day))
    return dict(found)


def actions_for_localities(*, localities, day: datetime.date) -> dict[int, list[ActionRow]]:
    """My localities: the actions that concern each of a lead's localities. One query."""
    return actions_by_link(link="locality", ids=[locality.pk for locality in localities], day=day)


# --- The programme office's pages ---------------------------------------------


@dataclass(frozen=True)
class MeetingRecord:
    meeting: Meeting
    decisions: list[Decision]
    actions: list[Action]


def office_meetings() -> list[MeetingRecord]:
    """Every meeting, latest first, with its decisions and actions: three queries."""
    meetings = list(Meeting.objects.select_related("body").in_date_order().reverse())
    decisions = defaultdict(list)
    for decision in Decision.objects.order_by("meeting_id", "reference"):
        decisions[decision.meeting_id].append(decision)
    actions = defaultdict(list)
    for action in Action.objects.select_related("owner_user").order_by("due_date", "pk"):
        actions[action.meeting_id].append(action)
    return [
        MeetingRecord(meeting, decisions[meeting.pk], actions[meeting.pk]) for meeting in meetings
    ]


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    reason: str
    kind: str  # Added, Changed, Deleted
    changes: list[tuple[str, str, str]]  # (field, before, after)


def _shown(value) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, datetime.date):
        return _date_text(value)
    return str(value)


def record_history(instance) -> list[HistoryEntry]:
    """Who changed the record, when, why and what: newest first. Two queries."""
    versions = list(instance.history.select_related("history_user").order_by("history_id"))
    fields = {
        f.attname: f
        for f in type(instance)._meta.concrete_fields
        if not f.primary_key and f.name != "version"
    }
    entries = []
    previous = None
    for version in versions:
        changes = []
        if previous is not None:
            for attname, model_field in fields.items():
                before, after = getattr(previous, attname), getattr(version, attname)
                if before != after:
                    if model_field.is_relation:
                        # An id means nothing to a reader; the field's name says what moved.
                        changes.append((str(model_field.verbose_name), "", ""))
                    else:
                        changes.append(
                            (
                                str(model_field.verbose_name),
                                _shown(
                                    dict(model_field.flatchoices).get(before, before)
                                    if model_field.choices
                                    else before
                                ),
                                _shown(
                                    dict(model_field.flatchoices).get(after, after)
                                    if model_field.choices
                                    else after
                                ),
                            )
                        )
        user = version.history_user
        entries.append(
            HistoryEntry(
                when=version.history_date,
                who=(user.get_full_name() or user.get_username())
                if user
                else "(loaded from the papers)",
                reason=version.history_change_reason or "",
                kind={"+": "Added", "~": "Changed", "-": "Deleted"}[version.history_type],
                changes=changes,
            )
        )
        previous = version
    return list(reversed(entries))


# --- The boards as at a day (the board's Governance page) ----------------------

# A body's latest meetings shown in full; earlier ones are counted (the Actions and
# decisions page lists them all), so that the page stays a bounded size over the years.
MEETINGS_PER_BODY = 6


@dataclass(frozen=True)
class RoleAsAt:
    text: str
    from_text: str  # as the papers give it; "" for the role the body started with
    is_uncertain: bool  # perhaps begun by the day: the papers' dates cannot say
    certain_from: datetime.date | None  # the latest day it can have begun (a bound, not a date)
    changed_after: datetime.date | None  # the last day the role before is known held
    is_illustrative: bool
    source: str


@dataclass(frozen=True)
class MeetingAsAt:
    """A meeting held by the day, with what it decided and the actions it agreed."""

    pk: int
    date_text: str  # never more precise than the papers
    papers: list[str]
    is_illustrative: bool
    source: str
    decisions: list[Decision]
    actions: list[ActionRow]  # status as at the day


@dataclass(frozen=True)
class BodyAsAt:
    """A governance body as it stood at the end of a day."""

    pk: int
    name: str
    short_name: str
    purpose: str
    standing: str  # GovernanceBody.Standing
    standing_label: str
    started_text: str
    # How certain a start given in words is, as bounds ("" when the words already say it).
    start_bounds: str
    ended_text: str
    active_from: datetime.date | None
    formed_after: datetime.date | None
    active_until: datetime.date | None
    ended_by: datetime.date | None
    source: str
    role: RoleAsAt | None  # certainly held on the day; None: see `purpose`
    earlier_role: RoleAsAt | None  # the one it held before `role`
    perhaps_role: RoleAsAt | None  # a change the papers cannot place before or after the day
    later_roles: tuple[RoleAsAt, ...]  # what it became after the day
    succeeded_by: str
    meetings: tuple[MeetingAsAt, ...]  # latest first, at most MEETINGS_PER_BODY
    earlier_meetings: int  # held by the day but not shown
    actions_open: int  # of all its meetings by the day, as at the day
    actions_overdue: int
    # The counts rest on an invented action, or on a status the papers do not give.
    actions_are_illustrative: bool

    @property
    def meetings_held(self) -> int:
        return len(self.meetings) + self.earlier_meetings


@dataclass(frozen=True)
class GovernanceAsAt:
    day: datetime.date
    in_force: tuple[BodyAsAt, ...]
    perhaps: tuple[BodyAsAt, ...]  # perhaps formed, or perhaps no longer meeting
    not_yet_formed: tuple[BodyAsAt, ...]
    ended: tuple[BodyAsAt, ...]
    any_illustrative: bool

    @property
    def groups(self) -> tuple[tuple[BodyAsAt, ...], ...]:
        """Every body, in force first, then perhaps, not yet formed, no longer meeting."""
        return (self.in_force, self.perhaps, self.not_yet_formed, self.ended)


def _role(role, *, day: datetime.date) -> RoleAsAt:
    return RoleAsAt(
        text=role.role,
        from_text=role.from_text,
        is_uncertain=role.is_uncertain_on(day),
        certain_from=role.held_from,
        changed_after=role.changed_after,
        is_illustrative=role.is_illustrative,
        source=role.source,
    )


def _roles_as_at(roles: list, day: datetime.date):
    """(the role certainly held on `day`, the one before it, one perhaps begun by `day`,
    those begun after), from a body's roles in their order (the first, undated, first)."""
    held = [r for r in roles if r.held_from is None or r.held_from <= day]
    perhaps = [r for r in roles if r.is_uncertain_on(day)]
    later = [r for r in roles if r not in held and r not in perhaps]
    return (
        _role(held[-1], day=day) if held else None,
        _role(held[-2], day=day) if len(held) > 1 else None,
        _role(perhaps[0], day=day) if perhaps else None,
        tuple(_role(r, day=day) for r in later),
    )


def _start_bounds(body) -> str:
    """The bounds a start given in words allows, unless the words already give them."""
    if not body.active_from_as_written or not body.active_from:
        return ""
    bounds = []
    if body.formed_after:
        bounds.append(f"not yet on {_date_text(body.formed_after)}")
    if _date_text(body.active_from) not in body.active_from_as_written:
        bounds.append(f"in force by {_date_text(body.active_from)} at the latest")
    return "; ".join(bounds)


def governance_as_at(*, day: datetime.date) -> GovernanceAsAt:
    """Every governance body as it stood at the end of `day`: in force, perhaps (the
    papers' dates cannot say), not yet formed, or no longer meeting; each with its role
    then, what it became after, and its meetings held by `day` with their decisions and
    actions (status as at `day`). Five queries however many bodies, meetings or actions.
    """
    bodies = list(
        GovernanceBody.objects.select_related("succeeded_by")
        .prefetch_related("roles")
        .order_by("name")
    )
    held = Meeting.objects.held_by(day)
    meetings = list(held.in_date_order().reverse())
    decisions = defaultdict(list)
    for decision in Decision.objects.filter(meeting__in=held.values("pk")).order_by(
        "meeting_id", "reference"
    ):
        decisions[decision.meeting_id].append(decision)
    actions = defaultdict(list)
    for action in _overdue_first(
        Action.objects.with_links().filter(created_on__lte=day, meeting__in=held.values("pk")),
        day,
    ):
        actions[action.meeting_id].append(action_row(action, day=day))
    by_body = defaultdict(list)
    for meeting in meetings:
        by_body[meeting.body_id].append(
            MeetingAsAt(
                pk=meeting.pk,
                date_text=meeting.date_text,
                papers=meeting.paper_list,
                is_illustrative=meeting.is_illustrative,
                source=meeting.source,
                decisions=decisions[meeting.pk],
                actions=actions[meeting.pk],
            )
        )

    groups = defaultdict(list)
    any_illustrative = False
    for body in bodies:
        standing = GovernanceBody.Standing(body.standing_on(day))
        role, earlier_role, perhaps_role, later_roles = _roles_as_at(list(body.roles.all()), day)
        held_by_body = by_body[body.pk]
        rows = [row for meeting in held_by_body for row in meeting.actions]
        actions_are_illustrative = any(
            row.is_illustrative or row.owner_and_status_are_illustrative for row in rows
        )
        any_illustrative |= actions_are_illustrative or any(m.is_illustrative for m in held_by_body)
        any_illustrative |= any(
            r.is_illustrative for r in (role, earlier_role, perhaps_role, *later_roles) if r
        )
        groups[standing].append(
            BodyAsAt(
                pk=body.pk,
                name=body.name,
                short_name=body.short_name,
                purpose=body.purpose,
                standing=standing.value,
                standing_label=standing.label,
                started_text=body.started_text,
                start_bounds=_start_bounds(body),
                ended_text=body.ended_text,
                active_from=body.active_from,
                formed_after=body.formed_after,
                active_until=body.active_until,
                ended_by=body.ended_by,
                source=body.source,
                role=role,
                earlier_role=earlier_role,
                perhaps_role=perhaps_role,
                later_roles=later_roles,
                succeeded_by=str(body.succeeded_by) if body.succeeded_by_id else "",
                meetings=tuple(held_by_body[:MEETINGS_PER_BODY]),
                earlier_meetings=max(len(held_by_body) - MEETINGS_PER_BODY, 0),
                actions_open=sum(row.status == Action.Status.OPEN.label for row in rows),
                actions_overdue=sum(row.is_overdue for row in rows),
                actions_are_illustrative=actions_are_illustrative,
            )
        )
    standing = GovernanceBody.Standing
    return GovernanceAsAt(
        day=day,
        in_force=tuple(groups[standing.IN_FORCE]),
        perhaps=tuple(groups[standing.PERHAPS_FORMED] + groups[standing.PERHAPS_ENDED]),
        not_yet_formed=tuple(groups[standing.NOT_YET_FORMED]),
        ended=tuple(groups[standing.ENDED]),
        any_illustrative=any_illustrative,
    )


def reported_bodies(*, quarter) -> frozenset[int]:
    """The ids of the bodies with an approved board report for `quarter`. One query."""
    return frozenset(
        BoardReport.objects.approved().for_quarter(quarter).values_list("body_id", flat=True)
    )
