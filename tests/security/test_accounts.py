"""Account pages: the account page, changing a password, admins deactivating users."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY
from django.test import Client
from playwright.sync_api import expect

from localities.demo import DEMO_PASSWORD
from tests.helpers import assert_accessible, screenshot

ACCOUNT = "/accounts/"
PASSWORD_CHANGE = "/accounts/password_change/"
USERS = "/admin/auth/user/"
NEW_PASSWORD = "river-lantern-quarterly-47"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for path in (ACCOUNT, PASSWORD_CHANGE, "/accounts/two-factor/set-up/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_header_links_to_the_account_page(client, programme_data, board_user):
    client.force_login(board_user)

    text = client.get("/").text

    assert f'<a class="nhsuk-header__account-link" href="{ACCOUNT}">' in text
    assert "Your account, logged in as </span>board" in text


def test_the_account_page_offers_a_password_change_and_two_factor(client, board_user):
    client.force_login(board_user)

    response = client.get(ACCOUNT)

    assert response.status_code == 200
    assert f'href="{PASSWORD_CHANGE}"' in response.text
    assert 'href="/accounts/two-factor/set-up/"' in response.text
    assert "<h1>Your account</h1>" in response.text


# --- Changing a password ---------------------------------------------------------


def change(client, old=DEMO_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        PASSWORD_CHANGE,
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_the_password_change_page_uses_nhs_markup(client, board_user):
    client.force_login(board_user)

    response = client.get(PASSWORD_CHANGE)

    assert response.status_code == 200
    assert "<h1>Change your password</h1>" in response.text
    assert 'class="nhsuk-input nhsuk-input--width-20" id="id_old_password"' in response.text
    assert 'autocomplete="new-password"' in response.text
    assert "at least 12 characters" in response.text  # the validators' hint


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("wrong-old-password", NEW_PASSWORD, None, "Your old password was entered incorrectly."),
        (DEMO_PASSWORD, "Sh0rt-pass", None, "This password is too short."),
        (DEMO_PASSWORD, "password1234", None, "This password is too common."),
        (DEMO_PASSWORD, "384756129384756", None, "This password is entirely numeric."),
        (DEMO_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "The two password fields didn"),
        (DEMO_PASSWORD, "", None, "This field is required."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    client, board_user, old, new, again, message
):
    client.force_login(board_user)

    response = change(client, old, new, again)

    assert response.status_code == 400
    assert message in response.text
    assert "There is a problem" in response.text
    assert "<title>Error: Change your password" in response.text
    board_user.refresh_from_db()
    assert board_user.check_password(DEMO_PASSWORD)


def test_a_change_keeps_this_session_and_ends_the_others(client, board_user):
    elsewhere = Client()
    elsewhere.force_login(board_user)
    client.force_login(board_user)

    response = change(client)

    assert response["Location"] == "/accounts/password_change/done/"
    done = client.get(response["Location"])
    assert "<h1>Your password has been changed</h1>" in done.text
    board_user.refresh_from_db()
    assert board_user.check_password(NEW_PASSWORD)
    assert client.get(ACCOUNT).status_code == 200
    assert elsewhere.get(ACCOUNT)["Location"].startswith("/accounts/login/")


def test_admins_own_password_change_page_also_renders(admin_client):
    response = admin_client.get("/admin/password_change/")

    assert response.status_code == 200
    assert "<h1>Change your password</h1>" in response.text


# --- Deactivating users ------------------------------------------------------------


def deactivate(client, *users):
    return client.post(
        USERS,
        {"action": "deactivate_users", "_selected_action": [user.pk for user in users]},
        follow=True,
    )


def test_admins_see_the_deactivate_action(admin_client):
    response = admin_client.get(USERS)

    assert '<option value="deactivate_users">Deactivate selected users</option>' in response.text


def test_deactivating_users_is_recorded_with_who_did_it(
    admin_client, admin_user, board_user, office_user
):
    response = deactivate(admin_client, board_user, office_user)

    assert "Deactivated 2 users (board, office). They can no longer log in." in response.text
    board_user.refresh_from_db()
    office_user.refresh_from_db()
    assert not board_user.is_active
    assert not office_user.is_active
    entries = LogEntry.objects.filter(action_flag=CHANGE).order_by("object_id")
    assert [(e.user, e.object_id, e.change_message) for e in entries] == [
        (admin_user, str(board_user.pk), "Deactivated: can no longer log in."),
        (admin_user, str(office_user.pk), "Deactivated: can no longer log in."),
    ]
    # Shown on the user's History page in admin.
    history = admin_client.get(f"{USERS}{board_user.pk}/history/")
    assert "Deactivated: can no longer log in." in history.text


def test_admins_cannot_deactivate_themselves(admin_client, admin_user, board_user):
    response = deactivate(admin_client, admin_user, board_user)

    assert "You cannot deactivate your own account." in response.text
    admin_user.refresh_from_db()
    assert admin_user.is_active
    board_user.refresh_from_db()
    assert not board_user.is_active


def test_deactivating_an_inactive_user_changes_and_records_nothing(admin_client, board_user):
    board_user.is_active = False
    board_user.save()

    response = deactivate(admin_client, board_user)

    assert "The selected users were already inactive." in response.text
    assert not LogEntry.objects.exists()


def test_a_deactivated_user_can_no_longer_log_in(client, admin_client, board_user):
    deactivate(admin_client, board_user)

    response = client.post("/accounts/login/", {"username": "board", "password": DEMO_PASSWORD})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert SESSION_KEY not in client.session


def test_a_deactivated_users_open_session_ends(client, admin_client, board_user):
    client.force_login(board_user)
    assert client.get(ACCOUNT).status_code == 200

    deactivate(admin_client, board_user)

    assert client.get(ACCOUNT)["Location"].startswith("/accounts/login/")


def test_the_programme_office_cannot_manage_users(client, office_user, board_user):
    client.force_login(office_user)

    assert client.get(USERS).status_code == 403
    response = client.post(
        USERS, {"action": "deactivate_users", "_selected_action": [board_user.pk]}
    )
    assert response.status_code == 403
    board_user.refresh_from_db()
    assert board_user.is_active


@pytest.mark.browser
def test_the_account_and_password_pages_in_a_browser(demo_site, page, log_in):
    log_in("board")

    page.get_by_role("link", name="Your account, logged in as board").click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "account")

    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Old password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "password-change-error")

    page.get_by_label("Old password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()
    assert_accessible(page)
