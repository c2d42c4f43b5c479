"""API tokens on the account's side: make one (its key shown once), see yours, revoke one;
the programme office sees everyone's and may revoke any (decision 0026).

Someone with an authenticator app has given a code in this session before any of
these pages opens: accounts.middleware.TwoFactorMiddleware asks it of every page
for whoever has enrolled one (tests/api/test_token_pages.py checks it here)."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from api import services
from api.forms import NewTokenForm
from api.models import ApiToken
from localities import access

# The key of a token just made, kept in the session from the POST until the page that
# shows it once (then removed), as new recovery codes are.
NEW_TOKEN_KEY = "api_new_token_key"


@require_http_methods(["GET", "POST"])
def tokens(request):
    user = request.user
    if not access.can_view_dashboards(user):
        raise access.refuse("API tokens")
    form = NewTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = services.create_token(
            owner=user,
            name=form.cleaned_data["name"],
            lifetime=datetime.timedelta(days=form.cleaned_data["days"]),
        )
        request.session[NEW_TOKEN_KEY] = {"id": made.token.pk, "key": made.key}
        return redirect("api:token-new")
    now = timezone.now()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": [
                (token, token.state(now)) for token in user.api_tokens.select_related("revoked_by")
            ],
            "is_programme_office": access.is_programme_office(user),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def token_new(request):
    """The key of the token just made, once: it leaves the session as the page shows it."""
    shown = request.session.pop(NEW_TOKEN_KEY, None)
    if not shown:
        messages.info(
            request,
            "A token's key is shown only once. If you did not copy it, revoke the token and make another.",
        )
        return redirect("api:tokens")
    token = get_object_or_404(ApiToken, pk=shown["id"], owner=request.user)
    response = render(request, "api/token_new.html", {"token": token, "key": shown["key"]})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
def token_revoke(request, token: int):
    """Revoke a token: its owner's own, or anyone's for the programme office; 404 otherwise."""
    found = get_object_or_404(ApiToken, pk=token)
    if not services.may_revoke(request.user, found):
        raise Http404("No such token.")  # someone else's: as if it did not exist
    services.revoke_token(token=found, by=request.user)
    messages.success(request, f"The token ‘{found.name}’ has been revoked: it no longer works.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("api:tokens")
    return redirect(next_url)


@require_http_methods(["GET"])
def all_tokens(request):
    """Every token, everyone's: the programme office's list, to revoke any of them."""
    if not access.is_programme_office(request.user):
        raise access.refuse("everyone's API tokens")
    now = timezone.now()
    return render(
        request,
        "api/all_tokens.html",
        {
            "tokens": [
                (token, token.state(now))
                for token in ApiToken.objects.select_related("owner", "revoked_by")
            ]
        },
    )
