"""API tokens: shown once, stored hashed, expiring, revocable, reading with their owner's
access, in the history; and every way a request without a good token is refused."""

import datetime
import hashlib
import logging

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import create_token, revoke_token
from api.throttling import PerTokenThrottle
from localities.access import AccessRefused

LOCALITIES = reverse("api:localities")


def _get(client, key, url=LOCALITIES, **query):
    return client.get(url, query, headers={"Authorization": f"Bearer {key}"})


# --- Stored hashed, shown once -------------------------------------------------------


def test_only_a_digest_and_a_prefix_are_stored(board_token):
    token = ApiToken.objects.get(pk=board_token.token.pk)
    key = board_token.key

    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[3:11]
    stored = " ".join(
        str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()
    )
    assert key not in stored
    history = " ".join(str(value) for value in token.history.values().get().values())
    assert key not in history


def test_a_token_is_named_by_its_start_never_its_key(board_token):
    text = str(board_token.token)

    assert text == f"Power BI (lc_{board_token.token.prefix}…, board)"
    assert board_token.key not in text


def test_keys_are_long_random_and_distinct(board_user, db):
    keys = {create_token(owner=board_user, name=f"t{n}").key for n in range(5)}

    assert len(keys) == 5
    assert all(key.startswith("lc_") and len(key) >= 40 for key in keys)


def test_the_key_works(client, board_token):
    response = _get(client, board_token.key)

    assert response.status_code == 200
    assert response.json()["count"] > 0


# --- Expiry ----------------------------------------------------------------------------


def test_a_token_lasts_90_days_by_default(board_token):
    token = board_token.token

    assert token.expires_at - token.created_at == datetime.timedelta(days=90)


def test_a_token_may_last_a_year_at_most(board_user, db):
    create_token(owner=board_user, name="a year", lifetime=datetime.timedelta(days=365))

    with pytest.raises(ValueError, match="a year at most"):
        create_token(owner=board_user, name="too long", lifetime=datetime.timedelta(days=366))


def test_the_model_refuses_more_than_a_year(board_user, db):
    now = timezone.now()
    token = ApiToken(
        name="x",
        owner=board_user,
        prefix="abcdefgh",
        digest="0" * 64,
        created_at=now,
        expires_at=now + datetime.timedelta(days=400),
    )

    with pytest.raises(ValidationError, match="a year at most"):
        token.full_clean()


def test_an_expired_token_is_401(client, board_token):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91), tick=False):
        response = _get(client, board_token.key)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- Refused credentials ---------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer lc_not-a-real-token-at-all-0000000000000",
        "Bearer not-ours",
        "Bearer " + "lc_" + "x" * 200,
        "Bearer two words",
        "Token lc_abc",
        "Basic Ym9hcmQ6cGFzc3dvcmQ=",
        "Bearer lc_caf\xe9",
    ],
)
def test_a_missing_malformed_or_wrong_token_is_401(client, board_token, header):
    headers = {"Authorization": header} if header else {}

    response = client.get(LOCALITIES, headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response["Content-Type"] == "application/json"


def test_a_right_prefix_with_a_wrong_rest_is_401(client, board_token):
    key = board_token.key
    forged = key[:11] + ("A" if key[11] != "A" else "B") + key[12:]

    assert _get(client, forged).status_code == 401


def test_a_session_does_not_open_the_api(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(LOCALITIES)

    assert response.status_code == 401


def test_an_inactive_owners_token_is_401(client, board_token):
    board_token.token.owner.is_active = False
    board_token.token.owner.save()

    assert _get(client, board_token.key).status_code == 401


def test_a_token_whose_owner_lost_dashboard_access_finds_nothing(client, board_token):
    board_token.token.owner.groups.clear()

    response = _get(client, board_token.key)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_only_people_who_read_the_dashboards_may_make_tokens(django_user_model, db):
    visitor = django_user_model.objects.create_user("visitor", password="x" * 16)

    with pytest.raises(AccessRefused):
        create_token(owner=visitor, name="nope")


# --- Revoking --------------------------------------------------------------------------


def test_a_revoked_token_is_401(client, board_token, board_user):
    revoke_token(token=board_token.token, by=board_user)

    assert _get(client, board_token.key).status_code == 401


def test_the_programme_office_may_revoke_anyones_token(client, board_token, office_user):
    revoked = revoke_token(token=board_token.token, by=office_user)

    assert revoked.revoked_by == office_user
    assert _get(client, board_token.key).status_code == 401


def test_nobody_else_may_revoke_a_token(board_token, lead_thanet):
    with pytest.raises(AccessRefused):
        revoke_token(token=board_token.token, by=lead_thanet)

    assert ApiToken.objects.get(pk=board_token.token.pk).revoked_at is None


def test_revoking_twice_changes_nothing(board_token, board_user):
    first = revoke_token(token=board_token.token, by=board_user).revoked_at
    second = revoke_token(token=board_token.token, by=board_user).revoked_at

    assert first == second
    assert board_token.token.history.count() == 2


# --- History and the log -----------------------------------------------------------------


def test_making_and_revoking_are_in_the_history(board_token, office_user):
    revoke_token(token=board_token.token, by=office_user)

    reasons = list(
        board_token.token.history.order_by("history_date").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons == ["API token created", "API token revoked by the programme office"]


def test_using_a_token_does_not_write_history(client, board_token):
    _get(client, board_token.key)
    _get(client, board_token.key)

    assert board_token.token.history.count() == 1


def test_last_use_is_written_at_most_once_a_minute(client, board_token):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _get(client, board_token.key)
    first = ApiToken.objects.get(pk=board_token.token.pk).last_used_at
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        _get(client, board_token.key)
    assert ApiToken.objects.get(pk=board_token.token.pk).last_used_at == first
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        _get(client, board_token.key)
    assert ApiToken.objects.get(pk=board_token.token.pk).last_used_at > first


def test_every_call_is_logged_with_the_tokens_name_never_its_key(client, board_token, caplog):
    with caplog.at_level(logging.INFO, logger="localcare.api"):
        _get(client, board_token.key, quarter="2018-19-q4")
        client.get(LOCALITIES)

    lines = [record.getMessage() for record in caplog.records if record.name == "localcare.api"]
    assert len(lines) == 2
    assert "token='Power BI'" in lines[0]
    assert "owner=board" in lines[0]
    assert "status=200" in lines[0]
    assert "/api/v1/localities/?quarter=2018-19-q4" in lines[0]
    assert "status=401" in lines[1]
    assert all(board_token.key not in line for line in lines)
    assert all(board_token.key not in record.getMessage() for record in caplog.records)


# --- Headers and throttling ---------------------------------------------------------------


def test_responses_are_never_stored(client, board_token):
    for response in (_get(client, board_token.key), client.get(LOCALITIES)):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_each_token_is_throttled_with_retry_after(client, board_token, board_user, monkeypatch):
    other = create_token(owner=board_user, name="another")
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"api-token": "3/hour"})

    statuses = [_get(client, board_token.key).status_code for _ in range(4)]
    throttled = _get(client, board_token.key)
    others = _get(client, other.key)

    assert statuses == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 3600
    assert "detail" in throttled.json()
    assert others.status_code == 200  # per token, not per person


def test_the_documented_rate_is_600_an_hour(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"api-token": "600/hour"}
