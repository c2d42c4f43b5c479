"""Who must give a one-time code from their authenticator app, and when.

Two-factor authentication (TOTP, django-otp) is required of staff reaching
Django admin whenever settings.REQUIRE_STAFF_TWO_FACTOR is on (always, with
DEBUG off), and optional for everyone else. Whoever has set it up is asked for
a code after every login, before any page. Whether a user has set it up is
looked up once at login and kept in the session, so ordinary pages pay no query.
"""

from django.http import HttpRequest
from django_otp import user_has_device

ENROLLED = "accounts_two_factor_enrolled"


def note_enrolment(sender, request: HttpRequest, user, **kwargs) -> None:
    """Receiver of user_logged_in: remember whether this user must give a code."""
    request.session[ENROLLED] = user_has_device(user, confirmed=True)
