"""A past quarter's dashboards are judged as at that quarter's end, never as at today.

Every dashboard page for a past quarter is rendered; then the data changes after
that quarter's end (a later risk review, an edited risk, a risk closed and
mitigating actions completed later, a later quarter's return approved, a
milestone completed later) and the clock moves on years;
rendered again, every page must be the same, byte for byte, but for the time it
was generated and the CSRF token.
"""

import datetime
import difflib
import re

import pytest
import time_machine
from django.urls import reverse

from dashboard.selectors.risks import board_visible_risks
from localities.models import Locality, Milestone
from risks import services as risk_services
from risks.models import MitigatingAction
from updates import services as locality_services
from updates.models import QuarterlyUpdate

JUNE_2019 = datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC)
DECEMBER_2026 = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)
# What may differ between two renders of the same page: when it was generated
# (the board pack says so), the CSRF token in the sign-out form, and the seconds
# the session has left (the idle-timeout warning's timer).
GENERATED = re.compile(r"Generated \d{1,2} \w+ \d{4} at \d{2}:\d{2}")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SESSION_LEFT = re.compile(r'data-expires-in="\d+"')


def dashboard_urls() -> list[str]:
    """Every dashboard page: the programme-wide ones, each locality's and each risk's."""
    names = [
        "home",
        "objectives",
        "money",
        "outcomes",
        "milestones",
        "mdts",
        "critical-areas",
        "risks",
        "board-pack",
    ]
    return [
        *[reverse(f"dashboard:{name}") for name in names],
        *[
            reverse("dashboard:locality", args=[slug])
            for slug in Locality.objects.order_by("slug").values_list("slug", flat=True)
        ],
        *[
            reverse("dashboard:risk-detail", args=[reference])
            for reference in board_visible_risks().values_list("reference", flat=True)
        ],
    ]


def render_all(client, urls: list[str], quarter: str) -> dict[str, str]:
    from django.core.cache import cache

    pages = {}
    for url in urls:
        cache.clear()
        response = client.get(f"{url}?quarter={quarter}")
        assert response.status_code == 200, url
        html = response.content.decode()
        pages[url] = SESSION_LEFT.sub("", CSRF_TOKEN.sub("", GENERATED.sub("", html)))
    return pages


def close_and_complete_later(office_user) -> None:
    """Close two open risks and complete every action, today (years after the quarter)."""
    for risk in board_visible_risks().filter(status="open")[:2]:
        risk_services.close_risk(risk=risk, note="Closed long after the quarter.", by=office_user)
    for action in MitigatingAction.objects.exclude(status=MitigatingAction.Status.COMPLETE):
        action.status = MitigatingAction.Status.COMPLETE
        risk_services.save_action(action=action)


def change_everything_after(office_user, quarter_end: datetime.date) -> None:
    """Writes dated after `quarter_end` (run with the clock years later)."""
    later = quarter_end + datetime.timedelta(days=200)
    for risk in board_visible_risks().filter(status="open"):
        risk_services.record_review(
            risk=risk,
            reviewed_on=later,
            likelihood=5,
            consequence=5,
            note="Reviewed long after the quarter.",
            by=office_user,
        )
        risk.refresh_from_db()
        risk.title = f"{risk.title} (renamed later)"
        risk.owner_role = "A later owner"
        risk_services.save_risk(risk=risk, expected_version=risk.version, by=office_user)

    close_and_complete_later(office_user)

    for update in QuarterlyUpdate.objects.filter(
        status=QuarterlyUpdate.Status.SUBMITTED, quarter__end_date__gt=quarter_end
    ):
        locality_services.approve_update(
            update=update, expected_version=update.version, by=office_user
        )

    # Milestones reported in progress by then, completed later. (One nobody had reported
    # on by then would need the date of its first report, which the data does not hold
    # for every status: the closing note of this change says so.)
    in_progress = Milestone.objects.exclude(
        status__in=[Milestone.Status.COMPLETE, Milestone.Status.NOT_REPORTED]
    )
    for milestone in in_progress[:5]:
        milestone.status = Milestone.Status.COMPLETE
        milestone.actual_date = later
        milestone.save()


@pytest.mark.parametrize(
    ("quarter", "quarter_end"),
    [("2018-19-q3", datetime.date(2018, 12, 31)), ("2018-19-q4", datetime.date(2019, 3, 31))],
)
def test_a_past_quarters_pages_do_not_change_with_later_data_or_the_day(
    client, programme_data, board_user, office_user, quarter, quarter_end
):
    client.force_login(board_user)
    urls = dashboard_urls()
    with time_machine.travel(JUNE_2019, tick=False):
        before = render_all(client, urls, quarter)

    with time_machine.travel(DECEMBER_2026, tick=False):
        change_everything_after(office_user, quarter_end)
        client.force_login(board_user)
        after = render_all(client, urls, quarter)

    changed = {
        url: differences(before[url], after[url]) for url in urls if before[url] != after[url]
    }
    assert not changed, changed


@pytest.mark.parametrize("quarter", ["2018-19-q3", "2018-19-q4"])
def test_risks_closed_and_actions_completed_later_do_not_change_a_past_quarters_pages(
    client, programme_data, board_user, office_user, quarter
):
    client.force_login(board_user)
    urls = dashboard_urls()
    with time_machine.travel(JUNE_2019, tick=False):
        before = render_all(client, urls, quarter)

    with time_machine.travel(DECEMBER_2026, tick=False):
        close_and_complete_later(office_user)
        client.force_login(board_user)
        after = render_all(client, urls, quarter)

    changed = {
        url: differences(before[url], after[url]) for url in urls if before[url] != after[url]
    }
    assert not changed, changed


def differences(before: str, after: str) -> list[str]:
    """The changed lines, for a readable failure."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return [line[:300] for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def detail(reference: str, quarter: str) -> str:
    return reverse("dashboard:risk-detail", args=[reference]) + f"?quarter={quarter}"


@time_machine.travel(DECEMBER_2026, tick=False)
def test_a_past_quarters_risk_page_says_which_review_its_score_is_from(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(detail("LC-R03", "2018-19-q4"))

    # Reviewed 12 March 2019 at 16: the latest review by 31 March.
    text = re.sub(r"\s+", " ", response.text)
    assert "Score as at 31 Mar 2019: from the review of 12 Mar 2019." in text
    assert "This page shows the risk as at 31 March 2019, the end of 2018/19 Q4" in text
    assert "Score at 31 March 2019 <strong>16</strong>" in text
    assert "December 2026" not in text
    # Due 30 days after that review (Extreme): 11 April, after the quarter's end.
    assert response.context["data"].next_review == datetime.date(2019, 4, 11)
    assert not response.context["data"].is_review_overdue
    assert "Overdue" not in text.split('data-testid="next-review">')[1].split("</dd>")[0]


@time_machine.travel(DECEMBER_2026, tick=False)
def test_a_past_quarters_risk_page_judges_the_next_review_at_the_quarters_end(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(detail("LC-R03", "2018-19-q3"))

    # By 31 December 2018 the latest review was 17 July 2018, at 20 (Extreme, every
    # 30 days): due 16 August 2018, passed by the quarter's end.
    data = response.context["data"]
    assert data.scored_at.reviewed_on == datetime.date(2018, 7, 17)
    assert data.next_review == datetime.date(2018, 8, 16)
    assert data.is_review_overdue
    next_review = response.text.split('data-testid="next-review">')[1].split("</dd>")[0]
    assert "16 August 2018" in next_review
    assert "Overdue" in next_review
    assert "from the review of 17 Jul 2018" in response.text
    # The review of March 2019 is not on a past quarter's page.
    assert [review.reviewed_on for review in data.reviews] == [datetime.date(2018, 7, 17)]


@time_machine.travel(DECEMBER_2026, tick=False)
def test_a_risk_not_reviewed_by_the_quarters_end_has_the_score_it_was_first_given(
    client, programme_data, board_user
):
    client.force_login(board_user)
    risk = board_visible_risks().get(reference="LC-R09")  # raised Aug 2018, reviewed Mar 2019
    first = risk.reviews.order_by("reviewed_on").first()

    data = client.get(detail("LC-R09", "2018-19-q3")).context["data"]

    assert data.scored_at is None
    assert data.current.score == first.likelihood * first.consequence
    assert "the score first given, at the review of 12 March 2019" in data.current.note
