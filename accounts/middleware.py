"""Session lifetime and two-factor checks that run on every request."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from accounts import sessions, two_factor

# Pages an unverified user may still open: where they give the code, and logging out.
TWO_FACTOR_EXEMPT = {
    "accounts:two-factor-setup",
    "accounts:two-factor-verify",
    "logout",
    "admin:logout",
}


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login however active it is; renews the idle timeout.

    Goes after SessionMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session key alone says whether someone is logged in: no user query.
        if SESSION_KEY in request.session:
            if sessions.has_outlived_its_limit(request.session):
                logout(request)  # flushes the session from the store
                messages.info(
                    request,
                    "You have been logged out because you logged in more than 12 hours ago. "
                    "Log in again to carry on.",
                )
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
            sessions.renew_if_due(request.session)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends a user who owes a one-time code to give it (or to set up an app) first.

    Goes after django_otp's OTPMiddleware and Django's LoginRequiredMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or SESSION_KEY not in request.session:
            return None
        match = request.resolver_match
        if match.view_name in TWO_FACTOR_EXEMPT:
            return None
        enrolled = request.session.get(two_factor.ENROLLED, False)
        staff_in_admin = (
            settings.REQUIRE_STAFF_TWO_FACTOR
            and "admin" in match.namespaces
            and request.user.is_staff
        )
        if not (enrolled or staff_in_admin) or request.user.is_verified():
            return None
        if enrolled or user_has_device(request.user, confirmed=True):
            target = "accounts:two-factor-verify"
        else:
            target = "accounts:two-factor-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
