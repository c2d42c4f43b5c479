"""The idle timer's requests (static/js/session-timeout.js): stay signed in, or end now.

JSON out, for a page's script rather than a person. Like every page they need a
login (and the second factor where owed): anyone else is sent to the login page,
which the script takes as "signed out". The CSRF token comes with every POST,
from the page's own forms.
"""

from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.formats import time_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from accounts import sessions
from updates import typed_sections
from updates.models import TYPED_SECTION_MAX_BYTES
from updates.views.common import find_update


def _not_renewing(view):
    # accounts.middleware.SessionLifetimeMiddleware: asking is not activity.
    view.renews_session = False
    return view


@require_POST
def stay_signed_in(request):
    """ "Stay signed in": the idle timeout starts again now."""
    return JsonResponse({"expires_in": sessions.extend(request.session)})


@_not_renewing
@require_POST
def end_session(request, locality=None, quarter=None, section=None):
    """The page's timer says the session is about to end: keep what was typed, end it.

    With a section in the URL, the POST is that section's form: what was typed is
    kept (updates.typed_sections) before the session ends. If the server's clock
    has more time left (another tab kept the session alive), nothing is kept or
    ended, and the page is told how long is left.
    """
    if not sessions.is_ending(request.session):
        return JsonResponse({"ended": False, "expires_in": sessions.expires_in(request.session)})
    kept_at = None
    if section is not None:
        if int(request.META.get("CONTENT_LENGTH") or 0) > 2 * TYPED_SECTION_MAX_BYTES:
            # Refused before the body is parsed; the exact limit is checked on the JSON.
            return JsonResponse({"error": "What was typed is too large to keep."}, status=413)
        target = find_update(locality, quarter)
        # Someone who does not lead the locality is refused (403) and logged, as
        # everywhere: access.AccessRefused goes up to the refused-access log.
        try:
            kept = typed_sections.keep_typed_section(
                user=request.user,
                locality=target.locality,
                quarter=target.quarter,
                update=target.update,
                section=section,
                data=request.POST,
            )
        except typed_sections.TooLarge as error:
            return JsonResponse({"error": error.messages[0]}, status=413)
        except ValidationError as error:
            status = 409 if getattr(error, "code", None) == "wrong_status" else 400
            return JsonResponse({"error": error.messages[0]}, status=status)
        kept_at = time_format(localtime(kept.kept_at), "H:i")
    logout(request)
    return JsonResponse({"ended": True, "kept": kept_at is not None, "kept_at": kept_at})
