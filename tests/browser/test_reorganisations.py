"""The programme office records a reorganisation: the form, its preview, then the record.
By the labels a screen reader reads, checked with axe and looked at."""

import pytest

from localities.models import Locality, Reorganisation
from localities.programme_data import record_reorganisations
from tests.helpers import assert_accessible, screenshot
from tests.reorganisations import ICB_2022

pytestmark = pytest.mark.browser


def test_the_office_previews_then_records_a_reorganisation(demo_site, page, log_in):
    # The demo data's 2020 merger, and the 2022 ICB (not in the demo data) after it.
    record_reorganisations([ICB_2022])
    log_in("office")
    page.goto("/updates/office/reorganisations/")
    listed = page.inner_text("main")
    assert "The eight Kent and Medway CCGs merge into NHS Kent and Medway CCG" in listed
    assert "NHS Kent and Medway ICB and four Health and Care Partnerships" in listed
    page.get_by_role("button", name="Record a reorganisation").click()
    page.wait_for_load_state()

    # Submitted empty: the error summary names what is missing.
    page.get_by_role("button", name="Preview the reorganisation").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    assert "Give the date the new structure began." in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("Effective date: the first day of the new structure").fill("1/4/2025")
    page.get_by_label("Title").fill("North Kent partnership")
    page.get_by_label("Source", exact=True).fill("An example for the tour")
    page.get_by_label("Illustrative: not from a source").check()
    page.get_by_label(
        "Dartford, Gravesham and Swanley Health and Care Partnership (locality)"
    ).check()
    page.get_by_label("Medway and Swale Health and Care Partnership (locality)").check()
    page.get_by_label("Merged into", exact=True).check()
    page.get_by_label("New: the name of what it became").fill(
        "North Kent Health and Care Partnership"
    )
    page.get_by_label("New: what it is").select_option(label="A Health and Care Partnership")
    page.get_by_label("New locality: its sub-system").fill("Kent and Medway Integrated Care System")
    screenshot(page, "reorganisation-form")
    page.get_by_role("button", name="Preview the reorganisation").click()
    page.wait_for_load_state()

    main = page.inner_text("main")
    assert "Check the reorganisation" in main
    assert "Ends on 31 March 2025" in main
    assert "Locality: Medway and Swale Health and Care Partnership merged into North Kent" in main
    assert "Pages as at quarters ending on or after 1 April 2025" in main
    assert Reorganisation.objects.count() == 2
    screenshot(page, "reorganisation-preview")
    assert_accessible(page)

    page.get_by_role("button", name="Record the reorganisation").click()
    page.wait_for_load_state()
    assert "The reorganisation is recorded" in page.inner_text("main")
    assert page.locator('[data-testid="successions"] tbody tr').count() == 2
    assert Locality.objects.get(name="North Kent Health and Care Partnership").is_illustrative
    screenshot(page, "reorganisation-recorded")
    assert_accessible(page)
