"""A board member reads the risk heatmap, the register, the movement chart and one risk."""

import datetime
from collections import Counter

import pytest
from playwright.sync_api import expect

from risks.models import Risk, RiskReview
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=alert(1)>"
Q4_END = datetime.date(2019, 3, 31)


def cells_at(day: datetime.date) -> Counter:
    """Open risks raised by `day`, by the likelihood and consequence of their last review by then."""
    cells = Counter()
    for risk in Risk.objects.filter(status=Risk.Status.OPEN, date_raised__lte=day):
        reviews = sorted(
            (review for review in risk.reviews.all() if review.reviewed_on <= day),
            key=lambda review: (review.reviewed_on, review.id),
        )
        latest = reviews[-1] if reviews else None
        cells[
            (latest.likelihood, latest.consequence)
            if latest
            else (risk.current_likelihood, risk.current_consequence)
        ] += 1
    return cells


def test_a_board_member_reads_the_heatmap_and_narrows_the_register(demo_site, page, log_in):
    Risk.objects.filter(reference="LC-R07").update(title=PAYLOAD)
    # A past quarter's register shows the title as recorded by its end: the history's.
    Risk.history.filter(reference="LC-R07").update(title=PAYLOAD)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    expected = cells_at(Q4_END)
    log_in("board")

    page.get_by_role("link", name="Risks").first.click()
    page.get_by_label("As at quarter").select_option(label="2018/19 Q4")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Risks", level=1)).to_be_visible()
    summary = page.get_by_test_id("risk-summary").inner_text()
    assert summary == (
        "13 open risks at the end of 2018/19 Q4: 4 extreme, 7 high, 2 moderate and 0 low."
    )
    heatmap = page.get_by_role(
        "table", name="Open risks by likelihood and consequence, end of 2018/19 Q4"
    )
    for (likelihood, consequence), count in expected.items():
        cell = heatmap.get_by_test_id(f"heatmap-{likelihood}-{consequence}")
        assert cell.inner_text().startswith(str(count))
    assert "Score 16 · Extreme" in heatmap.get_by_test_id("heatmap-4-4").inner_text()
    register = page.get_by_role("table", name="Open risks, scored as at the end of 2018/19 Q4")
    expect(register.get_by_role("row").filter(has_text=PAYLOAD)).to_have_count(1)
    page.locator("[data-chart-drawn=true]").wait_for()
    assert dialogs == []
    assert_accessible(page)
    screenshot(page, "risks")

    # Select the 4 × 4 cell: the register lists those risks only.
    heatmap.get_by_test_id("heatmap-4-4").get_by_role("link").click()
    page.wait_for_url("**consequence=4**")
    assert "Showing the 3 risks with likelihood 4 (Likely)" in (
        page.get_by_test_id("selected-cell").inner_text()
    )
    expect(register.get_by_role("row")).to_have_count(1 + expected[(4, 4)])
    assert_accessible(page)

    # Then open one of them.
    register.get_by_role("link", name="LC-R03").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("heading", name="Workforce availability and development")
    ).to_be_visible()
    assert "quarter=2018-19-q4" in page.url


def test_a_board_member_reads_one_risk_and_its_review_history(demo_site, page, log_in):
    RiskReview.objects.filter(risk__reference="LC-R01").order_by("reviewed_on").filter(
        reviewed_on__year=2019, reviewed_on__month=1
    ).update(note=PAYLOAD)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in("board")

    # 2018/19 Q4: every review of LC-R01 is dated by its end, so all are on its page.
    page.goto("/risks/LC-R01/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="Cultural change across organisations")).to_be_visible()
    scores = page.get_by_test_id("risk-scores").inner_text()
    assert "Inherent" in scores
    assert "At 31 March 2019" in scores
    assert "16\tExtreme" in scores or "16 Extreme" in scores
    reviews = page.get_by_role("table", name="Every review, oldest first")
    assert (
        reviews.get_by_role("row").count()
        == 1 + RiskReview.objects.filter(risk__reference="LC-R01").count()
    )
    expect(reviews.get_by_role("row").filter(has_text=PAYLOAD)).to_have_count(1)
    page.locator("[data-chart-drawn=true]").wait_for()
    assert dialogs == []
    assert_accessible(page)
    screenshot(page, "risk-detail")


def test_a_past_quarters_risk_page_is_as_at_its_end(demo_site, page, log_in):
    log_in("board")

    page.goto("/risks/LC-R03/?quarter=2018-19-q4")

    recorded = page.get_by_test_id("as-recorded").inner_text()
    assert "as at 31 March 2019" in recorded
    assert "Score as at 31 Mar 2019: from the review of 12 Mar 2019." in recorded
    next_review = page.get_by_test_id("next-review").inner_text()
    assert "11 April 2019" in next_review
    assert "Overdue" not in next_review
    page.locator("[data-chart-drawn=true]").wait_for()
    assert_accessible(page)
    screenshot(page, "risk-detail-past-quarter")
