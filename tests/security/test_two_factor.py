"""Two-factor authentication (TOTP, django-otp) and recovery codes.

Required, whenever DEBUG is off, of everyone with a power the board relies on
(the programme office, staff, superusers: localities.access.must_verify)
before any page; tests run with settings.REQUIRE_STAFF_TWO_FACTOR switched on
where they need it. Optional for everyone else, and once set up asked for
after every login.
"""

import datetime
import logging
import re
import time
from binascii import unhexlify
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.views import NEW_RECOVERY_CODES, SETUP_KEY
from localities import access
from localities.demo import DEMO_PASSWORD
from tests.helpers import assert_accessible, screenshot
from tests.test_settings import PRODUCTION_KEY, run_django, setting
from updates import services as update_services
from updates.models import QuarterlyUpdate

SETUP = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/verify/"
RECOVERY = "/accounts/two-factor/recovery/"
RECOVERY_CODES = "/accounts/two-factor/recovery-codes/"
NEW_CODES = "/accounts/two-factor/recovery-codes/new/"
ACCOUNT = "/accounts/"
ADMIN = "/admin/"
Q4 = "2018-19-q4"
# The illustrative data's 2018/19 Q4: Thanet submitted, Ashford approved.
AFTER_DEADLINE = datetime.datetime(2019, 4, 25, 12, tzinfo=datetime.UTC)


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


def update_url(name, locality="thanet"):
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": Q4})


def q4_update(locality="thanet") -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.get(
        locality__slug=locality, quarter__financial_year__start_year=2018, quarter__number=4
    )


def snapshot() -> dict:
    return {
        update.pk: (update.status, update.version, update.review_comments, update.reviewed_by_id)
        for update in QuarterlyUpdate.objects.all()
    }


def set_up_app(client, next_url=ADMIN) -> tuple[str, list[str]]:
    """Set up an authenticator through the pages: its hex key and the recovery codes shown."""
    client.get(SETUP)
    key = client.session[SETUP_KEY]
    response = client.post(SETUP, {"code": code_for(key), "next": next_url})
    assert response["Location"] == f"{RECOVERY_CODES}?next={quote(next_url, safe='')}"
    return key, shown_codes(client.get(response["Location"]))


def shown_codes(response) -> list[str]:
    assert response.status_code == 200
    return [
        code.replace(" ", "")
        for code in re.findall(r"<li><code>([a-z2-7 ]{9})</code></li>", response.text)
    ]


@pytest.fixture
def office_in_group_only(db, django_user_model):
    """In the programme office group but not staff: the group alone must call for a code."""
    user = django_user_model.objects.create_user(username="office-2", password=DEMO_PASSWORD)
    user.groups.add(Group.objects.get(name=access.PROGRAMME_OFFICE))
    return user


@pytest.fixture
def after_the_deadline():
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        yield


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


OFFICE_PAGES = [
    "/",
    f"/?quarter={Q4}&preview=1",
    reverse("dashboard:locality", args=["thanet"]) + f"?quarter={Q4}&preview=1",
    reverse("dashboard:money") + f"?quarter={Q4}&preview=1",
    f"{reverse('updates:returns')}?quarter={Q4}",
    update_url("review"),
    ACCOUNT,
    "/accounts/password_change/",
    ADMIN,
    "/admin/updates/quarterlyupdate/",
]


@pytest.mark.parametrize("page", OFFICE_PAGES)
@pytest.mark.parametrize("role", ["office_user", "office_in_group_only", "admin_user"])
def test_approvers_without_an_app_are_sent_to_set_one_up_from_every_page(
    client, programme_data, request, role, page, required
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote(page, safe='')}"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("approve", {}),
        ("return", {"return-comments": "Please check the spend."}),
        ("reopen", {"reopen-reason": "Spend figure wrong"}),
    ],
)
def test_approving_returning_or_reopening_with_a_password_alone_changes_nothing(
    client, programme_data, office_user, required, after_the_deadline, action, data
):
    locality = "ashford" if action == "reopen" else "thanet"
    client.force_login(office_user)
    before = snapshot()
    review = update_url("review", locality)

    response = client.post(
        update_url(action, locality),
        {"version": str(q4_update(locality).version), **data},
        headers={"Referer": f"http://testserver{review}"},
    )

    assert response.status_code == 302
    # Back to the review page once set up: a POST is never replayed as a GET.
    assert response["Location"] == f"{SETUP}?next={quote('http://testserver' + review, safe='')}"
    assert snapshot() == before


def test_the_set_up_page_says_why_it_is_required(client, office_user, required):
    client.force_login(office_user)

    response = client.get(SETUP)

    assert response.status_code == 200
    assert "A password alone is not enough for that" in response.text


def test_the_office_can_log_out_and_reach_healthz_without_a_code(client, office_user, required):
    client.force_login(office_user)

    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert SESSION_KEY not in client.session


def test_after_set_up_and_a_code_the_office_approves(
    client, programme_data, office_user, required, after_the_deadline
):
    log_in(client, "office")
    key, _ = set_up_app(client, next_url=update_url("review"))
    assert client.get(update_url("review")).status_code == 200
    client.post("/accounts/logout/")

    # The next login asks for a code before anything else, then lets the office approve.
    log_in(client, "office")
    assert client.get(update_url("review"))["Location"].startswith(VERIFY)
    # Half a minute on: the code used at set-up is spent.
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        verify = client.post(VERIFY, {"code": code_for(key), "next": update_url("review")})
        assert verify["Location"] == update_url("review")
        response = client.post(update_url("approve"), {"version": str(q4_update().version)})

    assert response["Location"] == update_url("review")
    assert q4_update().status == QuarterlyUpdate.Status.APPROVED


def test_leads_and_board_members_are_not_made_to_set_it_up(
    client, programme_data, lead_thanet, board_user, required
):
    client.force_login(lead_thanet)
    assert client.get("/").status_code == 200
    assert client.get(update_url("detail")).status_code == 200
    assert client.get(ACCOUNT).status_code == 200

    client.force_login(board_user)
    assert client.get("/").status_code == 200


def test_development_lets_the_demo_office_approve_without_an_app(
    client, programme_data, office_user, settings, after_the_deadline
):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    log_in(client, "office")

    assert client.get(update_url("review")).status_code == 200
    response = client.post(update_url("approve"), {"version": str(q4_update().version)})

    assert response["Location"] == update_url("review")
    assert q4_update().status == QuarterlyUpdate.Status.APPROVED


def test_the_services_refuse_an_office_user_who_has_given_no_code(
    programme_data, office_user, required
):
    # Defence in depth: a view reached some other way still cannot approve.
    update = q4_update()
    before = snapshot()

    with pytest.raises(access.AccessRefused, match="Give a code from your authenticator app"):
        update_services.approve_update(
            update=update, expected_version=update.version, by=office_user
        )

    assert snapshot() == before


def test_must_verify_names_the_office_staff_and_superusers(
    programme_data, office_user, office_in_group_only, admin_user, lead_thanet, board_user
):
    assert [
        access.must_verify(user)
        for user in (office_user, office_in_group_only, admin_user, lead_thanet, board_user)
    ] == [True, True, True, False, False]


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
    # The recovery codes come first, once; then where they were going.
    assert response["Location"] == f"{RECOVERY_CODES}?next=%2Fadmin%2F"
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

    assert response["Location"] == f"{RECOVERY_CODES}?next=%2Faccounts%2F"
    codes_page = client.get(f"{RECOVERY_CODES}?next=https://evil.example/")
    assert codes_page.context["next"] == "/accounts/"


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


# --- Recovery codes -------------------------------------------------------------------


@pytest.fixture
def office_with_codes(client, office_user, required):
    """The office, set up through the pages: the app's key and the ten codes it was shown."""
    client.force_login(office_user)
    key, codes = set_up_app(client)
    client.post("/accounts/logout/")
    return key, codes


def test_set_up_shows_ten_recovery_codes_once(client, office_user, required):
    client.force_login(office_user)

    key, codes = set_up_app(client)

    assert len(codes) == len(set(codes)) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert NEW_RECOVERY_CODES not in client.session
    # Shown once: reloading the page shows no codes.
    again = client.get(RECOVERY_CODES)
    assert again["Location"] == ACCOUNT
    assert "Recovery codes are shown only once" in client.get(ACCOUNT).text
    assert "10 left" in client.get(ACCOUNT).text


def test_the_codes_page_is_not_kept_by_caches(client, office_user, required):
    client.force_login(office_user)
    client.get(SETUP)
    response = client.post(SETUP, {"code": code_for(client.session[SETUP_KEY])})

    page = client.get(response["Location"])

    assert set(page["Cache-Control"].split(", ")) == {"no-store", "private"}
    assert "You will not see these codes again" in page.text


def test_the_verify_page_offers_a_recovery_code(client, office_user, office_device, required):
    client.force_login(office_user)

    response = client.get(f"{VERIFY}?next=/admin/")

    assert f'href="{RECOVERY}?next=%2Fadmin%2F">Use a recovery code</a>' in response.text


def test_a_recovery_code_works_once(client, office_user, office_with_codes, caplog):
    _, codes = office_with_codes
    client.force_login(office_user)
    assert client.get(ADMIN)["Location"].startswith(VERIFY)
    before = client.session.session_key

    with caplog.at_level(logging.WARNING, logger="accounts.services"):
        # Typed as shown, in capitals, or with a dash: all the same code.
        response = client.post(
            RECOVERY, {"code": f"{codes[0][:4]}-{codes[0][4:]}".upper(), "next": ADMIN}
        )

    assert response["Location"] == ADMIN
    assert client.session.session_key != before
    assert f"User {office_user.pk} logged in with a recovery code; 9 left" in caplog.text
    account = client.get(ACCOUNT).text
    assert "You used a recovery code. You have 9 recovery codes left." in account
    assert "9 left" in account
    assert client.get(ADMIN).status_code == 200

    client.post("/accounts/logout/")
    client.force_login(office_user)
    again = client.post(RECOVERY, {"code": codes[0], "next": ADMIN})

    assert again.status_code == 400
    assert "That recovery code is not right or has been used" in again.text
    assert client.get(ADMIN)["Location"].startswith(VERIFY)
    assert StaticToken.objects.count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, office_user, office_with_codes):
    key, old_codes = office_with_codes
    client.force_login(office_user)
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        client.post(VERIFY, {"code": code_for(key)})
    assert client.get(NEW_CODES).status_code == 405

    response = client.post(NEW_CODES)

    assert response["Location"] == f"{RECOVERY_CODES}?next=%2Faccounts%2F"
    new_codes = shown_codes(client.get(response["Location"]))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(new_codes)
    assert StaticDevice.objects.count() == 1

    client.post("/accounts/logout/")
    client.force_login(office_user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert client.post(RECOVERY, {"code": old_codes[1]}).status_code == 400
        traveller.shift(timedelta(seconds=2))  # past the back-off after a wrong code
        response = client.post(RECOVERY, {"code": new_codes[1], "next": ADMIN})
    assert response["Location"] == ADMIN


def test_new_codes_need_a_verified_session(client, board_user, programme_data):
    # Two-factor off: nothing to renew.
    client.force_login(board_user)
    assert client.post(NEW_CODES)["Location"] == SETUP
    assert not StaticToken.objects.exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter one of your recovery codes"),
        ("abcd", "Enter a recovery code as 8 letters and numbers, like abcd 2345"),
        ("abcd 2349", "Enter a recovery code as 8 letters and numbers, like abcd 2345"),
        ("<script>alert(1)</script>", "Enter a recovery code as 8 letters and numbers"),
    ],
)
def test_malformed_recovery_codes_are_refused_uncounted(
    client, office_user, office_with_codes, code, message
):
    client.force_login(office_user)

    response = client.post(RECOVERY, {"code": code})

    assert response.status_code == 400
    assert message in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert StaticDevice.objects.get().throttling_failure_count == 0
    assert StaticToken.objects.count() == 10


def test_wrong_recovery_codes_are_throttled(client, office_user, office_with_codes):
    _, codes = office_with_codes
    client.force_login(office_user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        response = client.post(RECOVERY, {"code": "aaaa2222", "next": ADMIN})
        assert response.status_code == 400
        assert StaticDevice.objects.get().throttling_failure_count == 1

        # Straight away even a right code is refused, and stays unspent.
        response = client.post(RECOVERY, {"code": codes[0], "next": ADMIN})
        assert response.status_code == 429
        assert "You have entered too many wrong codes. Wait until" in response.text
        assert StaticToken.objects.count() == 10

        traveller.shift(timedelta(seconds=2))
        response = client.post(RECOVERY, {"code": codes[0], "next": ADMIN})

    assert response["Location"] == ADMIN
    assert StaticDevice.objects.get().throttling_failure_count == 0


def test_recovery_codes_without_an_app_lead_back_to_set_up(client, office_user, office_with_codes):
    # An admin removed a lost app: the old codes do not stand in for it.
    _, codes = office_with_codes
    TOTPDevice.objects.filter(user=office_user).delete()
    client.force_login(office_user)

    assert client.get(ADMIN)["Location"].startswith(SETUP)
    response = client.post(RECOVERY, {"code": codes[0], "next": ADMIN})
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    # Setting up a new app brings a new set of codes.
    _, new_codes = set_up_app(client)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(new_codes)


def test_replacing_codes_in_the_service_returns_ten_new_ones(office_user):
    first = account_services.replace_recovery_codes(user=office_user)
    second = account_services.replace_recovery_codes(user=office_user)

    assert len(second) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(second)
    assert not set(first) & set(second)


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
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "two-factor-recovery-codes")
    page.get_by_role("button", name="I have saved my recovery codes").click()
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

    # Without the app: a recovery code instead.
    page.context.clear_cookies()
    log_in("office")
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    page.get_by_role("link", name="Use a recovery code").click()
    expect(page.get_by_role("heading", name="Use a recovery code")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-recovery")
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You have 9 recovery codes left.")).to_be_visible()
    page.goto(ACCOUNT)
    expect(page.get_by_test_id("recovery-codes-left")).to_have_text("9 left")
    assert_accessible(page)
