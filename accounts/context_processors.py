"""What every page's idle-timeout warning needs (templates/includes/session_timeout.html)."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.template.defaultfilters import pluralize

from accounts import sessions


def session_timeout(request) -> dict:
    """Seconds until the idle timeout, and when to warn: for logged-in pages only.

    No query: the session is read anyway by the middleware before any page.
    """
    if SESSION_KEY not in request.session:
        return {}
    return {
        "session_timeout": {
            "expires_in": sessions.expires_in(request.session),
            "warn_before": settings.SESSION_WARN_BEFORE,
            "end_early": settings.SESSION_END_EARLY,
            "idle_for": _duration(settings.SESSION_COOKIE_AGE),
        }
    }


def _duration(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} second{pluralize(seconds)}"
    return f"{seconds // 60} minute{pluralize(seconds // 60)}"
