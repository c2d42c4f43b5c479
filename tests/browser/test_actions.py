"""The programme office records an action on Thanet and a risk; a board member finds it on
Actions and decisions, filtered by locality, and downloads the CSV. Axe on every page."""

import csv
import io

import pytest
from playwright.sync_api import expect

from governance.models import Action, Meeting
from risks.models import Risk
from tests.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

TEXT = "Bring Thanet's plan for the frailty MDT to the next Joint Board"


def test_the_office_adds_an_action_and_the_board_finds_it(demo_site, page, log_in):
    meeting = Meeting.objects.get(held_on__isnull=False, decisions__reference="11.1.2")
    risk = Risk.objects.get(reference="LC-R01")

    log_in("office")
    page.get_by_role("link", name="Governance", exact=True).first.click()
    expect(
        page.get_by_role("heading", name="Meetings, decisions and actions", level=1)
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add an action").first.click()
    expect(page.get_by_role("heading", name="Add an action", level=1)).to_be_visible()
    assert_accessible(page)

    # Nothing filled in: told what is missing, linked to the fields.
    page.get_by_role("button", name="Save the action").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say what is to be done.")
    expect(summary).to_contain_text("Choose the meeting that agreed the action.")
    assert_accessible(page)
    screenshot(page, "actions-office-errors")

    page.get_by_label("Agreed at").select_option(label=str(meeting))
    page.get_by_label("Action", exact=True).fill(TEXT)
    page.get_by_label("Owner: a role").fill("Thanet locality lead")
    page.get_by_label("Due by").fill("1/3/2019")
    page.get_by_label("Locality (optional)").select_option(label="Thanet")
    page.get_by_label("Risk (optional)").select_option(label=f"LC-R01: {risk.title}")
    page.get_by_role("button", name="Save the action").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("The action is saved.")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_role("cell", name="Action added")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "actions-office-saved")
    assert Action.objects.get(text=TEXT).locality.slug == "thanet"

    page.context.clear_cookies()
    log_in("board")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Actions", exact=True
    ).click()
    page.get_by_label("As at quarter").select_option(label="2018/19 Q4")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Actions and decisions", level=1)).to_be_visible()
    page.get_by_label("Linked to").select_option(label="Locality: Thanet")
    page.get_by_role("button", name="Apply filters").click()
    table = page.get_by_role("table", name="Actions agreed by the end of 2018/19 Q4")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the action
    expect(table).to_contain_text(TEXT)
    expect(table).to_contain_text("Open")
    expect(table).to_contain_text("Overdue")  # due 1 March 2019 and open on 31 March
    expect(table.get_by_role("link", name="Thanet")).to_be_visible()
    expect(page.get_by_role("heading", name="Decisions by meeting")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "actions-board-filtered")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="CSV file of actions").click()
    content = downloading.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["Action"] for row in rows] == [TEXT]
    assert rows[0]["Linked to"] == f"Locality: Thanet; Risk: LC-R01: {risk.title}"
    assert rows[0]["Owner"] == "Thanet locality lead"


def test_a_board_member_reads_the_boards_as_at_a_quarter(demo_site, page, log_in):
    """From Actions and decisions to the Boards page: the boards in force at 2018/19 Q3's end,
    the Local Care Board 'perhaps' (the papers cannot say), then Q4 with the new board."""
    log_in("board")
    page.goto("/actions/?quarter=2018-19-q3")
    page.get_by_role("link", name="The boards as at 2018/19 Q3").click()
    expect(page.get_by_role("heading", name="Boards", level=1)).to_be_visible()
    perhaps = page.get_by_role("region", name="Local Care Board")
    expect(perhaps).to_contain_text("Perhaps formed")
    expect(perhaps).to_contain_text("whether it had formed by 31 December 2018 they cannot say")
    lcib = page.get_by_role("region", name="Local Care Implementation Board (LCIB)")
    expect(lcib).to_contain_text("Perhaps already: A “learn and share” board")
    assert_accessible(page)
    screenshot(page, "boards-2018-19-q3")

    page.get_by_label("As at quarter").select_option(label="2018/19 Q4")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("heading", name="Perhaps in force: the papers’ dates cannot say")
    ).to_have_count(0)
    expect(page.get_by_role("region", name="Local Care Board")).to_contain_text("In force")
    joint = page.get_by_role(
        "region", name="Kent and Medway Joint Health and Wellbeing Board (Joint Board)"
    )
    expect(joint).to_contain_text("Overdue")  # the report due 19 March 2019, open on 31 March
    expect(joint).to_contain_text("Illustrative owner and status")
    assert_accessible(page)
    screenshot(page, "boards-2018-19-q4")
    # Under Actions in the header.
    expect(page.get_by_role("navigation", name="Menu").locator("[aria-current]")).to_have_text(
        "Actions"
    )
