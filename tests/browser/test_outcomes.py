"""A board member reads an SPC chart of hospital activity and the overview of every locality."""

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from localities.models import Locality
from tests.helpers import assert_accessible, screenshot
from updates.models import OutcomeFigure

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def test_a_board_member_reads_the_outcomes_charts(demo_site, page, log_in):
    Locality.objects.filter(slug="swale").update(name=f"Swale {XSS}")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.goto("/outcomes/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="Outcomes", level=1)).to_be_visible()
    q1_total = OutcomeFigure.objects.filter(
        update__status="approved",
        update__quarter__financial_year__start_year=2018,
        update__quarter__number=1,
        measure__code="ae-attendances",
    ).aggregate(total=Sum("value"))["total"]
    points = page.get_by_role("table", name="A&E attendances by quarter, Kent and Medway")
    assert (
        f"{q1_total:,.0f}" in points.get_by_role("row").filter(has_text="2018/19 Q1").inner_text()
    )
    assert (
        page.get_by_test_id("spc-chart-summary")
        .inner_text()
        .startswith("A&E attendances in Kent and Medway: 3 quarters, mean")
    )
    expect(page.get_by_test_id("limits-indicative")).to_be_visible()
    page.wait_for_selector("[data-chart='spc-chart-data'][data-chart-drawn='true']")
    overview = page.get_by_role(
        "table", name="Latest quarter against baseline, every locality and measure, to 2018/19 Q4"
    )
    expect(overview.get_by_text(f"Swale {XSS}")).to_be_visible()  # shown as typed, not run

    # Choose a measure and a locality with the form.
    page.get_by_label("Measure", exact=True).select_option(label="Bed days")
    page.get_by_label("Locality", exact=True).select_option(label="Thanet")
    page.get_by_role("button", name="Show chart").click()
    page.wait_for_selector("[data-chart='spc-chart-data'][data-chart-drawn='true']")
    assert page.get_by_role("heading", name="Bed days, Thanet: statistical process control chart")
    assert (
        page.get_by_test_id("spc-chart-summary")
        .inner_text()
        .startswith("Bed days in Thanet: 3 quarters")
    )
    assert dialogs == []
    assert_accessible(page)
    screenshot(page, "outcomes")
