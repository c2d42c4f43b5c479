"""Session lifetimes: an idle timeout and an absolute limit from the moment of login.

Django's own expiry gives the idle timeout: the session row and cookie expire
SESSION_COOKIE_AGE seconds after the session was last saved. Saving on every
request (SESSION_SAVE_EVERY_REQUEST) would add a write to every page, so the
middleware renews the expiry at most once a SESSION_RENEW_AFTER seconds: a
user who is active stays logged in, one idle for SESSION_COOKIE_AGE is not
(give or take that renewal interval). The absolute limit needs the login time,
which Django does not keep per session: `start_session` stores it.
"""

import time

from django.conf import settings
from django.http import HttpRequest

LOGGED_IN_AT = "accounts_logged_in_at"
RENEWED_AT = "accounts_renewed_at"


def start_session(sender, request: HttpRequest, user, **kwargs) -> None:
    """Receiver of user_logged_in: the session's clock starts now."""
    now = int(time.time())
    request.session[LOGGED_IN_AT] = now
    request.session[RENEWED_AT] = now


def has_outlived_its_limit(session) -> bool:
    logged_in_at = session.get(LOGGED_IN_AT)
    if logged_in_at is None:
        # A session from before this limit existed: its clock starts now.
        session[LOGGED_IN_AT] = int(time.time())
        return False
    return time.time() - logged_in_at >= settings.SESSION_ABSOLUTE_AGE


def renew_if_due(session) -> None:
    """Push the idle expiry forward if the last renewal is old enough."""
    now = int(time.time())
    if now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_AFTER:
        # Any change marks the session modified; SessionMiddleware then saves it
        # with a new expiry and sends a fresh cookie.
        session[RENEWED_AT] = now


def expires_in(session) -> int:
    """Seconds until the idle timeout ends this session, if nothing renews it first.

    Counted from the last renewal, so never later than the stored expiry (a save
    for another reason only pushes that further away).
    """
    renewed_at = session.get(RENEWED_AT, int(time.time()))
    left = int(renewed_at + settings.SESSION_COOKIE_AGE - time.time())
    # Never more than a whole timeout (a clock set back would say more).
    return max(0, min(left, settings.SESSION_COOKIE_AGE))


def extend(session) -> int:
    """Restart the idle timeout now ("Stay signed in"); the seconds it now has."""
    session[RENEWED_AT] = int(time.time())
    return settings.SESSION_COOKIE_AGE


def is_ending(session) -> bool:
    """Is the session about to end of idleness (the page's timer agrees with the server's)?

    False when another tab or window has kept it alive meanwhile: then that tab
    must not be signed out because this one was left alone.
    """
    return expires_in(session) <= settings.SESSION_END_EARLY + settings.SESSION_END_SLACK
