"""A board member reads one locality's page."""

import datetime

import pytest
from playwright.sync_api import expect

from localities.models import MDT, Locality, Milestone
from tests.helpers import assert_accessible, screenshot
from updates.models import ObjectiveStatus, QuarterlyUpdate

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
Q3_END = datetime.date(2018, 12, 31)


def test_a_board_member_reads_a_locality(demo_site, page, log_in):
    thanet = Locality.objects.get(slug="thanet")
    update = QuarterlyUpdate.objects.get(
        locality=thanet,
        quarter__financial_year__start_year=2018,
        quarter__number=3,
        status="approved",
    )
    ObjectiveStatus.objects.filter(update=update, objective__number=1).update(
        narrative=XSS, rag_reason=f"Judged by the lead {XSS}"
    )
    Milestone.objects.create(
        locality=thanet,
        title="Quex cluster care navigation live",
        planned_start=datetime.date(2018, 7, 1),
        planned_end=datetime.date(2018, 9, 30),
        is_date_uncertain=True,
        forecast_date=datetime.date(2019, 1, 31),
        status=Milestone.Status.IN_PROGRESS,
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    page.goto("/localities/thanet/?quarter=2018-19-q3")

    expect(page.get_by_role("heading", name="Thanet", level=1)).to_be_visible()
    assert "East Kent sub-system" in page.get_by_test_id("locality-facts").inner_text()
    objective = page.get_by_test_id("objective-1")
    assert XSS in objective.inner_text()  # shown as the text that was typed
    assert f"The lead chose a different RAG: Judged by the lead {XSS}" in objective.inner_text()
    mdts = MDT.objects.filter(locality=thanet)
    live = mdts.filter(actual_go_live__lte=Q3_END).count()
    assert (
        page.get_by_test_id("mdt-summary").inner_text().startswith(f"{live} of {mdts.count()} MDTs")
    )
    milestones = page.get_by_role("table", name="Thanet milestones")
    assert "Jul 2018 – Sep 2018 (uncertain)" in milestones.inner_text()
    assert "Overdue" in milestones.inner_text()
    assert (
        "Thanet spent £1,629,400 against £1,830,000"
        in page.get_by_test_id("spend-chart-summary").inner_text()
    )
    risks = page.get_by_role("table", name="Open risks for Thanet at 2018/19 Q3 end")
    assert "LC-R09" in risks.inner_text()
    page.wait_for_selector("[data-chart='maturity-chart-data'][data-chart-drawn='true']")
    page.wait_for_selector("[data-chart='spend-chart-data'][data-chart-drawn='true']")
    assert_accessible(page)
    screenshot(page, "locality")
    assert dialogs == []


def test_after_a_merger_a_board_member_follows_a_locality_to_what_it_became(
    demo_site, page, log_in
):
    """Medway and Swale merged into one partnership from 1 October 2018 (test data): as at
    2018/19 Q3, the overview lists seven areas and the partnership adds up both."""
    from tests.dashboard.test_structure_as_at import merge_medway_and_swale

    merge_medway_and_swale(datetime.date(2018, 10, 1))
    log_in("board")

    page.goto("/?quarter=2018-19-q3")
    # Medway was a sub-system of its own; the partnership is in North Kent.
    assert "7 localities in 3 sub-systems" in page.get_by_test_id("structure").inner_text()
    expect(page.get_by_role("link", name="Medway and Swale Partnership").first).to_be_visible()
    screenshot(page, "overview-after-a-merger")

    page.goto("/localities/medway/?quarter=2018-19-q3")
    callout = page.get_by_test_id("not-in-force")
    assert "merged into Medway and Swale Partnership on 1 October 2018" in callout.inner_text()
    assert_accessible(page)
    callout.get_by_role("link", name="Medway and Swale Partnership").click()

    expect(
        page.get_by_role("heading", name="Medway and Swale Partnership", level=1)
    ).to_be_visible()
    formed = page.get_by_test_id("formed-from")
    assert "Formed on 1 October 2018 from Medway and Swale" in formed.inner_text()
    assert "Illustrative reorganisation" in formed.inner_text()
    screenshot(page, "locality-formed-by-a-merger")
