"""Milestones the data can decide, kept in step with that data (decision 0009).

"All MDTs planned for 2018/19 live" is decided by the MDT register and "Locality
plan refreshed" by the locality's approved returns. A status reported beside
that data could contradict it (Ashford "In progress" with its three MDTs live,
Medway "Complete" with two late), so such a milestone (`Milestone.derived_from`)
is never reported: its status and actual date are derived here, and stored, so
every page that reads a milestone (and the "as at a quarter" rules that compare
its actual date with the quarter's end) reads the derived value without a
second rule of its own.

They are refreshed whenever their data changes through the workflow: approving
or reopening a return (updates.services), which is the only way the MDT
register's go-live dates change (decision 0004). The illustrative fixture is
built with the same rules (`mdts_milestone_state`), and a test checks that
refreshing the loaded fixture changes nothing.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Min

from localities.models import MDT, Milestone
from updates.models import QuarterlyUpdate

State = tuple[str, datetime.date | None]  # (status, actual date)


def mdts_milestone_state(
    mdts: Iterable[tuple[datetime.date | None, datetime.date | None]], planned_end: datetime.date
) -> State | None:
    """From the (planned, actual) go-live dates of a locality's MDTs: complete on
    the day the last MDT planned by `planned_end` went live, in progress once
    any has, not started before. None when no MDT was planned by then."""
    due = [actual for planned, actual in mdts if planned is not None and planned <= planned_end]
    if not due:
        return None
    if all(due):
        return Milestone.Status.COMPLETE, max(due)
    if any(due):
        return Milestone.Status.IN_PROGRESS, None
    return Milestone.Status.NOT_STARTED, None


def plan_refreshed_state(first_refreshed: datetime.date | None) -> State:
    """Complete at the end of the first quarter whose approved return said the plan
    was refreshed (the return says by when, not the day); in progress until then."""
    if first_refreshed is None:
        return Milestone.Status.IN_PROGRESS, None
    return Milestone.Status.COMPLETE, first_refreshed


def derived_states(milestones: list[Milestone]) -> dict[int, State]:
    """{milestone id: (status, actual date)} as the data now stand; two queries."""
    locality_ids = {milestone.locality_id for milestone in milestones}
    go_lives: dict[int, list] = {}
    for locality_id, planned, actual in MDT.objects.filter(
        locality_id__in=locality_ids
    ).values_list("locality_id", "planned_go_live", "actual_go_live"):
        go_lives.setdefault(locality_id, []).append((planned, actual))
    refreshed = dict(
        QuarterlyUpdate.objects.approved()
        .filter(locality_id__in=locality_ids, locality_plan_refreshed=True)
        .order_by()
        .values("locality_id")
        .annotate(first=Min("quarter__end_date"))
        .values_list("locality_id", "first")
    )
    states = {}
    for milestone in milestones:
        if milestone.derived_from == Milestone.DerivedFrom.MDTS_LIVE:
            if milestone.planned_end is None:
                continue
            state = mdts_milestone_state(
                go_lives.get(milestone.locality_id, []), milestone.planned_end
            )
        else:
            state = plan_refreshed_state(refreshed.get(milestone.locality_id))
        if state is not None:
            states[milestone.id] = state
    return states


def refresh_derived_milestones(*, locality_ids: Iterable[int], save) -> int:
    """Re-derive the derived milestones of these localities; `save(milestone)` writes
    one that changed (the services pass theirs, which records the history).
    Returns how many changed."""
    milestones = list(
        Milestone.objects.filter(locality_id__in=list(locality_ids))
        .exclude(derived_from=Milestone.DerivedFrom.REPORTED)
        .exclude(status=Milestone.Status.CANCELLED)
    )
    changed = 0
    states = derived_states(milestones)
    for milestone in milestones:
        if milestone.id not in states:
            continue
        status, actual = states[milestone.id]
        if (milestone.status, milestone.actual_date) == (status, actual):
            continue
        if milestone.actual_date != actual:
            milestone.actual_as_written = ""  # the data gives a day, not the paper's month
        milestone.status, milestone.actual_date = status, actual
        if status == Milestone.Status.COMPLETE:
            milestone.forecast_date = None
        save(milestone)
        changed += 1
    return changed
