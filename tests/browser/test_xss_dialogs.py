"""In a real browser, hostile text in every field shows as text and never runs.

Every payload in tests/security/xss_payloads.py calls alert() if it runs; the
page listens for dialogs and the test fails on the first. Pages are read as a
board member, a lead (with the text in form fields and text areas), the
programme office (review page, Django admin and its history pages), and a
chart's hover label is drawn with a risk's title in it.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from localities import access
from localities.demo import DEMO_PASSWORD
from localities.models import Milestone
from risks.models import Risk
from tests.helpers import assign_lead, screenshot
from tests.security.xss_payloads import PAYLOADS, seed_payloads

pytestmark = pytest.mark.browser

Q4 = "?quarter=2018-19-q4"


@pytest.fixture
def seeded(demo_site):
    users = get_user_model().objects
    lead_swale = users.create_user(username="lead-swale", password=DEMO_PASSWORD)
    lead_swale.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(lead_swale, "swale")
    return seed_payloads(
        lead_medway=users.get(username="lead-medway"),
        lead_thanet=users.get(username="lead-thanet"),
        lead_swale=lead_swale,
        office_user=users.get(username="office"),
    )


@pytest.fixture
def dialogs(page):
    seen = []

    def dismiss(dialog):
        seen.append(f"{page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", dismiss)
    return seen


@pytest.fixture
def violations(page):
    """A payload that did reach the page as markup would also be refused by the Content
    Security Policy, which says so on the console: a second witness."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return seen


# After the load event: let a rendering step pass (autofocus runs there) and then the
# queued tasks (a <details> toggle event), so any handler a payload planted has fired.
AFTER_RENDERING = "new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))"


def read(page, url: str) -> str:
    response = page.goto(url)
    assert response.status == 200, url
    page.evaluate(AFTER_RENDERING)
    return page.locator("body").inner_text()


def test_no_payload_runs_on_any_page(seeded, page, log_in, dialogs, violations):
    log_in("board")
    shown = set()
    risks = [*seeded.risk_references[:2], seeded.closed_risk_reference]
    for url in [
        "/",
        "/localities/medway/",
        "/localities/thanet/",
        "/objectives/",
        "/milestones/",
        "/mdts/",
        "/money/",
        "/outcomes/",
        "/critical-areas/",
        "/risks/",
        "/board-pack/",
        *(f"/risks/{reference}/" for reference in risks),
    ]:
        text = read(page, url + Q4)
        shown |= {payload for payload in PAYLOADS if payload in text}
        charts = page.locator("[data-chart]").count()
        if charts:
            page.locator("[data-chart][data-chart-drawn=true]").nth(charts - 1).wait_for()
        if url == "/risks/":
            # A hover label holds a risk's title: drawn as text too.
            point = page.locator("[data-chart] .scatterlayer .point").first
            point.scroll_into_view_if_needed()
            box = point.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            label = page.locator(".hoverlayer .hovertext").first
            label.wait_for()
            # "LC-R03: line one<br>line two <a href=…": the title as typed, not markup.
            reference, _ = label.text_content().split(":", 1)
            title = Risk.objects.get(reference=reference).title
            assert title[:40] in label.text_content()
            expect(label.locator("a")).to_have_count(0)
            screenshot(page, "xss-risks-hover")
    screenshot(page, "xss-risk-detail")
    page.get_by_role("button", name="Log out").click()

    log_in("lead-swale")
    for url in [
        "/updates/swale/2018-19-q4/",
        "/updates/swale/2018-19-q4/edit/objectives/",
        "/updates/swale/2018-19-q4/edit/milestones/",
        "/updates/swale/2018-19-q4/edit/risks/",
        "/updates/swale/2018-19-q4/edit/summary/",
    ]:
        read(page, url)
        # Text areas and inputs hold the payloads as their values.
        for field in page.locator("textarea, input[type=text]").all():
            value = field.input_value()
            shown |= {payload for payload in PAYLOADS if payload == value}
    screenshot(page, "xss-lead-summary")
    page.get_by_role("button", name="Log out").click()

    log_in("office")
    risk = Risk.objects.get(reference=seeded.risk_references[0])
    milestone = Milestone.objects.order_by("pk").first()
    for url in [
        "/updates/thanet/2018-19-q4/review/",
        "/admin/risks/risk/",
        f"/admin/risks/risk/{risk.pk}/change/",
        f"/admin/risks/risk/{risk.pk}/history/",
        "/admin/localities/milestone/",
        f"/admin/localities/milestone/{milestone.pk}/history/",
        "/admin/localities/mdt/",
    ]:
        text = read(page, url)
        shown |= {payload for payload in PAYLOADS if payload in text}
    screenshot(page, "xss-admin-history")

    assert dialogs == []
    assert violations == []
    # Every payload was on some page as the text that was typed.
    assert shown == set(PAYLOADS)
