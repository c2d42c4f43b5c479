"""The account page and the two-factor pages: set up an authenticator app, give a code,
use and renew recovery codes."""

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
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts import services, two_factor
from accounts.forms import RecoveryCodeForm, TwoFactorCodeForm
from localities import access

# The secret of an app being set up, kept in the session until a code proves it.
SETUP_KEY = "accounts_two_factor_setup_key"
# New recovery codes, kept in the session from the POST that made them until the
# page that shows them once (then removed).
NEW_RECOVERY_CODES = "accounts_new_recovery_codes"


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


def _verified_with(request, device) -> None:
    """This session has given a second factor: a new session key, as at login."""
    request.session.cycle_key()
    otp_login(request, device)


def _show_recovery_codes(request, codes: list[str], next_url: str):
    request.session[NEW_RECOVERY_CODES] = codes
    return redirect(_with_next("accounts:recovery-codes", next_url))


@require_http_methods(["GET"])
def account(request):
    user = request.user
    two_factor_on = two_factor.has_authenticator(user)
    return render(
        request,
        "accounts/account.html",
        {
            "two_factor_on": two_factor_on,
            "two_factor_required": access.must_verify(user),
            "recovery_codes_left": two_factor.recovery_codes_left(user) if two_factor_on else 0,
            "can_use_api": access.can_view_dashboards(user),
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    next_url = _next_url(request, reverse("accounts:account"))
    if two_factor.has_authenticator(user):
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
            enrolment = services.enrol_totp_device(
                user=user, key=key, code=form.cleaned_data["code"]
            )
            if enrolment is not None:
                del request.session[SETUP_KEY]
                _verified_with(request, enrolment.device)
                request.session[two_factor.ENROLLED] = True
                messages.success(
                    request,
                    "Two-factor authentication is set up. You will be asked for a code "
                    "each time you log in.",
                )
                return _show_recovery_codes(request, enrolment.recovery_codes, next_url)
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
            # Why they are here rather than on the page they asked for.
            "required": settings.REQUIRE_STAFF_TWO_FACTOR and access.must_verify(user),
            "otpauth_uri": device.config_url,
            "qr_code_svg": _qr_code_svg(device.config_url),
            "secret": _secret_for_typing(device),
        },
        status=status,
    )


def _refused_code_status(form, check: services.CodeCheck, wrong: str) -> int:
    if check.locked_until is not None:
        form.add_error(
            "code",
            "You have entered too many wrong codes. Wait until "
            f"{time_format(localtime(check.locked_until), 'H:i:s')} and try again",
        )
        return 429
    form.add_error("code", wrong)
    return 400


def _no_code_to_ask(request, next_url: str):
    """Where to go instead when there is no code to ask for, else None."""
    if request.user.is_verified():
        return redirect(next_url)
    if not two_factor.has_authenticator(request.user):
        # The app was removed (by an admin) since login: nothing to check.
        request.session[two_factor.ENROLLED] = False
        return redirect(_with_next("accounts:two-factor-setup", next_url))
    return None


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    next_url = _next_url(request, reverse("dashboard:home"))
    if (elsewhere := _no_code_to_ask(request, next_url)) is not None:
        return elsewhere

    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            check = services.check_two_factor_code(user=user, code=form.cleaned_data["code"])
            if check.device is not None:
                _verified_with(request, check.device)
                return redirect(next_url)
            status = _refused_code_status(
                form,
                check,
                "The security code is not right. Enter the code your authenticator app shows now",
            )

    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "recovery_url": _with_next("accounts:two-factor-recovery", next_url),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def two_factor_recovery(request):
    """Give a recovery code instead of the app's code: each works once."""
    user = request.user
    next_url = _next_url(request, reverse("dashboard:home"))
    if (elsewhere := _no_code_to_ask(request, next_url)) is not None:
        return elsewhere

    form = RecoveryCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            check = services.use_recovery_code(user=user, code=form.cleaned_data["code"])
            if check.device is not None:
                _verified_with(request, check.device)
                left = check.codes_left
                advice = (
                    " Get new ones from your account page before they run out." if left < 4 else ""
                )
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} recovery "
                    f"code{'' if left == 1 else 's'} left.{advice}",
                )
                return redirect(next_url)
            status = _refused_code_status(
                form,
                check,
                "That recovery code is not right or has been used. Check it and try again, "
                "or use another",
            )

    return render(
        request,
        "accounts/two_factor_recovery.html",
        {
            "form": form,
            "next": next_url,
            "verify_url": _with_next("accounts:two-factor-verify", next_url),
        },
        status=status,
    )


@require_http_methods(["GET"])
def recovery_codes(request):
    """New recovery codes, once: they leave the session as the page shows them."""
    codes = request.session.pop(NEW_RECOVERY_CODES, None)
    if not codes:
        messages.info(
            request,
            "Recovery codes are shown only once. If you did not save them, get new ones.",
        )
        return redirect("accounts:account")
    response = render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": [f"{code[:4]} {code[4:]}" for code in codes],
            "next": _next_url(request, reverse("accounts:account")),
        },
    )
    # Nothing on the way (or the back button) keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
def recovery_codes_new(request):
    """Replace the recovery codes: the old ones stop working. Needs the app's code first."""
    user = request.user
    if not two_factor.has_authenticator(user):
        messages.info(request, "Set up two-factor authentication first.")
        return redirect("accounts:two-factor-setup")
    if not user.is_verified():
        return redirect(_with_next("accounts:two-factor-verify", reverse("accounts:account")))
    codes = services.replace_recovery_codes(user=user)
    return _show_recovery_codes(request, codes, reverse("accounts:account"))


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
