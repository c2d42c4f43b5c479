"""The programme office's board reports: write, approve, edit after approval, who reads what."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dashboard import caching
from governance import report_services
from governance.models import BoardReport
from localities.models import GovernanceBody, Quarter
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
LIST = reverse("reports:list")
CREATE = reverse("reports:create")


def q4() -> Quarter:
    return Quarter.objects.get(financial_year__start_year=2018, number=4)


def body(short="LCIB") -> GovernanceBody:
    return GovernanceBody.objects.get(short_name=short)


def form_data(**changes) -> dict:
    data = {
        "quarter": q4().pk,
        "body": body().pk,
        "meeting": "",
        "meeting_date": "23/4/2019",
        "agenda_item": "5",
        "title": "Local Care progress report",
        "report_from": "Local Care Senior Responsible Officer",
        "author": "STP Local Care Lead",
        "purpose": "assurance",
        "assessment_rag": "amber",
        "assessment_reason": "MDT roll-out behind plan in two localities.",
        "key_messages": "MDTs live in 40 of 52 places\nSpend on plan\nTwo localities off track",
        "recommendations": "note the progress\nsupport the recovery plans",
    }
    data.update(changes)
    return data


def draft(**changes) -> BoardReport:
    """A draft for LCIB, 2018/19 Q4, written by a fresh office user (no fixture report there)."""
    BoardReport.objects.filter(quarter=q4(), body=body()).delete()
    from django.contrib.auth.models import Group, User

    from localities import access

    writer = User.objects.create_user(username="writer", password="x" * 16)
    writer.groups.add(Group.objects.get(name=access.PROGRAMME_OFFICE))
    fields = {
        "quarter": q4(),
        "body": body(),
        "report_from": "Local Care Senior Responsible Officer",
        "author": "STP Local Care Lead",
        "assessment_rag": "amber",
        "assessment_reason": "Behind plan.",
        "key_messages": "One\nTwo\nThree",
        "recommendations": "note the report",
        **changes,
    }
    return report_services.create_board_report(by=writer, **fields)


# --- Writing -----------------------------------------------------------------------


def test_office_writes_a_draft_with_history(client, programme_data, office_user):
    BoardReport.objects.filter(quarter=q4(), body=body()).delete()
    client.force_login(office_user)
    response = client.post(CREATE, form_data())
    report = BoardReport.objects.get(quarter=q4(), body=body())
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"report": report.pk})
    assert report.status == BoardReport.Status.DRAFT
    assert report.key_message_list == [
        "MDTs live in 40 of 52 places",
        "Spend on plan",
        "Two localities off track",
    ]
    record = report.history.get()
    assert (record.history_user, record.history_change_reason) == (office_user, "Drafted")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"key_messages": "One\nTwo"}, "key_messages", "Enter at least 3 key messages"),
        (
            {"key_messages": "1\n2\n3\n4\n5\n6"},
            "key_messages",
            "Enter at most 5 key messages, one per line (you entered 6)",
        ),
        (
            {"recommendations": "note the report\nThe board should fund it"},
            "recommendations",
            "Start recommendation 2 with what the board is asked to do",
        ),
        ({"assessment_rag": "purple"}, "assessment_rag", "Select a valid choice"),
        ({"report_from": ""}, "report_from", "Say who the report is from, as a role."),
        ({"meeting_date": "31/02/2019"}, "meeting_date", "Enter the meeting date as a date"),
        ({"meeting": "2"}, "meeting", "That meeting is not one of the"),
        ({"quarter": "999"}, "quarter", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client, programme_data, office_user, changes, field, message
):
    BoardReport.objects.filter(quarter=q4(), body=body()).delete()
    before = BoardReport.objects.count()
    client.force_login(office_user)
    response = client.post(CREATE, form_data(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert f'href="#id_{field}' in html
    assert message in visible_text(html)
    assert BoardReport.objects.count() == before


def test_a_second_report_for_the_same_quarter_and_board_is_refused(
    client, programme_data, office_user
):
    draft()
    client.force_login(office_user)
    response = client.post(CREATE, form_data())
    assert response.status_code == 400
    assert "This board already has a report for the quarter." in visible_text(
        response.content.decode()
    )


def test_free_text_is_escaped(client, programme_data, office_user):
    report = draft(key_messages=f"{PAYLOAD}\nTwo\nThree", assessment_reason=PAYLOAD)
    client.force_login(office_user)
    html = client.get(reverse("reports:detail", kwargs={"report": report.pk})).content.decode()
    assert PAYLOAD not in html
    assert ESCAPED in html


# --- Approving and editing after approval ---------------------------------------------


def test_office_approves_with_who_and_when(client, programme_data, office_user):
    report = draft()
    client.force_login(office_user)
    response = client.post(
        reverse("reports:approve", kwargs={"report": report.pk}), {"loaded_version": 1}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == BoardReport.Status.APPROVED
    assert report.approved_by == office_user
    assert report.approved_at is not None
    assert report.history.first().history_change_reason == "Approved"
    page = client.get(reverse("reports:detail", kwargs={"report": report.pk}))
    history = visible_text(page.content.decode())
    assert "Approved" in history
    assert "Drafted" in history
    assert "writer" in history


def test_approving_a_stale_version_is_refused_409(client, programme_data, office_user):
    report = draft()
    report_services.update_board_report(
        report=report, expected_version=1, by=office_user, title="Changed meanwhile"
    )
    client.force_login(office_user)
    response = client.post(
        reverse("reports:approve", kwargs={"report": report.pk}), {"loaded_version": 1}
    )
    assert response.status_code == 409
    assert "changed after you opened it" in visible_text(response.content.decode())
    report.refresh_from_db()
    assert report.status == BoardReport.Status.DRAFT


def test_approving_without_a_version_or_twice_is_refused(client, programme_data, office_user):
    report = draft()
    client.force_login(office_user)
    url = reverse("reports:approve", kwargs={"report": report.pk})
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"loaded_version": 1}).status_code == 302
    again = client.post(url, {"loaded_version": 2})
    assert again.status_code == 400
    assert "already approved" in visible_text(again.content.decode())


def test_editing_an_approved_report_makes_it_a_draft_again_and_says_so(
    client, programme_data, office_user
):
    report = draft()
    report_services.approve_board_report(report=report, expected_version=1, by=office_user)
    client.force_login(office_user)
    edit = reverse("reports:edit", kwargs={"report": report.pk})
    assert "it becomes a draft again" in visible_text(
        client.get(reverse("reports:detail", kwargs={"report": report.pk})).content.decode()
    )
    assert "Saving a change makes it a draft again" in visible_text(
        client.get(edit).content.decode()
    )
    response = client.post(edit, form_data(loaded_version=2, title="Revised"), follow=True)
    assert "it is a draft again" in visible_text(response.content.decode())
    report.refresh_from_db()
    assert (report.status, report.approved_by, report.approved_at) == ("draft", None, None)
    assert report.title == "Revised"
    assert report.history.first().history_change_reason == report_services.BACK_TO_DRAFT_REASON


def test_a_second_editor_is_told_409_and_their_text_kept(client, programme_data, office_user):
    report = draft()
    report_services.update_board_report(
        report=report, expected_version=1, by=office_user, title="Saved first"
    )
    client.force_login(office_user)
    response = client.post(
        reverse("reports:edit", kwargs={"report": report.pk}),
        form_data(loaded_version=1, title="My own wording"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this board report" in visible_text(html)
    assert 'value="My own wording"' in html
    assert 'name="loaded_version" value="2"' in html
    report.refresh_from_db()
    assert report.title == "Saved first"


def test_services_refuse_anyone_but_the_office(programme_data, board_user):
    report = draft()
    with pytest.raises(PermissionDenied):
        report_services.approve_board_report(report=report, expected_version=1, by=board_user)


@pytest.mark.django_db(transaction=True)
def test_approving_moves_the_dashboard_data_version(programme_data, office_user):
    report = draft()
    before = caching.data_version()
    report_services.approve_board_report(report=report, expected_version=1, by=office_user)
    assert caching.data_version() == before + 1


# --- Who reads what --------------------------------------------------------------------


def test_board_members_and_leads_read_approved_reports_only(
    client, programme_data, board_user, lead_thanet, office_user
):
    report = draft(title="Draft in progress")
    detail = reverse("reports:detail", kwargs={"report": report.pk})
    for user in (board_user, lead_thanet):
        client.force_login(user)
        assert client.get(detail).status_code == 403
        assert "Draft in progress" not in client.get(LIST).content.decode()
        assert client.get(CREATE).status_code == 403
        assert client.get(reverse("reports:edit", kwargs={"report": report.pk})).status_code == 403
        assert (
            client.post(
                reverse("reports:approve", kwargs={"report": report.pk}), {"loaded_version": 1}
            ).status_code
            == 403
        )
    report_services.approve_board_report(report=report, expected_version=1, by=office_user)
    client.force_login(board_user)
    page = client.get(detail).content.decode()
    assert "Draft in progress" in page
    assert 'data-testid="report-history"' not in page
    assert "Draft in progress" in client.get(LIST).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, programme_data):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="nobody", password="x" * 16))
    assert client.get(LIST).status_code == 403


def test_the_list_costs_the_same_queries_however_many_reports(
    client, programme_data, office_user, django_assert_max_num_queries
):
    client.force_login(office_user)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200
    for number, quarter in enumerate(Quarter.objects.all()):
        for each in GovernanceBody.objects.all():
            if not BoardReport.objects.filter(quarter=quarter, body=each).exists():
                BoardReport.objects.create(
                    quarter=quarter,
                    body=each,
                    report_from="SRO",
                    author="Lead",
                    assessment_rag="green",
                    assessment_reason=f"r{number}",
                    key_messages="a\nb\nc",
                    recommendations="note it",
                )
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_editing_a_draft_saves_it_and_bad_input_keeps_it_unchanged(
    client, programme_data, office_user
):
    report = draft()
    client.force_login(office_user)
    edit = reverse("reports:edit", kwargs={"report": report.pk})
    refused = client.post(edit, form_data(loaded_version=1, key_messages="Only one"))
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.version == 1
    saved = client.post(edit, form_data(loaded_version=1, title="Retitled"), follow=True)
    assert "Board report saved." in visible_text(saved.content.decode())
    report.refresh_from_db()
    assert (report.title, report.status, report.version) == ("Retitled", "draft", 2)


def test_the_office_finds_board_reports_under_governance_in_the_header(
    client, programme_data, office_user
):
    client.force_login(office_user)

    links = client.get(reverse("reports:list")).context["dashboard_navigation"]

    current = [item["label"] for item in links if item["current"]]
    assert current == ["Governance"]
    governance = client.get(reverse("governance:home")).text
    assert f'href="{reverse("reports:list")}"' in governance


def test_board_members_read_approved_reports_from_the_overview_not_the_header(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(reverse("dashboard:home"))

    labels = [item["label"] for item in response.context["dashboard_navigation"]]
    assert "Governance" not in labels
    assert reverse("reports:detail", kwargs={"report": 1000}) in response.text
