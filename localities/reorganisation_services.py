"""Recording a reorganisation: a dated change of structure (decision 0023).

`plan_reorganisation` reads what a reorganisation would do (what ends on which
day, what starts, what became what, which leads move) and refuses what cannot
be true, each with a message a person can act on; `record_reorganisation`
writes it in one transaction, refusing anyone but the programme office (or the
fixture loader, `LOADER`), and refusing a plan that changed since it was
previewed (`StalePreview`).

Nothing is deleted and no foreign key is re-pointed: predecessors end the day
before the effective date, successors are new rows starting on it, and the
`Succession` lines say what became what. A new commissioner gets its own
locality links; an old commissioner's are never edited. A lead's assignment to
an ending locality ends with it and, if asked, a new one starts at the
successor.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify

from localities import access
from localities.models import (
    Commissioner,
    LeadAssignment,
    Locality,
    Reorganisation,
    SubSystem,
    Succession,
)

HISTORY_REASON_LENGTH = 100
ONE_DAY = datetime.timedelta(days=1)

# Passed as `by` by load_programme_data: the fixtures' reorganisations are public
# record loaded with the programme data, not recorded by a person.
LOADER = object()

STALE_PREVIEW = (
    "Something changed since you previewed this reorganisation (another reorganisation, "
    "or a change to what it ends or to their leads), so nothing has been saved. Your "
    "entries are still in the form below: preview it again and check what it will do."
)


class Level(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioners"
    SUB_SYSTEM = "sub_system", "Sub-systems"
    LOCALITY = "locality", "Localities (places, partnerships)"


MODELS = {
    Level.COMMISSIONER: Commissioner,
    Level.SUB_SYSTEM: SubSystem,
    Level.LOCALITY: Locality,
}
SINGULAR = {
    Level.COMMISSIONER: "commissioner",
    Level.SUB_SYSTEM: "sub-system",
    Level.LOCALITY: "locality",
}


class StalePreview(ValidationError):
    """What the reorganisation would do changed after it was previewed."""


@dataclass(frozen=True)
class NewSuccessor:
    """A successor that starts on the effective date: a new row.

    slug: localities and sub-systems (from the name if blank); kind: a locality's
    (Locality.Kind) or a commissioner's (Commissioner.Kind); short_name: a
    commissioner's; sub_system: a new locality's, by name: one in force on the
    effective date, or one this reorganisation starts.
    """

    name: str
    slug: str = ""
    kind: str = ""
    short_name: str = ""
    sub_system: str = ""

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class Change:
    """One change at one level: predecessors (rows in force) and what they became
    (NewSuccessor, or an existing row in force: a locality or sub-system)."""

    level: str
    kind: str
    predecessors: tuple = ()
    successors: tuple = ()


@dataclass(frozen=True)
class LeadMove:
    assignment: LeadAssignment
    to: tuple[str, ...]  # the successors' names; empty: the assignment ends


@dataclass
class Plan:
    """What recording the reorganisation will do, read before anything is written."""

    effective_date: datetime.date
    title: str
    description: str
    source: str
    is_illustrative: bool
    changes: tuple[Change, ...]
    carry_leads: bool
    ends: list[tuple[str, object]] = field(default_factory=list)  # (level, row)
    starts: list[tuple[str, NewSuccessor]] = field(default_factory=list)
    lines: list[tuple[str, object, str, object]] = field(default_factory=list)
    commissioner_areas: dict[str, list[str]] = field(default_factory=dict)
    lead_moves: list[LeadMove] = field(default_factory=list)

    @property
    def last_day_before(self) -> datetime.date:
        return self.effective_date - ONE_DAY

    @property
    def fingerprint(self) -> str:
        """Changes whenever what the plan would do changes: compared at commit."""
        latest = Reorganisation.objects.order_by("-id").values_list("id", "version").first()
        parts = [
            repr(latest),
            *(f"end {level} {row.pk} {row.in_force_until}" for level, row in self.ends),
            *(f"start {level} {new!r}" for level, new in self.starts),
            *(f"line {a} {b!s} {kind} {c!s}" for a, b, kind, c in self.lines),
            *(f"areas {key} {value}" for key, value in sorted(self.commissioner_areas.items())),
            *(
                f"lead {move.assignment.pk} {move.assignment.in_force_until} {move.to}"
                for move in self.lead_moves
            ),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _require_office(by) -> None:
    if by is not LOADER and not access.is_programme_office(by):
        raise PermissionDenied("Only the programme office records a reorganisation.")


def _in_force_before_and_on(row, day: datetime.date) -> bool:
    """In force the day before `day`, and not already given an end."""
    return row.in_force_until is None and (row.in_force_from is None or row.in_force_from < day)


def _check_change(change: Change, number: int, effective_date, problems: list[str]) -> None:
    what = f"Change {number}"
    if change.level not in Level.values:
        problems.append(f"{what}: choose commissioners, sub-systems or localities.")
        return
    if change.kind not in Succession.Kind.values:
        problems.append(f"{what}: choose merged into, split into, renamed or became.")
        return
    kind = Succession.Kind(change.kind)
    if not change.predecessors:
        problems.append(f"{what}: choose what ended.")
    if not change.successors:
        problems.append(f"{what}: say what it became.")
    if not change.predecessors or not change.successors:
        return
    if kind == Succession.Kind.SPLIT_INTO:
        if len(change.predecessors) != 1 or len(change.successors) < 2:
            problems.append(f"{what}: a split is one {SINGULAR[change.level]} into two or more.")
    elif len(change.successors) != 1:
        problems.append(f"{what}: “{kind.label.lower()}” has one successor (a split has several).")
    if kind == Succession.Kind.RENAMED and len(change.predecessors) != 1:
        problems.append(f"{what}: a renaming is of one {SINGULAR[change.level]}.")
    model = MODELS[change.level]
    for predecessor in change.predecessors:
        if not isinstance(predecessor, model):
            problems.append(f"{what}: {predecessor} is not a {SINGULAR[change.level]}.")
        elif not _in_force_before_and_on(predecessor, effective_date):
            ended = (
                f"already ends on {predecessor.in_force_until:%-d %B %Y}"
                if predecessor.in_force_until
                else f"only starts on {predecessor.in_force_from:%-d %B %Y}"
            )
            problems.append(
                f"{predecessor} {ended}, so it cannot end on "
                f"{effective_date - ONE_DAY:%-d %B %Y}: check the effective date."
            )
    for successor in change.successors:
        if isinstance(successor, NewSuccessor):
            continue
        if not isinstance(successor, model):
            problems.append(f"{what}: {successor} is not a {SINGULAR[change.level]}.")
        elif any(successor.pk == p.pk for p in change.predecessors):
            problems.append(f"{successor} cannot {kind.label.lower()} itself.")
        elif change.level == Level.COMMISSIONER:
            problems.append(
                f"{successor} already exists: a commissioner's areas are not dated, so "
                "giving it more would rewrite the pages before this date. Record a new "
                "commissioner that the others merge into."
            )
        elif kind in (Succession.Kind.RENAMED, Succession.Kind.SPLIT_INTO):
            problems.append(
                f"{what}: a renaming or split starts new {SINGULAR[change.level]} rows; "
                f"{successor} already exists."
            )
        elif not successor.is_in_force_on(effective_date):
            problems.append(
                f"{successor} is not in force on {effective_date:%-d %B %Y}, so nothing "
                "can merge into it then."
            )


def plan_reorganisation(
    *,
    effective_date: datetime.date | None,
    title: str,
    description: str = "",
    source: str = "",
    is_illustrative: bool = False,
    changes,
    carry_leads: bool = True,
) -> Plan:
    """What recording the reorganisation would do; ValidationError (every problem)
    if it cannot be recorded. Reads only."""
    problems: list[str] = []
    if effective_date is None:
        raise ValidationError({"effective_date": ["Give the date the new structure began."]})
    if not (title or "").strip():
        problems.append("Give the reorganisation a title.")
    changes = tuple(changes or ())
    if not changes:
        raise ValidationError("Say what changed: a reorganisation needs at least one change.")
    plan = Plan(
        effective_date=effective_date,
        title=(title or "").strip(),
        description=description or "",
        source=source or "",
        is_illustrative=is_illustrative,
        changes=changes,
        carry_leads=carry_leads,
    )
    for number, change in enumerate(changes, start=1):
        _check_change(change, number, effective_date, problems)
    if problems:
        raise ValidationError(problems)

    # Each predecessor ends once; each new name is new.
    ending: dict[tuple[str, int], object] = {}
    new_names: dict[str, set[str]] = {level: set() for level in Level.values}
    new_slugs: dict[str, set[str]] = {level: set() for level in Level.values}
    for change in changes:
        for predecessor in change.predecessors:
            key = (change.level, predecessor.pk)
            if key in ending:
                problems.append(f"{predecessor} is in two changes: it ends once.")
            ending[key] = predecessor
        for successor in change.successors:
            if not isinstance(successor, NewSuccessor):
                continue
            _check_new(change.level, successor, new_names, new_slugs, problems)
    if problems:
        raise ValidationError(problems)
    for change in changes:
        for successor in change.successors:
            if not isinstance(successor, NewSuccessor) and (change.level, successor.pk) in ending:
                problems.append(f"{successor} ends in this reorganisation: nothing can join it.")

    # New localities belong to a sub-system in force on the day, or a new one.
    starting_sub_systems = new_names[Level.SUB_SYSTEM]
    wanted = {
        successor.sub_system.strip()
        for change in changes
        if change.level == Level.LOCALITY
        for successor in change.successors
        if isinstance(successor, NewSuccessor)
    }
    existing_sub_systems = {
        sub_system.name: sub_system
        for sub_system in SubSystem.objects.filter(name__in=wanted - starting_sub_systems)
    }
    for change in changes:
        if change.level != Level.LOCALITY:
            continue
        for successor in change.successors:
            if not isinstance(successor, NewSuccessor):
                continue
            name = successor.sub_system.strip()
            if not name:
                problems.append(f"Say which sub-system {successor.name} belongs to.")
            elif name in starting_sub_systems:
                continue
            elif name not in existing_sub_systems:
                problems.append(f"There is no sub-system called {name}.")
            else:
                found = existing_sub_systems[name]
                if (Level.SUB_SYSTEM, found.pk) in ending or not found.is_in_force_on(
                    effective_date
                ):
                    problems.append(
                        f"{name} is not in force on {effective_date:%-d %B %Y}: "
                        f"{successor.name} cannot belong to it."
                    )

    # A sub-system ends only with every locality in it: a locality's sub-system is
    # never re-pointed, so one that carries on needs a successor of its own.
    ending_sub_systems = [pk for level, pk in ending if level == Level.SUB_SYSTEM]
    if ending_sub_systems:
        carrying_on = (
            Locality.objects.filter(sub_system__in=ending_sub_systems)
            .in_force_on(effective_date)
            .exclude(pk__in=[pk for level, pk in ending if level == Level.LOCALITY])
            .select_related("sub_system")
            .order_by("name")
        )
        for locality in carrying_on:
            problems.append(
                f"{locality} is still in force in {locality.sub_system} after "
                f"{effective_date - ONE_DAY:%-d %B %Y}: record what it becomes too, so "
                "that the sub-system can end."
            )

    ending_locality_ids = [pk for level, pk in ending if level == Level.LOCALITY]
    future_leads = (
        LeadAssignment.objects.filter(
            locality__in=ending_locality_ids, in_force_from__gte=effective_date
        )
        .select_related("user", "locality")
        .order_by("pk")
    )
    for assignment in future_leads:
        problems.append(
            f"{assignment.user.get_username()} is to lead {assignment.locality} from "
            f"{assignment.in_force_from:%-d %B %Y}, after it ends: change that assignment first."
        )
    if problems:
        raise ValidationError(problems)

    # What it will do.
    successors_of: dict[int, list] = {}  # ending locality id -> its successors
    for change in changes:
        for predecessor in change.predecessors:
            plan.ends.append((change.level, predecessor))
            if change.level == Level.LOCALITY:
                successors_of[predecessor.pk] = list(change.successors)
            for successor in change.successors:
                plan.lines.append((change.level, predecessor, change.kind, successor))
        for successor in change.successors:
            if isinstance(successor, NewSuccessor) and (change.level, successor) not in plan.starts:
                plan.starts.append((change.level, successor))
    _plan_commissioner_areas(plan, successors_of)
    _plan_lead_moves(plan, ending_locality_ids, successors_of)
    return plan


def _check_new(level, successor: NewSuccessor, names, slugs, problems) -> None:
    model = MODELS[level]
    name = successor.name.strip()
    if not name:
        problems.append(f"Give each new {SINGULAR[level]} a name.")
        return
    if name in names[level] or model.objects.filter(name__iexact=name).exists():
        problems.append(
            f"The name {name} is already used by a {SINGULAR[level]}: "
            "a successor needs a name of its own."
        )
    names[level].add(name)
    if level == Level.COMMISSIONER:
        if successor.kind not in Commissioner.Kind.values:
            problems.append(f"Say whether {name} is a CCG or an integrated care board.")
        return
    slug = successor.slug or slugify(name)
    if slug in slugs[level] or model.objects.filter(slug=slug).exists():
        problems.append(f"The web address {slug} is already used: give {name} another.")
    slugs[level].add(slug)
    if level == Level.LOCALITY and successor.kind not in Locality.Kind.values:
        problems.append(f"Say whether {name} is a CCG area or a Health and Care Partnership.")


def _plan_commissioner_areas(plan: Plan, successors_of: dict[int, list]) -> None:
    """A new commissioner commissions for its predecessors' areas in force the day
    before, each as it is on the effective date (its successors if it ends)."""
    for change in plan.changes:
        if change.level != Level.COMMISSIONER:
            continue
        areas: list[str] = []
        for predecessor in change.predecessors:
            for locality in predecessor.localities.in_force_on(plan.last_day_before).order_by(
                "name"
            ):
                for area in successors_of.get(locality.pk, [locality]):
                    if str(area) not in areas:
                        areas.append(str(area))
        for successor in change.successors:
            plan.commissioner_areas[str(successor)] = sorted(areas)


def _plan_lead_moves(plan: Plan, ending_locality_ids, successors_of) -> None:
    assignments = (
        LeadAssignment.objects.filter(locality__in=ending_locality_ids)
        .in_force_on(plan.effective_date)
        .select_related("user", "locality")
        .order_by("locality__name", "user__username", "pk")
    )
    for assignment in assignments:
        to = (
            tuple(str(s) for s in successors_of[assignment.locality_id]) if plan.carry_leads else ()
        )
        plan.lead_moves.append(LeadMove(assignment=assignment, to=to))


def _reason(plan: Plan) -> str:
    return Truncator(f"Reorganisation: {plan.title}").chars(HISTORY_REASON_LENGTH)


def _save(row, *, by, reason: str) -> None:
    row.full_clean()
    row._history_user = None if by is LOADER else by
    row._change_reason = reason
    row.save()


@transaction.atomic
def record_reorganisation(
    *,
    by,
    effective_date: datetime.date | None,
    title: str,
    description: str = "",
    source: str = "",
    is_illustrative: bool = False,
    changes,
    carry_leads: bool = True,
    expected_fingerprint: str | None = None,
    now: datetime.datetime | None = None,
) -> Reorganisation:
    """Record the reorganisation in one transaction. `expected_fingerprint`: the
    preview's Plan.fingerprint; StalePreview if the plan is no longer the same."""
    _require_office(by)
    # One reorganisation at a time: two recorded at once could end the same rows.
    list(Reorganisation.objects.select_for_update().order_by("-id")[:1])
    changes = tuple(_fresh(change) for change in changes or ())
    plan = plan_reorganisation(
        effective_date=effective_date,
        title=title,
        description=description,
        source=source,
        is_illustrative=is_illustrative,
        changes=changes,
        carry_leads=carry_leads,
    )
    if expected_fingerprint is not None and expected_fingerprint != plan.fingerprint:
        raise StalePreview(STALE_PREVIEW, code="stale")
    reason = _reason(plan)
    user = None if by is LOADER else by

    event = Reorganisation(
        effective_date=plan.effective_date,
        title=plan.title,
        description=plan.description,
        source=plan.source,
        is_illustrative=plan.is_illustrative,
        recorded_by=user,
        recorded_at=now or timezone.now(),
    )
    _save(event, by=by, reason=reason)

    made: dict[tuple[str, str], object] = {}
    # Sub-systems first (a new locality may belong to one), then localities, then
    # commissioners (whose areas are the localities as they are on the day).
    order = (Level.SUB_SYSTEM, Level.LOCALITY, Level.COMMISSIONER)
    for level in order:
        for start_level, new in plan.starts:
            if start_level == level:
                made[(level, new.name)] = _start(level, new, plan, made, by=by, reason=reason)
        for end_level, row in plan.ends:
            if end_level == level:
                row.in_force_until = plan.last_day_before
                _save(row, by=by, reason=reason)

    for level, predecessor, kind, successor in plan.lines:
        if isinstance(successor, NewSuccessor):
            successor = made[(level, successor.name)]
        line = Succession(
            reorganisation=event,
            kind=kind,
            **{f"predecessor_{level}": predecessor, f"successor_{level}": successor},
        )
        _save(line, by=by, reason=reason)

    _link_new_localities_to_continuing_commissioners(plan, made)
    for move in plan.lead_moves:
        assignment = move.assignment
        until = assignment.in_force_until
        assignment.in_force_until = plan.last_day_before
        _save(assignment, by=by, reason=reason)
        for name in move.to:
            successor = made.get((Level.LOCALITY, name)) or Locality.objects.get(name=name)
            already = (
                LeadAssignment.objects.filter(user_id=assignment.user_id, locality=successor)
                .in_force_on(plan.effective_date)
                .exists()
            )
            if not already:
                _save(
                    LeadAssignment(
                        user_id=assignment.user_id,
                        locality=successor,
                        in_force_from=plan.effective_date,
                        in_force_until=until,
                    ),
                    by=by,
                    reason=reason,
                )
    return event


def _fresh(change: Change) -> Change:
    """The change with its existing rows read again, locked: the plan is checked
    against the database as it is now, not as the caller read it."""

    def reread(rows):
        if not rows:
            return ()
        existing = [row for row in rows if not isinstance(row, NewSuccessor)]
        if not existing:
            return tuple(rows)
        model = type(existing[0])
        locked = {
            row.pk: row
            for row in model.objects.select_for_update().filter(pk__in=[r.pk for r in existing])
        }
        return tuple(
            row if isinstance(row, NewSuccessor) else locked.get(row.pk, row) for row in rows
        )

    return Change(
        level=change.level,
        kind=change.kind,
        predecessors=reread(change.predecessors),
        successors=reread(change.successors),
    )


def _start(level, new: NewSuccessor, plan: Plan, made, *, by, reason: str):
    common = {
        "name": new.name.strip(),
        "in_force_from": plan.effective_date,
    }
    if level == Level.SUB_SYSTEM:
        row = SubSystem(slug=new.slug or slugify(new.name), **common)
        _save(row, by=by, reason=reason)
        return row
    if level == Level.LOCALITY:
        sub_system = made.get((Level.SUB_SYSTEM, new.sub_system.strip())) or SubSystem.objects.get(
            name=new.sub_system.strip()
        )
        row = Locality(
            slug=new.slug or slugify(new.name),
            kind=new.kind,
            sub_system=sub_system,
            is_illustrative=plan.is_illustrative,
            **common,
        )
        _save(row, by=by, reason=reason)
        return row
    row = Commissioner(
        short_name=new.short_name,
        kind=new.kind,
        source=Truncator(plan.source).chars(300),
        is_illustrative=plan.is_illustrative,
        **common,
    )
    _save(row, by=by, reason=reason)
    names = plan.commissioner_areas.get(new.name, [])
    areas = [made.get((Level.LOCALITY, name)) for name in names]
    found = {locality.name: locality for locality in Locality.objects.filter(name__in=names)}
    row.localities.set([area or found[name] for area, name in zip(areas, names, strict=True)])
    return row


def _link_new_localities_to_continuing_commissioners(plan: Plan, made) -> None:
    """A new locality whose predecessors' commissioner carries on is commissioned by
    it: a link for a row that only now starts (no page before the day changes)."""
    ending_commissioners = {row.pk for level, row in plan.ends if level == Level.COMMISSIONER}
    for change in plan.changes:
        if change.level != Level.LOCALITY:
            continue
        commissioners = (
            Commissioner.objects.in_force_on(plan.effective_date)
            .filter(localities__in=[p.pk for p in change.predecessors])
            .exclude(pk__in=ending_commissioners)
            .distinct()
        )
        new = [
            made[(Level.LOCALITY, s.name)] for s in change.successors if isinstance(s, NewSuccessor)
        ]
        for commissioner in commissioners:
            commissioner.localities.add(*new)
