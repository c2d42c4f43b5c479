"""Everything but the login page and /healthz needs a logged-in user."""

import pytest
from django.urls import reverse

from localities.demo import DEMO_PASSWORD


@pytest.mark.django_db
def test_the_login_page_is_open_to_anonymous_visitors(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Log in" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/password_change/", "/admin/localities/locality/"])
def test_other_pages_send_anonymous_visitors_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_logging_in_lands_on_the_users_landing_page(client, board_user):
    response = client.post(
        reverse("login"), {"username": "board", "password": DEMO_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("dashboard:home")
    assert response.wsgi_request.user == board_user


def test_a_wrong_password_is_refused_with_a_message(client, board_user):
    response = client.post(reverse("login"), {"username": "board", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_is_by_post_only_and_ends_the_session(client, board_user):
    client.force_login(board_user)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("dashboard:home")).status_code == 302
