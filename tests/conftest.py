import os
from pathlib import Path

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run there unless told this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.apps import apps  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from localities import access  # noqa: E402
from localities.demo import DEMO_PASSWORD, create_demo_accounts  # noqa: E402
from localities.models import Reorganisation  # noqa: E402
from localities.programme_data import load_programme_fixtures, record_reorganisations  # noqa: E402
from tests.helpers import assign_lead
from tests.reorganisations import ICB_2022  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


# The files that take longest, roughly longest first (CI's durations). make test
# keeps each file's tests in one worker (--dist loadfile), which takes files in
# collection order: a long file taken last leaves the other worker idle until it
# ends, so these are taken first.
LONGEST_FIRST = (
    "tests/dashboard/test_reorganisations_leave_2018_19_alone.py",
    "tests/browser/test_admin_accessibility.py",
    "tests/browser/test_quarterly_updates.py",
    "tests/browser/test_accessibility.py",
    "tests/dashboard/test_as_at.py",
    "tests/dashboard/test_every_quarter.py",
    "tests/security/test_database_unavailable.py",
    "tests/browser/test_published_pack.py",
    "tests/security/test_access_matrix.py",
    "tests/browser/test_session_expiry.py",
    "tests/security/test_cache_control.py",
    "tests/test_backups.py",
    "tests/performance/test_budgets.py",
    "tests/updates/test_update_access_matrix.py",
    "tests/browser/test_board_pack.py",
    "tests/browser/test_xss_dialogs.py",
    "tests/test_bench.py",
    "tests/dashboard/test_one_figure.py",
)


def pytest_collection_modifyitems(items):
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def _own_redis_database_per_xdist_worker():
    """Under pytest-xdist (make test's -n 2) worker gwN uses Redis database
    REDIS_URL's + N: every test empties its cache database (empty_cache, a
    FLUSHDB), which must not empty another worker's in the middle of a test.
    The environment changes too, so that child processes the tests start
    (tests/performance/test_redis.py) share the worker's database.

    pytest-django has loaded the settings before this file, so the cache
    setting is changed the way override_settings changes it.
    """
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.test.signals import setting_changed

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not (worker.startswith("gw") and url):
        return
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    url = parts._replace(path=f"/{database}").geturl()
    os.environ["REDIS_URL"] = url
    settings.REDIS_URL = url
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": url},
    }
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)


_own_redis_database_per_xdist_worker()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users; the production hasher costs a good part of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts and ends with an empty cache, so no cached dashboard data
    (dashboard.caching) outlives the test that made it. With REDIS_URL set this
    empties that Redis database: point tests at one of their own."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The apps whose rows the fixtures hold (their history models included).
FIXTURE_APPS = ("localities", "risks", "governance", "updates")


def _snapshot() -> list:
    rows = [
        (model, list(model._base_manager.order_by("pk")))
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in FIXTURE_APPS
    ]
    return [(model, objects) for model, objects in rows if objects]


def _reset_sequences(models) -> None:
    """Each model's id sequence to follow its largest id (1 for an empty table)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


@pytest.fixture(scope="session")
def programme_data_snapshots(django_db_setup, django_db_blocker):
    """Every row `load_programme_data` writes, read once per test session: before
    the reorganisations of fixtures/reorganisations.json are recorded, and after.

    loaddata deserialises and saves row by row (with history), about a second
    a time; inserting the same rows in bulk takes a small part of that.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        # Rows the loader makes rather than reads (a recorded reorganisation, its
        # successions) take their ids from the sequences: start those at 1, so that
        # the ids are the same whichever tests ran before in this process.
        _reset_sequences(m for m in apps.get_models() if m._meta.app_label in FIXTURE_APPS)
        before = []
        load_programme_fixtures(before_reorganisations=lambda: before.extend(_snapshot()))
        after = _snapshot()
        transaction.set_rollback(True)
    return before, after


@pytest.fixture(scope="session")
def programme_data_rows(programme_data_snapshots):
    """Every row `load_programme_data` writes (localities.programme_data.load_programme_fixtures)."""
    return programme_data_snapshots[1]


def _insert(rows) -> None:
    # One transaction, so the deferred foreign-key checks see every row.
    with transaction.atomic():
        for model, objects in rows:
            model._base_manager.bulk_create(objects)
        _reset_sequences(model for model, _ in rows)


@pytest.fixture
def programme_data(db, programme_data_rows):
    """The real reference data and the illustrative demo data, as `make run` loads them."""
    _insert(programme_data_rows)


@pytest.fixture
def programme_data_before_reorganisations(db, programme_data_snapshots):
    """The programme data as the fixtures load it, before the reorganisation of
    fixtures/reorganisations.json (the 2020 CCG merger) is recorded."""
    _insert(programme_data_snapshots[0])


@pytest.fixture
def icb_2022(programme_data):
    """The programme data with the July 2022 ICB and its four Health and Care
    Partnerships recorded after the fixtures' 2020 merger (tests/reorganisations.py)."""
    record_reorganisations([ICB_2022])
    return Reorganisation.objects.get(effective_date=ICB_2022["effective_date"])


def _user_in_group(django_user_model, username, group_name, **extra):
    user = django_user_model.objects.create_user(username=username, password=DEMO_PASSWORD, **extra)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def board_user(db, django_user_model):
    return _user_in_group(django_user_model, "board", access.BOARD_MEMBER)


@pytest.fixture
def office_user(db, django_user_model):
    return _user_in_group(django_user_model, "office", access.PROGRAMME_OFFICE, is_staff=True)


@pytest.fixture
def lead_thanet(programme_data, django_user_model):
    user = _user_in_group(django_user_model, "lead-thanet", access.LOCALITY_LEAD)
    assign_lead(user, "thanet")
    return user


@pytest.fixture
def lead_medway(programme_data, django_user_model):
    """Lead of Medway, whose 2018/19 Q4 update is a draft in the illustrative data."""
    user = _user_in_group(django_user_model, "lead-medway", access.LOCALITY_LEAD)
    assign_lead(user, "medway")
    return user


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser(username="admin", password=DEMO_PASSWORD)


@pytest.fixture
def demo_site(transactional_db, settings):
    """For browser tests: the data and demo accounts exactly as `make run` sets them up."""
    call_command("load_programme_data", verbosity=0)
    settings.DEBUG = True
    create_demo_accounts()
    settings.DEBUG = False


# --- Browser tests: one Chromium per session, a fresh context per test ---------


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium chromium-driver"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    def log_in_as(username):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        # Wait for the login's own navigation: wait_for_load_state alone returns at once
        # (the login page is loaded), and a goto straight after could cancel the POST.
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        # A demo account always logs in: if it did not, say why here (the form's own
        # message, a lockout or a CSRF page), not later as a page that is not there.
        if page.url.split("?")[0].endswith("/accounts/login/"):
            pytest.fail(f"{username} was not logged in: {page.locator('body').inner_text()[:600]}")
        return page

    return log_in_as
