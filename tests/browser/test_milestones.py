"""A board member reads the milestone register, its slippage and its timeline."""

import pytest
from playwright.sync_api import expect

from localities.models import Milestone
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_a_board_member_sees_slipped_milestones_and_the_timeline(demo_site, page, log_in):
    Milestone.objects.filter(title="Workforce workshop").update(title=PAYLOAD)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.goto("/milestones/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="Milestones", level=1)).to_be_visible()
    summary = page.get_by_test_id("milestone-summary").inner_text()
    assert summary.startswith("Of 60 milestones,")  # 36 from the papers, 24 illustrative
    assert "by 31 March 2019" in summary
    table = page.get_by_role("table", name="Milestones, status as at 2018/19 Q4")
    west_kent = table.get_by_role("row").filter(has_text="Deep dive: West Kent")
    # As the paper wrote it, and slippage in the months that plan supports.
    assert "August / early September 2018" in west_kent.inner_text()
    assert "About three months after" in west_kent.inner_text()
    assert "1 Aug 2018 – 7 Sep 2018" not in table.inner_text()
    assert "95 days" not in table.inner_text()
    test_session = table.get_by_role("row").filter(has_text="Test session on the deep dive")
    assert "Early August 2018" in test_session.inner_text()
    assert "Not reported" in test_session.inner_text()
    assert "Overdue" not in test_session.inner_text()
    expect(table.get_by_role("row").filter(has_text=PAYLOAD)).to_have_count(1)
    page.locator("[data-chart-drawn=true]").wait_for()
    assert dialogs == []
    assert_accessible(page)
    screenshot(page, "milestones")

    # Keyboard only: tab to the Slippage sort link and press Enter.
    for _ in range(80):
        page.keyboard.press("Tab")
        if "Slippage" in page.evaluate("document.activeElement.textContent || ''"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=slippage**")
    assert table.get_by_role("columnheader", name="Slippage").get_attribute("aria-sort") == (
        "ascending"
    )
    assert dialogs == []
