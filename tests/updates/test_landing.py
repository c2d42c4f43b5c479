"""After logging in each role lands on its own work; a `next` still wins."""

import pytest
from django.urls import reverse

from localities.demo import DEMO_PASSWORD

START = reverse("updates:start")


def log_in(client, username, *, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": username, "password": DEMO_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


@pytest.mark.parametrize(
    ("user_fixture", "username", "lands_on"),
    [
        ("lead_thanet", "lead-thanet", "updates:mine"),
        ("office_user", "office", "updates:returns"),
        ("board_user", "board", "dashboard:home"),
        ("admin_user", "admin", "dashboard:home"),
    ],
)
def test_each_role_lands_on_its_own_page_after_logging_in(
    request, client, programme_data, user_fixture, username, lands_on
):
    request.getfixturevalue(user_fixture)

    response = log_in(client, username)

    assert response.status_code == 302
    assert response["Location"] == START
    landing = client.get(START)
    assert landing.status_code == 302
    assert landing["Location"] == reverse(lands_on)


def test_a_lead_who_is_also_in_the_office_lands_on_my_localities(client, lead_thanet):
    from django.contrib.auth.models import Group

    from localities import access

    lead_thanet.groups.add(Group.objects.get(name=access.PROGRAMME_OFFICE))
    client.force_login(lead_thanet)

    assert client.get(START)["Location"] == reverse("updates:mine")


def test_a_lead_follows_the_redirect_to_my_localities(client, lead_thanet):
    response = client.post(
        reverse("login"), {"username": "lead-thanet", "password": DEMO_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("updates:mine")
    assert response.status_code == 200
    assert "My localities" in response.text


@pytest.mark.parametrize("username", ["lead-thanet", "board"])
def test_next_on_the_login_page_wins_over_the_landing_page(
    client, lead_thanet, board_user, username
):
    wanted = reverse("dashboard:risks")

    response = log_in(client, username, next_url=wanted)

    assert response.status_code == 302
    assert response["Location"] == wanted


def test_an_offsite_next_is_ignored_and_the_landing_page_used(client, lead_thanet):
    response = log_in(client, "lead-thanet", next_url="https://evil.example/")

    assert response["Location"] == START


def test_anonymous_visitors_are_sent_to_log_in_first(client, db):
    response = client.get(START)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/start/" in response["Location"]


def test_someone_with_no_role_is_sent_to_the_overview_which_refuses_them(client, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password=DEMO_PASSWORD)
    client.force_login(nobody)

    response = client.get(START)

    assert response["Location"] == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).status_code == 403


def test_the_landing_is_get_only(client, board_user):
    client.force_login(board_user)

    assert client.post(START).status_code == 405
