"""Who must give a one-time code from their authenticator app, and when.

Two-factor authentication (TOTP, django-otp) is required, whenever
settings.REQUIRE_STAFF_TWO_FACTOR is on (always, with DEBUG off), of everyone
`localities.access.must_verify` names: the programme office, staff and
superusers, before any page. It is optional for everyone else. Whoever has set
it up is asked for a code (or a recovery code) after every login, before any
page. Whether a user has set it up is looked up once at login and kept in the
session, so ordinary pages pay no query.
"""

from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

ENROLLED = "accounts_two_factor_enrolled"


def has_authenticator(user) -> bool:
    """A confirmed authenticator app, the thing that turns two-factor on.

    Not django_otp.user_has_device: that counts recovery codes as a device too,
    and codes kept after an admin removed a lost app must not stand in for it.
    """
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def note_enrolment(sender, request: HttpRequest, user, **kwargs) -> None:
    """Receiver of user_logged_in: remember whether this user must give a code."""
    request.session[ENROLLED] = has_authenticator(user)
