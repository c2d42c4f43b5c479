"""Writes about accounts: two-factor devices, recovery codes and deactivation."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def _totp_for(device: TOTPDevice) -> TOTP:
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    # Shown once, straight after set-up; the database keeps them to check them.
    recovery_codes: list[str]


@transaction.atomic
def enrol_totp_device(*, user, key: str, code: str) -> Enrolment | None:
    """Confirm a new authenticator app for `user` if `code` comes from `key`.

    The secret stays out of the database until the person has shown that their
    app produces codes from it. A fresh set of recovery codes comes with it.
    Returns the confirmed device and the codes, or None.
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
    return Enrolment(device=device, recovery_codes=replace_recovery_codes(user=user))


@transaction.atomic
def replace_recovery_codes(*, user) -> list[str]:
    """Ten new single-use recovery codes for `user`; any earlier ones stop working.

    Returns the codes, to be shown once: afterwards nobody reads them back.
    """
    device = (
        StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
    ) or StaticDevice(user=user, name=RECOVERY_DEVICE_NAME)
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    # Any other set (made in admin, say) goes too: one set of codes per person.
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = _new_codes(RECOVERY_CODE_COUNT)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    logger.info("New recovery codes for user %s; any earlier ones no longer work", user.pk)
    return codes


def _new_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(StaticToken.random_token())  # 8 characters of base32: 40 random bits
    return sorted(codes)


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | StaticDevice | None
    # When a run of wrong codes has made django-otp refuse to check for a while.
    locked_until: datetime | None = None
    # After a recovery code: how many are left.
    codes_left: int | None = None


def _check_locked(device, *, user, code: str, kind: str) -> CodeCheck:
    """Verify `code` on a device whose row the caller has locked.

    The lock keeps parallel guesses from slipping past django-otp's back-off
    (1, 2, 4, 8 ... seconds after successive failures) and a recovery code
    from being used twice at once.
    """
    if device is None:
        return CodeCheck(device=None)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        logger.warning("%s refused while throttled for user %s", kind, user.pk)
        return CodeCheck(device=None, locked_until=details.get("locked_until"))
    if device.verify_token(code):
        return CodeCheck(device=device)
    logger.warning(
        "Wrong %s for user %s (%s in a row)", kind.lower(), user.pk, device.throttling_failure_count
    )
    return CodeCheck(device=None)


@transaction.atomic
def check_two_factor_code(*, user, code: str) -> CodeCheck:
    """Check a code from `user`'s confirmed device; wrong codes count towards throttling."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    return _check_locked(device, user=user, code=code, kind="Two-factor code")


@transaction.atomic
def use_recovery_code(*, user, code: str) -> CodeCheck:
    """Check and spend one of `user`'s recovery codes; wrong codes count towards throttling.

    A code that works is deleted (django-otp's StaticDevice), so it never works again.
    """
    device = (
        StaticDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    check = _check_locked(device, user=user, code=code, kind="Recovery code")
    if check.device is None:
        return check
    left = check.device.token_set.count()
    logger.warning("User %s logged in with a recovery code; %s left", user.pk, left)
    return CodeCheck(device=check.device, codes_left=left)


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
