"""The board's Boards page (dashboard:governance): the governance bodies as they stood at the
quarter's end, their roles and what they became, their meetings, decisions and actions.

The papers date the new Local Care Board, LCIB's change to a "learn and share" board and the
Primary Care Board only roughly (the Joint Board's undated minutes, a meeting after 11 December
2018 and before its next on 19 March 2019; the report of 9 October 2018 has governance still
under review): the page counts them in force from the latest day they can have begun, and
says so for a quarter that ends inside the window (decision 0027).
"""

import datetime

import pytest
from django.urls import reverse

from governance.models import Action, Decision, Meeting
from localities.models import GovernanceBody, GovernanceBodyRole
from tests.helpers import assert_queries_do_not_grow, query_count, visible_text

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:governance")
Q2 = "?quarter=2018-19-q2"  # ends 30 September 2018
Q3 = "?quarter=2018-19-q3"  # ends 31 December 2018
Q4 = "?quarter=2018-19-q4"  # ends 31 March 2019
NEXT_Q1 = "?quarter=2019-20-q1"  # no approved return yet
LEARN_AND_SHARE = "A “learn and share” board"
IMPLEMENTATION = "Oversees the implementation of Local Care"
LCIB, LOCAL_CARE_BOARD, JOINT_BOARD, STP_BOARD, PRIMARY_CARE_BOARD = 1, 2, 3, 4, 5


@pytest.fixture
def board(client, programme_data, board_user):
    client.force_login(board_user)
    return client


def governance_of(client, query):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response, response.context["data"].governance


def pks(bodies) -> set[int]:
    return {body.pk for body in bodies}


def body_in(governance, pk):
    groups = (governance.in_force, governance.perhaps, governance.not_yet_formed, governance.ended)
    return next(body for group in groups for body in group if body.pk == pk)


def test_as_at_2018_19_q2_lcib_is_in_force_and_the_local_care_board_not_yet(board):
    response, governance = governance_of(board, Q2)

    assert pks(governance.in_force) == {LCIB, JOINT_BOARD, STP_BOARD}
    assert pks(governance.not_yet_formed) == {LOCAL_CARE_BOARD}
    # "Newly formed" by an undated meeting, with no day before which it was not: perhaps.
    assert pks(governance.perhaps) == {PRIMARY_CARE_BOARD}
    lcib = body_in(governance, LCIB)
    assert lcib.role.text.startswith(IMPLEMENTATION)
    assert lcib.perhaps_role is None
    # What it became, after the quarter, said as such.
    assert [role.text[: len(LEARN_AND_SHARE)] for role in lcib.later_roles] == [LEARN_AND_SHARE]
    text = visible_text(response.text)
    assert "3 boards in force; 1 perhaps (the papers’ dates cannot say); 1 not yet formed." in text
    assert "Not yet formed at this quarter’s end" in text
    assert (
        "Local Care Board : formed early 2019: reported to the Joint Board as set up at its "
        "meeting after 11 December 2018." in text
    )
    assert "After this quarter, from early 2019" in text
    # The Primary Care Board's uncertain start, in words.
    assert (
        "The papers date its start only as “newly formed by the Joint Board's meeting after "
        "11 December 2018”: it was in force by 18 March 2019 at the latest, so whether it had "
        "formed by 30 September 2018 they cannot say." in text
    )


def test_as_at_2018_19_q3_the_change_is_uncertain_and_said_so(board):
    response, governance = governance_of(board, Q3)

    assert pks(governance.in_force) == {LCIB, JOINT_BOARD, STP_BOARD}
    assert pks(governance.perhaps) == {LOCAL_CARE_BOARD, PRIMARY_CARE_BOARD}
    lcib = body_in(governance, LCIB)
    assert lcib.role.text.startswith(IMPLEMENTATION)
    assert lcib.perhaps_role.text.startswith(LEARN_AND_SHARE)
    assert lcib.later_roles == ()
    text = visible_text(response.text)
    assert (
        "The papers date its start only as “early 2019: reported to the Joint Board as set up at "
        "its meeting after 11 December 2018”: it was not yet formed on 9 October 2018 and it was "
        "in force by 18 March 2019 at the latest, so whether it had formed by 31 December 2018 "
        "they cannot say." in text
    )
    assert "Perhaps already: " + LEARN_AND_SHARE in text


@pytest.mark.parametrize("quarter", [Q4, NEXT_Q1])
def test_from_2018_19_q4_the_new_board_and_lcib_as_learn_and_share(board, quarter):
    response, governance = governance_of(board, quarter)

    assert pks(governance.in_force) == {
        LCIB,
        LOCAL_CARE_BOARD,
        JOINT_BOARD,
        STP_BOARD,
        PRIMARY_CARE_BOARD,
    }
    assert governance.perhaps == governance.not_yet_formed == governance.ended == ()
    lcib = body_in(governance, LCIB)
    assert lcib.role.text.startswith(LEARN_AND_SHARE)
    assert lcib.earlier_role.text.startswith(IMPLEMENTATION)
    assert lcib.perhaps_role is None
    text = visible_text(response.text)
    # How certain the dates are: as written, with the bounds they allow.
    assert (
        "Early 2019: reported to the Joint Board as set up at its meeting after 11 December 2018 "
        "(not yet on 9 October 2018; in force by 18 March 2019 at the latest)" in text
    )
    assert (
        "(from early 2019: reported to the Joint Board as made at its meeting after 11 December "
        "2018; not yet on 9 October 2018, held by 18 March 2019 at the latest)" in text
    )
    assert "Before that: " + IMPLEMENTATION in text
    # A start the papers give only in words carries the bound it allows.
    assert (
        "Newly formed by the Joint Board's meeting after 11 December 2018 (in force by 18 March "
        "2019 at the latest)" in text
    )
    assert (
        "In force by 11 July 2017, when the estates workstream presented to it What it is" in text
    )


def test_the_boards_at_a_glance(board):
    response, _ = governance_of(board, Q3)

    rows = visible_text(
        response.text.split('data-testid="boards-at-a-glance"')[1].split("</table>")[0]
    )
    assert (
        "Kent and Medway Joint Health and Wellbeing Board In force In force by 28 June 2018, the "
        "first of its meetings in the papers 3 2 (0)" in rows
    )
    assert "Local Care Board Perhaps formed Early 2019" in rows
    assert '<a class="nhsuk-link" href="#body-2">Local Care Board</a>' in response.text


def test_meetings_decisions_and_actions_are_as_at_the_quarters_end(board):
    _, q3 = governance_of(board, Q3)
    _, q4 = governance_of(board, Q4)

    joint_q3, joint_q4 = body_in(q3, JOINT_BOARD), body_in(q4, JOINT_BOARD)
    # Latest first; the undated meeting as the papers date it.
    assert [m.date_text for m in joint_q4.meetings] == [
        "Undated minutes: after the deep dives of 11 December 2018",
        "9 October 2018",
        "28 June 2018",
    ]
    undated = joint_q4.meetings[0]
    assert [d.reference for d in undated.decisions] == ["(a)", "(b)", "(c)"]
    report = next(a for a in undated.actions if a.pk == 2)
    assert report.due_text.startswith("the Joint Board's next meeting")
    assert report.is_overdue  # due 19 March 2019, open on 31 March 2019
    assert (joint_q4.actions_open, joint_q4.actions_overdue) == (2, 1)
    # Who owns them and whether they were done are not in the papers: the counts say so.
    assert joint_q4.actions_are_illustrative
    assert q4.any_illustrative
    assert not body_in(q4, LCIB).actions_are_illustrative
    # On 31 December 2018 the same action was open and not yet due.
    assert not next(a for a in joint_q3.meetings[0].actions if a.pk == 2).is_overdue
    assert joint_q3.actions_overdue == 0
    # Nothing is read from after the quarter's end.
    _, q2 = governance_of(board, Q2)
    assert [m.date_text for m in body_in(q2, JOINT_BOARD).meetings] == ["28 June 2018"]
    assert body_in(q2, JOINT_BOARD).actions_open == 0


def test_a_later_close_does_not_count_as_at_an_earlier_quarter(board):
    Action.objects.filter(pk=2).update(status="done", closed_on=datetime.date(2019, 6, 1))

    _, q4 = governance_of(board, Q4)

    report = next(a for a in body_in(q4, JOINT_BOARD).meetings[0].actions if a.pk == 2)
    assert report.status == "Open"
    assert report.is_overdue


def test_links_to_the_boards_actions_and_its_approved_report(board):
    response, _ = governance_of(board, Q4)

    assert f'href="{reverse("dashboard:actions")}?quarter=2018-19-q4&amp;body=3#action-log"' in (
        response.text
    )
    # The illustrative report to the Local Care Board for 2018/19 Q4 is approved; LCIB's a draft.
    assert f'href="{reverse("dashboard:board-pack")}?quarter=2018-19-q4&amp;board=2"' in (
        response.text
    )
    assert "board=1" not in response.text


def test_a_body_that_ended_is_listed_as_no_longer_meeting_with_its_successor(board):
    stp = GovernanceBody.objects.get(pk=STP_BOARD)
    stp.active_until = datetime.date(2018, 9, 30)
    stp.active_until_as_written = ""
    stp.succeeded_by_id = JOINT_BOARD
    stp.save()

    response, governance = governance_of(board, Q4)

    assert pks(governance.ended) == {STP_BOARD}
    assert (
        "STP Programme Board : in force until 30 September 2018; succeeded by Joint Board. "
        "0 meetings recorded." in visible_text(response.text)
    )


def test_an_end_the_papers_date_roughly_is_perhaps(board):
    stp = GovernanceBody.objects.get(pk=STP_BOARD)
    stp.active_until = datetime.date(2018, 10, 31)
    stp.ended_by = datetime.date(2019, 3, 31)
    stp.active_until_as_written = "late 2018"
    stp.save()

    response, q3 = governance_of(board, Q3)
    _, q4 = governance_of(board, Q4)

    assert STP_BOARD in pks(q3.perhaps)
    assert STP_BOARD in pks(q4.ended)
    assert (
        "The papers date its end only as “late 2018”: it was in force until 31 October 2018 at "
        "least and no longer meeting by 31 March 2019, so whether it still met on 31 December "
        "2018 they cannot say." in visible_text(response.text)
    )


def test_free_text_is_escaped(board):
    GovernanceBody.objects.filter(pk=JOINT_BOARD).update(purpose="<script>alert(1)</script>")
    GovernanceBodyRole.objects.filter(pk=1).update(role="<b>bold</b>")
    Meeting.objects.filter(pk=2).update(papers="<img src=x onerror=alert(2)>")
    Decision.objects.filter(pk=1).update(text="<i>decided</i>", note="<u>note</u>")
    Action.objects.filter(pk=2).update(text="<em>act</em>", owner_role="<s>owner</s>")

    response = board.get(URL + Q2)
    response_q4 = board.get(URL + Q4)

    for html in (response.text, response_q4.text):
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in response_q4.text
    assert "&lt;i&gt;decided&lt;/i&gt;" in response_q4.text
    assert "&lt;u&gt;note&lt;/u&gt;" in response_q4.text
    assert "&lt;em&gt;act&lt;/em&gt;" in response_q4.text
    assert "&lt;s&gt;owner&lt;/s&gt;" in response_q4.text


@pytest.mark.parametrize(
    ("who", "expected"),
    [("board_user", 200), ("lead_thanet", 200), ("office_user", 200), ("admin_user", 200)],
)
def test_every_programme_role_may_read_it(client, programme_data, request, who, expected):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL + Q4).status_code == expected


def test_anonymous_visitors_log_in_first_and_no_role_is_refused(
    client, programme_data, django_user_model
):
    response = client.get(URL + Q4)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

    client.force_login(django_user_model.objects.create_user("visitor"))
    assert client.get(URL + Q4).status_code == 403


def test_an_unknown_quarter_is_not_found(board):
    assert board.get(URL + "?quarter=2031-32-q1").status_code == 404


def test_it_is_under_actions_in_the_header_and_linked_from_the_actions_page(board):
    response = board.get(URL + Q4)
    current = [item for item in response.context["dashboard_navigation"] if item["current"]]
    assert [item["label"] for item in current] == ["Actions"]

    actions = board.get(reverse("dashboard:actions") + Q4)
    assert f'href="{URL}?quarter=2018-19-q4"' in actions.text


def test_the_query_count_is_fixed_whatever_the_governance(board, django_assert_max_num_queries):
    url = URL + Q4
    before = query_count(board, url)
    # Ten times the meetings, decisions and actions, on every body, with roles.
    day = datetime.date(2018, 7, 1)
    for body in GovernanceBody.objects.all():
        GovernanceBodyRole.objects.create(
            body=body, role="A later role", held_from=datetime.date(2020, 1, body.pk)
        )
        for n in range(10):
            meeting = Meeting.objects.create(body=body, held_on=day + datetime.timedelta(days=n))
            decision = Decision.objects.create(
                meeting=meeting, reference=f"{n}.1", kind="noted", text="Noted", paper="A paper"
            )
            Action.objects.create(
                meeting=meeting,
                decision=decision,
                text="Do it",
                owner_role="Lead",
                created_on=meeting.held_on,
                due_date=meeting.held_on + datetime.timedelta(days=30),
            )

    with django_assert_max_num_queries(before):
        response = board.get(url + "&fresh=1")
    assert response.status_code == 200
    assert query_count(board, url) == before
    # The page shows each body's latest meetings and counts the rest.
    joint = body_in(response.context["data"].governance, JOINT_BOARD)
    assert (len(joint.meetings), joint.earlier_meetings) == (6, 7)
    assert "7 earlier meetings" in visible_text(response.text)


def test_the_query_count_is_pinned_and_flat_at_ten_times_the_data(board):
    # tools/scale.py makes no meetings, decisions or actions: this checks the rest holds.
    assert assert_queries_do_not_grow(board, URL + Q4) == 10


def test_every_selectable_quarter_renders_with_the_same_query_count(board):
    slugs = [slug for slug, _ in board.get(URL).context["page"].quarter_choices]
    assert slugs[-1] == "2017-18-q3"

    counts = {slug: query_count(board, f"{URL}?quarter={slug}") for slug in slugs}

    assert set(counts.values()) == {10}, counts
    # At the first quarter reported on, only LCIB and the STP Programme Board are certain.
    _, earliest = governance_of(board, "?quarter=2017-18-q3")
    assert pks(earliest.in_force) == {LCIB, STP_BOARD}
    assert pks(earliest.perhaps) == {JOINT_BOARD, PRIMARY_CARE_BOARD}


def test_a_start_given_as_a_day_is_shown_as_the_day_with_no_bounds(board):
    GovernanceBody.objects.create(name="A new board", active_from=datetime.date(2019, 1, 7))

    response, q3 = governance_of(board, Q3)
    _, q4 = governance_of(board, Q4)

    new = body_in(q3, GovernanceBody.objects.get(name="A new board").pk)
    assert new.standing == GovernanceBody.Standing.NOT_YET_FORMED
    assert "A new board : formed 7 January 2019." in visible_text(response.text)
    assert body_in(q4, new.pk).start_bounds == ""
    assert "Formed 7 January 2019 Meetings and actions" in visible_text(board.get(URL + Q4).text)
