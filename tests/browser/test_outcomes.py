"""A board member reads the outcomes summary matrix, then the monthly charts behind it."""

import re

import pytest
from playwright.sync_api import expect

from localities.models import Locality, OutcomeChangePoint
from tests.helpers import SCREENSHOTS, assert_accessible, screenshot

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
# A chart of each kind the fixtures give: a change point with indicative limits (West Kent
# A&E), a rising trend with a spike (Thanet A&E), common cause (Medway).
CHARTS = {
    "west-kent": "change point",
    "thanet": "special cause concerning",
    "medway": "common cause",
}


def chart_screenshot(page, name: str) -> None:
    """The chart, its icons and the lines under it, as a board member reads them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    top = page.get_by_test_id("mdc-icons").bounding_box()
    bottom = page.locator("figure.app-chart").bounding_box()
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"),
        full_page=True,
        clip={
            "x": bottom["x"],
            "y": top["y"],
            "width": bottom["width"],
            "height": bottom["y"] + bottom["height"] - top["y"],
        },
    )


def test_a_board_member_reads_the_summary_matrix_and_the_charts(demo_site, page, log_in):
    Locality.objects.filter(slug="swale").update(name=f"Swale {XSS}")
    OutcomeChangePoint.objects.filter(locality__slug="west-kent").update(
        reason=f"West Kent's MDTs all live {XSS}"
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.goto("/outcomes/summary/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="Outcomes: summary matrix", level=1)).to_be_visible()
    matrix = page.get_by_role("table", name="Kent and Medway and every locality, worst first")
    rows = matrix.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Kent and Medway")
    expect(matrix.get_by_role("link", name=f"Swale {XSS}", exact=True)).to_be_visible()  # as typed
    expect(matrix.locator("svg title").first).to_have_text(re.compile(r"^(Variation|Assurance): "))
    assert_accessible(page)
    screenshot(page, "outcomes-summary-matrix")

    # A cell opens its chart, at the same quarter.
    matrix.get_by_role("link", name="A&E attendances, Thanet: see the chart").click()
    page.wait_for_selector("[data-chart='spc-chart-data'][data-chart-drawn='true']")
    expect(
        page.get_by_role(
            "heading", name="A&E attendances, Thanet: statistical process control chart, by month"
        )
    ).to_be_visible()
    assert "quarter=2018-19-q4" in page.url
    summary = page.get_by_test_id("spc-chart-summary").inner_text()
    assert summary.startswith("A&E attendances in Thanet, Apr 2016 to Mar 2019")
    assert "Q3" not in summary  # the points are months; the page is as at Q4's end
    expect(page.get_by_test_id("sources")).to_contain_text("the latest on")
    expect(page.get_by_test_id("mdc-how-to-read")).to_be_attached()
    assert_accessible(page)

    for slug, kind in CHARTS.items():
        page.goto(f"/outcomes/?quarter=2018-19-q4&measure=ae-attendances&locality={slug}")
        page.wait_for_selector("[data-chart='spc-chart-data'][data-chart-drawn='true']")
        chart_screenshot(page, f"outcomes-chart-{slug}-{kind.replace(' ', '-')}")
    expect(page.get_by_test_id("change-point")).to_have_count(0)  # Medway has none
    page.goto("/outcomes/?quarter=2018-19-q4&measure=ae-attendances&locality=west-kent")
    expect(page.get_by_test_id("change-point")).to_contain_text(f"West Kent's MDTs all live {XSS}")
    expect(page.get_by_test_id("limits-indicative")).to_be_visible()
    assert dialogs == []
