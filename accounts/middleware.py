"""Session lifetime and two-factor checks that run on every request."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import sessions, two_factor
from localities import access

# Pages an unverified user may still open: where they give the code, and logging out.
# (Static files and /healthz never reach a view that needs a login.)
TWO_FACTOR_EXEMPT = {
    "accounts:two-factor-setup",
    "accounts:two-factor-verify",
    "accounts:two-factor-recovery",
    "logout",
    "admin:logout",
}


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login however active it is; renews the idle timeout
    on every page but those that ask about it.

    Goes after SessionMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session key alone says whether someone is logged in: no user query.
        if SESSION_KEY in request.session and sessions.has_outlived_its_limit(request.session):
            logout(request)  # flushes the session from the store
            messages.info(
                request,
                "You have been logged out because you logged in more than 12 hours ago. "
                "Log in again to carry on.",
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A view marked `renews_session = False` (the idle timer's own requests, in
        # accounts.session_views) must not count as activity: the page asks whether
        # the session is ending, and asking would keep it alive.
        if SESSION_KEY in request.session and getattr(view_func, "renews_session", True):
            sessions.renew_if_due(request.session)
        return None


class TwoFactorMiddleware:
    """Sends a user who owes a one-time code to give it (or to set up an app) first.

    Who owes one is decided in localities.access (must_verify); this checks it
    for every page, so no view can forget. Goes after django_otp's
    OTPMiddleware and Django's LoginRequiredMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or SESSION_KEY not in request.session:
            return None
        if request.resolver_match.view_name in TWO_FACTOR_EXEMPT:
            return None
        enrolled = request.session.get(two_factor.ENROLLED, False)
        # With the setting off this costs nothing; with it on, the group query
        # is cached on the user for the view's own access checks.
        required = access.owes_second_factor(request.user)
        if not (enrolled or required) or request.user.is_verified():
            return None
        if enrolled or two_factor.has_authenticator(request.user):
            target = "accounts:two-factor-verify"
        else:
            target = "accounts:two-factor-setup"
        # A refused POST (an approval, say) is not repeated after the code: it
        # would arrive as a GET. Its page is opened again instead.
        if request.method in ("GET", "HEAD"):
            next_url = request.get_full_path()
        else:
            next_url = _same_site_referer(request) or reverse("dashboard:home")
        return redirect(f"{reverse(target)}?{urlencode({'next': next_url})}")


def _same_site_referer(request) -> str:
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""
