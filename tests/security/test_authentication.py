"""Login throttling (django-axes) and password rules.

Five failed logins for one username from one address lock that pair for 30
minutes, even against the right password; the address is REMOTE_ADDR unless
settings.TRUSTED_PROXY_COUNT says how many proxies append to X-Forwarded-For.
"""

from datetime import timedelta

import pytest
import time_machine
from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone
from django.utils.module_loading import import_string
from playwright.sync_api import expect

from accounts.client_ip import client_ip
from localities.demo import DEMO_PASSWORD
from tests.helpers import assert_accessible, screenshot

LOGIN = "/accounts/login/"
CLIENT = "192.0.2.10"
OTHER_CLIENT = "192.0.2.20"
PROXY = "10.0.0.5"
LOCKED_OUT = 429


def attempt(client, username, password, remote_addr=CLIENT, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail_five_times(client, username="board", **where):
    responses = [attempt(client, username, "not-the-password", **where) for _ in range(5)]
    return responses


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_axes_checks_before_any_password_backend():
    backend = import_string(settings.AUTHENTICATION_BACKENDS[0])

    assert issubclass(backend, AxesStandaloneBackend)
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_the_fifth_failure_locks_the_username_with_a_clear_page(client, board_user):
    responses = fail_five_times(client)

    assert [response.status_code for response in responses[:4]] == [200] * 4
    assert "Please enter a correct username and password" in responses[3].text
    locked = responses[4]
    assert locked.status_code == LOCKED_OUT
    assert "<h1>Too many attempts to log in</h1>" in locked.text
    assert "for 30 minutes" in locked.text
    assert "nhsuk-header" in locked.text
    assert "Traceback" not in locked.text
    assert AccessAttempt.objects.get(username="board").failures_since_start == 5


def test_the_lock_holds_against_the_right_password(client, board_user):
    fail_five_times(client)

    response = attempt(client, "board", DEMO_PASSWORD)

    assert response.status_code == LOCKED_OUT
    assert "Too many attempts to log in" in response.text
    assert not logged_in(client)


def test_four_failures_then_the_right_password_logs_in_and_starts_afresh(client, board_user):
    for _ in range(4):
        attempt(client, "board", "not-the-password")

    assert attempt(client, "board", DEMO_PASSWORD).status_code == 302
    client.logout()
    # The success reset the count: four more failures do not lock.
    for _ in range(4):
        assert attempt(client, "board", "not-the-password").status_code == 200
    assert attempt(client, "board", DEMO_PASSWORD).status_code == 302


def test_another_username_from_the_same_client_is_not_locked(client, board_user, office_user):
    fail_five_times(client, "board")

    response = attempt(client, "office", DEMO_PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_same_username_from_another_client_is_not_locked(client, board_user):
    fail_five_times(client, "board", remote_addr=CLIENT)

    response = attempt(client, "board", DEMO_PASSWORD, remote_addr=OTHER_CLIENT)

    assert response.status_code == 302
    assert logged_in(client)


def test_an_unknown_username_is_locked_the_same_way(client, db):
    # The page does not tell an attacker which usernames exist.
    responses = fail_five_times(client, "nobody-of-that-name")

    assert responses[-1].status_code == LOCKED_OUT


def test_the_lock_lasts_30_minutes_from_the_fifth_failure(client, board_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        fail_five_times(client)

        traveller.shift(timedelta(minutes=29, seconds=59))
        assert attempt(client, "board", DEMO_PASSWORD).status_code == LOCKED_OUT

        # Trying during the lock does not prolong it.
        traveller.move_to(start + timedelta(minutes=30, seconds=1))
        response = attempt(client, "board", DEMO_PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, board_user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail_five_times(client, remote_addr=PROXY, forwarded_for=CLIENT)

    # Anyone can write the header: changing it must not escape the lock.
    response = attempt(
        client, "board", DEMO_PASSWORD, remote_addr=PROXY, forwarded_for=OTHER_CLIENT
    )

    assert response.status_code == LOCKED_OUT
    assert AccessAttempt.objects.get().ip_address == PROXY


def test_behind_one_trusted_proxy_the_forwarded_client_is_locked(client, board_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_five_times(client, remote_addr=PROXY, forwarded_for=CLIENT)
    assert AccessAttempt.objects.get().ip_address == CLIENT

    # The locked client cannot escape by sending its own header: the proxy appends
    # the real address, and only that right-most entry is read.
    spoofed = attempt(
        client, "board", DEMO_PASSWORD, remote_addr=PROXY, forwarded_for=f"{OTHER_CLIENT}, {CLIENT}"
    )
    assert spoofed.status_code == LOCKED_OUT

    # Another person behind the same proxy is not locked out.
    response = attempt(
        client, "board", DEMO_PASSWORD, remote_addr=PROXY, forwarded_for=OTHER_CLIENT
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        (0, CLIENT, None, CLIENT),
        (0, PROXY, CLIENT, PROXY),
        (1, PROXY, CLIENT, CLIENT),
        (1, PROXY, f"203.0.113.9, {CLIENT}", CLIENT),
        (1, PROXY, f" {CLIENT} ", CLIENT),
        (2, PROXY, f"203.0.113.9, {CLIENT}, 10.0.0.4", CLIENT),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
        # Missing, short or garbled headers: the direct peer.
        (1, CLIENT, None, CLIENT),
        (2, PROXY, CLIENT, PROXY),
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, f"{CLIENT}, <script>", PROXY),
    ],
)
def test_client_address(settings, proxies, remote_addr, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for

    assert client_ip(RequestFactory().get("/", **headers)) == expected


def test_force_login_still_works_for_tests(client, programme_data, board_user):
    # Axes guards authenticate(); force_login skips it, which the other tests rely on.
    client.force_login(board_user)

    assert client.get("/").status_code == 200


# --- Passwords ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Tr1cky-pass", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("123456789012345", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_are_refused(board_user, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=board_user)

    assert message in refused.value.messages


def test_a_long_uncommon_password_is_accepted(board_user):
    validate_password("river-lantern-quarterly-47", user=board_user)


# What an attacker tries first against this service (accounts/password_validation.py).
PUBLISHED = "This password contains the demo password, which is published."
PROGRAMME = "This password contains the name of the programme (Kent and Medway, Local Care)."
USERNAME = "This password is mostly your username."
SERVICE_SPECIFIC = [
    # (username, password, message)
    ("board", DEMO_PASSWORD, PUBLISHED),
    ("board", "LOCALCARE DEMO 2024", PUBLISHED),
    ("board", "Kent and Medway 2019!", PROGRAMME),
    ("board", "KentMedway-rota-2024", PROGRAMME),
    ("board", "kent4ndm3dw4y-board", PROGRAMME),
    ("board", "my L0cal-Care passphrase", PROGRAMME),
    ("rt-pw", "rt-pw-rt-pw-rt-pw", USERNAME),
    ("rt-pw", "RT.PW RT.PW rt_pw!", USERNAME),
    ("board", "board-board-2024!", USERNAME),
    ("lead-thanet", "LeadThanet!LeadThanet", USERNAME),
]
# Near misses that stay allowed: a locality's name alone, the username once among other words.
ALLOWED = [
    ("board", "medway-river-lantern-47"),
    ("board", "boardroom-lantern-quarterly"),
    ("rt-pw", "rt-pw plus a longer passphrase"),
    ("jo", "jo-jo-jo-jo-jo-jo-jo"),  # too short a username to look for
]


@pytest.mark.parametrize(("username", "password", "message"), SERVICE_SPECIFIC)
def test_service_specific_passwords_are_refused(django_user_model, username, password, message):
    user = django_user_model(username=username)

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)

    assert any(message in text for text in refused.value.messages)


@pytest.mark.parametrize(("username", "password", "message"), SERVICE_SPECIFIC)
def test_the_password_change_form_refuses_them_and_changes_nothing(
    client, django_user_model, username, password, message
):
    user = django_user_model.objects.create_user(username=username, password=DEMO_PASSWORD)
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": DEMO_PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 400
    assert message in response.text
    assert "There is a problem" in response.text
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize(("username", "password"), ALLOWED)
def test_near_misses_are_accepted(django_user_model, username, password):
    validate_password(password, user=django_user_model(username=username))


def test_the_password_change_page_explains_the_rules(client, board_user):
    client.force_login(board_user)

    text = client.get("/accounts/password_change/").text

    assert "cannot be or contain the demo password" in text
    assert "cannot contain Kent and Medway or Local Care" in text
    assert "cannot be mostly your username" in text


def test_passwords_never_expire(client, board_user):
    # No forced change however old the password (NCSC guidance): three years on it still works.
    with time_machine.travel(timezone.now() + timedelta(days=3 * 365)):
        response = attempt(client, "board", DEMO_PASSWORD)

    assert response.status_code == 302
    assert not any("expir" in name.lower() for name in dir(settings) if name.startswith("PASSWORD"))


# --- The lockout page in a browser --------------------------------------------


@pytest.mark.browser
def test_the_lockout_page_is_accessible(demo_site, page):
    page.goto(LOGIN)
    for _ in range(5):
        page.get_by_label("Username").fill("board")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Too many attempts to log in", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login-locked-out")
