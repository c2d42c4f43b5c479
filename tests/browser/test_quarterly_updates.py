"""Quarterly updates in the browser: the whole quarter as four people by keyboard alone
(the lead drafts and submits, the office comments and returns, the lead replies and
resubmits, the office approves, the board reads it); the e-mails a return sends; two
people save the same section; the lead's pages at 400% zoom; comments; no change.

Every page visited is screenshotted (test-results/screenshots/updates-*.png) and
checked with axe-core.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from localities import access
from localities.demo import DEMO_PASSWORD
from localities.models import Milestone
from tests.helpers import SCREENSHOTS, assert_accessible, assign_lead, screenshot
from tests.updates.update_data import save_complete_update
from updates import services
from updates.models import ObjectiveStatus, QuarterlyUpdate

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=alert(1)>"
MEDWAY_Q4 = "/updates/medway/2018-19-q4/"
THANET_Q4 = "/updates/thanet/2018-19-q4/"
# 400% zoom of a 1280 × 900 window: the page lays out in 320 × 225 CSS pixels.
ZOOMED = {"width": 320, "height": 225}


def q4_update(slug: str) -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.get(
        locality__slug=slug, quarter__financial_year__start_year=2018, quarter__number=4
    )


def look(page, name: str) -> None:
    """Every page a journey reaches: a screenshot for a person, and axe-core."""
    screenshot(page, f"updates-{name}")
    assert_accessible(page)


@pytest.fixture
def dialogs(page):
    """JavaScript dialogs the page opened: there must be none (escaped free text)."""
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    yield opened
    assert opened == []


@pytest.fixture
def open_page(chromium, live_server):
    """A page in a browser context of its own (its own session), logged in as `username`."""
    contexts, opened = [], []

    def open_(username: str, *, viewport=None):
        context = chromium.new_context(
            base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert opened == []


# --- Keyboard helpers: only keys reach the page ---------------------------------


def focused(page, selector: str, text: str = "") -> bool:
    return page.evaluate(
        """([selector, text]) => {
            const el = document.activeElement;
            return !!el && el.matches(selector) && el.textContent.includes(text);
        }""",
        [selector, text],
    )


def tab_to(page, selector: str, text: str = "", *, limit: int = 120) -> None:
    """Press Tab until the focused element matches `selector` (and contains `text`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector, text):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} {text!r}")


def press_and_load(page, key: str):
    """Press a key that follows a link or submits a form; the response of the page reached."""
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    page.wait_for_load_state()
    return navigation.value


def click_and_load(page, target):
    """Click a link or button and wait for the page it leads to; that page's response."""
    with page.expect_navigation() as navigation:
        target.click()
    page.wait_for_load_state()
    return navigation.value


def active_id(page) -> str:
    return page.evaluate("document.activeElement.id")


# --- 1. The quarter as four people, by keyboard alone ----------------------------------


def log_in_by_keyboard(page, username: str) -> None:
    """The login form, by keys alone; then where the role lands (LOGIN_REDIRECT_URL)."""
    page.goto("/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    press_and_load(page, "Enter")


@pytest.fixture
def second_page(chromium, live_server):
    """Another person's browser: a context (and session) of its own."""
    contexts = []

    def open_():
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def test_the_quarter_runs_as_four_people_by_keyboard_alone(demo_site, page, dialogs, second_page):
    """The lead drafts and submits; the office comments and returns; the lead replies and
    resubmits; the office approves; the board reads it. Keys only, axe at every step."""
    lead = get_user_model().objects.get(username="lead-medway")
    plan = Milestone.objects.get(locality__slug="medway", title__startswith="Locality plan")
    assert q4_update("medway").status == QuarterlyUpdate.Status.DRAFT

    # Log in.
    page.goto("/")
    assert "/accounts/login/" in page.url
    look(page, "lead-login")
    tab_to(page, "#id_username")
    page.keyboard.type("lead-medway")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    press_and_load(page, "Enter")
    look(page, "lead-landing")

    # My localities, then the Medway update.
    tab_to(page, "a.nhsuk-header__navigation-link", "My localities")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", name="My localities", level=1)).to_be_visible()
    assert page.get_by_test_id("locality-medway").get_by_test_id("current-status").inner_text() == (
        "Draft"
    )
    look(page, "lead-my-localities")
    tab_to(page, "a", "Continue the 2018/19 Q4 update")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", name="2018/19 Q4 quarterly update")).to_be_visible()
    look(page, "lead-update-draft")

    # Check and submit lists what needs completing, each linked to its section.
    tab_to(page, "a", "Check and submit")
    press_and_load(page, "Enter")
    problems = page.locator(".nhsuk-error-summary__list li")
    assert [text.split(":")[0] for text in problems.all_inner_texts()] == ["Milestones", "MDTs"]
    assert focused(page, ".nhsuk-error-summary")
    expect(page.get_by_role("button", name="Submit the update")).to_have_count(0)
    look(page, "lead-submit-not-ready")
    page.keyboard.press("Tab")
    assert focused(page, "a", "Milestones: Report on all milestones")
    tab_to(page, "a", "Back to the 2018/19 Q4 update")
    press_and_load(page, "Enter")
    tab_to(page, "a", "Change objectives")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", name="Objectives", level=1)).to_be_visible()
    # Each objective's suggestion with its own evidence, in one line beside the choice.
    suggested = page.get_by_test_id("suggested-rag")
    assert (
        suggested.nth(1)
        .inner_text()
        .startswith("Suggested: Amber — 4 of 6 MDTs due by 31 Mar 2019 live (plan for the year 6)")
    )
    assert "spend" not in suggested.nth(0).inner_text()
    look(page, "lead-objectives")

    # Objective 1: from Complete to Green; the lead's reason against the suggestion stays.
    expect(page.locator("#id_objective-1-rag_3")).to_be_checked()  # Complete
    tab_to(page, "#id_objective-1-rag_3")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#id_objective-1-rag_2")).to_be_checked()  # Green
    page.keyboard.press("Tab")
    assert active_id(page) == "id_objective-1-narrative"
    page.keyboard.press("Control+End")
    page.keyboard.type(f" Signed off by the board in March. {PAYLOAD}")
    # Objective 2: from the suggested Amber to Green, with no reason given.
    tab_to(page, "#id_objective-2-rag_1")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_objective-2-rag_2")).to_be_checked()
    # Objective 3: from Amber to the suggested Red.
    tab_to(page, "#id_objective-3-rag_1")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#id_objective-3-rag_0")).to_be_checked()
    tab_to(page, "button", "Save and continue")
    response = press_and_load(page, "Enter")

    # Saved as a draft, objective 2's missing reason and all: only submitting needs it.
    assert response.status == 200
    assert not page.title().startswith("Error: ")

    # Milestones: the plan is forecast a couple of days early.
    expect(page.get_by_role("heading", name="Milestones", level=1)).to_be_visible()
    assert "Objectives saved as a draft." in page.get_by_role("alert").inner_text()
    # The success banner has the focus (WCAG 4.1.3), after "Save and continue" as after submit.
    assert focused(page, ".nhsuk-notification-banner--success", "Objectives saved as a draft.")
    look(page, "lead-milestones")
    tab_to(page, f"#id_milestone-{plan.pk}-forecast_date")
    page.keyboard.press("Control+A")
    page.keyboard.type("29/3/2019")
    tab_to(page, "button", "Save draft")
    press_and_load(page, "Enter")
    assert "Milestones saved as a draft." in page.get_by_role("alert").inner_text()
    # After "Save draft" too: the banner in view with the focus on it, not the page body.
    assert focused(page, ".nhsuk-notification-banner--success", "Milestones saved as a draft.")
    assert page.evaluate("window.scrollY") == 0
    expect(page.get_by_test_id("section-state-milestones")).to_have_text("Changed")
    expect(page.get_by_test_id("section-state-mdts")).to_have_text("To do")

    # MDTs: nothing changed since Q3, so one button carries them forward, not a form.
    tab_to(page, "button", "No change since last quarter for MDTs")
    press_and_load(page, "Enter")
    assert "MDTs: confirmed, no change since last quarter." in (
        page.get_by_role("alert").inner_text()
    )
    assert focused(page, ".nhsuk-notification-banner--success", "MDTs: confirmed")
    expect(page.get_by_test_id("section-state-mdts")).to_have_text("Confirmed unchanged")
    # The payload is shown as the text it is.
    objectives = page.locator("#section-objectives")
    expect(objectives.get_by_text(PAYLOAD, exact=False)).to_have_count(1)
    look(page, "lead-update-saved")

    # Check and submit asks for objective 2's reason, linked to the very box.
    tab_to(page, "a", "Check and submit")
    press_and_load(page, "Enter")
    summary = page.locator(".nhsuk-error-summary")
    assert focused(page, ".nhsuk-error-summary")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Objectives: Objective 2: say why you chose Green when the figures suggest Amber (4 of "
        "6 MDTs due by 31 Mar 2019 live (plan for the year 6); live MDTs cover 160,600 people; "
        "spend is 5% under plan)."
    ]
    look(page, "lead-submit-reason-missing")
    page.keyboard.press("Tab")
    assert focused(page, ".nhsuk-error-summary a")
    press_and_load(page, "Enter")
    assert page.url.endswith("/edit/objectives/#id_objective-2-rag_reason")
    reason = page.locator("#id_objective-2-rag_reason")
    expect(reason).to_be_in_viewport()
    # What was saved is there: Green for objective 2, the sentence typed into objective 1.
    expect(page.locator("#id_objective-2-rag_2")).to_be_checked()
    assert PAYLOAD in page.locator("#id_objective-1-narrative").input_value()
    look(page, "lead-objectives-reason")
    tab_to(page, "#id_objective-2-rag_reason")
    page.keyboard.type("Two MDTs are shadow running with full teams; both go live in April.")
    tab_to(page, "button", "Save draft")
    press_and_load(page, "Enter")
    assert "Objectives saved as a draft." in page.get_by_role("alert").inner_text()

    # Nothing is missing now: submit.
    tab_to(page, "a", "Check and submit")
    press_and_load(page, "Enter")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    look(page, "lead-submit-ready")
    tab_to(page, "button", "Submit the update")
    press_and_load(page, "Enter")
    assert "update is submitted to the programme office" in page.get_by_role("alert").inner_text()
    status = page.get_by_test_id("update-status").inner_text()
    assert "Submitted" in status
    assert "by lead-medway" in status
    expect(page.get_by_role("link", name="Check and submit")).to_have_count(0)
    look(page, "lead-update-submitted")

    update = q4_update("medway")
    assert update.status == QuarterlyUpdate.Status.SUBMITTED
    assert update.submitted_by == lead
    statuses = {s.objective.number: s for s in update.objective_statuses.all()}
    assert {number: s.rag for number, s in statuses.items()} == {
        1: "green",
        2: "green",
        3: "red",
        4: "green",
    }
    assert statuses[1].narrative.endswith(f"Signed off by the board in March. {PAYLOAD}")
    assert statuses[2].rag_reason.startswith("Two MDTs are shadow running")
    # Objectives 1 and 3 have no milestone reported late (the papers report none of their
    # programme-wide ones as late); objective 2 has MDTs short of plan.
    assert [statuses[n].suggested_rag for n in (1, 2, 3, 4)] == ["green", "amber", "green", "green"]
    assert update.milestone_updates.get(milestone=plan).forecast_date.isoformat() == "2019-03-29"
    assert update.mdt_updates.count() == 7
    saves = [
        h.history_change_reason
        for h in update.history.filter(history_user=lead).order_by("history_date")
    ]
    assert [reason.split(":")[0] for reason in saves] == [
        "Saved draft",
        "Saved draft",
        "No change since last quarter",
        "Saved draft",
        "Submitted",
    ]
    assert ObjectiveStatus.history.filter(update=update, history_user=lead).count() >= 3

    # The programme office: lands on its queue, comments on objective 2, returns the update.
    office = second_page()
    log_in_by_keyboard(office, "office")
    expect(office.get_by_role("heading", name="Quarterly returns")).to_be_visible()
    look(office, "journey-office-returns")
    tab_to(office, "a", "Review the Medway update")
    press_and_load(office, "Enter")
    expect(office.get_by_role("heading", name="Review the 2018/19 Q4 update")).to_be_visible()
    look(office, "journey-office-review")
    tab_to(office, "summary", "Comment on this section or a row")  # objectives come first
    office.keyboard.press("Enter")
    office.keyboard.press("Tab")
    assert active_id(office) == "comment-objectives-row"
    office.keyboard.press("ArrowDown")
    office.keyboard.press("ArrowDown")
    assert office.locator("#comment-objectives-row option:checked").inner_text() == "Objective 2"
    office.keyboard.press("Tab")
    assert active_id(office) == "comment-objectives-text"
    question = f"Which two MDTs, and when in April? {PAYLOAD}"
    office.keyboard.type(question)
    tab_to(office, "button", "Post comment")
    press_and_load(office, "Enter")
    assert "Your comment on Objectives is posted." in office.get_by_role("alert").inner_text()
    look(office, "journey-office-commented")
    tab_to(office, "#id_return-comments")
    office.keyboard.type("Please answer my question on objective 2.")
    tab_to(office, "button", "Return to the lead")
    press_and_load(office, "Enter")
    assert "You returned the" in office.get_by_role("alert").inner_text()
    look(office, "journey-office-returned")

    # The lead: My localities says what the office said; the lead replies and resubmits.
    tab_to(page, "a.nhsuk-header__navigation-link", "My localities")
    press_and_load(page, "Enter")
    medway = page.get_by_test_id("locality-medway")
    assert medway.get_by_test_id("current-status").inner_text() == "Returned with comments"
    assert "Please answer my question on objective 2." in medway.inner_text()
    look(page, "journey-lead-returned")
    tab_to(page, "a", "Continue the 2018/19 Q4 update")
    press_and_load(page, "Enter")
    # The thread sits beside objective 2, closed by the return, with a Reply for the lead.
    thread = page.locator("#section-objectives").get_by_test_id("comment-thread")
    expect(thread).to_contain_text("Closed Returned with comments")
    expect(thread).to_contain_text("Reply to the comment on Objective 2")
    expect(thread).to_contain_text(PAYLOAD)  # as text, never run
    look(page, "journey-lead-update-returned")
    tab_to(page, "summary", "Reply")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active_id(page).startswith("reply-")
    page.keyboard.type("Medway MDT 5 and 6, both on 1 April.")
    tab_to(page, "button", "Send reply")
    press_and_load(page, "Enter")
    assert "Your reply is posted." in page.get_by_role("alert").inner_text()
    expect(page.get_by_test_id("comment-thread")).to_contain_text("Reply by lead-medway")
    look(page, "journey-lead-replied")
    tab_to(page, "a", "Check and submit")
    press_and_load(page, "Enter")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    tab_to(page, "button", "Submit the update")
    press_and_load(page, "Enter")
    assert "update is submitted to the programme office" in page.get_by_role("alert").inner_text()
    look(page, "journey-lead-resubmitted")

    # The office sees the answer and approves.
    tab_to(office, "a.nhsuk-header__navigation-link", "Returns")
    press_and_load(office, "Enter")
    tab_to(office, "a", "Review the Medway update")
    press_and_load(office, "Enter")
    answered = office.locator("#comments-objectives").get_by_test_id("comment-thread")
    expect(answered.get_by_test_id("lead-replied")).to_have_text("The lead replied")
    expect(answered).to_contain_text("Medway MDT 5 and 6, both on 1 April.")
    look(office, "journey-office-answered")
    tab_to(office, "button", "Approve the update")
    press_and_load(office, "Enter")
    assert "The board now sees it" in office.get_by_role("alert").inner_text()
    expect(office.get_by_test_id("comment-thread")).to_contain_text("Closed Approved on")
    look(office, "journey-office-approved")

    update = q4_update("medway")
    assert update.status == QuarterlyUpdate.Status.APPROVED
    steps = [
        (h.history_user.username, h.history_change_reason.split(":")[0])
        for h in update.history.exclude(history_user=None).order_by("history_date")
    ]
    assert steps[-3:] == [
        ("office", "Returned"),
        ("lead-medway", "Submitted"),
        ("office", "Approved"),
    ]

    # The board: lands on the overview, one Tab-and-Enter from Medway's page, and reads it.
    board = second_page()
    log_in_by_keyboard(board, "board")
    expect(board.get_by_role("heading", level=1)).to_have_text("Programme overview")
    look(board, "journey-board-overview")
    tab_to(board, "a[href^='/localities/medway/']", limit=300)
    press_and_load(board, "Enter")
    main = board.get_by_role("main")
    expect(main).to_contain_text("Signed off by the board in March.")
    expect(main).to_contain_text("Two MDTs are shadow running with full teams")
    look(board, "journey-board-medway")
    assert dialogs == []


# --- 2. The e-mails a return sends -------------------------------------------------


def test_the_office_sees_on_the_review_page_which_e_mails_went_and_which_wait(
    demo_site, open_page, settings
):
    """The return's e-mail to the lead fails (the mail server refuses it): the review
    page says "Not sent yet" in words, with the error; cron's next run sends it."""
    settings.EMAIL_BACKEND = "tests.updates.test_outbox.FailingBackend"
    office = open_page("office")
    office.goto(THANET_Q4 + "review/")
    office.get_by_label("What should the lead change?").fill(f"Check the spend. {PAYLOAD}")
    click_and_load(office, office.get_by_role("button", name="Return to the lead"))

    messages = office.get_by_test_id("messages-sent")
    [row] = messages.get_by_test_id("message-row").all_inner_texts()
    assert "lead-thanet@example.invalid" in row
    assert "Thanet 2018/19 Q4 update: returned with comments" in row
    assert "Not sent yet" in row
    assert "Last error: SMTPServerDisconnected: Connection unexpectedly closed" in row
    office.locator("#messages").scroll_into_view_if_needed()
    look(office, "office-review-message-not-sent")
    section = office.locator("section[aria-labelledby=messages]")
    section.screenshot(path=str(SCREENSHOTS / "updates-office-messages-not-sent.png"))

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_outbox", stdout=io.StringIO())
    office.reload()
    [row] = office.get_by_test_id("message-row").all_inner_texts()
    assert "Not sent yet" not in row
    look(office, "office-review-message-sent")
    section.screenshot(path=str(SCREENSHOTS / "updates-office-messages-sent.png"))


# --- 3. Two people save the same section ---------------------------------------------


def test_the_second_of_two_saves_is_refused_and_keeps_what_was_typed(demo_site, open_page):
    deputy = get_user_model().objects.create_user(
        username="lead-medway-deputy", password=DEMO_PASSWORD
    )
    deputy.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(deputy, "medway")
    before = q4_update("medway")

    first = open_page("lead-medway")
    second = open_page("lead-medway-deputy")
    for page in (first, second):
        page.goto(MEDWAY_Q4 + "edit/summary/")
        expect(page.get_by_role("heading", name="Summary", level=1)).to_be_visible()
    look(first, "lead-summary")

    first.get_by_label("Summary of the quarter").fill("The lead's summary of the quarter.")
    click_and_load(first, first.get_by_role("button", name="Save draft"))
    assert "Summary saved as a draft." in first.get_by_role("alert").inner_text()
    look(first, "lead-update-summary-saved")

    typed = f"The deputy's careful words, typed for ten minutes. {PAYLOAD}"
    second.get_by_label("Summary of the quarter").fill(typed)
    with second.expect_navigation() as navigation:
        click_and_load(second, second.get_by_role("button", name="Save draft"))

    assert navigation.value.status == 409
    assert second.title().startswith("Error: ")
    stale = second.get_by_test_id("stale-edit")
    assert "Your changes have not been saved" in stale.inner_text()
    assert "Someone else saved this update while you were editing it" in stale.inner_text()
    assert second.get_by_label("Summary of the quarter").input_value() == typed
    look(second, "lead-stale-edit")

    after = q4_update("medway")
    assert after.summary == "The lead's summary of the quarter."
    assert after.version == before.version + 1
    assert not after.history.filter(history_user=deputy).exists()


def test_text_typed_into_an_update_submitted_meanwhile_comes_back_counted(demo_site, open_page):
    """The character count counts as the lead types; the save, refused because the
    update was submitted from another session, gives the text back."""
    page = open_page("lead-medway")
    page.goto(MEDWAY_Q4 + "edit/summary/")
    summary = page.get_by_label("Summary of the quarter")
    count = page.locator(".nhsuk-character-count__status")

    summary.fill("Ten words")
    expect(count).to_have_text("You have 9,991 characters remaining")
    summary.fill("x" * 10_001)
    expect(count).to_have_text("You have 1 character too many")
    look(page, "lead-summary-character-count")

    # Meanwhile, in another session: the update is completed and submitted.
    lead = get_user_model().objects.get(username="lead-medway")
    update = q4_update("medway")
    save_complete_update(update.locality, update.quarter, lead)
    update = q4_update("medway")
    services.submit_update(update=update, expected_version=update.version, by=lead)
    submitted = q4_update("medway")

    typed = f"What the lead wrote while it was submitted. {PAYLOAD}"
    summary.fill(typed)
    with page.expect_navigation() as navigation:
        click_and_load(page, page.get_by_role("button", name="Save draft"))

    assert navigation.value.status == 409
    assert "This update was submitted by" in page.get_by_test_id("stale-edit").inner_text()
    assert page.get_by_label("Summary of the quarter").input_value() == typed
    assert page.get_by_role("button", name="Save draft").count() == 0
    look(page, "lead-locked-edit")
    after = q4_update("medway")
    assert (after.version, after.summary) == (submitted.version, submitted.summary)


# --- 4. 400% zoom --------------------------------------------------------------------

# Form controls, buttons and links in the main content that are hidden or cut off at
# the sides. (Visually hidden text and NHS.UK's transparent radio inputs still have a
# box within the width, so they pass; an element with no box at all does not.)
CONTROLS_OUT_OF_SIGHT = """() => {
    const width = document.documentElement.clientWidth;
    const selector = "input:not([type=hidden]), textarea, select, button, a[href]";
    return [...document.querySelectorAll(`main :is(${selector})`)].flatMap((el) => {
        const box = el.getBoundingClientRect();
        const shown = box.width > 0 && box.height > 0
            && getComputedStyle(el).visibility !== "hidden";
        return shown && box.left >= 0 && box.right <= width + 1
            ? [] : [`${el.outerHTML.slice(0, 120)} at ${box.left}–${box.right}`];
    });
}"""


def assert_fits(page) -> None:
    """No sideways scroll of the page, and every control shown within its width."""
    widths = page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert widths[0] <= widths[1] + 1, f"the page scrolls sideways: {widths}"
    assert page.locator("main").locator("textarea, button, a[href]").count() > 0
    assert page.evaluate(CONTROLS_OUT_OF_SIGHT) == []


def test_the_lead_pages_reflow_at_400_percent_zoom(demo_site, open_page):
    page = open_page("lead-medway", viewport=ZOOMED)

    page.goto(MEDWAY_Q4)
    assert_fits(page)
    expect(page.get_by_role("link", name="Check and submit")).to_be_visible()
    look(page, "zoom-update")

    for section in ("objectives", "milestones"):
        page.goto(f"{MEDWAY_Q4}edit/{section}/")
        assert_fits(page)
        look(page, f"zoom-{section}")

    # With an error summary and messages beside the fields too.
    page.goto(f"{MEDWAY_Q4}edit/objectives/")
    page.locator("#id_objective-1-percent_complete").fill("250")
    response = click_and_load(page, page.get_by_role("button", name="Save draft"))
    assert response.status == 400
    assert_fits(page)
    look(page, "zoom-objectives-error")


# --- 6. Talking about a return (issue 16) ----------------------------------------------


def look_closer(locator, name: str) -> None:
    """A screenshot of one part of a long page, where the conversation is, for a person."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"updates-{name}.png"))


def test_the_office_comments_and_returns_the_lead_replies_and_resubmits_approval_closes_it(
    demo_site, open_page
):
    office = open_page("office")
    office.goto(THANET_Q4 + "review/")
    objectives = office.locator("#comments-objectives")

    # An empty comment is refused on a page of its own, linked to the field.
    objectives.get_by_text("Comment on this section or a row").click()
    response = click_and_load(office, objectives.get_by_role("button", name="Post comment"))
    assert response.status == 400
    assert office.title().startswith("Error: ")
    expect(office.get_by_role("link", name="Write your comment.")).to_be_visible()
    look(office, "comments-refused")
    office.get_by_label("About").select_option(label="Objective 1")
    office.get_by_label("Your comment").fill(f"Why Green when two milestones slipped? {PAYLOAD}")
    click_and_load(office, office.get_by_role("button", name="Post comment"))
    assert "Your comment on Objectives is posted." in office.get_by_role("alert").inner_text()
    thread = office.locator("#comments-objectives").get_by_test_id("comment-thread")
    expect(thread).to_contain_text("On Objective 1")
    expect(thread).to_contain_text(PAYLOAD)  # shown as text, never run
    look(office, "comments-review-open")
    look_closer(office.locator("#compare-objectives").locator(".."), "comments-review-open-section")

    # The lead sees it beside the objective, open.
    lead = open_page("lead-thanet")
    lead.goto(THANET_Q4)
    expect(lead.get_by_test_id("open-comments")).to_contain_text("1 open comment")
    look_closer(lead.locator("#section-objectives"), "comments-lead-open-section")

    # Returning closes the thread with the decision; the overall message stays.
    office.get_by_label("What should the lead change?").fill("See my comment on objective 1.")
    click_and_load(office, office.get_by_role("button", name="Return to the lead"))
    lead.goto(THANET_Q4)
    expect(lead.get_by_test_id("review-comments")).to_contain_text("See my comment")
    expect(lead.get_by_test_id("comment-thread")).to_contain_text("Closed Returned with comments")
    expect(lead.get_by_test_id("answer-comments")).to_contain_text("You can answer")
    assert "Closed on return: 1 comment closed" in lead.get_by_test_id("timeline").inner_text()
    look(lead, "comments-lead-returned")

    # The lead answers beside the objective on its section page: the thread re-opens.
    click_and_load(lead, lead.get_by_role("link", name="Change objectives"))
    thread = lead.get_by_test_id("comment-thread")
    thread.get_by_text("Reply").first.click()
    thread.get_by_label("Your reply").fill(f"One slipped a month; the other is done. {PAYLOAD}")
    look_closer(thread, "comments-lead-replying-on-section")
    click_and_load(lead, thread.get_by_role("button", name="Send reply"))
    assert "Your reply is posted." in lead.get_by_role("alert").inner_text()
    assert lead.url.endswith(f"edit/objectives/#comment-{comment_pk(thread)}")
    thread = lead.get_by_test_id("comment-thread")
    expect(thread).to_contain_text("Open")
    expect(thread).to_contain_text("Reply by lead-thanet")
    expect(thread).to_contain_text(PAYLOAD)  # shown as text, never run
    look(lead, "comments-lead-replied-on-section")
    look_closer(thread, "comments-lead-replied-thread")

    # Then changes the objectives and resubmits.
    for number in range(1, 5):
        lead.locator(f"#id_objective-{number}-rag_reason").fill(
            f"Objective {number}: the figures lag what has happened on the ground."
        )
    click_and_load(lead, lead.get_by_role("button", name="Save and continue"))
    click_and_load(lead, lead.get_by_role("button", name="Save and continue"))
    click_and_load(lead, lead.get_by_role("button", name="Save draft"))
    click_and_load(lead, lead.get_by_role("link", name="Check and submit"))
    click_and_load(lead, lead.get_by_role("button", name="Submit the update"))
    assert "is submitted to the programme office" in lead.get_by_role("alert").inner_text()

    # The office sees the answer, open, on the review; approving closes it.
    office.goto(THANET_Q4 + "review/")
    thread = office.locator("#comments-objectives").get_by_test_id("comment-thread")
    expect(thread.get_by_test_id("lead-replied")).to_have_text("The lead replied")
    expect(thread).to_contain_text("One slipped a month")
    look(office, "comments-review-answered")
    look_closer(
        office.locator("#compare-objectives").locator(".."), "comments-review-answered-section"
    )
    click_and_load(office, office.get_by_role("button", name="Approve the update"))
    expect(office.get_by_test_id("comment-thread")).to_contain_text("Closed Approved on")
    lead.goto(THANET_Q4)
    expect(lead.get_by_role("button", name="Send reply")).to_have_count(0)
    history = lead.get_by_test_id("timeline").inner_text()
    assert "Closed on approval: 2 comments closed" in history
    assert "Closed on return: 1 comment closed" in history
    assert "Reply on Objectives, Objective 1" in history
    look(lead, "comments-lead-closed")
    look_closer(lead.get_by_test_id("comment-thread"), "comments-lead-closed-thread")
    look_closer(lead.locator("#history"), "comments-lead-closed-history")


def comment_pk(thread) -> str:
    """The database id of a thread on the page, from its anchor."""
    return thread.get_attribute("id").removeprefix("comment-")


# --- 7. Nothing changed since last quarter (issue 16) -------------------------------


def test_a_lead_confirms_sections_unchanged_instead_of_re_typing_them(demo_site, open_page):
    page = open_page("lead-medway")
    page.goto(MEDWAY_Q4)
    mdts = page.locator("#section-mdts")
    expect(mdts.get_by_test_id("section-state-mdts")).to_have_text("To do")
    look(page, "carry-to-do")

    # One row, then the rest of the section, each one POST.
    first = mdts.get_by_role("button", name="No change since last quarter for Medway MDT 1")
    response = click_and_load(page, first)
    assert response.status == 200
    expect(page.get_by_role("alert")).to_contain_text("MDTs: confirmed, no change")
    response = click_and_load(
        page, page.get_by_role("button", name="No change since last quarter for MDTs", exact=True)
    )
    assert response.status == 200
    expect(page.get_by_test_id("section-state-mdts")).to_have_text("Confirmed unchanged")
    look(page, "carry-mdts-confirmed")

    # Check and submit no longer asks for the MDTs the section already showed.
    page.goto(MEDWAY_Q4 + "submit/")
    expect(page.locator(".nhsuk-error-summary")).not_to_contain_text("MDTs")
    look(page, "carry-check-and-submit")
