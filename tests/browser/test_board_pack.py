"""A board member takes the pack away: on screen, then as an A4 PDF."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.helpers import SCREENSHOTS, assert_accessible, screenshot

pytestmark = pytest.mark.browser


def _approved_report():
    """An approved (illustrative) report for 2018/19 Q4, as the programme office leaves it."""
    from django.utils import timezone

    from governance.models import BoardReport
    from localities.models import GovernanceBody, Quarter, Rag

    return BoardReport.objects.create(
        quarter=Quarter.objects.get(financial_year__start_year=2018, number=4),
        body=GovernanceBody.objects.order_by("name").first(),
        agenda_item="7",
        report_from="Local Care Senior Responsible Officer",
        author="STP Local Care Lead",
        assessment_rag=Rag.AMBER,
        assessment_reason="MDTs are live in most localities; two are behind plan.",
        key_messages="MDT roll-out is ahead of last quarter.\nSpend is below plan.\n"
        "Two localities are off track.",
        recommendations="Note the progress made.\nDiscuss the two localities off track.",
        status=BoardReport.Status.APPROVED,
        approved_at=timezone.now(),
        is_illustrative=True,
    )


def test_the_board_pack_prints_to_a4_with_its_quarter_and_figures(demo_site, page, log_in):
    report = _approved_report()
    log_in("board")
    # Maturity since October 2017: its own page, and the pack's last section.
    page.goto("/maturity/?quarter=2018-19-q4")
    expect(page.locator("body[data-charts-ready='true']")).to_have_count(1)
    assert "scores rose in" in page.get_by_test_id("maturity-movement-chart-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "maturity")

    # The demo's own 2018/19 Q4 report is to another board: this one is chosen by name.
    page.goto("/board-pack/?quarter=2018-19-q4")
    page.get_by_label("Board", exact=True).select_option(str(report.body_id))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Local Care board pack", level=1)).to_be_visible()
    assert "As at 2018/19 Q4" in page.get_by_test_id("as-at").inner_text()
    cover = page.get_by_test_id("cover-sheet")
    expect(cover.get_by_role("heading", name="The Board is asked to:")).to_be_visible()
    expect(page.get_by_label("Board", exact=True)).to_have_value(str(report.body_id))
    # Every chart drawn before anything prints: the publisher waits for this attribute.
    expect(page.locator("body[data-charts-ready='true']")).to_have_count(1)
    charts = page.locator(".app-chart__plot")
    assert charts.count() >= 4
    assert page.locator(".app-chart__plot[data-chart-drawn='true']").count() == charts.count()
    assert_accessible(page)
    screenshot(page, "board-pack")
    cover.screenshot(path=str(SCREENSHOTS / "board-pack-cover.png"))  # for the README's tour

    page.emulate_media(media="print")
    # Drawn for print: no plot wider than the A4 page between its margins.
    widths = page.eval_on_selector_all(
        ".app-chart__plot", "plots => plots.map(plot => plot.getBoundingClientRect().width)"
    )
    assert widths
    assert max(widths) <= 650, widths
    # An A4-wide window (as the publisher opens it): the type is the print's, and the
    # charts keep their drawn width (at most 642 px), so nothing redraws while printing.
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    screenshot(page, "board-pack-print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / "board-pack.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    sheets = [sheet.extract_text() for sheet in reader.pages]
    text = "\n".join(sheets)

    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    # A4 (@page size) is 595.3 × 841.9 points; Chromium rounds up a point.
    assert abs(float(width) - 595.3) < 1.5
    assert abs(float(height) - 841.9) < 1.5
    count = len(reader.pages)
    # Bounded whatever the data: at most 20 localities a table, five items a change group.
    # 27 pages in December 2026: the monthly outcome charts' tables take about six.
    assert 3 <= count <= 30
    for number, sheet in enumerate(sheets, start=1):
        assert f"Page {number} of {count}" in sheet
        assert "Local Care board pack · 2018/19 Q4" in sheet  # the running header
    # The cover sheet is page 1, and page 1 alone.
    first = sheets[0]
    for words in (
        "Cover sheet",
        "Agenda item",
        "Local Care Senior Responsible Officer",
        "For assurance",
        "Executive summary",
        "Spend is below plan.",
        "The Board is asked to:",
        "Discuss the two localities off track.",
        "Illustrative report",
        "localities' returns approved for 2018/19 Q4",
    ):
        assert words in first, words
    assert "Contents" not in first
    assert "Local Care board pack" in text
    assert "As at 2018/19 Q4" in text
    assert "Generated" in text
    for heading in (
        "Contents",
        "1. Exceptions",
        "2. Progress against the",
        "3. Actions from previous meetings",
        "Milestones needing attention",
        "MDT roll-out",
        "Heatmap",
        "Critical areas",
        "10. Maturity since the October 2017 baseline",
    ):
        assert heading in text, heading
    # Each chart's text summary is in the printed text, beside its drawing.
    for summary in page.locator(".app-chart__summary").all_inner_texts():
        assert summary.split(",")[0] in text.replace("\n", " ")
    assert "Thanet" in text
    # Words wrapped in narrow table cells print whole (Chromium once dropped the first
    # letter of a wrapped line in the risks table: " mplement").
    flowing = " ".join(text.split())
    for title in page.locator(".app-pack-risks__title").all_inner_texts():
        assert " ".join(title.split()) in flowing, title
    # Screen-only furniture stays off paper.
    assert "Print or save as PDF" not in text
    assert "As at quarter" not in text
    assert "(Link:" not in text
    # Illustrative figures stay marked on paper, in words (the tag's colour is not
    # needed to read it), and the screen's "what this means" link is left off.
    assert "Illustrative score" in text
    assert "Invented risk" in text
    assert "what this means" not in text
    tag = page.locator(".app-illustrative__tag").first
    assert tag.evaluate("element => getComputedStyle(element).borderTopStyle") == "dashed"


def test_the_pack_reflows_at_320_px_with_no_sideways_scrolling(demo_site, page, log_in):
    """WCAG 1.4.10: at 320 CSS pixels (1280 px at 400% zoom) the pack reads without
    scrolling sideways; wide tables scroll inside their own region, not the page."""
    log_in("board")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/board-pack/?quarter=2018-19-q4")

    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 321 && el.offsetParent !== null
                    && !el.closest('.app-table-container'))
            .slice(0, 15)
            .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, too_wide
    assert_accessible(page)
    screenshot(page, "board-pack-320")
