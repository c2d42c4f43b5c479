"""Two-factor authentication (TOTP, django-otp).

Required of staff before Django admin whenever DEBUG is off (tests run with
settings.REQUIRE_STAFF_TWO_FACTOR switched on where they need it); optional for
everyone else, and once set up asked for after every login.
"""

import re
import time
from binascii import unhexlify
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.views import SETUP_KEY
from localities.demo import DEMO_PASSWORD
from tests.helpers import assert_accessible, screenshot
from tests.test_settings import PRODUCTION_KEY, run_django, setting

SETUP = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/verify/"
ADMIN = "/admin/"


def code_for(hex_key: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(hex_key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def wrong_code_for(hex_key: str) -> str:
    return f"{(int(code_for(hex_key)) + 1) % 1_000_000:06d}"


@pytest.fixture
def required(settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = True


@pytest.fixture
def office_device(office_user):
    return TOTPDevice.objects.create(user=office_user, name="Authenticator app", confirmed=True)


def log_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


# --- Settings ---------------------------------------------------------------


def test_production_settings_require_two_factor_for_staff():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "localcare.example.nhs.uk",
    }
    assert setting("settings.REQUIRE_STAFF_TWO_FACTOR", **production) == "True"

    relaxed = run_django("pass", REQUIRE_STAFF_TWO_FACTOR="false", **production)
    assert relaxed.returncode != 0
    assert "REQUIRE_STAFF_TWO_FACTOR cannot be turned off when DEBUG is off" in relaxed.stderr


def test_development_relaxes_it_unless_asked():
    assert setting("settings.REQUIRE_STAFF_TWO_FACTOR") == "False"
    assert setting("settings.REQUIRE_STAFF_TWO_FACTOR", REQUIRE_STAFF_TWO_FACTOR="true") == "True"


# --- Who is sent where --------------------------------------------------------


def test_staff_without_an_app_are_sent_to_set_one_up_before_admin(client, office_user, required):
    client.force_login(office_user)

    response = client.get("/admin/risks/risk/")

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2Frisks%2Frisk%2F"


def test_staff_with_an_app_are_asked_for_a_code_before_admin(
    client, office_user, office_device, required
):
    client.force_login(office_user)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


def test_superusers_are_staff_too(client, admin_user, required):
    client.force_login(admin_user)

    assert client.get(ADMIN)["Location"].startswith(SETUP)


def test_staff_reach_the_dashboard_without_a_code(client, programme_data, office_user, required):
    client.force_login(office_user)

    assert client.get("/").status_code == 200


def test_board_members_are_not_asked(client, programme_data, board_user, required):
    client.force_login(board_user)

    assert client.get("/").status_code == 200
    # Admin turns them away as before, to its own login page.
    assert client.get(ADMIN)["Location"].startswith("/admin/login/")


def test_development_can_relax_it_for_staff(client, office_user, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    client.force_login(office_user)

    assert client.get(ADMIN).status_code == 200


def test_anyone_who_has_set_it_up_gives_a_code_after_login(
    client, programme_data, board_user, settings
):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    device = TOTPDevice.objects.create(user=board_user, name="Authenticator app", confirmed=True)
    log_in(client, "board")

    response = client.get("/")
    assert response["Location"] == f"{VERIFY}?next=%2F"
    # Logging out is still possible.
    assert client.post("/accounts/logout/").status_code == 302

    log_in(client, "board")
    response = client.post(VERIFY, {"code": code_for(device.key), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_an_unconfirmed_app_does_not_count(client, programme_data, board_user):
    TOTPDevice.objects.create(user=board_user, name="Abandoned", confirmed=False)
    log_in(client, "board")

    assert client.get("/").status_code == 200


# --- Setting up an app ------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_the_link_and_the_secret(client, office_user, required):
    client.force_login(office_user)

    response = client.get(f"{SETUP}?next=/admin/")

    assert response.status_code == 200
    key = client.session[SETUP_KEY]
    uri = response.context["otpauth_uri"]
    assert uri.startswith("otpauth://totp/Kent%20and%20Medway%20Local%20Care%3Aoffice?secret=")
    assert "issuer=Kent%20and%20Medway%20Local%20Care" in uri
    assert uri.replace("&", "&amp;") in response.text
    secret = response.context["secret"]
    assert secret.replace(" ", "") in uri
    assert secret in response.text
    assert '<svg aria-hidden="true"' in response.text
    assert 'role="img" aria-label="QR code' in response.text
    # Nothing is stored until a code proves the app has the secret.
    assert not TOTPDevice.objects.exists()
    # The same secret on reload, so a scanned code stays valid.
    client.get(SETUP)
    assert client.session[SETUP_KEY] == key


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the 6-digit security code from your authenticator app"),
        ("12345", "Enter the security code as 6 digits, like 123456"),
        ("abcdef", "Enter the security code as 6 digits, like 123456"),
        ("<script>alert(1)</script>", "Enter the security code as 6 digits, like 123456"),
    ],
)
def test_setup_refuses_malformed_codes(client, office_user, required, code, message):
    client.force_login(office_user)
    client.get(SETUP)

    response = client.post(SETUP, {"code": code})

    assert response.status_code == 400
    assert message in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert not TOTPDevice.objects.exists()


def test_setup_refuses_a_wrong_code(client, office_user, required):
    client.force_login(office_user)
    client.get(SETUP)

    response = client.post(SETUP, {"code": wrong_code_for(client.session[SETUP_KEY])})

    assert response.status_code == 400
    assert "The security code is not right" in response.text
    assert "There is a problem" in response.text
    assert response.text.count("<title>Error: ") == 1
    assert not TOTPDevice.objects.exists()


def test_setup_with_the_right_code_turns_it_on_and_opens_admin(client, office_user, required):
    client.force_login(office_user)
    client.get(SETUP)
    key = client.session[SETUP_KEY]
    session_key = client.session.session_key

    response = client.post(SETUP, {"code": code_for(key), "next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device = TOTPDevice.objects.get(user=office_user)
    assert (device.confirmed, device.key) == (True, key)
    assert client.session.session_key != session_key
    assert SETUP_KEY not in client.session
    assert client.get(ADMIN).status_code == 200


def test_nobody_adds_a_second_app_without_the_first(client, office_user, office_device, required):
    # Someone who has only the password cannot swap in their own app.
    client.force_login(office_user)

    response = client.get(SETUP)

    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.count() == 1


def test_the_setup_page_never_redirects_off_site(client, office_user, required):
    client.force_login(office_user)
    client.get(SETUP)
    key = client.session[SETUP_KEY]

    response = client.post(SETUP, {"code": code_for(key), "next": "https://evil.example/"})

    assert response["Location"] == "/accounts/"


# --- Giving a code ------------------------------------------------------------------


def test_a_wrong_code_is_refused_counted_and_throttled(
    client, office_user, office_device, required
):
    client.force_login(office_user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        response = client.post(VERIFY, {"code": wrong_code_for(office_device.key), "next": ADMIN})

        assert response.status_code == 400
        assert "The security code is not right" in response.text
        office_device.refresh_from_db()
        assert office_device.throttling_failure_count == 1

        # Straight away even the right code is refused: django-otp's back-off.
        response = client.post(VERIFY, {"code": code_for(office_device.key), "next": ADMIN})
        assert response.status_code == 429
        assert "You have entered too many wrong codes. Wait until" in response.text
        assert client.get(ADMIN).status_code == 302

        traveller.shift(timedelta(seconds=2))
        response = client.post(VERIFY, {"code": code_for(office_device.key), "next": ADMIN})

    assert response["Location"] == ADMIN
    office_device.refresh_from_db()
    assert office_device.throttling_failure_count == 0
    assert client.get(ADMIN).status_code == 200


def test_the_back_off_doubles_with_each_failure(client, office_user, office_device, required):
    client.force_login(office_user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(4):
            client.post(VERIFY, {"code": wrong_code_for(office_device.key)})
            traveller.shift(timedelta(seconds=60))
        office_device.refresh_from_db()
        assert office_device.throttling_failure_count == 4

        client.post(VERIFY, {"code": wrong_code_for(office_device.key)})
        traveller.shift(timedelta(seconds=15))  # the fifth failure asks for 16 seconds
        response = client.post(VERIFY, {"code": code_for(office_device.key)})

    assert response.status_code == 429


def test_a_code_cannot_be_used_twice(client, office_user, office_device, required):
    with time_machine.travel(timezone.now(), tick=False):
        code = code_for(office_device.key)
        client.force_login(office_user)
        assert client.post(VERIFY, {"code": code, "next": ADMIN})["Location"] == ADMIN
        client.post("/accounts/logout/")

        client.force_login(office_user)
        response = client.post(VERIFY, {"code": code, "next": ADMIN})

    assert response.status_code == 400


def test_giving_a_code_gives_a_new_session_key(client, office_user, office_device, required):
    client.force_login(office_user)
    before = client.session.session_key

    client.post(VERIFY, {"code": code_for(office_device.key)})

    assert client.session.session_key != before
    assert SESSION_KEY in client.session


def test_verification_lasts_until_logout(client, office_user, office_device, required):
    client.force_login(office_user)
    client.post(VERIFY, {"code": code_for(office_device.key)})
    assert client.get(ADMIN).status_code == 200

    client.post("/accounts/logout/")
    client.force_login(office_user)

    assert client.get(ADMIN)["Location"].startswith(VERIFY)


def test_an_app_removed_by_an_admin_leads_back_to_setup(
    client, office_user, office_device, required
):
    client.force_login(office_user)
    office_device.delete()

    response = client.get(f"{VERIFY}?next=/admin/")

    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"


# --- In a browser ---------------------------------------------------------------------


@pytest.mark.browser
def test_setting_up_and_giving_a_code_in_a_browser(demo_site, page, log_in, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = True
    log_in("office")

    page.goto(ADMIN)
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code that adds this account to an authenticator app")
    ).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    assert secret in page.get_by_test_id("otpauth-uri").inner_text()
    assert_accessible(page)
    screenshot(page, "two-factor-setup")

    from base64 import b32decode

    key = b32decode(secret).hex()
    page.get_by_label("Security code").fill(wrong_code_for(key))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-setup-error")

    page.get_by_label("Security code").fill(code_for(key))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page).to_have_url(re.compile(re.escape(ADMIN) + "$"))
    expect(page.get_by_role("heading", name="Programme data")).to_be_visible()

    page.context.clear_cookies()
    log_in("office")
    page.goto(ADMIN)
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-verify")
    # The code of the next 30-second step: the one just used is spent.
    page.get_by_label("Security code").fill(code_for(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(ADMIN) + "$"))
