"""The API tokens pages: make a token (its key shown once), see yours, revoke one; the
programme office sees and revokes anyone's."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken
from api.services import create_token

TOKENS = reverse("api:tokens")
NEW = reverse("api:token-new")
ALL = reverse("api:all-tokens")
XSS = "<img src=x onerror=alert(1)>"


def _revoke(token):
    return reverse("api:token-revoke", kwargs={"token": token.pk})


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (TOKENS, NEW, ALL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_people_without_a_programme_role_are_refused(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(TOKENS).status_code == 403
    assert client.post(TOKENS, {"name": "x", "days": "90"}).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["board_user", "lead_thanet", "office_user", "admin_user"])
def test_every_programme_role_makes_a_token_and_sees_its_key_once(
    client, request, role, programme_data
):
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.post(TOKENS, {"name": "Power BI", "days": "90"})

    assert response.status_code == 302
    assert response["Location"] == NEW
    shown = client.get(NEW)
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    key = shown.context["key"]
    assert key.startswith("lc_")
    assert key in shown.content.decode()
    token = ApiToken.objects.get(owner=user)
    assert token.name == "Power BI"
    # Once: the key has left the session, and the list shows only its start.
    again = client.get(NEW)
    assert again.status_code == 302
    listed = client.get(TOKENS).content.decode()
    assert key not in listed
    assert f"lc_{token.prefix}…" in listed
    # And it works.
    assert (
        client.get(
            reverse("api:localities"), headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 200
    )


def test_the_account_page_links_to_the_tokens(client, programme_data, board_user):
    client.force_login(board_user)

    assert TOKENS in client.get(reverse("accounts:account")).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "days": "90"}, "name", "Enter a name for the token"),
        ({"name": "   ", "days": "90"}, "name", "Enter a name for the token"),
        ({"name": "x" * 101, "days": "90"}, "name", "at most 100 characters"),
        ({"name": "ok", "days": ""}, "days", "Enter how many days the token lasts"),
        ({"name": "ok", "days": "ninety"}, "days", "whole number"),
        ({"name": "ok", "days": "0"}, "days", "at least 1 day"),
        ({"name": "ok", "days": "366"}, "days", "365 days (a year) at most"),
    ],
)
def test_bad_input_is_a_400_with_a_linked_message_and_nothing_saved(
    client, board_user, db, data, field, message
):
    client.force_login(board_user)

    response = client.post(TOKENS, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert "<title>Error:" in page
    assert not ApiToken.objects.exists()


def test_the_name_is_escaped(client, board_user, db):
    client.force_login(board_user)
    client.post(TOKENS, {"name": XSS, "days": "90"})

    assert XSS not in client.get(NEW).content.decode()
    assert XSS not in client.get(TOKENS).content.decode()
    assert "&lt;img" in client.get(TOKENS).content.decode()


def test_csrf_is_checked(board_user, db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(board_user)

    assert client.post(TOKENS, {"name": "x", "days": "90"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_an_owner_revokes_their_token(client, board_user, db):
    made = create_token(owner=board_user, name="old")
    client.force_login(board_user)

    response = client.post(_revoke(made.token))

    assert response.status_code == 302
    assert ApiToken.objects.get(pk=made.token.pk).revoked_at is not None
    assert "Revoked" in client.get(TOKENS).content.decode()


def test_someone_elses_token_is_not_found(client, board_user, lead_thanet):
    made = create_token(owner=board_user, name="board's")
    client.force_login(lead_thanet)

    assert client.post(_revoke(made.token)).status_code == 404
    assert client.post(reverse("api:token-revoke", kwargs={"token": 999999})).status_code == 404
    assert ApiToken.objects.get(pk=made.token.pk).revoked_at is None


def test_revoking_takes_post_only(client, board_user, db):
    made = create_token(owner=board_user, name="x")
    client.force_login(board_user)

    assert client.get(_revoke(made.token)).status_code == 405


def test_revoking_goes_back_only_to_this_site(client, board_user, db):
    made = create_token(owner=board_user, name="x")
    client.force_login(board_user)

    response = client.post(_revoke(made.token), {"next": "https://evil.example/"})

    assert response["Location"] == TOKENS


def test_the_office_lists_and_revokes_anyones_tokens(client, board_user, office_user):
    made = create_token(owner=board_user, name=XSS)
    client.force_login(office_user)

    listed = client.get(ALL)
    response = client.post(_revoke(made.token), {"next": ALL})

    assert listed.status_code == 200
    assert "board" in listed.content.decode()
    assert XSS not in listed.content.decode()
    assert response["Location"] == ALL
    token = ApiToken.objects.get(pk=made.token.pk)
    assert token.revoked_by == office_user
    assert "by office" in client.get(ALL).content.decode()


@pytest.mark.parametrize("role", ["board_user", "lead_thanet"])
def test_only_the_office_lists_everyones_tokens(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(ALL).status_code == 403


def test_someone_with_an_authenticator_gives_a_code_first(client, board_user, db):
    TOTPDevice.objects.create(user=board_user, name="app", confirmed=True)
    client.force_login(board_user)  # a password alone: not verified in this session

    shown = client.get(TOKENS)
    made = client.post(TOKENS, {"name": "x", "days": "90"})

    assert shown.status_code == 302
    assert shown["Location"].startswith(reverse("accounts:two-factor-verify"))
    assert made.status_code == 302
    assert made["Location"].startswith(reverse("accounts:two-factor-verify"))
    assert not ApiToken.objects.exists()
