"""The public reads other parts call: the action log from previous meetings, overdue actions,
actions by linked item, and the record history; and the action log include."""

import datetime

import pytest
from django.template.loader import render_to_string

from governance import selectors
from governance.models import Action
from localities.models import GovernanceBody, Locality

pytestmark = pytest.mark.django_db

D = datetime.date
REPORT, SCHEDULE, PROGRESS = 2, 3, 1  # the seeded actions' pks


def test_actions_from_previous_meetings_are_as_at_the_day_overdue_first(
    programme_data, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = selectors.actions_from_previous_meetings(day=D(2019, 3, 31))
    assert [row.pk for row in rows] == [REPORT, SCHEDULE, PROGRESS]
    report = rows[0]
    assert report.is_overdue
    assert report.status == "Open"
    assert report.due_text.startswith("the Joint Board's next meeting")
    assert report.meeting.startswith("Joint Board, Undated minutes")
    assert report.owner_and_status_are_illustrative
    assert rows[2].status == "Done"
    assert rows[2].closed_on == D(2018, 12, 31)


def test_a_later_close_is_open_as_at_an_earlier_day(programme_data):
    rows = selectors.actions_from_previous_meetings(day=D(2018, 12, 30))
    progress = next(row for row in rows if row.pk == PROGRESS)
    assert progress.status == "Open"
    assert progress.closed_on is None
    assert progress.status_reason == ""


def test_only_actions_agreed_before_the_day(programme_data):
    assert [r.pk for r in selectors.actions_from_previous_meetings(day=D(2018, 12, 12))] == [
        PROGRESS
    ]
    assert selectors.actions_from_previous_meetings(day=D(2018, 10, 9)) == []


def test_body_and_limit(programme_data):
    joint = Action.objects.get(pk=REPORT).meeting.body
    other = GovernanceBody.objects.exclude(pk=joint.pk).first()
    day = D(2019, 3, 31)
    assert len(selectors.actions_from_previous_meetings(day=day, body=joint)) == 3
    assert selectors.actions_from_previous_meetings(day=day, body=other) == []
    assert [r.pk for r in selectors.actions_from_previous_meetings(day=day, limit=1)] == [REPORT]


def test_overdue_actions_with_their_total(programme_data, django_assert_max_num_queries):
    rows, total = selectors.overdue_actions(day=D(2019, 3, 31))
    assert [row.pk for row in rows] == [REPORT]
    assert total == 1
    # After 30 September 2019 the carers' deep dives are overdue too.
    with django_assert_max_num_queries(2):
        rows, total = selectors.overdue_actions(day=D(2019, 10, 1), limit=1)
    assert [row.pk for row in rows] == [REPORT]
    assert total == 2
    assert selectors.overdue_actions(day=D(2018, 12, 31)) == ([], 0)


def test_actions_by_link(programme_data):
    thanet = Locality.objects.get(slug="thanet")
    Action.objects.filter(pk=SCHEDULE).update(locality=thanet)
    found = selectors.actions_by_link(link="locality", ids=[thanet.pk], day=D(2019, 3, 31))
    assert [row.pk for row in found[thanet.pk]] == [SCHEDULE]
    assert found[thanet.pk][0].linked[0].label == "Thanet"
    assert selectors.actions_by_link(link="locality", day=D(2018, 11, 1)) == {}
    assert selectors.actions_for_localities(localities=[thanet], day=D(2019, 3, 31)) == found
    with pytest.raises(ValueError, match="not linked by"):
        selectors.actions_by_link(link="meeting", day=D(2019, 3, 31))


def test_the_action_log_include_prints_each_row_escaped_and_marked(programme_data):
    Action.objects.filter(pk=SCHEDULE).update(text="<b>carers</b>", is_illustrative=True)
    rows = selectors.actions_from_previous_meetings(day=D(2019, 3, 31))
    html = render_to_string(
        "governance/includes/action_log.html", {"actions": rows, "as_at_label": "31 March 2019"}
    )
    assert "Actions from previous meetings, status as at 31 March 2019" in html
    assert "&lt;b&gt;carers&lt;/b&gt;" in html
    assert html.count("Illustrative owner and status</strong>") == 3
    assert "Overdue</strong>" in html
    assert html.count('<tr class="nhsuk-table__row"') == 4
    empty = render_to_string("governance/includes/action_log.html", {"actions": []})
    assert "No actions." in empty


def test_record_history_says_who_what_and_why(programme_data, office_user):
    from governance import services

    action = Action.objects.get(pk=SCHEDULE)
    services.save_action(action=action, by=office_user, loaded_version=1)
    action.owner_role = "Programme director"
    services.save_action(action=action, by=office_user, loaded_version=2)
    entries = selectors.record_history(action)
    assert entries[0].who == "office"
    assert entries[0].reason == "Changed: owner role"
    assert entries[0].changes == [("owner role", "STP Local Care Lead", "Programme director")]


def test_office_meetings_in_three_queries(programme_data, django_assert_num_queries):
    with django_assert_num_queries(3):
        records = selectors.office_meetings()
    assert records[0].meeting.date_text.startswith("Undated")
    assert sum(len(r.actions) for r in records) == 3
