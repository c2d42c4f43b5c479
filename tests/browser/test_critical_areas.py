"""A board member scans the seven critical areas and jumps to one."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_board_member_jumps_to_a_critical_area(demo_site, page, log_in):
    log_in("board")

    page.goto("/critical-areas/")

    expect(page.get_by_role("heading", name="Critical areas", level=1)).to_be_visible()
    contents = page.get_by_role("navigation", name="Critical areas")
    expect(contents.get_by_role("link")).to_have_count(7)
    assert "15 actions across 7 critical areas" in (
        page.get_by_test_id("critical-areas-summary").inner_text()
    )
    assert_accessible(page)
    screenshot(page, "critical-areas")

    contents.get_by_role("link", name="4. Workforce").click()

    expect(page).to_have_url(re.compile(r"#area-4$"))
    workforce = page.locator("#area-4")
    expect(workforce.get_by_role("heading", name="4. Workforce", level=2)).to_be_visible()
    workshop = workforce.locator(".nhsuk-card").filter(has_text="Workforce workshop")
    assert "Complete" in workshop.inner_text()
    assert "Source" in workshop.inner_text()
