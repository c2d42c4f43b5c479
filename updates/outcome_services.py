"""Writes to the monthly outcome data: loading an extract, and the office's change points.

Keyword-only functions, one transaction each, refusing anyone but the
programme office whatever calls them, with history (who, when, why).

Loading an extract (decision 0019) writes its months in bulk statements
(django-simple-history's bulk helpers, so every row's history is kept with the
loader and "Loaded from <file>"): the queries do not grow with the rows. The
OutcomeExtract row itself is saved one by one, which sends the model signal
that moves the dashboards' data version once the load commits
(dashboard.signals; this app cannot import the dashboard).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from localities import access
from localities.models import MonthlyOutcome, OutcomeChangePoint, OutcomeExtract
from updates.outcome_extract import ExtractRow

HISTORY_REASON_LENGTH = 100
BATCH_SIZE = 1000

STALE_CHANGE_POINT = (
    "Someone else saved this change point while you were editing it, so your changes have "
    "not been saved. They are still in the form below. Check its history to see what "
    "changed; then save again to replace their version with yours."
)


class StaleEdit(ValidationError):
    """The record was saved by someone else after this edit began."""


def _require_office(by) -> None:
    if not access.is_programme_office(by):
        raise PermissionDenied("Only the programme office loads outcome data.")


@dataclass(frozen=True)
class LoadResult:
    extract: OutcomeExtract
    new: int
    restated: int
    unchanged: int


@transaction.atomic
def load_extract(
    *,
    rows: list[ExtractRow],
    file_name: str,
    source: str,
    by: AbstractBaseUser,
    now: datetime.datetime | None = None,
) -> LoadResult:
    """Save an extract's checked rows: new months created, loaded months restated.

    Every month the file holds is now from this extract (one source per month);
    a restated value's old one stays in its history.
    """
    _require_office(by)
    if not rows:
        raise ValidationError("The extract has no rows of figures.")
    reason = Truncator(f"Loaded from {file_name}").chars(HISTORY_REASON_LENGTH)
    extract = OutcomeExtract(
        loaded_at=now or timezone.now(),
        loaded_by=by,
        file_name=Truncator(file_name).chars(255),
        source=source,
        first_month=min(row.month for row in rows),
        last_month=max(row.month for row in rows),
        rows=len(rows),
    )
    extract.full_clean()
    extract._history_user = by
    extract._change_reason = reason
    extract.save()

    months = {row.month for row in rows}
    existing = {
        (outcome.locality_id, outcome.measure_id, outcome.month): outcome
        for outcome in MonthlyOutcome.objects.select_for_update().filter(month__in=months)
    }
    created, restated, unchanged = [], [], []
    for row in rows:
        outcome = existing.get((row.locality_id, row.measure_id, row.month))
        if outcome is None:
            created.append(
                MonthlyOutcome(
                    locality_id=row.locality_id,
                    measure_id=row.measure_id,
                    month=row.month,
                    value=row.value,
                    extract=extract,
                )
            )
            continue
        (unchanged if outcome.value == row.value else restated).append(outcome)
        outcome.value = row.value
        outcome.extract = extract
        # Loaded data is the warehouse's, not invented (an illustrative month restated
        # by a real extract is real from now on).
        outcome.is_illustrative = False
    bulk_create_with_history(
        created,
        MonthlyOutcome,
        batch_size=BATCH_SIZE,
        default_user=by,
        default_change_reason=reason,
    )
    bulk_update_with_history(
        restated + unchanged,
        MonthlyOutcome,
        ["value", "extract", "is_illustrative"],
        batch_size=BATCH_SIZE,
        default_user=by,
        default_change_reason=reason,
    )
    return LoadResult(
        extract=extract, new=len(created), restated=len(restated), unchanged=len(unchanged)
    )


# --- Change points --------------------------------------------------------------


def change_point_problems(change_point: OutcomeChangePoint) -> dict[str, list[str]]:
    """The rules a person can break, in their words, keyed by field."""
    problems: dict[str, list[str]] = {}
    if not (change_point.reason or "").strip():
        problems["reason"] = ["Say why the process changed: the reason is kept with the limits."]
    month = change_point.month
    if month is not None:
        from localities.models import BASELINE_LAST_MONTH

        if month <= BASELINE_LAST_MONTH:
            problems["month"] = [
                f"{month:%B %Y} is in the baseline (April 2016 to March 2018), whose limits "
                "are frozen: a change point comes after March 2018."
            ]
        elif change_point.measure_id is not None:
            clash = OutcomeChangePoint.objects.filter(
                measure_id=change_point.measure_id,
                locality_id=change_point.locality_id,
                month=month,
            ).exclude(pk=change_point.pk)
            if clash.exists():
                problems["month"] = [
                    f"There is already a change point for this measure and place in {month:%B %Y}."
                ]
    return problems


def _clean(change_point: OutcomeChangePoint) -> None:
    problems = change_point_problems(change_point)
    try:
        change_point.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            if name not in problems:
                problems[name] = messages
    if problems:
        raise ValidationError(problems)


def _save(change_point: OutcomeChangePoint, *, by, reason: str) -> None:
    change_point._history_user = by
    change_point._change_reason = Truncator(reason).chars(HISTORY_REASON_LENGTH)
    change_point.save()


@transaction.atomic
def record_change_point(
    *, change_point: OutcomeChangePoint, by: AbstractBaseUser
) -> OutcomeChangePoint:
    """Add a change point (a new, unsaved one)."""
    _require_office(by)
    change_point.recorded_by = by
    change_point.version = 1
    _clean(change_point)
    _save(change_point, by=by, reason="Change point recorded")
    return change_point


@transaction.atomic
def edit_change_point(
    *, change_point: OutcomeChangePoint, expected_version: int | None, by: AbstractBaseUser
) -> OutcomeChangePoint:
    """Save an edit begun at `expected_version`; StaleEdit if someone saved since."""
    _require_office(by)
    _clean(change_point)
    # One conditional UPDATE claims the version: of two edits, only one moves it on.
    claimed = OutcomeChangePoint.objects.filter(  # history: the save below records the change
        pk=change_point.pk, version=expected_version
    ).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(STALE_CHANGE_POINT, code="stale")
    change_point.version = expected_version + 1
    _save(change_point, by=by, reason="Change point edited")
    return change_point


@transaction.atomic
def withdraw_change_point(
    *,
    change_point: OutcomeChangePoint,
    expected_version: int | None,
    reason: str,
    by: AbstractBaseUser,
) -> None:
    """Delete a change point; its history keeps it, with who withdrew it and why."""
    _require_office(by)
    if not (reason or "").strip():
        raise ValidationError({"withdraw_reason": ["Say why the change point is withdrawn."]})
    found = list(OutcomeChangePoint.objects.select_for_update().filter(pk=change_point.pk))
    if not found or found[0].version != expected_version:
        raise StaleEdit(STALE_CHANGE_POINT, code="stale")
    locked = found[0]
    locked._history_user = by
    locked._change_reason = Truncator(f"Withdrawn: {reason.strip()}").chars(HISTORY_REASON_LENGTH)
    locked.delete()
