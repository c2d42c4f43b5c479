"""A board member reads spend against plan, and the investment case kept apart from it."""

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from common.money import pounds, pounds_short
from localities.models import Locality
from tests.helpers import assert_accessible, screenshot
from updates.models import QuarterlyUpdate

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def test_a_board_member_reads_spend_against_plan(demo_site, page, log_in):
    Locality.objects.filter(slug="swale").update(name=f"Swale {XSS}")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.goto("/money/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="Money", level=1)).to_be_visible()
    year_spent = QuarterlyUpdate.objects.filter(
        quarter__financial_year__start_year=2018, status="approved"
    ).aggregate(total=Sum("spend_actual"))["total"]
    assert page.get_by_test_id("spent-to-date").inner_text() == pounds_short(year_spent)
    assert page.get_by_test_id("annual-plan").inner_text() == "£32m"
    table = page.get_by_role("table", name="Spend against plan by locality, year to 2018/19 Q4")
    thanet = table.get_by_role("row").filter(has_text="Thanet")
    spent = QuarterlyUpdate.objects.filter(
        locality__slug="thanet", quarter__financial_year__start_year=2018, status="approved"
    ).aggregate(total=Sum("spend_actual"))["total"]
    assert pounds(spent) in thanet.inner_text()
    expect(table.get_by_text(f"Swale {XSS}")).to_be_visible()  # shown as typed, not run
    page.wait_for_selector("[data-chart='spend-by-locality-data'][data-chart-drawn='true']")
    expect(
        page.get_by_role("heading", name="The investment case (context, not actuals)")
    ).to_be_visible()
    expect(page.get_by_text("£164m to £190m")).to_be_visible()
    assert dialogs == []
    assert_accessible(page)
    screenshot(page, "money")
