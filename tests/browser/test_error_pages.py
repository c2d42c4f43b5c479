"""The 403, 404, 500 and 503 pages in Chromium: NHS style, no detail, and accessible."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from localities import access
from localities.access import sync_access_groups
from localities.demo import DEMO_PASSWORD
from tests import error_urls
from tests.helpers import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.error_urls")]


@pytest.fixture
def people(transactional_db, django_user_model):
    sync_access_groups()  # the groups, emptied between transactional tests
    board = django_user_model.objects.create_user("board", password=DEMO_PASSWORD)
    board.groups.add(Group.objects.get(name=access.BOARD_MEMBER))
    django_user_model.objects.create_user("visitor", password=DEMO_PASSWORD)


def check_error_page(page, path: str, status: int, heading: str) -> None:
    response = page.goto(path)
    text = response.text()
    assert response.status == status, path
    assert f"<h1>{heading}</h1>" in text
    assert "Traceback" not in text
    assert "secret detail" not in text
    assert_accessible(page)
    screenshot(page, f"error-{status}")


def test_every_error_page_is_plain_and_accessible(people, page, log_in):
    log_in("visitor")  # logged in, but with no role in the programme
    check_error_page(page, "/", 403, "You cannot see this page")

    log_in("board")
    check_error_page(page, "/no-such-page/", 404, "Page not found")
    check_error_page(page, error_urls.BUG, 500, "Sorry, there is a problem with the service")
    check_error_page(page, error_urls.DATABASE_GONE, 503, "Sorry, the service is unavailable")


def test_the_503_page_is_styled_by_the_nhs_frontend(people, page):
    page.goto(error_urls.DATABASE_GONE)

    heading = page.get_by_role("heading", name="Sorry, the service is unavailable", level=1)
    expect(heading).to_be_visible()
    # The NHS.UK frontend stylesheet loaded: its header is NHS blue.
    header = page.get_by_role("banner")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 94, 184)"
    expect(page.get_by_role("link", name="Skip to main content")).to_have_count(1)
