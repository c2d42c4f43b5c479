"""Writes to the governance records: keyword-only functions, one transaction each.

Every function here
- refuses anyone but the programme office (governance.access), whatever calls it;
- checks the rules a person can break and raises ValidationError keyed by field,
  in words meant for them; then full_clean()s, so the model's constraints speak too;
- refuses an edit begun before someone else's save (StaleEdit): an action by its
  `version` (one conditional UPDATE claims it, as risks.services does), a meeting
  or decision by its latest history record, which every save adds;
- records who did it and what changed in the record's history (django-simple-history).
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.text import Truncator

from governance.access import require_governance_keeper
from governance.models import Action, Decision, Meeting

# simple-history keeps the reason for a change in a 100-character column.
HISTORY_REASON_LENGTH = 100

STALE_EDIT_MESSAGE = (
    "Someone else saved this {what} while you were editing it, so your changes have not "
    "been saved. They are still in the form below. Check its history (on its page) to see "
    "what changed; then save again to replace their version with yours."
)


class StaleEdit(ValidationError):
    """The record was saved by someone else after this edit began."""


def _changed_fields(instance: models.Model) -> list[str]:
    """The verbose names of the fields that differ from the saved row (all, for a new one)."""
    fields = [
        field
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.name != "version"
    ]
    if instance._state.adding:
        return []
    saved = (
        type(instance)
        ._base_manager.filter(pk=instance.pk)
        .values(*[field.attname for field in fields])[0]
    )
    return [
        str(field.verbose_name)
        for field in fields
        if saved[field.attname] != getattr(instance, field.attname)
    ]


def _reason(instance: models.Model, *, what: str, reason: str | None) -> str:
    if reason:
        return reason
    if instance._state.adding:
        return f"{what.capitalize()} added"
    changed = _changed_fields(instance)
    return f"Changed: {', '.join(changed)}" if changed else "Saved unchanged"


def _save(instance: models.Model, *, by: AbstractBaseUser, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = Truncator(reason).chars(HISTORY_REASON_LENGTH)
    instance.save()


def latest_history_id(instance: models.Model) -> int | None:
    """The id of the record's latest history row: what an edit form says it began from."""
    return (
        instance.history.order_by("-history_id").values_list("history_id", flat=True).first()
        if instance.pk
        else None
    )


def _refuse_if_changed_since(instance: models.Model, expected: int | None, *, what: str) -> None:
    """Lock the row and refuse the save if its history moved on since the form was loaded."""
    if instance._state.adding:
        return
    type(instance)._base_manager.select_for_update().filter(pk=instance.pk).first()
    # A record loaded without history (bulk-loaded data) is at None until its first save.
    if latest_history_id(instance) != expected:
        raise StaleEdit(STALE_EDIT_MESSAGE.format(what=what), code="stale")


def _full_clean(instance: models.Model, errors: dict) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(
                message for message in messages if message not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_meeting(
    *,
    meeting: Meeting,
    by: AbstractBaseUser,
    loaded_history_id: int | None = None,
    reason: str | None = None,
) -> Meeting:
    """Add a meeting, or save one edited in a form loaded at `loaded_history_id`."""
    require_governance_keeper(by)
    _refuse_if_changed_since(meeting, loaded_history_id, what="meeting")
    _full_clean(meeting, meeting_problems(meeting))
    _save(meeting, by=by, reason=_reason(meeting, what="meeting", reason=reason))
    return meeting


def meeting_problems(meeting: Meeting) -> dict:
    """What is wrong with a meeting as entered, by field (the forms show the same words)."""
    errors: dict = {}
    if meeting.held_on and meeting.held_after:
        errors["held_after"] = ["Give the meeting's date or the day it follows, not both."]
    elif not meeting.held_on and not meeting.held_after:
        errors["held_on"] = ["Give the meeting's date, or the day it is known to follow."]
    if meeting.held_on and meeting.date_as_written:
        errors["date_as_written"] = [
            "Leave the date as written empty when the meeting's day is known."
        ]
    return errors


@transaction.atomic
def save_decision(
    *,
    decision: Decision,
    by: AbstractBaseUser,
    loaded_history_id: int | None = None,
    reason: str | None = None,
) -> Decision:
    """Add a decision to a meeting, or save one edited in a form loaded at `loaded_history_id`."""
    require_governance_keeper(by)
    _refuse_if_changed_since(decision, loaded_history_id, what="decision")
    _full_clean(decision, decision_problems(decision))
    _save(decision, by=by, reason=_reason(decision, what="decision", reason=reason))
    return decision


def decision_problems(decision: Decision) -> dict:
    """What is wrong with a decision as entered, by field."""
    errors: dict = {}
    if (
        decision.meeting_id
        and decision.reference
        and Decision.objects.filter(meeting_id=decision.meeting_id, reference=decision.reference)
        .exclude(pk=decision.pk)
        .exists()
    ):
        errors["reference"] = [
            f"This meeting already has a decision {decision.reference}: give another reference."
        ]
    return errors


def agreed_on(meeting: Meeting) -> datetime.date:
    """The day an action counts as agreed: its meeting's, or for an undated meeting
    the earliest day it can have been held."""
    return meeting.held_on or meeting.held_after + datetime.timedelta(days=1)


def action_problems(action: Action) -> dict:
    """What is wrong with an action as entered, by field (the forms show the same words)."""
    errors: dict = {}
    if action.meeting_id:
        action.created_on = agreed_on(action.meeting)
    if not action.owner_role.strip() and action.owner_user_id is None:
        errors["owner_role"] = ["Say who owns the action: a role, or a person with an account."]
    if action.status == Action.Status.OPEN:
        if action.closed_on:
            errors["closed_on"] = ["An open action has no closing day: leave it empty."]
    elif not action.closed_on:
        errors["closed_on"] = [
            f"Give the day the action was {action.get_status_display().lower()}."
        ]
    elif action.created_on and action.closed_on < action.created_on:
        errors["closed_on"] = [
            "An action cannot close before it was agreed "
            f"({action.created_on.day} {action.created_on:%B %Y})."
        ]
    if action.status == Action.Status.DROPPED and not action.status_reason.strip():
        errors["status_reason"] = ["Say why the action was dropped."]
    if action.decision_id and action.meeting_id and action.decision.meeting_id != action.meeting_id:
        errors["decision"] = ["Choose a decision of the action's own meeting, or none."]
    return errors


@transaction.atomic
def save_action(
    *,
    action: Action,
    by: AbstractBaseUser,
    loaded_version: int | None = None,
    reason: str | None = None,
) -> Action:
    """Add an action, or save one edited in a form loaded at `loaded_version`.

    The day it was agreed follows its meeting. A new version is claimed by one
    conditional UPDATE, so two concurrent saves of one loaded version cannot
    both pass.
    """
    require_governance_keeper(by)
    if action.meeting_id:
        action.created_on = agreed_on(action.meeting)
    errors = action_problems(action)
    _full_clean(action, errors)
    change_reason = _reason(action, what="action", reason=reason)
    if not action._state.adding:
        # history: action.save() below records the new version with who and why
        claimed = Action.objects.filter(pk=action.pk, version=loaded_version).update(
            version=F("version") + 1
        )
        if not claimed:
            raise StaleEdit(STALE_EDIT_MESSAGE.format(what="action"), code="stale")
        action.version = loaded_version + 1
    _save(action, by=by, reason=change_reason)
    return action
