"""An idle session in the browser: the warning, "Stay signed in" (or Escape), and what was typed
kept when the session ends anyway, back in the form after logging in again.

The timings are shortened through settings (the live server reads them on every
request): a session of 16 seconds, warned 12 seconds before its end (4 seconds
after a page opens: time to type first, even on a busy machine), ended 4 seconds
before. Screenshots: test-results/screenshots/session-*.png.
"""

import pytest
from playwright.sync_api import expect

from localities.demo import DEMO_PASSWORD
from tests.helpers import assert_accessible, screenshot
from updates.models import ObjectiveStatus, TypedSection

pytestmark = pytest.mark.browser

SECTION = "/updates/medway/2018-19-q4/edit/objectives/"
TYPED = "Half a sentence about the <b>Medway</b> plan, typed and never saved"


def look(page, name: str) -> None:
    screenshot(page, f"session-{name}")
    assert_accessible(page)


def log_in(page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_what_a_lead_typed_outlives_their_idle_session(demo_site, page, settings):
    settings.SESSION_COOKIE_AGE = 16
    settings.SESSION_RENEW_AFTER = 0
    settings.SESSION_WARN_BEFORE = 12
    settings.SESSION_END_EARLY = 4
    settings.SESSION_END_SLACK = 3
    page.goto("/accounts/login/")
    log_in(page, "lead-medway")
    page.goto(SECTION)
    narrative = page.locator("#id_objective-1-narrative")
    narrative.fill(TYPED)

    # The warning: a modal dialog, the focus on "Stay signed in".
    dialog = page.get_by_role("dialog", name="You will be signed out in 12 seconds")
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    look(page, "warning")

    # Stay signed in: the dialog closes and the focus goes back to the text.
    with page.expect_response("**/accounts/session/stay/") as stayed:
        page.keyboard.press("Enter")
    assert stayed.value.json() == {"expires_in": 16}
    expect(dialog).to_be_hidden()
    expect(narrative).to_be_focused()

    # Warned again: Escape counts as "Stay signed in" too.
    expect(stay).to_be_focused()
    with page.expect_response("**/accounts/session/stay/"):
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(narrative).to_be_focused()

    # Left alone again: warned, then signed out with what was typed kept.
    signed_out = page.get_by_role("dialog", name="You have been signed out")
    expect(signed_out).to_be_visible(timeout=20_000)
    expect(signed_out.get_by_role("heading", name="You have been signed out")).to_be_focused()
    expect(signed_out.get_by_text("We kept what you typed in this section")).to_be_visible()
    look(page, "signed-out")
    kept = TypedSection.objects.get(user__username="lead-medway", section="objectives")
    assert kept.data["objective-1-narrative"] == [TYPED]
    assert "csrfmiddlewaretoken" not in kept.data
    # Nothing kept in the browser's storage.
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    # Logged out on the server too: logging in again leads back to the section
    # (in a session of the usual length, this time).
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.SESSION_WARN_BEFORE = 2 * 60
    with page.expect_navigation():
        signed_out.get_by_role("link", name="Log in again").click()
    assert "/accounts/login/" in page.url
    log_in(page, "lead-medway")
    assert page.url.endswith(SECTION)
    expect(narrative).to_have_value(TYPED)
    notice = page.get_by_test_id("kept-typing")
    expect(notice).to_contain_text("We kept what you typed before you were signed out at ")
    expect(notice).to_contain_text("— check it and save.")
    look(page, "restored")
    # The update page says so too, with a link to the section.
    page.goto("/updates/medway/2018-19-q4/")
    kept_list = page.get_by_test_id("kept-sections")
    expect(kept_list).to_contain_text("We kept what you typed before you were signed out.")
    look(page, "update-page")
    with page.expect_navigation():
        kept_list.get_by_role("link", name="Objectives").click()
    expect(narrative).to_have_value(TYPED)

    # Saved: in the update, and no longer kept.
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Objectives saved as a draft.")
    assert (
        ObjectiveStatus.objects.get(
            update__locality__slug="medway",
            update__quarter__number=4,
            update__quarter__financial_year__start_year=2018,
            objective__number=1,
        ).narrative
        == TYPED
    )
    assert not TypedSection.objects.exists()
