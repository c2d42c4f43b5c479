"""Writes about accounts: two-factor devices and deactivation."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"


def _totp_for(device: TOTPDevice) -> TOTP:
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)


@transaction.atomic
def enrol_totp_device(*, user, key: str, code: str) -> TOTPDevice | None:
    """Confirm a new authenticator app for `user` if `code` comes from `key`.

    The secret stays out of the database until the person has shown that their
    app produces codes from it. Returns the confirmed device, or None.
    """
    device = TOTPDevice(user=user, key=key, name=DEVICE_NAME, confirmed=True)
    device.full_clean(exclude=["user"])
    totp = _totp_for(device)
    if not code.isdigit() or not totp.verify(int(code), device.tolerance):
        return None
    # The code just used may not be used again (django-otp refuses t <= last_t).
    device.last_t = totp.t()
    device.save()
    logger.info("Two-factor authentication set up for user %s", user.pk)
    return device


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | None
    # When a run of wrong codes has made django-otp refuse to check for a while.
    locked_until: datetime | None = None


@transaction.atomic
def check_two_factor_code(*, user, code: str) -> CodeCheck:
    """Check a code from `user`'s confirmed device; wrong codes count towards throttling.

    The row is locked so that parallel guesses cannot slip past django-otp's
    back-off (1, 2, 4, 8 ... seconds after successive failures).
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    if device is None:
        return CodeCheck(device=None)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        logger.warning("Two-factor code refused while throttled for user %s", user.pk)
        return CodeCheck(device=None, locked_until=details.get("locked_until"))
    if device.verify_token(code):
        return CodeCheck(device=device)
    logger.warning(
        "Wrong two-factor code for user %s (%s in a row)", user.pk, device.throttling_failure_count
    )
    return CodeCheck(device=None)


@transaction.atomic
def deactivate_users(*, users: QuerySet, by) -> list:
    """Stop `users` logging in; their open sessions end at their next request.

    Nobody deactivates themselves (an admin could lock everyone out). Each
    change is recorded in Django admin's log under `by`. Returns the users
    deactivated.
    """
    targets = list(
        users.filter(is_active=True).exclude(pk=by.pk).select_for_update().order_by("pk")
    )
    if not targets:
        return []
    for user in targets:
        user.is_active = False
        user.save(update_fields=["is_active"])
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=targets,
        action_flag=CHANGE,
        change_message="Deactivated: can no longer log in.",
    )
    logger.info("User %s deactivated users %s", by.pk, ", ".join(str(user.pk) for user in targets))
    return targets
