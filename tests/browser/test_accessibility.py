"""Anyone logged in finds the accessibility statement from the footer."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_statement_is_linked_from_the_footer_and_usable_by_keyboard(demo_site, page, log_in):
    log_in("board")

    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Accessibility statement for the Kent and Medway")
    assert page.get_by_test_id("known-issues").get_by_role("listitem").count() >= 3
    assert_accessible(page)
    screenshot(page, "accessibility-statement")

    # Keyboard only: the first Tab reaches the skip link, and it moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#maincontent$"))
