"""Talking about a return (issue 16): the programme office comments on a section or a row of a
submitted update, the locality's lead replies, both see the thread on the update and in its
history, and returning or approving closes the open comments with the decision. While the
update is returned, the lead answers the threads that return closed, re-opening them for the
office's next review (decision 0012).

The illustrative data's 2018/19 Q4: Thanet submitted, Swale returned, Medway a draft, the
other five approved.
"""

import datetime
import logging

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from localities import access
from localities.models import MDT, Locality, Milestone, Objective
from tests.helpers import assign_lead, query_count, visible_text
from updates import comment_selectors, comment_services, services
from updates.models import RETURN_COMMENT_MAX_LENGTH, QuarterlyUpdate, ReturnComment

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2019, 4, 25, 12, tzinfo=datetime.UTC)
Q4 = "2018-19-q4"
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name, locality="thanet", **kwargs):
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": Q4, **kwargs})


def q4_update(locality="thanet") -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.select_related("locality", "quarter").get(
        locality__slug=locality, quarter__financial_year__start_year=2018, quarter__number=4
    )


def first_objective(update) -> Objective:
    return Objective.objects.reported_in(update.quarter).order_by("number").first()


def snapshot():
    return (
        list(ReturnComment.objects.order_by("pk").values_list("pk", "state", "text")),
        ReturnComment.history.count(),
        list(QuarterlyUpdate.objects.order_by("pk").values_list("pk", "status", "version")),
    )


@pytest.fixture
def lead_swale(programme_data, django_user_model):
    """A lead of another locality: reads Thanet's update, may not talk on it."""
    user = django_user_model.objects.create_user(username="lead-swale")
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(user, "swale")
    return user


@pytest.fixture
def thanet(programme_data):
    return q4_update("thanet")


@pytest.fixture
def thread(thanet, office_user):
    """The office's comment on Thanet's first objective."""
    return comment_services.add_comment(
        update=thanet,
        section="objectives",
        row_key=f"objective-{first_objective(thanet).pk}",
        text="Objective 1 says Green but two milestones slipped: why?",
        by=office_user,
    )


# --- The services -----------------------------------------------------------------------


def test_the_office_comments_on_a_section_and_on_a_row(thanet, office_user):
    milestone = Milestone.objects.for_locality(thanet.locality).first()
    on_section = comment_services.add_comment(
        update=thanet, section="money", text="Spend is 2% over plan.", by=office_user
    )
    on_row = comment_services.add_comment(
        update=thanet,
        section="milestones",
        row_key=f"milestone-{milestone.pk}",
        text="  When will this finish?  ",
        by=office_user,
    )

    assert (on_section.section, on_section.row_key, on_section.row_label) == ("money", "", "")
    assert (on_row.row_key, on_row.row_label, on_row.text) == (
        f"milestone-{milestone.pk}",
        milestone.title,
        "When will this finish?",
    )
    assert on_row.state == ReturnComment.State.OPEN
    assert on_row.created == NOW
    history = on_row.history.get()
    assert (history.history_user, history.history_change_reason) == (
        office_user,
        "Comment on Milestones",
    )
    # Talking is not editing: the update's version (the office's decision forms) stays.
    assert QuarterlyUpdate.objects.get(pk=thanet.pk).version == thanet.version


def test_rows_are_the_localitys_objectives_milestones_and_mdts(thanet):
    rows = comment_selectors.comment_rows(thanet)

    assert list(rows["objectives"].values()) == [
        f"Objective {o.number}" for o in Objective.objects.reported_in(thanet.quarter)
    ]
    assert set(rows["milestones"].values()) == set(
        Milestone.objects.for_locality(thanet.locality).values_list("title", flat=True)
    )
    assert set(rows["mdts"].values()) == set(
        MDT.objects.for_locality(thanet.locality).values_list("name", flat=True)
    )


def test_the_lead_and_the_office_reply_in_the_thread(thread, lead_thanet, office_user):
    answer = comment_services.reply(comment=thread, text="One slipped a month.", by=lead_thanet)
    # A reply to a reply joins the same thread.
    again = comment_services.reply(comment=answer, text="Thanks, noted.", by=office_user)

    assert answer.parent == thread
    assert again.parent == thread
    assert (answer.section, answer.row_key, answer.row_label) == (
        thread.section,
        thread.row_key,
        thread.row_label,
    )
    threads = comment_selectors.comment_threads(thread.update)
    assert [[c.text for c in t.comments] for t in threads.threads] == [
        [thread.text, "One slipped a month.", "Thanks, noted."]
    ]
    assert answer.history.get().history_user == lead_thanet


@pytest.mark.parametrize("role", ["lead_swale", "board_user"])
def test_others_may_not_reply(thread, request, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        comment_services.reply(comment=thread, text="Me too", by=request.getfixturevalue(role))
    assert snapshot() == before


@pytest.mark.parametrize("role", ["lead_thanet", "lead_swale", "board_user"])
def test_only_the_office_starts_a_thread(thanet, request, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        comment_services.add_comment(
            update=thanet, section="money", text="Hello", by=request.getfixturevalue(role)
        )
    assert snapshot() == before


def test_returning_closes_the_open_comments_with_the_decision(thread, lead_thanet, office_user):
    comment_services.reply(comment=thread, text="One slipped.", by=lead_thanet)
    update = q4_update()

    services.return_update(
        update=update, comments="See the comments.", expected_version=update.version, by=office_user
    )

    closed = ReturnComment.objects.filter(update=update)
    assert not closed.open().exists()
    assert set(closed.values_list("closed_by_decision", flat=True)) == {
        "Returned with comments on 25 Apr 2019"
    }
    assert set(closed.values_list("closed_by", flat=True)) == {office_user.pk}
    assert (
        ReturnComment.history.filter(
            history_change_reason="Closed: Returned with comments on 25 Apr 2019"
        ).count()
        == 2
    )
    # The overall message stays.
    assert q4_update().review_comments == "See the comments."


def test_approving_closes_the_open_comments(thread, office_user):
    update = q4_update()

    services.approve_update(update=update, expected_version=update.version, by=office_user)

    thread.refresh_from_db()
    assert (thread.state, thread.closed_by_decision, thread.closed_at) == (
        ReturnComment.State.CLOSED,
        "Approved on 25 Apr 2019",
        NOW,
    )


def test_a_refused_decision_leaves_the_comments_open(thread, office_user):
    update = q4_update()
    with pytest.raises(services.StaleEdit):
        services.approve_update(update=update, expected_version=update.version - 1, by=office_user)

    thread.refresh_from_db()
    assert thread.is_open


def test_a_closed_thread_takes_no_replies(thread, lead_thanet, office_user):
    update = q4_update()
    services.approve_update(update=update, expected_version=update.version, by=office_user)
    before = snapshot()

    with pytest.raises(ValidationError, match="closed \\(Approved on 25 Apr 2019\\)"):
        comment_services.reply(comment=thread, text="Too late?", by=lead_thanet)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("section", "row_key", "text", "field", "message"),
    [
        ("money", "", "   ", "text", comment_services.EMPTY_COMMENT),
        ("money", "", "x" * (RETURN_COMMENT_MAX_LENGTH + 1), "text", "2,000 characters"),
        ("spending", "", "Hello", "section", comment_services.UNKNOWN_SECTION),
        ("objectives", "objective-999999", "Hello", "row", "Choose a row of Objectives"),
        ("money", "objective-1", "Hello", "row", "Choose a row of Money"),
        ("objectives", "milestone-1", "Hello", "row", "Choose a row of Objectives"),
    ],
)
def test_bad_comments_are_refused_with_a_message(
    thanet, office_user, section, row_key, text, field, message
):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        comment_services.add_comment(
            update=thanet, section=section, row_key=row_key, text=text, by=office_user
        )
    assert message in " ".join(error.value.message_dict[field])
    assert snapshot() == before


def test_a_row_of_another_locality_is_refused(thanet, office_user):
    swale_mdt = MDT.objects.for_locality(Locality.objects.get(slug="swale")).first()
    with pytest.raises(ValidationError, match="Choose a row of MDTs"):
        comment_services.add_comment(
            update=thanet,
            section="mdts",
            row_key=f"mdt-{swale_mdt.pk}",
            text="Hello",
            by=office_user,
        )
    assert not ReturnComment.objects.exists()


@pytest.mark.parametrize("locality", ["medway", "ashford", "swale"])
def test_only_a_submitted_update_takes_comments(programme_data, office_user, locality):
    before = snapshot()
    with pytest.raises(ValidationError, match="cannot be commented on"):
        comment_services.add_comment(
            update=q4_update(locality), section="money", text="Hello", by=office_user
        )
    assert snapshot() == before


def test_an_empty_reply_is_refused(thread, lead_thanet):
    with pytest.raises(ValidationError) as error:
        comment_services.reply(comment=thread, text=" ", by=lead_thanet)
    assert error.value.message_dict == {"text": [comment_services.EMPTY_REPLY]}


# --- The pages: who sees and who may talk ---------------------------------------------


def test_anonymous_posts_are_sent_to_log_in(client, thread):
    before = snapshot()
    for action in [url("comment"), url("reply", comment=thread.pk)]:
        response = client.post(action, {"section": "money", "text": "Hello"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("role", ["lead_thanet", "lead_swale", "board_user"])
def test_only_the_office_may_post_a_comment(client, thanet, request, role, caplog):
    client.force_login(request.getfixturevalue(role))
    before = snapshot()

    with caplog.at_level(logging.WARNING, logger="localcare.access"):
        response = client.post(url("comment"), {"section": "money", "text": "Hello"})

    assert response.status_code == 403
    assert "Refused reviewing quarterly updates" in caplog.text
    assert snapshot() == before


@pytest.mark.parametrize("role", ["lead_swale", "board_user"])
def test_others_may_not_post_a_reply(client, thread, request, role, caplog):
    client.force_login(request.getfixturevalue(role))
    before = snapshot()

    with caplog.at_level(logging.WARNING, logger="localcare.access"):
        response = client.post(url("reply", comment=thread.pk), {"text": "Me too"})

    assert response.status_code == 403
    assert "Refused replying to comments on this update" in caplog.text
    assert snapshot() == before


def test_the_office_comments_from_the_review_page(client, thanet, office_user):
    client.force_login(office_user)
    objective = first_objective(thanet)

    response = client.post(
        url("comment"),
        {"section": "objectives", "row": f"objective-{objective.pk}", "text": "Why Green?"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("review") + "#comments-objectives"
    comment = ReturnComment.objects.get()
    assert (comment.author, comment.row_label, comment.text) == (
        office_user,
        f"Objective {objective.number}",
        "Why Green?",
    )
    page = client.get(response["Location"])
    assert "Your comment on Objectives is posted." in page.text


def test_the_lead_replies_from_the_update_page(client, thread, lead_thanet):
    client.force_login(lead_thanet)

    response = client.post(url("reply", comment=thread.pk), {"text": "It slipped a month."})

    assert response.status_code == 302
    assert response["Location"] == url("detail") + f"#comment-{thread.pk}"
    assert thread.replies.get().author == lead_thanet


def test_the_office_replies_and_goes_back_to_the_review(client, thread, office_user):
    client.force_login(office_user)

    response = client.post(url("reply", comment=thread.pk), {"text": "Noted."})

    assert response["Location"] == url("review") + f"#comment-{thread.pk}"


def test_the_actions_accept_post_only(client, thread, office_user):
    client.force_login(office_user)
    assert client.get(url("comment")).status_code == 405
    assert client.get(url("reply", comment=thread.pk)).status_code == 405


def test_the_actions_need_the_csrf_token(thread, office_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    before = snapshot()
    assert client.post(url("comment"), {"section": "money", "text": "x"}).status_code == 403
    assert client.post(url("reply", comment=thread.pk), {"text": "x"}).status_code == 403
    assert snapshot() == before


def test_unknown_comments_and_updates_not_started_are_not_found(client, thread, office_user):
    client.force_login(office_user)
    # A thread of Thanet's update, named under Swale's: not found.
    assert client.post(url("reply", "swale", comment=thread.pk), {"text": "x"}).status_code == 404
    assert client.post(url("reply", comment=999999), {"text": "x"}).status_code == 404
    not_started = reverse("updates:comment", kwargs={"locality": "thanet", "quarter": "2019-20-q1"})
    assert client.post(not_started, {"section": "money", "text": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("locality", "data", "message", "anchor"),
    [
        ("thanet", {"section": "money", "text": ""}, "Write your comment.", "#comment-text"),
        (
            "thanet",
            {"section": "money", "text": "x" * (RETURN_COMMENT_MAX_LENGTH + 1)},
            "Keep it to 2,000 characters or fewer.",
            "#comment-text",
        ),
        ("thanet", {"section": "nowhere", "text": "Hi"}, "Choose a section", "#comment-text"),
        (
            "thanet",
            {"section": "objectives", "row": "objective-999999", "text": "Hi"},
            "Choose a row of Objectives to comment on, or the whole section.",
            "#comment-row",
        ),
        (
            "medway",
            {"section": "money", "text": "Hi"},
            "is draft, so it cannot be commented on",
            "#comment-text",
        ),
        (
            "ashford",
            {"section": "money", "text": "Hi"},
            "is approved, so it cannot be commented on",
            "#comment-text",
        ),
    ],
)
def test_a_refused_comment_says_why_and_keeps_what_was_typed(
    client, programme_data, office_user, locality, data, message, anchor
):
    client.force_login(office_user)
    before = snapshot()

    response = client.post(url("comment", locality), data)

    assert response.status_code == 400
    assert snapshot() == before
    assert response.context["errors"][0][1].find(message.split(":")[0]) >= 0
    assert f'<a href="{anchor}">' in response.text
    assert response.text.count("nhsuk-error-summary__list") == 1
    assert "<title>Error:" in response.text
    if data["text"]:
        assert data["text"] in response.text


def test_a_refused_reply_says_why(client, thread, lead_thanet, office_user):
    client.force_login(lead_thanet)
    response = client.post(url("reply", comment=thread.pk), {"text": ""})
    assert response.status_code == 400
    assert "Write your reply." in visible_text(response.text)
    assert thread.text in response.text  # what is being replied to

    update = q4_update()
    services.approve_update(update=update, expected_version=update.version, by=office_user)
    before = snapshot()
    response = client.post(url("reply", comment=thread.pk), {"text": "Too late?"})
    assert response.status_code == 400
    assert "This conversation was closed (Approved on 25 Apr 2019)" in response.text
    assert "Too late?" in response.text
    assert snapshot() == before


# --- Where the threads are shown ------------------------------------------------------


def reply_forms(response) -> int:
    return response.text.count('name="text"')


def test_the_lead_sees_the_thread_beside_its_row_with_a_reply_form(client, thread, lead_thanet):
    client.force_login(lead_thanet)

    response = client.get(url("detail"))

    text = visible_text(response.text)
    assert "The programme office has 1 open comment on this update" in text
    assert "Comments on this objective" in text
    assert f"Open Comment by office , 25 Apr 2019, 13:00 {thread.text}" in text
    assert reply_forms(response) == 1
    assert url("reply", comment=thread.pk) in response.text


def test_another_localitys_lead_reads_the_thread_but_cannot_reply(client, thread, lead_swale):
    client.force_login(lead_swale)

    response = client.get(url("detail"))

    assert response.status_code == 200
    assert thread.text in visible_text(response.text)
    assert reply_forms(response) == 0


def test_board_members_read_the_conversation_once_the_update_is_approved(
    client, thread, board_user, office_user
):
    client.force_login(board_user)
    assert client.get(url("detail")).status_code == 403

    update = q4_update()
    services.approve_update(update=update, expected_version=update.version, by=office_user)
    response = client.get(url("detail"))

    text = visible_text(response.text)
    assert "Closed Approved on 25 Apr 2019" in text
    assert thread.text in text
    assert reply_forms(response) == 0


def test_the_review_page_shows_the_threads_and_a_comment_form_per_section(
    client, thread, office_user
):
    client.force_login(office_user)

    response = client.get(url("review"))

    text = visible_text(response.text)
    assert "Comments on objectives" in text
    assert f"On {thread.row_label}" in text
    # Not on the outcomes: they are the monthly extract's, not the return's (decision 0019).
    assert response.text.count("Comment on this section") == len(services.SECTIONS) - 1
    # Row choices in the sections that have rows, and the office may reply too.
    assert f'value="{thread.row_key}"' in response.text
    assert url("reply", comment=thread.pk) in response.text


def test_a_decided_update_has_no_comment_forms(client, thread, office_user):
    update = q4_update()
    services.approve_update(update=update, expected_version=update.version, by=office_user)
    client.force_login(office_user)

    response = client.get(url("review"))

    assert "Comment on this section" not in response.text
    assert url("reply", comment=thread.pk) not in response.text
    assert "Closed Approved on 25 Apr 2019" in visible_text(response.text)


def test_a_returned_update_shows_the_closed_threads_on_its_section_pages(
    client, thread, lead_thanet, office_user
):
    section_comment = comment_services.add_comment(
        update=q4_update(), section="objectives", text="Narratives are thin.", by=office_user
    )
    update = q4_update()
    services.return_update(
        update=update,
        comments="Please see my comments.",
        expected_version=update.version,
        by=office_user,
    )
    client.force_login(lead_thanet)

    detail = visible_text(client.get(url("detail")).text)
    assert "Please see my comments." in detail  # the overall message stays
    assert "Closed Returned with comments on 25 Apr 2019" in detail

    page = client.get(url("edit-section", section="objectives"))
    text = visible_text(page.text)
    assert thread.text in text
    assert section_comment.text in text
    # The lead answers beside the row and the section (decision 0012).
    assert url("reply", comment=thread.pk) in page.text
    assert url("reply", comment=section_comment.pk) in page.text


def test_the_history_shows_comments_replies_and_their_closing(
    client, thread, lead_thanet, office_user
):
    comment_services.reply(comment=thread, text="It slipped a month.", by=lead_thanet)
    update = q4_update()
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        services.approve_update(update=update, expected_version=update.version, by=office_user)
    client.force_login(lead_thanet)

    timeline = client.get(url("detail")).context["timeline"]

    whats = [(entry.who, entry.what, entry.status_label) for entry in timeline[:4]]
    assert whats == [
        ("office", "Closed on approval: 2 comments closed", "Approved"),
        ("office", "Approved", "Approved"),
        ("lead-thanet", "Reply on Objectives, Objective 1: “It slipped a month.”", "Submitted"),
        ("office", f"Comment on Objectives, Objective 1: “{thread.text}”", "Submitted"),
    ]


def test_comments_are_escaped_everywhere(client, thanet, office_user, lead_thanet):
    comment = comment_services.add_comment(
        update=thanet, section="money", text=PAYLOAD, by=office_user
    )
    comment_services.reply(comment=comment, text=PAYLOAD, by=lead_thanet)

    client.force_login(office_user)
    review = client.get(url("review")).text
    client.force_login(lead_thanet)
    detail = client.get(url("detail")).text
    refused = client.post(url("reply", comment=comment.pk), {"text": PAYLOAD + "x" * 2000}).text

    for html in (review, detail, refused):
        assert PAYLOAD not in html
        assert ESCAPED in html


def test_the_pages_queries_do_not_grow_with_the_comments(client, thanet, office_user, lead_thanet):
    objective = first_objective(thanet)
    one = comment_services.add_comment(update=thanet, section="money", text="One", by=office_user)
    comment_services.reply(comment=one, text="A reply", by=lead_thanet)
    client.force_login(office_user)
    review_before = query_count(client, url("review"))
    client.force_login(lead_thanet)
    detail_before = query_count(client, url("detail"))

    for number in range(15):
        first = comment_services.add_comment(
            update=thanet,
            section="objectives",
            row_key=f"objective-{objective.pk}" if number % 2 else "",
            text=f"Comment {number}",
            by=office_user,
        )
        comment_services.reply(comment=first, text=f"Reply {number}", by=lead_thanet)

    assert query_count(client, url("detail")) == detail_before
    client.force_login(office_user)
    assert query_count(client, url("review")) == review_before


def test_an_update_not_started_has_no_threads(lead_thanet, client):
    client.force_login(lead_thanet)
    response = client.get(
        reverse("updates:detail", kwargs={"locality": "thanet", "quarter": "2019-20-q1"})
    )

    assert response.status_code == 200
    assert len(response.context["comment_threads"]) == 0
    assert response.context["timeline"] == []


# --- The lead answers a returned update (decision 0012) ---------------------------------


def return_thanet(office_user, text="See my comments."):
    update = q4_update()
    return services.return_update(
        update=update, comments=text, expected_version=update.version, by=office_user
    )


def submit_thanet(lead):
    """The lead resubmits (the illustrative Thanet lacks reports that submitting checks:
    the browser test resubmits through the pages)."""
    update = q4_update()
    update.status = QuarterlyUpdate.Status.SUBMITTED
    update._history_user = lead
    update._change_reason = "Submitted"
    update.save()


def test_the_lead_replies_on_a_returned_update_and_reopens_the_thread(
    thread, lead_thanet, office_user
):
    return_thanet(office_user)

    answer = comment_services.reply(comment=thread, text="Fixed the RAG.", by=lead_thanet)

    thread.refresh_from_db()
    assert (thread.state, thread.closed_at, thread.closed_by, thread.closed_by_decision) == (
        ReturnComment.State.OPEN,
        None,
        None,
        "",
    )
    assert (answer.parent, answer.author, answer.is_open) == (thread, lead_thanet, True)
    reopened = thread.history.first()
    assert (reopened.history_user, reopened.history_change_reason, reopened.state) == (
        lead_thanet,
        "Re-opened by a reply from the lead on Objectives",
        "open",
    )
    # The update itself is untouched: the lead's page and the office's forms stay current.
    assert q4_update().status == QuarterlyUpdate.Status.RETURNED


def test_the_lead_replies_again_on_the_reopened_thread(thread, lead_thanet, office_user):
    return_thanet(office_user)
    comment_services.reply(comment=thread, text="Fixed the RAG.", by=lead_thanet)

    comment_services.reply(comment=thread, text="And the narrative.", by=lead_thanet)

    assert thread.replies.count() == 2
    assert thread.history.filter(history_change_reason__startswith="Re-opened").count() == 1


def test_the_office_sees_the_answer_open_after_resubmission_and_approval_closes_it(
    thread, lead_thanet, office_user
):
    return_thanet(office_user)
    comment_services.reply(comment=thread, text="Fixed the RAG.", by=lead_thanet)
    submit_thanet(lead_thanet)

    threads = comment_selectors.comment_threads(q4_update())
    assert threads.open_count == 1
    assert [c.text for c in threads.threads[0].comments][-1] == "Fixed the RAG."
    assert threads.threads[0].lead_replied
    # The office replies on the submitted update as before: its turn is over.
    comment_services.reply(comment=thread, text="Thanks.", by=office_user)
    assert not comment_selectors.comment_threads(q4_update()).threads[0].lead_replied

    update = q4_update()
    services.approve_update(update=update, expected_version=update.version, by=office_user)
    assert not ReturnComment.objects.filter(update=update).open().exists()
    thread.refresh_from_db()
    assert thread.closed_by_decision == "Approved on 25 Apr 2019"


def test_returning_again_closes_the_reopened_thread(thread, lead_thanet, office_user):
    return_thanet(office_user)
    comment_services.reply(comment=thread, text="Fixed the RAG.", by=lead_thanet)
    submit_thanet(lead_thanet)

    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        return_thanet(office_user, "Not yet.")

    thread.refresh_from_db()
    assert thread.closed_by_decision == "Returned with comments on 26 Apr 2019"


def test_the_office_does_not_reply_while_the_update_is_returned(thread, office_user):
    return_thanet(office_user)
    before = snapshot()

    with pytest.raises(ValidationError, match="back with its lead"):
        comment_services.reply(comment=thread, text="Also this.", by=office_user)
    assert snapshot() == before


@pytest.mark.parametrize("role", ["lead_swale", "board_user"])
def test_others_may_not_reply_on_a_returned_update(thread, office_user, request, role):
    return_thanet(office_user)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        comment_services.reply(comment=thread, text="Hello", by=request.getfixturevalue(role))
    assert snapshot() == before


def test_a_thread_closed_by_approval_takes_no_reply_once_reopened(thread, lead_thanet, office_user):
    update = q4_update()
    services.approve_update(update=update, expected_version=update.version, by=office_user)
    update = q4_update()
    services.reopen_update(
        update=update, reason="Typo.", expected_version=update.version, by=office_user
    )
    assert q4_update().status == QuarterlyUpdate.Status.RETURNED
    before = snapshot()

    with pytest.raises(ValidationError, match="closed \\(Approved on 25 Apr 2019\\)"):
        comment_services.reply(comment=thread, text="Too late?", by=lead_thanet)
    assert snapshot() == before


def test_a_thread_closed_by_an_earlier_return_takes_no_reply(thread, lead_thanet, office_user):
    return_thanet(office_user)
    submit_thanet(lead_thanet)  # without answering: the thread stays closed
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        return_thanet(office_user, "Not yet.")
    before = snapshot()

    with pytest.raises(ValidationError, match="closed \\(Returned with comments on 25 Apr 2019\\)"):
        comment_services.reply(comment=thread, text="Late answer", by=lead_thanet)
    assert snapshot() == before


def test_a_comment_on_a_draft_takes_no_reply(thread, lead_thanet):
    # No path leads back to a draft: only a stray state could hold one.
    QuarterlyUpdate.objects.filter(pk=thread.update_id).update(status=QuarterlyUpdate.Status.DRAFT)
    before = snapshot()

    with pytest.raises(ValidationError, match="is draft, so its comments take no replies"):
        comment_services.reply(comment=thread, text="Hello", by=lead_thanet)
    assert snapshot() == before


def test_the_lead_replies_from_the_returned_update_page(client, thread, lead_thanet, office_user):
    return_thanet(office_user)
    client.force_login(lead_thanet)

    page = client.get(url("detail"))
    assert "You can answer the programme office's comments" in visible_text(page.text)
    assert reply_forms(page) == 1

    response = client.post(url("reply", comment=thread.pk), {"text": PAYLOAD})

    assert response.status_code == 302
    assert response.url == url("detail") + f"#comment-{thread.pk}"
    thread.refresh_from_db()
    assert thread.is_open
    page = client.get(url("detail")).text
    assert PAYLOAD not in page
    assert ESCAPED in page


def test_the_lead_replies_beside_the_row_on_the_section_page(
    client, thread, lead_thanet, office_user
):
    return_thanet(office_user)
    client.force_login(lead_thanet)

    page = client.get(url("edit-section", section="objectives")).text
    # The reply's fields sit in the section's form and name their own form after it.
    assert f'<form id="reply-form-{thread.pk}"' in page
    assert page.count(f'form="reply-form-{thread.pk}"') == 4  # token, back_to, text, button

    response = client.post(
        url("reply", comment=thread.pk), {"text": "Fixed.", "back_to": "objectives"}
    )
    assert response.status_code == 302
    assert response.url == url("edit-section", section="objectives") + f"#comment-{thread.pk}"
    # A page from elsewhere is not a place to go back to.
    response = client.post(url("reply", comment=thread.pk), {"text": "Again.", "back_to": "money"})
    assert response.url == url("detail") + f"#comment-{thread.pk}"


def test_the_office_sees_the_reply_open_on_the_review_page(
    client, thread, lead_thanet, office_user
):
    return_thanet(office_user)
    client.force_login(office_user)
    assert url("reply", comment=thread.pk) not in client.get(url("review")).text
    refused = client.post(url("reply", comment=thread.pk), {"text": "Also."})
    assert refused.status_code == 400
    assert "back with its lead" in refused.text

    comment_services.reply(comment=thread, text="Fixed the RAG.", by=lead_thanet)
    submit_thanet(lead_thanet)
    text = visible_text(client.get(url("review")).text)

    assert (
        "Open The lead replied On Objective 1 Comment by office , 25 Apr 2019, 13:00 "
        f"{thread.text} Reply by lead-thanet , 25 Apr 2019, 13:00 Fixed the RAG."
    ) in text
    assert url("reply", comment=thread.pk) in client.get(url("review")).text


@pytest.mark.parametrize(
    ("role", "status"), [("lead_swale", 403), ("board_user", 403), ("office_user", 400)]
)
def test_others_may_not_post_a_reply_on_a_returned_update(
    client, thread, office_user, request, role, status
):
    return_thanet(office_user)
    client.force_login(request.getfixturevalue(role))
    before = snapshot()

    response = client.post(url("reply", comment=thread.pk), {"text": "Hello"})

    assert response.status_code == status
    assert snapshot() == before


def test_anonymous_replies_on_a_returned_update_are_sent_to_log_in(client, thread, office_user):
    return_thanet(office_user)
    before = snapshot()

    response = client.post(url("reply", comment=thread.pk), {"text": "Hello"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


def test_the_history_shows_the_answer_on_the_return_and_both_closings(
    thread, lead_thanet, office_user, client
):
    later = NOW + datetime.timedelta(hours=1)
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        return_thanet(office_user)
    with time_machine.travel(later, tick=False):
        comment_services.reply(comment=thread, text="Fixed the RAG.", by=lead_thanet)
    with time_machine.travel(later + datetime.timedelta(minutes=5), tick=False):
        submit_thanet(lead_thanet)
    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        update = q4_update()
        services.approve_update(update=update, expected_version=update.version, by=office_user)
    client.force_login(lead_thanet)

    timeline = client.get(url("detail")).context["timeline"]

    whats = [(entry.who, entry.what, entry.status_label) for entry in timeline[:7]]
    assert whats == [
        ("office", "Closed on approval: 2 comments closed", "Approved"),
        ("office", "Approved", "Approved"),
        ("lead-thanet", "Submitted", "Submitted"),
        (
            "lead-thanet",
            "Reply on Objectives, Objective 1: “Fixed the RAG.”",
            "Returned with comments",
        ),
        # The lead's answer re-opened the thread: its closing on return stays in the history.
        ("office", "Closed on return: 1 comment closed", "Returned with comments"),
        ("office", "Returned: See my comments.", "Returned with comments"),
        ("office", f"Comment on Objectives, Objective 1: “{thread.text}”", "Submitted"),
    ]
