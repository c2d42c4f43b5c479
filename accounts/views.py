"""The account page and the two-factor pages: set up an authenticator app, give a code."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts import services, two_factor
from accounts.forms import TwoFactorCodeForm

# The secret of an app being set up, kept in the session until a code proves it.
SETUP_KEY = "accounts_two_factor_setup_key"


def _next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _with_next(view_name: str, next_url: str) -> str:
    return f"{reverse(view_name)}?{urlencode({'next': next_url})}"


def _secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps ask for it."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_code_svg(uri: str) -> str:
    """An SVG QR code drawn on the server: the secret never leaves for a QR service."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000000", light="#ffffff")
    # The surrounding element carries the text alternative.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


@require_http_methods(["GET"])
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "two_factor_on": user_has_device(request.user, confirmed=True),
            "two_factor_required": request.user.is_staff,
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    next_url = _next_url(request, reverse("accounts:account"))
    if user_has_device(user, confirmed=True):
        # One app per person; an admin removes a lost one (Admin > TOTP devices).
        if user.is_verified():
            messages.info(request, "Two-factor authentication is already set up.")
            return redirect(next_url)
        return redirect(_with_next("accounts:two-factor-verify", next_url))

    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = default_key()
    device = TOTPDevice(user=user, key=key)

    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            confirmed = services.enrol_totp_device(
                user=user, key=key, code=form.cleaned_data["code"]
            )
            if confirmed is not None:
                del request.session[SETUP_KEY]
                request.session.cycle_key()
                otp_login(request, confirmed)
                request.session[two_factor.ENROLLED] = True
                messages.success(
                    request,
                    "Two-factor authentication is set up. You will be asked for a code "
                    "each time you log in.",
                )
                return redirect(next_url)
            form.add_error(
                "code",
                "The security code is not right. Check the app shows this account and "
                "enter the code it shows now",
            )
        status = 400

    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "otpauth_uri": device.config_url,
            "qr_code_svg": _qr_code_svg(device.config_url),
            "secret": _secret_for_typing(device),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    next_url = _next_url(request, reverse("dashboard:home"))
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user, confirmed=True):
        # The app was removed (by an admin) since login: nothing to check.
        request.session[two_factor.ENROLLED] = False
        return redirect(_with_next("accounts:two-factor-setup", next_url))

    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            check = services.check_two_factor_code(user=user, code=form.cleaned_data["code"])
            if check.device is not None:
                request.session.cycle_key()
                otp_login(request, check.device)
                return redirect(next_url)
            if check.locked_until is not None:
                status = 429
                form.add_error(
                    "code",
                    "You have entered too many wrong codes. Wait until "
                    f"{time_format(localtime(check.locked_until), 'H:i:s')} and try again",
                )
            else:
                form.add_error(
                    "code",
                    "The security code is not right. Enter the code your authenticator app "
                    "shows now",
                )

    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": next_url},
        status=status,
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): a page, not a bare message."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view; a refused change answers 400 like every other form here."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
