"""A board member compares localities against each objective, then reads one."""

import re

import pytest
from playwright.sync_api import expect

from localities.models import Objective
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def test_a_board_member_compares_localities_by_objective(demo_site, page, log_in):
    Objective.objects.filter(financial_year__start_year=2018, number=4).update(
        short_title=f"Expanding {XSS}"
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.get_by_role("link", name="Objectives").first.click()

    expect(page.get_by_role("heading", name="Objectives", level=1)).to_be_visible()
    assert page.get_by_test_id("objective-1-chart-summary").inner_text() == (
        "In 2018/19 Q4, 5 of 8 localities were Green or Complete on "
        "“Integrated locality plans”; 3 had no approved return."
    )
    for number in range(1, 5):
        page.wait_for_selector(
            f"[data-chart='objective-{number}-chart-data'][data-chart-drawn='true']"
        )
    assert_accessible(page)
    screenshot(page, "objectives")

    page.get_by_test_id("objective-3").get_by_role(
        "link", name="Ashford, objective 3, 2018/19 Q2"
    ).click()

    expect(page).to_have_url(
        re.compile(re.escape("/localities/ashford/?quarter=2018-19-q2#objective-3") + "$")
    )
    expect(page.get_by_role("heading", name="Ashford", level=1)).to_be_visible()
    expect(page.get_by_test_id("objective-3")).to_be_visible()
    assert dialogs == []
