"""Helpers for tests: screenshots to look at, axe-core checks, query counts, lead assignments."""

import re
from html import unescape
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def accessibility_check(page):
    """axe-core's results for the page against WCAG 2.2 A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_22_AA_TAGS},
            "resultTypes": ["violations"],
        },
    )


def assert_accessible(page):
    """axe-core against WCAG 2.2 A and AA: no violations."""
    results = accessibility_check(page)
    assert results.violations_count == 0, results.generate_report()


def query_count(client, url: str) -> int:
    """How many SQL queries one GET of `url` runs (the response must be 200).

    Counts the page computed afresh: the cache is emptied first, since a
    dashboard served from it (dashboard.caching) runs fewer queries.
    """
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def assert_queries_do_not_grow(client, url: str, *, factor: int = 10) -> int:
    """The page runs the same number of queries with `factor` times the data.

    Call with the real fixtures loaded and a logged-in client; pin the quarter
    in `url` so that added quarters do not change what the page shows.
    Returns the count, for the caller to pin as well.
    """
    from tools.scale import generate_scale_data

    before = query_count(client, url)
    generate_scale_data(factor=factor)
    after = query_count(client, url)
    assert after == before, f"{url}: {before} queries with the real data, {after} at {factor}×"
    return before


def programme_models() -> list:
    """Every model of programme data that people write: the apps in
    localities.access.PROGRAMME_DATA_APPS, without django-simple-history's
    copies and without read models derived from the rest (`is_read_model`)."""
    from django.apps import apps

    from localities.access import PROGRAMME_DATA_APPS

    return [
        model
        for app_label in PROGRAMME_DATA_APPS
        for model in apps.get_app_config(app_label).get_models()
        if not model.__name__.startswith("Historical")
        and not getattr(model, "is_read_model", False)
    ]


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text without tags, scripts or attributes,
    with runs of white space made one space. Hidden inputs are not text."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def assign_lead(user, locality, *, start=None, end=None):
    """Assign `user` to lead `locality` (a Locality or its slug) from `start` to `end`
    (inclusive dates; None: open-ended), as the programme office does in the admin.

    Returns the LeadAssignment. Forgets the user's cached assignments
    (localities.access.lead_assignments) so that the same object sees the change.
    """
    from localities.models import LeadAssignment, Locality

    if isinstance(locality, str):
        locality = Locality.objects.get(slug=locality)
    assignment = LeadAssignment(
        user=user, locality=locality, in_force_from=start, in_force_until=end
    )
    assignment.full_clean()
    assignment.save()
    user.__dict__.pop("_lead_assignments", None)
    return assignment


# For a child process's own scratch database: its tables straight from the models,
# in seconds. Replaying every migration takes 20 seconds and more, and every test
# database replays them already; the tests that use this are about something else.
TABLES_FROM_MODELS = """
from django.conf import settings
from django.core.management import call_command

class NoMigrations(dict):
    def __contains__(self, app):
        return True

    def __getitem__(self, app):
        return None

settings.MIGRATION_MODULES = NoMigrations()
call_command("migrate", "--no-input", "--run-syncdb", verbosity=0)
"""
