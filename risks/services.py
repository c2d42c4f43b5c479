"""Writes to the risk register: keyword-only functions, one transaction each.

Every function here
- checks the register's rules and raises ValidationError with a message meant
  for the person (keyed by field where there is one);
- full_clean()s before saving, so the model's constraints speak first in words;
- bumps the risk's `version`, so that an admin form loaded before this write is
  refused rather than silently overwriting it (optimistic locking, see
  `save_risk`);
- records who did it (`by`) and, for the workflow steps, why, in the risk's
  history.

The workflow steps (review, accept, reject, close, reopen) reload the risk under
a row lock first: the caller's copy may be minutes old (a changelist row), and
only the fields the step changes should be written.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator

from risks import scoring
from risks.models import MitigatingAction, Risk, RiskReview, ScoreBand

# simple-history keeps the reason for a change in a 100-character column.
HISTORY_REASON_LENGTH = 100
REOPEN_PREFIX = "Reopened: "
# A reopening reason lives only in the history, so it must fit there whole.
REOPEN_REASON_MAX_LENGTH = HISTORY_REASON_LENGTH - len(REOPEN_PREFIX)

STALE_EDIT_MESSAGE = (
    "Someone else saved this risk while you were editing it, so your changes have not "
    "been saved. They are still in the form below. Open the risk's history in a new tab "
    "to see what changed; then save again to replace their version with yours."
)


REVIEW_STALE_MESSAGE = (
    "This risk has changed since the form was opened (a review may already have been "
    "recorded: by someone else, or by this form sent twice), so this review has not been "
    "recorded. What you entered is still in the form below: check the risk's reviews, "
    "then record it again only if it is still needed."
)


class StaleEdit(ValidationError):
    """The risk was saved by someone else after this edit began."""


def _date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _lock(risk: Risk) -> None:
    # No-op on SQLite, which serialises writers anyway; a row lock on PostgreSQL.
    risk.refresh_from_db(from_queryset=Risk.objects.select_for_update())


def _bands() -> list[ScoreBand]:
    return list(ScoreBand.objects.all())


def _check_scores(errors: dict, **scores) -> None:
    for field_name, value in scores.items():
        if not scoring.is_valid_score(value):
            errors[field_name] = scoring.out_of_range_message(field_name)


def _require_status(risk: Risk, status: Risk.Status, doing: str) -> None:
    if risk.status != status:
        raise ValidationError(
            f"{risk} is {risk.get_status_display().lower()}: only "
            f"{status.label.lower()} risks can be {doing}.",
            code="wrong_status",
        )


def _save(
    risk: Risk, *, expected_version: int | None, by: AbstractBaseUser, reason: str | None
) -> None:
    """Validate, check and bump the version, and save with who and why in the history."""
    risk.full_clean()
    if not risk._state.adding:
        # One conditional UPDATE both checks and claims the version, so two
        # concurrent saves cannot both pass the check.
        # history: risk.save() below records the new version with who and why
        claimed = Risk.objects.filter(pk=risk.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not claimed:
            raise StaleEdit(STALE_EDIT_MESSAGE, code="stale")
        risk.version = expected_version + 1
    risk._history_user = by
    risk._change_reason = Truncator(reason).chars(HISTORY_REASON_LENGTH) if reason else None
    risk.save()


def _add_review(
    *,
    risk: Risk,
    reviewed_on: datetime.date,
    likelihood: int,
    consequence: int,
    note: str,
    by: AbstractBaseUser,
    reviewer_role: str = "",
) -> RiskReview:
    review = RiskReview(
        risk=risk,
        reviewed_on=reviewed_on,
        reviewer=by,
        reviewer_role=reviewer_role,
        likelihood=likelihood,
        consequence=consequence,
        note=note,
    )
    review.full_clean()
    review._history_user = by
    review.save()
    return review


@transaction.atomic
def record_review(
    *,
    risk: Risk,
    reviewed_on: datetime.date,
    likelihood: int,
    consequence: int,
    note: str,
    by: AbstractBaseUser,
    expected_version: int | None = None,
    reviewer_role: str = "",
) -> RiskReview:
    """Record a review of an open risk; its score becomes the risk's current score.

    The current score is always the latest review's (by date), so a review
    back-dated before the latest one is kept but does not change the score.
    The next review date follows from the latest review and its band.

    `expected_version` is the risk's version when the review form was opened:
    one form records one review, so a second post of it (a double click, the
    back button, a second tab) is refused with StaleEdit. The check is made
    under the row lock, so concurrent posts cannot both pass it. None (no
    check) where no form was opened: code, and the reviews' own add page,
    which chooses the risk in the form.
    """
    _lock(risk)
    if expected_version is not None and risk.version != expected_version:
        raise StaleEdit(REVIEW_STALE_MESSAGE, code="stale")
    _require_status(risk, Risk.Status.OPEN, "reviewed")
    errors = {}
    date_problem = scoring.review_date_error(
        reviewed_on=reviewed_on, date_raised=risk.date_raised, today=timezone.localdate()
    )
    if date_problem:
        errors["reviewed_on"] = date_problem
    _check_scores(errors, likelihood=likelihood, consequence=consequence)
    if not (note or "").strip():
        errors["note"] = "Add a note: what the review found or decided."
    if errors:
        raise ValidationError(errors)

    review = _add_review(
        risk=risk,
        reviewed_on=reviewed_on,
        likelihood=likelihood,
        consequence=consequence,
        note=note.strip(),
        by=by,
        reviewer_role=reviewer_role,
    )
    latest = risk.reviews.order_by("-reviewed_on", "-id").first()
    risk.current_likelihood = latest.likelihood
    risk.current_consequence = latest.consequence
    risk.next_review_date = scoring.next_review_date(
        risk=risk, reviewed_on=latest.reviewed_on, bands=_bands()
    )
    _save(
        risk,
        expected_version=risk.version,
        by=by,
        reason=f"Review of {_date(reviewed_on)} recorded: score {likelihood * consequence}",
    )
    return review


@transaction.atomic
def propose_risk(
    *,
    title: str,
    description: str,
    category,
    locality,
    source: str,
    by: AbstractBaseUser,
    reason: str,
) -> Risk:
    """Put a risk someone raised on the register as proposed, for the office to accept or reject.

    The quarterly update's raised risks arrive this way (updates.services on
    submission): the register's rules for a new risk stay here, in its own app.
    """
    risk = Risk(
        title=title,
        description=description,
        category=category,
        locality=locality,
        status=Risk.Status.PROPOSED,
        date_raised=timezone.localdate(),
        raised_by=by,
        source=source,
    )
    _save(risk, expected_version=None, by=by, reason=reason)
    return risk


@transaction.atomic
def accept_proposed_risk(
    *,
    risk: Risk,
    reference: str,
    owner_role: str,
    inherent: tuple[int, int],
    current: tuple[int, int],
    target: tuple[int, int],
    by: AbstractBaseUser,
) -> Risk:
    """Accept a risk a locality lead proposed onto the register, as an open risk.

    Each score is a (likelihood, consequence) pair. The current score is
    recorded as the risk's first review, dated today.
    """
    _lock(risk)
    _require_status(risk, Risk.Status.PROPOSED, "accepted")
    errors = {}
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = "Give the risk a reference, such as LC-R14."
    elif Risk.objects.filter(reference=reference).exclude(pk=risk.pk).exists():
        errors["reference"] = f"{reference} is already another risk's reference: choose another."
    if not (owner_role or "").strip():
        errors["owner_role"] = "Name the role that owns the risk (a role, not a person)."
    for stage, (likelihood, consequence) in {
        "inherent": inherent,
        "current": current,
        "target": target,
    }.items():
        _check_scores(
            errors,
            **{f"{stage}_likelihood": likelihood, f"{stage}_consequence": consequence},
        )
    today = timezone.localdate()
    date_problem = scoring.review_date_error(
        reviewed_on=today, date_raised=risk.date_raised, today=today
    )
    if date_problem:
        errors[NON_FIELD_ERRORS] = f"The risk cannot be scored today. {date_problem}"
    if errors:
        raise ValidationError(errors)

    risk.reference = reference
    risk.owner_role = owner_role.strip()
    risk.inherent_likelihood, risk.inherent_consequence = inherent
    risk.current_likelihood, risk.current_consequence = current
    risk.target_likelihood, risk.target_consequence = target
    risk.status = Risk.Status.OPEN
    risk.next_review_date = scoring.next_review_date(risk=risk, reviewed_on=today, bands=_bands())
    _save(risk, expected_version=risk.version, by=by, reason=f"Accepted as {reference}")
    _add_review(
        risk=risk,
        reviewed_on=today,
        likelihood=current[0],
        consequence=current[1],
        note="Scored when the proposed risk was accepted onto the register.",
        by=by,
    )
    return risk


@transaction.atomic
def reject_proposed_risk(*, risk: Risk, reason: str, by: AbstractBaseUser) -> Risk:
    _lock(risk)
    _require_status(risk, Risk.Status.PROPOSED, "rejected")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the proposed risk is rejected."})
    risk.status = Risk.Status.REJECTED
    risk.rejection_reason = reason.strip()
    _save(risk, expected_version=risk.version, by=by, reason="Rejected")
    return risk


@transaction.atomic
def close_risk(*, risk: Risk, note: str, by: AbstractBaseUser) -> Risk:
    _lock(risk)
    _require_status(risk, Risk.Status.OPEN, "closed")
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the risk is closed."})
    risk.status = Risk.Status.CLOSED
    risk.closing_note = note.strip()
    risk.closed_on = timezone.localdate()
    _save(risk, expected_version=risk.version, by=by, reason="Closed")
    return risk


@transaction.atomic
def reopen_risk(*, risk: Risk, reason: str, by: AbstractBaseUser) -> Risk:
    """Reopen a closed risk. Its closing note is cleared (the history keeps it).

    The next review date is left as it was: a risk reopened after its review
    fell due shows as overdue, which is what the programme office should see.
    """
    _lock(risk)
    _require_status(risk, Risk.Status.CLOSED, "reopened")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the risk is reopened."})
    if len(reason) > REOPEN_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": f"Keep the reason to {REOPEN_REASON_MAX_LENGTH} characters: "
                "it is kept in the risk's history."
            }
        )
    risk.status = Risk.Status.OPEN
    risk.closing_note = ""
    risk.closed_on = None
    _save(risk, expected_version=risk.version, by=by, reason=f"{REOPEN_PREFIX}{reason}")
    return risk


@transaction.atomic
def save_risk(*, risk: Risk, expected_version: int | None, by: AbstractBaseUser) -> Risk:
    """Save an edit made in the admin form, or add a new risk.

    An edit is refused with StaleEdit, saving nothing, when the risk's version
    in the database is no longer `expected_version`: someone saved it after
    the form was loaded. A new open risk's current score is recorded as its
    first review, dated today.
    """
    today = timezone.localdate()
    errors = {}
    if risk.date_raised and risk.date_raised > today:
        errors["date_raised"] = "The date raised cannot be in the future."
    elif risk.date_raised and not risk._state.adding:
        first_review = (
            risk.reviews.order_by("reviewed_on").values_list("reviewed_on", flat=True).first()
        )
        if first_review and risk.date_raised > first_review:
            errors["date_raised"] = (
                f"The risk cannot be raised after its first review ({_date(first_review)})."
            )
    if errors:
        raise ValidationError(errors)

    if not risk._state.adding:
        _save(risk, expected_version=expected_version, by=by, reason=None)
        return risk

    risk.version = 1
    first_score = (
        risk.current_likelihood,
        risk.current_consequence,
    )
    scored = risk.status == Risk.Status.OPEN and None not in first_score
    if scored and risk.next_review_date is None:
        risk.next_review_date = scoring.next_review_date(
            risk=risk, reviewed_on=today, bands=_bands()
        )
    _save(risk, expected_version=None, by=by, reason=None)
    if scored:
        _add_review(
            risk=risk,
            reviewed_on=today,
            likelihood=first_score[0],
            consequence=first_score[1],
            note="Scored when the risk was added to the register.",
            by=by,
        )
    return risk


@transaction.atomic
def save_action(*, action: MitigatingAction) -> MitigatingAction:
    """Save a mitigating action, dating its completion.

    `completed_on` is today when the status becomes complete, kept while it
    stays complete and cleared if it is reopened: a past quarter's risk page
    judges the action complete and overdue by that date.
    """
    if action.status != MitigatingAction.Status.COMPLETE:
        action.completed_on = None
    elif action.completed_on is None:
        action.completed_on = timezone.localdate()
        if action.pk and not action.history.exists():
            # Rows loaded from fixtures have no history; record the status it
            # had before, so a past quarter's page can still say what it was.
            MitigatingAction.objects.get(pk=action.pk).save()
    action.full_clean()
    action.save()
    return action
