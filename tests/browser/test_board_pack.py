"""A board member takes the pack away: on screen, then as an A4 PDF."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.helpers import SCREENSHOTS, assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_board_pack_prints_to_a4_with_its_quarter_and_figures(demo_site, page, log_in):
    log_in("board")
    page.goto("/board-pack/?quarter=2018-19-q4")

    expect(page.get_by_role("heading", name="Local Care board pack", level=1)).to_be_visible()
    assert "As at 2018/19 Q4" in page.get_by_test_id("as-at").inner_text()
    assert_accessible(page)
    screenshot(page, "board-pack")

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    screenshot(page, "board-pack-print")
    pdf = page.pdf(format="A4", print_background=True)
    (SCREENSHOTS / "board-pack.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(sheet.extract_text() for sheet in reader.pages)

    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    # A4 is 595.3 × 841.9 points; Chromium rounds up a point.
    assert abs(float(width) - 595.3) < 1.5
    assert abs(float(height) - 841.9) < 1.5
    assert 2 <= len(reader.pages) <= 8
    assert "Local Care board pack" in text
    assert "As at 2018/19 Q4" in text
    assert "Generated" in text
    for heading in (
        "Headline figures",
        "Milestones needing attention",
        "MDT roll-out",
        "Critical areas",
    ):
        assert heading in text
    assert "Thanet" in text
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
