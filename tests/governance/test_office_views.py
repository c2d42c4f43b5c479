"""The programme office's pages for meetings, decisions and actions: who may, bad input, 409."""

import pytest
from django.urls import reverse

from governance.models import Action, Decision, Meeting
from localities.models import GovernanceBody, Locality
from risks.models import Risk

pytestmark = pytest.mark.django_db

PAGES = [
    ("governance:home", {}),
    ("governance:meeting-add", {}),
    ("governance:meeting-edit", {"pk": 1}),
    ("governance:decision-add", {}),
    ("governance:decision-edit", {"pk": 1}),
    ("governance:action-add", {}),
    ("governance:action-edit", {"pk": 1}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_only_the_programme_office_reaches_the_pages(
    client, programme_data, board_user, lead_thanet, office_user, admin_user, name, kwargs
):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for user, expected in [
        (board_user, 403),
        (lead_thanet, 403),
        (office_user, 200),
        (admin_user, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == expected, (user, url)
    client.force_login(board_user)
    assert client.post(url, {"text": "forged"}).status_code in (403, 405)


def action_data(**changes) -> dict:
    data = {
        "meeting": "2",
        "decision": "",
        "text": "Bring the Thanet MDT plan to the next meeting.",
        "owner_role": "Thanet locality lead",
        "owner_user": "",
        "due_date": "31/3/2019",
        "due_as_written": "",
        "status": "open",
        "closed_on": "",
        "status_reason": "",
        "locality": str(Locality.objects.get(slug="thanet").pk),
        "objective": "",
        "milestone": "",
        "risk": str(Risk.objects.get(reference="LC-R01").pk),
        "critical_area": "",
        "source": "",
    }
    data.update(changes)
    return data


def test_the_office_adds_an_action_with_its_history(client, programme_data, office_user):
    client.force_login(office_user)
    response = client.post(reverse("governance:action-add"), action_data())
    action = Action.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:action-edit", kwargs={"pk": action.pk})
    assert action.locality.slug == "thanet"
    assert action.risk.reference == "LC-R01"
    # Agreed on its meeting's day (9 October 2018).
    assert str(action.created_on) == "2018-10-09"
    record = action.history.get()
    assert record.history_user == office_user
    assert record.history_change_reason == "Action added"

    page = client.get(response["Location"])
    assert b"History" in page.content
    assert b"Action added" in page.content


def test_an_edit_says_what_changed_in_the_history(client, programme_data, office_user):
    client.force_login(office_user)
    client.post(reverse("governance:action-add"), action_data())
    action = Action.objects.latest("pk")
    url = reverse("governance:action-edit", kwargs={"pk": action.pk})
    data = action_data(
        status="dropped",
        closed_on="1/3/2019",
        status_reason="Overtaken by the new Local Care Board.",
        loaded_version=str(action.version),
    )
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.status == "dropped"
    assert action.version == 2
    latest = action.history.latest()
    assert latest.history_user == office_user
    assert latest.history_change_reason == "Changed: status, closed on, status reason"
    html = client.get(url).content.decode()
    assert "Open → Dropped" in html
    assert "(none) → 1 March 2019" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": ""}, "text", "Say what is to be done."),
        ({"owner_role": ""}, "owner_role", "Say who owns the action"),
        ({"due_date": "31/2/2019"}, "due_date", "Enter the due date as a real date"),
        ({"status": "done"}, "closed_on", "Give the day the action was done."),
        (
            {"status": "dropped", "closed_on": "1/1/2019"},
            "status_reason",
            "Say why the action was dropped.",
        ),
        ({"closed_on": "1/1/2019"}, "closed_on", "An open action has no closing day"),
        (
            {"status": "done", "closed_on": "1/1/2018"},
            "closed_on",
            "cannot close before it was agreed",
        ),
        ({"decision": "5"}, "decision", "Choose a decision of the action's own meeting"),
        ({"text": "x" * 2001}, "text", "2,000 characters or fewer"),
        ({"meeting": "999"}, "meeting", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_linked_message_and_nothing_saved(
    client, programme_data, office_user, changes, field, message
):
    client.force_login(office_user)
    before = Action.objects.count()
    response = client.post(reverse("governance:action-add"), action_data(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert f'href="#id_{field}"' in html
    assert message in html.replace("&#x27;", "'")
    assert Action.objects.count() == before
    if changes.get("text", "").startswith("x"):
        assert "x" * 2001 in html  # what was typed is kept


def test_a_second_editor_is_told_and_their_text_is_kept(client, programme_data, office_user):
    client.force_login(office_user)
    url = reverse("governance:action-edit", kwargs={"pk": 3})
    action = Action.objects.get(pk=3)
    first = action_data(
        meeting="3",
        decision="6",
        locality="",
        risk="",
        text="First editor's words",
        owner_role=action.owner_role,
        loaded_version="1",
    )
    assert client.post(url, first).status_code == 302
    second = {**first, "text": "Second editor's words"}
    response = client.post(url, second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this action" in html
    assert "Second editor&#x27;s words" in html
    assert 'data-testid="stale-edit"' in html
    action.refresh_from_db()
    assert action.text == "First editor's words"
    # Saving again replaces theirs on purpose.
    assert 'name="loaded_version" value="2"' in html
    assert client.post(url, {**second, "loaded_version": "2"}).status_code == 302
    action.refresh_from_db()
    assert action.text == "Second editor's words"


def test_the_office_adds_and_edits_a_meeting_and_a_decision(client, programme_data, office_user):
    client.force_login(office_user)
    body = GovernanceBody.objects.order_by("pk").first()
    response = client.post(
        reverse("governance:meeting-add"),
        {"body": body.pk, "held_on": "", "held_after": "", "date_as_written": "", "papers": ""},
    )
    assert response.status_code == 400
    assert (
        "Give the meeting&#x27;s date, or the day it is known to follow."
        in response.content.decode()
    )
    response = client.post(
        reverse("governance:meeting-add"),
        {"body": body.pk, "held_on": "14/5/2019", "papers": "Local Care update"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.latest("pk")
    assert meeting.date_text == "14 May 2019"

    edit = reverse("governance:meeting-edit", kwargs={"pk": meeting.pk})
    form = client.get(edit).context["form"]
    loaded = form["loaded_version"].value()
    data = {
        "body": body.pk,
        "held_on": "15/5/2019",
        "papers": "Local Care update",
        "loaded_version": loaded,
    }
    assert client.post(edit, data).status_code == 302
    # The same form sent again is stale: its history moved on.
    stale = client.post(edit, {**data, "papers": "Mine"})
    assert stale.status_code == 409
    assert "Mine" in stale.content.decode()

    response = client.post(
        reverse("governance:decision-add"),
        {
            "meeting": meeting.pk,
            "reference": "(a)",
            "kind": "noted",
            "text": "Noted the report.",
            "paper": "Local Care update",
        },
    )
    assert response.status_code == 302
    duplicate = client.post(
        reverse("governance:decision-add"),
        {
            "meeting": meeting.pk,
            "reference": "(a)",
            "kind": "agreed",
            "text": "Again.",
            "paper": "Local Care update",
        },
    )
    assert duplicate.status_code == 400
    assert Decision.objects.filter(meeting=meeting).count() == 1
    decision = Decision.objects.get(meeting=meeting)
    edit = reverse("governance:decision-edit", kwargs={"pk": decision.pk})
    page = client.get(edit)
    assert page.status_code == 200
    assert b"Decision added" in page.content


def test_free_text_is_escaped(client, programme_data, office_user):
    client.force_login(office_user)
    client.post(reverse("governance:action-add"), action_data(text="<script>alert(1)</script>"))
    html = client.get(reverse("governance:home")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_refusal_only_the_service_finds_is_shown_on_the_form(
    client, programme_data, office_user, monkeypatch
):
    """A rule checked at save time only (a race with another save) still reaches the form."""
    from django.core.exceptions import ValidationError

    from governance import services

    client.force_login(office_user)
    for error in (
        ValidationError({"text": "Refused at save.", "created_on": "Not a field here."}),
        ValidationError("Refused as a whole."),
    ):
        monkeypatch.setattr(
            services, "save_action", lambda error=error, **kwargs: (_ for _ in ()).throw(error)
        )
        response = client.post(reverse("governance:action-add"), action_data())
        assert response.status_code == 400
        html = response.content.decode()
        assert "Refused" in html
        assert 'href="#id_meeting"' in html or 'href="#id_text"' in html


def test_an_unchanged_save_and_a_relation_change_in_the_history(
    client, programme_data, office_user
):
    client.force_login(office_user)
    client.post(reverse("governance:action-add"), action_data())
    action = Action.objects.latest("pk")
    url = reverse("governance:action-edit", kwargs={"pk": action.pk})
    assert client.post(url, action_data(loaded_version="1")).status_code == 302
    assert action.history.latest().history_change_reason == "Saved unchanged"
    assert client.post(url, action_data(loaded_version="2", locality="")).status_code == 302
    html = client.get(url).content.decode()
    assert "Locality changed" in html


def test_the_action_page_query_count_does_not_grow_with_its_history(
    client, programme_data, office_user
):
    from tests.helpers import query_count

    client.force_login(office_user)
    client.post(reverse("governance:action-add"), action_data())
    action = Action.objects.latest("pk")
    url = reverse("governance:action-edit", kwargs={"pk": action.pk})
    before = query_count(client, url)
    for version in range(1, 6):
        data = action_data(loaded_version=str(version), text=f"Version {version}")
        assert client.post(url, data).status_code == 302
    assert query_count(client, url) == before
