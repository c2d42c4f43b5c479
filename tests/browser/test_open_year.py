"""The programme office opens the next year: a half-made year refused with what is
missing, then the whole year previewed and opened; checked with axe and looked at."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from localities.models import FinancialYear, Locality, Milestone, Objective
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_office_previews_then_opens_the_next_year(demo_site, page, log_in):
    latest = FinancialYear.objects.order_by("-start_year").first()
    label = FinancialYear(start_year=latest.start_year + 1).label
    localities = list(Locality.objects.order_by("name"))
    years = FinancialYear.objects.count()
    log_in("office")
    page.goto(reverse("updates:returns"))
    page.get_by_role("link", name="open the next year").click()
    expect(page.get_by_role("heading", name=f"Open {label}", level=1)).to_be_visible()

    # Every locality but the first given: refused, with the missing one named and linked.
    for locality in localities[1:]:
        page.get_by_label(f"{locality.name} (£)").fill("1,250,000")
    page.get_by_role("button", name=f"Preview {label}").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(f"Enter the planned investment for {localities[0].name}")
    assert FinancialYear.objects.count() == years
    screenshot(page, "open-year-refused")
    assert_accessible(page)
    summary.get_by_role(
        "link", name=f"Enter the planned investment for {localities[0].name}"
    ).click()
    expect(page.get_by_label(f"{localities[0].name} (£)")).to_be_focused()

    page.get_by_label(f"{localities[0].name} (£)").fill("900,000")
    page.get_by_label("New objective 1: title").fill(
        "Align the MDTs with the Primary Care Networks"
    )
    page.locator("#id_new_1_short_title").fill("PCN alignment")
    rolled = page.locator("[data-testid^='milestone-'] input").first
    rolled.check()
    page.get_by_role("button", name=f"Preview {label}").click()

    expect(page.get_by_role("heading", name=f"Check and open {label}", level=1)).to_be_visible()
    expect(page.get_by_test_id("preview-objectives")).to_contain_text("PCN alignment")
    expect(page.get_by_test_id("preview-milestones").get_by_role("listitem")).to_have_count(1)
    total = 1_250_000 * (len(localities) - 1) + 900_000
    expect(page.get_by_test_id("preview-investment")).to_contain_text(f"{total:,}")
    assert FinancialYear.objects.filter(start_year=latest.start_year + 1).count() == 0
    screenshot(page, "open-year-preview")
    assert_accessible(page)

    page.get_by_role("button", name=f"Open {label}").click()
    expect(page.locator("main")).to_contain_text(f"{label} is open")
    year = FinancialYear.objects.get(start_year=latest.start_year + 1)
    assert Objective.objects.filter(financial_year=year, short_title="PCN alignment").exists()
    assert Milestone.objects.filter(in_plan_from=year.start_date).count() == 1
    screenshot(page, "open-year-opened")
    assert_accessible(page)
