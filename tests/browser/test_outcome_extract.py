"""The programme office loads a monthly extract with a bad row, reads every problem, then
loads it corrected: the error summary, the problems table and the list of extracts, by
keyboard, checked with axe and looked at."""

import pytest

from localities.models import OutcomeExtract
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

BAD = (
    "locality,measure,month,value\n"
    "thanet,ae-attendances,2019-03,4100\n"
    "thanet,ae-attendances,2018-13,5\n"
    "atlantis,bed-days,2019-03,7\n"
)
GOOD = "locality,measure,month,value\nthanet,ae-attendances,2019-03,4100\n"


def test_the_office_loads_an_extract_after_reading_its_problems(demo_site, page, log_in, tmp_path):
    log_in("office")
    page.goto("/updates/office/outcomes/")
    before = OutcomeExtract.objects.count()

    bad = tmp_path / "activity-2019-03.csv"
    bad.write_text(BAD)
    page.get_by_label("Upload the extract").set_input_files(str(bad))
    page.get_by_label("Where the figures come from").fill("SUS+ via the data warehouse")
    page.get_by_label("Where the figures come from").press("Enter")
    page.wait_for_load_state()

    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Sheet ‘activity-2019-03.csv’, row 3, column ‘month’: 2018-13 is not a month" in (
        summary.inner_text()
    )
    assert page.locator('[data-testid="problems"] tbody tr').count() == 2
    assert OutcomeExtract.objects.count() == before
    screenshot(page, "outcome-extract-problems")
    assert_accessible(page)

    good = tmp_path / "activity-2019-03-corrected.csv"
    good.write_text(GOOD)
    page.get_by_label("Upload the extract").set_input_files(str(good))
    page.get_by_label("Where the figures come from").fill("SUS+ via the data warehouse")
    page.get_by_role("button", name="Check and load the extract").click()
    page.wait_for_load_state()

    assert (
        "Extract loaded: 1 monthly figure for March 2019 (0 new, 1 restated, 0 unchanged)"
        in page.inner_text("main")
    )
    assert "activity-2019-03-corrected.csv" in page.locator('[data-testid="extracts"]').inner_text()
    assert OutcomeExtract.objects.count() == before + 1
    screenshot(page, "outcome-extract-loaded")
    assert_accessible(page)
