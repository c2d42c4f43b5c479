"""The first journey: a board member logs in and sees the programme."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_board_member_logs_in_and_sees_the_landing_page(demo_site, page, log_in):
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login")

    log_in("board")

    expect(page.get_by_role("heading", name="Programme overview", level=1)).to_be_visible()
    assert "2018/19 Q4" in page.get_by_role("main").inner_text()
    assert page.get_by_test_id("localities-on-track").inner_text().endswith("of 8")
    matrix = page.get_by_role("table", name="RAG status by locality and objective, 2018/19 Q4")
    expect(matrix.get_by_role("rowheader", name="Thanet")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "overview-board")


def test_a_wrong_password_is_explained_on_the_page(demo_site, page):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("board")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_be_visible()
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    screenshot(page, "login-error")


def test_a_board_member_switches_quarter_and_takes_a_table_away(demo_site, page, log_in):
    log_in("board")

    page.get_by_label("As at quarter").select_option(label="2018/19 Q2")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"quarter=2018-19-q2"))
    assert "As at 2018/19 Q2" in page.get_by_role("main").inner_text()
    matrix = page.get_by_role("table", name="RAG status by locality and objective, 2018/19 Q2")
    # Every locality's Q2 return is approved, so no cell says "No status".
    expect(matrix.get_by_text("No status")).to_have_count(0)

    # The header links keep the quarter.
    page.get_by_role("link", name="Milestones").first.click()
    expect(page).to_have_url(re.compile(r"quarter=2018-19-q2"))
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("localcare-milestones-2018-19-q2")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs, once
    content = raw.decode("utf-8-sig")
    assert "Deep dive: East Kent" in content
    assert content.splitlines()[0].startswith("Milestone")


# Each role's landing page, its own header link, and the links every role must see
# at 1280 px rather than under "More" (the header script moves links that do not fit).
LANDINGS = [
    ("lead-thanet", "/updates/", "My localities", "My localities"),
    ("office", "/returns/", "Quarterly returns", "Returns"),
    ("board", "/", "Programme overview", None),
]


@pytest.mark.parametrize(("username", "path", "heading", "own_link"), LANDINGS)
def test_each_role_lands_on_its_own_work_with_the_whole_header_in_view(
    demo_site, page, log_in, username, path, heading, own_link
):
    log_in(username)

    assert page.url.split("?")[0].endswith(path)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu")
    for label in ["Overview", "Risks", "Board pack", *([own_link] if own_link else [])]:
        link = menu.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0, (label, box)
        assert box["x"] + box["width"] <= 1280, (label, box)
    # Nothing overflowed into "More": the menu button stays hidden.
    expect(menu.get_by_role("button", name=re.compile("More"))).to_be_hidden()
    others = {"My localities", "Returns"} - {own_link}
    for label in others:
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)
    assert_accessible(page)
    screenshot(page, f"landing-{username}")
