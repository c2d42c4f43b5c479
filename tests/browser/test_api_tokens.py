"""A board member makes an API token on their account, copies it (shown once), uses it,
and revokes it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_board_member_makes_copies_and_revokes_an_api_token(demo_site, page, log_in):
    log_in("board")
    page.goto("/accounts/")
    page.get_by_role("link", name="Manage your API tokens").click()

    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_role("button", name="Make the token").click()
    # Nothing typed: told what is missing, linked to the field.
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter a name for the token")
    assert_accessible(page)

    page.get_by_label("Name").fill("Power BI: objectives")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", name="Copy your API token")).to_be_visible()
    key = page.get_by_test_id("api-token-key").input_value()
    assert key.startswith("lc_")
    assert_accessible(page)
    screenshot(page, "api-token-shown-once")

    # The key works from outside the browser's session.
    response = page.request.get(
        reverse("api:objective-statuses") + "?quarter=2018-19-q4",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status == 200
    assert response.json()["count"] > 0

    page.get_by_role("button", name="I have copied my token").click()
    tokens = page.get_by_test_id("api-tokens")
    expect(tokens).to_contain_text("Power BI: objectives")
    expect(tokens).to_contain_text("Active")
    assert key not in page.content()
    assert_accessible(page)
    screenshot(page, "api-tokens")

    page.get_by_role("button", name="Revoke Power BI: objectives").click()
    expect(page.get_by_test_id("api-tokens")).to_contain_text("Revoked")
    response = page.request.get(
        reverse("api:localities"), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status == 401
