"""Writes to the governance records: who may, the rules in words, history, stale edits."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance import services
from governance.models import Action, Decision, Meeting

pytestmark = pytest.mark.django_db


def test_only_the_programme_office_writes(programme_data, board_user, lead_thanet):
    action = Action.objects.get(pk=3)
    for user in (board_user, lead_thanet):
        with pytest.raises(PermissionDenied):
            services.save_action(action=action, by=user, loaded_version=1)
        with pytest.raises(PermissionDenied):
            services.save_meeting(meeting=action.meeting, by=user)
        with pytest.raises(PermissionDenied):
            services.save_decision(decision=Decision.objects.first(), by=user)


def test_an_action_is_agreed_on_its_meetings_day_or_the_day_after_an_undated_ones(
    programme_data, office_user
):
    undated = Meeting.objects.get(held_on__isnull=True)
    action = services.save_action(
        action=Action(meeting=undated, text="Do it", owner_role="Lead"), by=office_user
    )
    assert action.created_on == undated.held_after + datetime.timedelta(days=1)
    assert action.history.get().history_change_reason == "Action added"


def test_a_stale_action_edit_is_refused_and_nothing_saved(programme_data, office_user):
    action = Action.objects.get(pk=3)
    action.text = "Changed"
    with pytest.raises(services.StaleEdit):
        services.save_action(action=action, by=office_user, loaded_version=7)
    assert Action.objects.get(pk=3).text != "Changed"
    assert Action.objects.get(pk=3).version == 1


def test_a_stale_meeting_edit_is_refused(programme_data, office_user):
    meeting = Meeting.objects.get(pk=1)
    loaded = services.latest_history_id(meeting)
    meeting.papers = "First"
    services.save_meeting(meeting=meeting, by=office_user, loaded_history_id=loaded)
    meeting.papers = "Second"
    with pytest.raises(services.StaleEdit):
        services.save_meeting(meeting=meeting, by=office_user, loaded_history_id=loaded)
    assert Meeting.objects.get(pk=1).papers == "First"


def test_rules_are_keyed_by_field(programme_data, office_user):
    meeting = Meeting.objects.get(pk=1)
    meeting.held_after = datetime.date(2018, 1, 1)
    with pytest.raises(ValidationError) as refused:
        services.save_meeting(
            meeting=meeting, by=office_user, loaded_history_id=services.latest_history_id(meeting)
        )
    assert "held_after" in refused.value.message_dict
    meeting = Meeting(body=meeting.body, held_on=datetime.date(2019, 1, 1), date_as_written="Jan")
    with pytest.raises(ValidationError) as refused:
        services.save_meeting(meeting=meeting, by=office_user)
    assert "date_as_written" in refused.value.message_dict
    assert not Meeting.objects.filter(held_on=datetime.date(2019, 1, 1)).exists()
