"""When a risk was closed and an action completed, so a past quarter judges them as they were then."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from dashboard.selectors.risks import _actions_as_at
from risks import services
from risks.models import MitigatingAction, Risk
from risks.scoring import is_action_overdue
from tests import factories

END_OF_Q3 = datetime.date(2018, 12, 31)


@pytest.fixture
def on_1_may_2019(time_machine):
    time_machine.move_to(datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.UTC), tick=False)


def test_closing_dates_the_risk_and_reopening_clears_it(db, on_1_may_2019, admin_user):
    risk = factories.open_risk()
    services.close_risk(risk=risk, note="Funding agreed.", by=admin_user)
    risk.refresh_from_db()
    assert risk.closed_on == datetime.date(2019, 5, 1)

    services.reopen_risk(risk=risk, reason="Funding withdrawn.", by=admin_user)
    risk.refresh_from_db()
    assert risk.closed_on is None


def test_a_risk_is_open_as_at_a_day_when_raised_by_then_and_not_yet_closed(db):
    category = factories.risk_category()
    open_now = factories.open_risk("LC-R01", category)
    raised_later = factories.open_risk("LC-R02", category, date_raised=datetime.date(2019, 1, 2))
    closed_later = factories.open_risk(
        "LC-R03",
        category,
        status=Risk.Status.CLOSED,
        closing_note="Done.",
        closed_on=datetime.date(2019, 1, 1),
    )
    closed_that_day = factories.open_risk(
        "LC-R04", category, status=Risk.Status.CLOSED, closing_note="Done.", closed_on=END_OF_Q3
    )
    # Closed before closed_on was kept, with no history to date it: closed, as shown before.
    closed_undated = factories.open_risk(
        "LC-R05", category, status=Risk.Status.CLOSED, closing_note="Done."
    )
    proposed = factories.open_risk("LC-R06", category, status=Risk.Status.PROPOSED)

    assert set(Risk.objects.open_as_at(END_OF_Q3)) == {open_now, closed_later}
    assert set(Risk.objects.open_as_at(datetime.date(2019, 1, 2))) == {open_now, raised_later}
    # Closed on the day: closed at its end, open the day before.
    assert closed_that_day in Risk.objects.open_as_at(END_OF_Q3 - datetime.timedelta(days=1))
    assert closed_undated not in Risk.objects.open_as_at(END_OF_Q3)
    assert proposed not in Risk.objects.open_as_at(END_OF_Q3)


def test_only_a_closed_risk_has_a_closing_date(db):
    with transaction.atomic(), pytest.raises(IntegrityError):
        factories.open_risk(closed_on=END_OF_Q3)


def test_completing_an_action_dates_it_and_reopening_clears_it(db, on_1_may_2019):
    action = MitigatingAction.objects.create(risk=factories.open_risk(), description="Recruit.")
    action.status = MitigatingAction.Status.COMPLETE
    services.save_action(action=action)
    assert action.completed_on == datetime.date(2019, 5, 1)

    action.description = "Recruit two nurses."
    services.save_action(action=action)
    assert action.completed_on == datetime.date(2019, 5, 1)

    action.status = MitigatingAction.Status.IN_PROGRESS
    services.save_action(action=action)
    assert MitigatingAction.objects.get().completed_on is None


def test_an_action_completed_after_a_day_was_not_complete_and_overdue_then(db, on_1_may_2019):
    action = MitigatingAction.objects.create(
        risk=factories.open_risk(),
        description="Recruit.",
        due_date=datetime.date(2018, 11, 30),
        status=MitigatingAction.Status.IN_PROGRESS,
    )
    action.status = MitigatingAction.Status.COMPLETE
    services.save_action(action=action)

    assert not action.is_complete_as_at(END_OF_Q3)
    assert is_action_overdue(action, END_OF_Q3)
    assert action.is_complete_as_at(datetime.date(2019, 5, 1))
    assert not is_action_overdue(action, datetime.date(2019, 5, 1))
    # Complete before completed_on was kept: complete, as shown before.
    undated = MitigatingAction(
        risk=action.risk,
        description="Old.",
        due_date=datetime.date(2018, 11, 30),
        status="complete",
    )
    assert undated.is_complete_as_at(END_OF_Q3)
    assert not is_action_overdue(undated, END_OF_Q3)

    [then] = _actions_as_at(MitigatingAction.objects.all(), END_OF_Q3)
    assert then.status == MitigatingAction.Status.IN_PROGRESS
