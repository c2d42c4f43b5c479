"""Every page works under the Content Security Policy: no violation, and charts draw.

Chromium reports each blocked script, style element or style attribute on the
console ("... violates the following Content Security Policy directive ...").
The policy (localcare/settings.py) allows nothing inline and no eval, so a
violation here means a page, a template or plotly.js needs something the
policy refuses.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from risks.models import Risk
from tests.helpers import screenshot

pytestmark = pytest.mark.browser

Q4 = "?quarter=2018-19-q4"
DASHBOARD_PAGES = [
    "/",
    "/localities/thanet/",
    "/localities/medway/",
    "/objectives/",
    "/money/",
    "/outcomes/",
    "/milestones/",
    "/mdts/",
    "/critical-areas/",
    "/maturity/",
    "/risks/",
    "/board-pack/",
    "/accessibility/",
]


def is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Cannot addRelatedStyleRule" in text


@pytest.fixture
def violations(page):
    """Console messages about the Content Security Policy, with the page they came from."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}") if is_csp_message(message.text) else None
        ),
    )
    return seen


def visit(page, url: str) -> int:
    """Open a page (scripts and styles have run by its load event) and wait until every
    chart on it has drawn; how many charts there are."""
    response = page.goto(url)
    assert response.status == 200, url
    assert "Content-Security-Policy" in {name.title() for name in response.headers}, url
    charts = page.locator("[data-chart]").count()
    if charts:
        page.locator("[data-chart][data-chart-drawn=true]").nth(charts - 1).wait_for()
        expect(page.locator("[data-chart][data-chart-drawn=true]"), url).to_have_count(charts)
        assert page.locator("[data-chart] svg.main-svg").count() >= charts, url
    return charts


def test_dashboard_pages_raise_no_violation_and_draw_their_charts(
    demo_site, page, log_in, violations
):
    log_in("board")
    risk = Risk.objects.exclude(reference=None).order_by("reference").first()

    charts = 0
    for url in [*DASHBOARD_PAGES, f"/risks/{risk.reference}/"]:
        charts += visit(page, url + Q4)
        assert violations == []
        if url == "/risks/":
            # A hover label is drawn at run time: still no inline style, and
            # plotly.css (not an inline <style>) lets the pointer reach the plot.
            point = page.locator("[data-chart] .scatterlayer .point").nth(3)
            point.scroll_into_view_if_needed()
            box = point.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.locator(".hoverlayer .hovertext").first.wait_for()
            screenshot(page, "csp-risks-hover")

    assert charts >= 12
    assert violations == []


def test_lead_and_office_pages_raise_no_violation(demo_site, page, log_in, violations):
    log_in("lead-medway")
    for url in [
        "/updates/",
        "/updates/medway/2018-19-q4/",
        "/updates/medway/2018-19-q4/edit/objectives/",
        "/updates/medway/2018-19-q4/edit/risks/",
        "/updates/medway/2018-19-q4/upload/",
        # The account pages (the two-factor set-up page draws its QR code as inline SVG).
        reverse("accounts:account"),
        reverse("accounts:two-factor-setup"),
        reverse("password_change"),
    ]:
        visit(page, url)
    page.get_by_role("button", name="Log out").click()

    log_in("office")
    risk = Risk.objects.order_by("pk").first()
    for url in [
        "/returns/",
        "/updates/thanet/2018-19-q4/review/",
        "/admin/",
        "/admin/risks/risk/",
        f"/admin/risks/risk/{risk.pk}/change/",
        f"/admin/risks/risk/{risk.pk}/history/",
        "/admin/localities/milestone/1/change/",
        "/admin/localities/mdt/1/change/",
        "/admin/localities/locality/1/change/",
    ]:
        visit(page, url)

    assert violations == []


def test_login_pages_raise_no_violation(demo_site, page, violations):
    visit(page, "/accounts/login/")
    visit(page, "/admin/login/")

    assert violations == []
