"""What a lead had typed, not saved, when their idle session ended (TypedSection).

Two minutes before an idle session ends the page warns (static/js/session-timeout.js);
if it ends anyway, the page sends the open section's form here a few seconds
before, and the lead finds it back in the form after logging in again. Kept on
the server, never in the browser: pages are `no-store`, and nothing is written
to localStorage or sessionStorage.

Kept as the raw POST, not saved through save_draft: half-typed text may not pass
the section's checks, and nothing changes the update until its lead presses a save
button (the stale-edit check, the history and the update's version stay theirs).
"""

import json

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from localities import access
from localities.models import Locality, Quarter
from updates.models import TYPED_SECTION_MAX_BYTES, QuarterlyUpdate, TypedSection
from updates.services import EDITABLE_STATUSES, SECTION_HEADINGS, SECTIONS

# Fields of the page's form that are not what was typed.
NOT_TYPED = {"csrfmiddlewaretoken", "save", "save_and_continue"}


class TooLarge(ValidationError):
    """More than TYPED_SECTION_MAX_BYTES to keep."""


def _require_can_keep(
    *, user, locality: Locality, quarter: Quarter, update: QuarterlyUpdate, section: str
) -> None:
    if section not in SECTION_HEADINGS:
        raise ValidationError("There is no such section.", code="no_such_section")
    if not access.can_work_on_return(user, locality, quarter):
        raise access.refuse(
            "keeping what was typed in this locality's update",
            locality,
            message=f"Only the lead for {locality} at the end of {quarter} can change its update.",
        )
    if update.pk is not None and update.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"The update is {update.get_status_display().lower()}, so it cannot be changed.",
            code="wrong_status",
        )


@transaction.atomic
def keep_typed_section(
    *,
    user: AbstractBaseUser,
    locality: Locality,
    quarter: Quarter,
    update: QuarterlyUpdate,
    section: str,
    data: QueryDict,
) -> TypedSection:
    """Keep what `user` typed in `section` (the form's POST), replacing what was kept before.

    Refused (access.AccessRefused) unless they led the locality at the quarter's
    end; ValidationError if the section is unknown or the update is no longer
    editable; TooLarge over TYPED_SECTION_MAX_BYTES.
    """
    _require_can_keep(user=user, locality=locality, quarter=quarter, update=update, section=section)
    typed = {name: data.getlist(name) for name in data if name not in NOT_TYPED}
    if len(json.dumps(typed).encode()) > TYPED_SECTION_MAX_BYTES:
        raise TooLarge("What was typed is too large to keep.", code="too_large")
    kept = (
        TypedSection.objects.select_for_update()
        .filter(user=user, locality=locality, quarter=quarter, section=section)
        .first()
    ) or TypedSection(user=user, locality=locality, quarter=quarter, section=section)
    kept.data = typed
    kept.kept_at = timezone.now()
    kept.full_clean()
    kept._history_user = user
    kept._change_reason = "Kept as the session ended"
    kept.save()
    return kept


@transaction.atomic
def discard_typed_section(
    *, user: AbstractBaseUser, locality: Locality, quarter: Quarter, section: str, reason: str
) -> bool:
    """Delete what was kept of `user`'s typing in `section`; whether there was any.

    Each person sees and discards only their own, so no other check is needed.
    """
    found = False
    for kept in TypedSection.objects.filter(
        user=user, locality=locality, quarter=quarter, section=section
    ):
        kept._history_user = user
        kept._change_reason = reason
        kept.delete()
        found = True
    return found


def typed_section_for(
    *, user: AbstractBaseUser, locality: Locality, quarter: Quarter, section: str
) -> TypedSection | None:
    """What `user` typed in `section` and did not save, if anything was kept."""
    return TypedSection.objects.filter(
        user=user, locality=locality, quarter=quarter, section=section
    ).first()


def typed_sections_for(
    *, user: AbstractBaseUser, locality: Locality, quarter: Quarter
) -> list[tuple[str, str, TypedSection]]:
    """(slug, heading, kept) for each section of the update where `user` has typing kept."""
    kept = {
        row.section: row
        for row in TypedSection.objects.filter(user=user, locality=locality, quarter=quarter)
    }
    return [(slug, heading, kept[slug]) for slug, heading in SECTIONS if slug in kept]


def as_post(kept: TypedSection) -> QueryDict:
    """The kept fields as the POST they came from, to bind the section's forms to."""
    data = QueryDict(mutable=True)
    for name, values in kept.data.items():
        data.setlist(name, [str(value) for value in values])
    return data
