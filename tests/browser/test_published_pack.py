"""The office publishes the board pack; a board member downloads the PDF the board read.

The publish command really runs: a detached `manage.py publish_board_pack`
subprocess, with Chromium, against this test's database.
"""

import io
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.helpers import SCREENSHOTS, assert_accessible, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def subprocess_sees_this_database(monkeypatch):
    """The detached command connects with DATABASE_URL: point it at the test database."""
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor != "postgresql" or not url:
        pytest.skip("The publish subprocess needs the PostgreSQL test database (CI has it)")
    # Only the database's name changes: make test's URL keeps its socket directory and
    # port in the query string (postgres://postgres@/localcare?host=/tmp/…&port=…).
    test_database = urlsplit(url)._replace(path=f"/{connection.settings_dict['NAME']}")
    monkeypatch.setenv("DATABASE_URL", urlunsplit(test_database))


def test_the_office_publishes_and_a_board_member_downloads(
    demo_site, subprocess_sees_this_database, page, log_in, chromium
):
    log_in("office")
    page.goto("/board-pack/?quarter=2018-19-q4")
    page.get_by_role("link", name="Publish the 2018/19 Q4 pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the 2018/19 Q4 board pack")
    page.get_by_label("Local Care Implementation Board").check()
    page.get_by_role("button", name="Publish the pack").click()

    versions = page.get_by_test_id("published-packs")
    expect(versions.get_by_text("Publishing…")).to_be_visible()
    screenshot(page, "published-pack-publishing")
    # The page asks every few seconds; Chromium in the subprocess takes a few more.
    status = page.locator("[data-publish-status]")
    expect(status).to_contain_text("ready to download", timeout=90_000)
    expect(versions.get_by_role("link", name="Download version 1")).to_be_visible()
    expect(versions.locator("[data-pack-published]")).not_to_have_text("Not yet")
    assert_accessible(page)
    versions.scroll_into_view_if_needed()
    screenshot(page, "published-pack-published")

    page.context.clear_cookies()
    log_in("board")
    page.goto("/board-pack/?quarter=2018-19-q4")
    with page.expect_download() as downloading:
        page.get_by_test_id("published-packs").get_by_role(
            "link", name="Download version 1"
        ).click()
    download = downloading.value
    assert download.suggested_filename.startswith("local-care-board-pack-2018-19-q4-")
    assert download.suggested_filename.endswith("-v1.pdf")
    target = SCREENSHOTS / "published-board-pack.pdf"
    download.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = "\n".join(sheet.extract_text() for sheet in reader.pages)
    assert "As at 2018/19 Q4" in text
    assert str(reader.trailer["/Root"]["/Lang"]).lower() == "en-gb"
