"""The idle-timeout warning's endpoints (accounts.session_views): stay signed in, end
the session and keep what was typed. Who may, bad input, size, locked updates."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from localities.demo import DEMO_PASSWORD
from tests.helpers import visible_text
from updates.models import TYPED_SECTION_MAX_BYTES, QuarterlyUpdate, TypedSection

pytestmark = pytest.mark.django_db

STAY = "/accounts/session/stay/"
END = "/accounts/session/end/"
KEEP_MEDWAY = "/accounts/session/end/medway/2018-19-q4/objectives/"
TYPED = {"version": "1", "objective-1-narrative": "<b>Half</b> typed", "save": ""}
IDLE = timedelta(seconds=settings.SESSION_COOKIE_AGE - 15)  # 15 seconds left


def whole_second():
    # The session's clock counts whole seconds: start on one, for exact figures.
    return timezone.now().replace(microsecond=0)


def log_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def json_of(response) -> dict:
    assert response["Content-Type"] == "application/json", response
    return json.loads(response.content)


def sent_to_log_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Who may ---------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, programme_data):
    for url in (STAY, END, KEEP_MEDWAY):
        assert sent_to_log_in(client.post(url, TYPED))
    assert not TypedSection.objects.exists()


def test_the_endpoints_take_post_only(client, lead_medway):
    client.force_login(lead_medway)
    for url in (STAY, END, KEEP_MEDWAY):
        assert client.get(url).status_code == 405


def test_csrf_is_checked(lead_medway):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead_medway)
    for url in (STAY, END, KEEP_MEDWAY):
        assert client.post(url, TYPED).status_code == 403
    assert not TypedSection.objects.exists()


@pytest.mark.parametrize("who", ["lead_thanet", "board_user", "office_user"])
def test_only_a_lead_of_the_locality_can_keep_what_was_typed(client, request, who, programme_data):
    user = request.getfixturevalue(who)
    with time_machine.travel(whole_second(), tick=False) as traveller:
        log_in(client, user.username)
        traveller.shift(IDLE)
        response = client.post(KEEP_MEDWAY, TYPED)
    assert response.status_code == 403
    assert not TypedSection.objects.exists()
    assert SESSION_KEY in client.session  # a refused keep ends nothing


# --- Stay signed in ------------------------------------------------------------------


def test_stay_signed_in_starts_the_idle_timeout_again(client, lead_medway):
    start = whole_second()
    with time_machine.travel(start, tick=False) as traveller:
        key = log_in(client, "lead-medway")
        traveller.shift(timedelta(minutes=28))
        response = client.post(STAY)
        assert json_of(response) == {"expires_in": settings.SESSION_COOKIE_AGE}
        expiry = Session.objects.get(session_key=key).expire_date
        assert expiry == start + timedelta(minutes=28) + timedelta(seconds=1800)
        # 29 minutes after "Stay signed in", 57 after the last page: still signed in.
        traveller.shift(timedelta(minutes=29))
        assert client.get("/accounts/").status_code == 200


def test_pages_tell_the_warning_how_long_the_session_has(client, lead_medway):
    with time_machine.travel(whole_second(), tick=False) as traveller:
        log_in(client, "lead-medway")
        traveller.shift(timedelta(seconds=20))  # not renewed: less than a minute
        page = client.get("/accounts/").text
    assert 'data-expires-in="1780"' in page
    assert 'data-warn-before="120"' in page
    assert 'data-end-early="10"' in page
    assert "We sign you out after 30 minutes without a page" in visible_text(page)
    assert "js/session-timeout" in page


def test_anonymous_pages_have_no_warning(client, programme_data):
    page = client.get("/accounts/login/").text
    assert "session-timeout" not in page


# --- Ending the session -------------------------------------------------------------


def test_asking_to_end_does_not_renew_the_session(client, lead_medway):
    with time_machine.travel(whole_second(), tick=False) as traveller:
        key = log_in(client, "lead-medway")
        expiry = Session.objects.get(session_key=key).expire_date
        traveller.shift(timedelta(minutes=10))
        answer = json_of(client.post(END))
    # Another tab kept it alive? No: but 20 minutes are left, so it is not ending.
    assert answer == {"ended": False, "expires_in": 20 * 60}
    assert Session.objects.get(session_key=key).expire_date == expiry


def test_a_session_kept_alive_elsewhere_is_not_ended_and_nothing_is_kept(client, lead_medway):
    with time_machine.travel(whole_second(), tick=False) as traveller:
        log_in(client, "lead-medway")
        traveller.shift(IDLE - timedelta(minutes=5))
        client.get("/accounts/")  # another tab opened a page five minutes ago
        traveller.shift(timedelta(minutes=5))
        answer = json_of(client.post(KEEP_MEDWAY, TYPED))
    assert answer == {"ended": False, "expires_in": 25 * 60}
    assert not TypedSection.objects.exists()
    assert SESSION_KEY in client.session


def test_an_ending_session_without_a_form_just_ends(client, lead_medway):
    with time_machine.travel(whole_second(), tick=False) as traveller:
        key = log_in(client, "lead-medway")
        traveller.shift(IDLE)
        answer = json_of(client.post(END))
    assert answer == {"ended": True, "kept": False, "kept_at": None}
    assert not Session.objects.filter(session_key=key).exists()


def test_an_ending_session_keeps_what_was_typed_then_ends(client, lead_medway):
    with time_machine.travel(datetime(2019, 4, 2, 11, 59, tzinfo=UTC), tick=False) as t:
        key = log_in(client, "lead-medway")
        t.shift(IDLE)
        answer = json_of(client.post(KEEP_MEDWAY, TYPED))
    assert answer == {"ended": True, "kept": True, "kept_at": "13:28"}  # 12:28:45 UTC in BST
    assert not Session.objects.filter(session_key=key).exists()
    kept = TypedSection.objects.get()
    assert (kept.user, kept.locality.slug, kept.section) == (lead_medway, "medway", "objectives")
    # Stored as typed (escaped where shown); the page's own fields are not kept.
    assert kept.data == {"version": ["1"], "objective-1-narrative": ["<b>Half</b> typed"]}
    history = kept.history.get()
    assert (history.history_user, history.history_change_reason) == (
        lead_medway,
        "Kept as the session ended",
    )
    # Nothing reached the update.
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter__number=4)
    assert "Half" not in update.objective_statuses.get(objective__number=1).narrative


def test_keeping_again_replaces_what_was_kept(client, lead_medway):
    for text in ("first", "second"):
        with time_machine.travel(whole_second(), tick=False) as traveller:
            log_in(client, "lead-medway")
            traveller.shift(IDLE)
            client.post(KEEP_MEDWAY, {**TYPED, "objective-1-narrative": text})
    assert TypedSection.objects.get().data["objective-1-narrative"] == ["second"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/accounts/session/end/medway/2018-19-q4/nonsense/", 400),
        ("/accounts/session/end/nowhere/2018-19-q4/objectives/", 404),
        ("/accounts/session/end/medway/1999-00-q9/objectives/", 404),
    ],
)
def test_an_unknown_section_locality_or_quarter_is_refused(client, lead_medway, url, status):
    with time_machine.travel(whole_second(), tick=False) as traveller:
        log_in(client, "lead-medway")
        traveller.shift(IDLE)
        response = client.post(url, TYPED)
    assert response.status_code == status
    if status == 400:
        assert json_of(response) == {"error": "There is no such section."}
    assert not TypedSection.objects.exists()


def test_too_much_to_keep_is_refused(client, lead_medway):
    too_long = "x" * TYPED_SECTION_MAX_BYTES
    with time_machine.travel(whole_second(), tick=False) as traveller:
        log_in(client, "lead-medway")
        traveller.shift(IDLE)
        response = client.post(KEEP_MEDWAY, {**TYPED, "objective-1-narrative": too_long})
        far_too_long = client.post(KEEP_MEDWAY, {**TYPED, "objective-1-narrative": too_long * 3})
    assert response.status_code == 413
    assert json_of(response) == {"error": "What was typed is too large to keep."}
    assert far_too_long.status_code == 413  # refused before the body is read
    assert not TypedSection.objects.exists()


def test_nothing_is_kept_for_a_locked_update(client, lead_thanet):
    thanet = QuarterlyUpdate.objects.get(locality__slug="thanet", quarter__number=4)
    assert thanet.status == QuarterlyUpdate.Status.SUBMITTED
    with time_machine.travel(whole_second(), tick=False) as traveller:
        log_in(client, "lead-thanet")
        traveller.shift(IDLE)
        response = client.post("/accounts/session/end/thanet/2018-19-q4/objectives/", TYPED)
    assert response.status_code == 409
    assert json_of(response) == {"error": "The update is submitted, so it cannot be changed."}
    assert not TypedSection.objects.exists()


def test_a_clock_set_back_never_gives_more_than_a_whole_timeout(client, lead_medway):
    log_in(client, "lead-medway")
    with time_machine.travel(datetime(2019, 6, 1, 12, tzinfo=UTC), tick=False):
        page = client.get("/accounts/").text
    assert f'data-expires-in="{settings.SESSION_COOKIE_AGE}"' in page
