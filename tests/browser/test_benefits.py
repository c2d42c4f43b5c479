"""A board member reads the investment case against what the data suggest so far."""

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_board_member_reads_the_benefits_against_the_case(demo_site, page, log_in):
    log_in("board")

    page.goto("/money/?quarter=2018-19-q4")
    page.get_by_test_id("benefits-link").get_by_role("link", name="Benefits page").click()

    expect(page.get_by_role("heading", name="Benefits", level=1)).to_be_visible()
    assert "quarter=2018-19-q4" in page.url
    # What was promised, what the data suggest, how sure we are.
    headline = page.get_by_test_id("benefits-headline")
    expect(headline.get_by_text("£21.8m the investment case expected")).to_be_visible()
    expect(headline.get_by_text("£218m a year")).to_be_visible()
    expect(page.get_by_role("heading", name="How sure we are")).to_be_visible()
    page.wait_for_selector("[data-chart='savings-by-quarter-data'][data-chart-drawn='true']")
    page.wait_for_selector("[data-chart='money-against-case-data'][data-chart-drawn='true']")
    ramp = page.get_by_test_id("ramp")
    expect(ramp.get_by_role("row").filter(has_text="2022/23")).to_contain_text("100.0%")
    expect(page.get_by_role("heading", name="How these are worked out")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "benefits")
