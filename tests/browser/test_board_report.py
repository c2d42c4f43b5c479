"""The office writes and approves the quarter's board report; the board reads "so what" above the fold."""

import pytest
from playwright.sync_api import expect

from tests.helpers import SCREENSHOTS, assert_accessible, screenshot

pytestmark = pytest.mark.browser

FOLD = {"width": 1280, "height": 800}


def within_first_viewport(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= FOLD["height"]


def test_office_approves_a_report_and_the_board_sees_it_above_the_fold(demo_site, page, log_in):
    page.set_viewport_size(FOLD)
    log_in("office")
    page.goto("/governance/reports/new/")
    expect(page.get_by_role("heading", name="Write a board report", level=1)).to_be_visible()
    page.get_by_label("Quarter").select_option(label="2018/19 Q4")
    page.get_by_label("Board", exact=True).select_option(label="STP Programme Board")
    page.get_by_label("Report from (a role)").fill("STP Local Care Senior Responsible Officer")
    page.get_by_label("Author (a role)").fill("STP Local Care Lead")
    page.get_by_label("Red").check()
    page.get_by_label("Reason for the assessment").fill(
        "Two Q4 returns are overdue and four risks are Extreme."
    )
    # Two key messages: refused, with the message linked to the field and the text kept.
    page.get_by_label("Key messages").fill("Returns are late\nRisks are high")
    page.get_by_label("The Board is asked to:").fill("note the position\nagree the recovery plan")
    page.get_by_role("button", name="Save as draft").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter at least 3 key messages")
    assert summary.get_by_role("link").first.get_attribute("href") == "#id_key_messages"
    assert_accessible(page)
    page.get_by_label("Key messages").fill(
        "Returns are late in Medway and Swale\nFour risks are Extreme\nMDT roll-out has slipped"
    )
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Draft")
    page.get_by_role("button", name="Approve this report").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Approved")
    expect(page.get_by_test_id("report-history")).to_contain_text("Approved")
    assert_accessible(page)
    screenshot(page, "board-report-approved")

    page.context.clear_cookies()
    log_in("board")
    page.goto("/?quarter=2018-19-q4")
    assessment = page.get_by_test_id("assessment")
    expect(assessment).to_contain_text("Programme assessment: Red")
    expect(assessment).to_contain_text("STP Programme Board")
    key_messages = page.get_by_test_id("key-messages")
    expect(key_messages).to_contain_text("Four risks are Extreme")
    exceptions_heading = page.get_by_role("heading", name="Exceptions, worst first")
    # Groups with nothing this quarter share one line; the rest start worst first.
    expect(page.get_by_test_id("no-exceptions")).to_contain_text("No locality has an objective")
    worst = page.locator(".app-exceptions__group").first
    expect(worst.get_by_role("heading")).to_contain_text("Milestones slipped")
    first_groups = [
        group.locator("li").first for group in page.locator(".app-exceptions__group").all()[:3]
    ]
    page.screenshot(path=str(SCREENSHOTS / "overview-above-the-fold.png"))
    screenshot(page, "overview-so-what")
    for above_the_fold in (assessment, key_messages, exceptions_heading, *first_groups):
        assert within_first_viewport(above_the_fold), above_the_fold
    assert_accessible(page)
