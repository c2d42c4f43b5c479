"""Sessions: 30 minutes idle, 12 hours at most, a new key at login, gone at logout."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from localities.demo import DEMO_PASSWORD

LOGIN = "/accounts/login/"
PAGE = "/accounts/"  # any page for a logged-in user; the account page needs no data


def log_in(client, username="board"):
    response = client.post(LOGIN, {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_exists(key: str) -> bool:
    return Session.objects.filter(session_key=key, expire_date__gt=timezone.now()).exists()


def sent_to_log_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_limits_are_set():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_logging_in_gives_a_new_session_key(client, board_user):
    session = client.session
    session["before-login"] = True
    session.save()
    anonymous_key = session.session_key

    new_key = log_in(client)

    assert new_key != anonymous_key
    assert not session_exists(anonymous_key)
    assert session_exists(new_key)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def test_logging_out_ends_the_session_in_the_store(client, board_user):
    key = log_in(client)
    assert client.get(PAGE).status_code == 200

    client.post("/accounts/logout/")

    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie gets nowhere.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert sent_to_log_in(client.get(PAGE))


def test_an_active_session_stays_and_an_idle_one_ends_after_30_minutes(client, board_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        key = log_in(client)

        for _ in range(3):  # active for an hour and a half, a page every 29 minutes
            traveller.shift(timedelta(minutes=29))
            assert client.get(PAGE).status_code == 200

        traveller.shift(timedelta(minutes=30, seconds=1))
        response = client.get(PAGE)
        # Expired in the store (`manage.py clearsessions` deletes such rows).
        assert not session_exists(key)

    assert sent_to_log_in(response)


def test_idle_for_just_under_30_minutes_is_still_logged_in(client, board_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log_in(client)
        traveller.shift(timedelta(minutes=29, seconds=59))

        assert client.get(PAGE).status_code == 200


def test_a_session_ends_12_hours_after_login_however_active(client, board_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        key = log_in(client)
        while timezone.now() < start + timedelta(hours=11, minutes=40):
            traveller.shift(timedelta(minutes=20))
            assert client.get(PAGE).status_code == 200, timezone.now() - start

        traveller.move_to(start + timedelta(hours=12))
        response = client.get(PAGE)

    assert sent_to_log_in(response)
    assert response["Location"] == f"{LOGIN}?next=%2Faccounts%2F"
    assert not Session.objects.filter(session_key=key).exists()
    login_page = client.get(response["Location"])
    assert "logged in more than 12 hours ago" in login_page.text
    assert SESSION_KEY not in client.session


def test_logging_in_again_starts_a_new_12_hours(client, board_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        log_in(client)
        traveller.shift(timedelta(hours=11, minutes=50))
        client.post("/accounts/logout/")
        log_in(client)
        traveller.shift(timedelta(minutes=20))

        assert client.get(PAGE).status_code == 200


@pytest.mark.parametrize(("seconds_later", "renewed"), [(10, False), (61, True)])
def test_the_idle_expiry_is_renewed_at_most_once_a_minute(
    client, board_user, seconds_later, renewed
):
    # Saving the session on every request would add a write to every page.
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        key = log_in(client)
        expiry_at_login = Session.objects.get(session_key=key).expire_date
        traveller.shift(timedelta(seconds=seconds_later))

        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200

    writes = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert bool(writes) is renewed
    new_expiry = Session.objects.get(session_key=key).expire_date
    assert (new_expiry - expiry_at_login == timedelta(seconds=seconds_later)) is renewed
