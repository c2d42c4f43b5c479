"""A board member reads the MDT roll-out and filters the register."""

import pytest
from playwright.sync_api import expect

from localities.models import Locality
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_a_board_member_sees_mdts_by_locality_and_filters_the_register(demo_site, page, log_in):
    Locality.objects.filter(slug="swale").update(name=PAYLOAD)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.goto("/mdts/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="MDT roll-out", level=1)).to_be_visible()
    assert "34 of 43 MDTs were live, 5 shadow running and 4 planned" in (
        page.get_by_test_id("mdt-summary").inner_text()
    )
    totals = page.get_by_test_id("mdt-totals").inner_text()
    assert "All localities" in totals
    assert "1,340,700" in totals
    summary_table = page.get_by_test_id("mdt-localities")
    expect(summary_table.get_by_role("rowheader", name=PAYLOAD)).to_be_visible()
    page.locator("[data-chart-drawn=true]").wait_for()
    register = page.get_by_role("table", name="MDT register, status as at 2018/19 Q4")
    assert "Illustrative" in register.get_by_role("row").filter(has_text="Deal").inner_text()
    assert dialogs == []
    assert_accessible(page)
    screenshot(page, "mdts")

    page.get_by_label("Locality", exact=True).select_option(label="Medway")
    page.get_by_label("Status at quarter end").select_option(label="Shadow running")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**locality=medway**")

    rows = register.locator("tbody tr")
    expect(rows).to_have_count(2)
    assert "Shadow running" in rows.first.inner_text()
    assert dialogs == []
