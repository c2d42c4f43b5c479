"""Leads are dated (issue 19, decision 0023): a lead works on the return of a
quarter that ended while they were assigned to the locality, and on no other;
My localities, reminders and e-mails follow the same rule.

The fixtures' 2020/21 quarters come from another part of the issue: the tests
make 2020/21 Q1 themselves if it is not there, and always name the quarter.
For My localities and reminders, which follow each locality's *current*
return, a locality of the test's own ("Faversham") keeps its returns
independent of the illustrative ones.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from localities import access
from localities.models import FinancialYear, Locality, Quarter
from tests import factories
from tests.helpers import assign_lead
from updates import comment_services, outbox, reminders, selectors
from updates.models import QuarterlyUpdate

LAST_DAY_OF_2019_20 = datetime.date(2020, 3, 31)
FIRST_DAY_OF_2020_21 = datetime.date(2020, 4, 1)
Q4_2019_20 = "2019-20-q4"
Q1_2020_21 = "2020-21-q1"


def quarter_2020_21_q1() -> Quarter:
    year, _ = FinancialYear.objects.get_or_create(start_year=2020)
    start, end = Quarter.dates_for(2020, 1)
    return Quarter.objects.get_or_create(
        financial_year=year,
        number=1,
        defaults={
            "start_date": start,
            "end_date": end,
            "submission_deadline": datetime.date(2020, 7, 21),
        },
    )[0]


def make_lead(django_user_model, username):
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.nhs.uk", password="x" * 16
    )
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    return user


@pytest.fixture
def quarters(programme_data):
    return {
        Q4_2019_20: Quarter.objects.with_slug(Q4_2019_20).get(),
        Q1_2020_21: quarter_2020_21_q1(),
    }


@pytest.fixture
def leaving(quarters, django_user_model):
    """Led Swale until the last day of 2019/20."""
    user = make_lead(django_user_model, "swale-until-march-2020")
    assign_lead(user, "swale", end=LAST_DAY_OF_2019_20)
    return user


@pytest.fixture
def arriving(quarters, django_user_model):
    """Leads Swale from the first day of 2020/21."""
    user = make_lead(django_user_model, "swale-from-april-2020")
    assign_lead(user, "swale", start=FIRST_DAY_OF_2020_21)
    return user


@pytest.fixture
def mover(quarters, django_user_model):
    """Led Swale to the end of 2019/20, then Ashford: two consecutive assignments."""
    user = make_lead(django_user_model, "swale-then-ashford")
    assign_lead(user, "swale", end=LAST_DAY_OF_2019_20)
    assign_lead(user, "ashford", start=FIRST_DAY_OF_2020_21)
    return user


def edit_url(slug, quarter):
    return f"/updates/{slug}/{quarter}/edit/summary/"


def save_summary(client, slug, quarter, text):
    return client.post(
        edit_url(slug, quarter), {"version": "0", "summary-summary": text, "save": "Save"}
    )


def summary_of(slug, quarter):
    update = QuarterlyUpdate.objects.filter(
        locality__slug=slug, quarter=Quarter.objects.with_slug(quarter).get()
    ).first()
    return update.summary if update else None


# --- The rule ------------------------------------------------------------------------


def test_the_rule_is_the_assignment_in_force_on_the_quarters_last_day(quarters, django_user_model):
    swale = Locality.objects.get(slug="swale")
    q4 = quarters[Q4_2019_20]
    cases = {
        # (from, until): may they work on Swale's 2019/20 Q4 return?
        (None, None): True,
        (None, datetime.date(2020, 3, 31)): True,  # to the last day, inclusive
        (None, datetime.date(2020, 3, 30)): False,  # left the day before it ended
        (datetime.date(2020, 3, 31), None): True,  # arrived on its last day
        (datetime.date(2020, 4, 1), None): False,  # arrived after it ended
        (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)): False,  # an earlier spell
    }
    for number, ((start, end), expected) in enumerate(cases.items()):
        user = make_lead(django_user_model, f"lead-{number}")
        assign_lead(user, swale, start=start, end=end)
        assert access.can_work_on_return(user, swale, q4) is expected, (start, end)


def test_a_former_lead_outside_the_lead_group_works_on_nothing(leaving, quarters):
    leaving.groups.clear()
    leaving = type(leaving).objects.get(pk=leaving.pk)
    swale = Locality.objects.get(slug="swale")

    assert not access.can_work_on_return(leaving, swale, quarters[Q4_2019_20])
    assert access.localities_ever_led_by(leaving) == []
    assert not access.localities_led_by(leaving, day=LAST_DAY_OF_2019_20).exists()


def test_the_localities_a_lead_leads_on_a_day(mover):
    def led_on(day):
        return list(access.localities_led_by(mover, day=day).values_list("slug", flat=True))

    assert led_on(LAST_DAY_OF_2019_20) == ["swale"]
    assert led_on(FIRST_DAY_OF_2020_21) == ["ashford"]
    assert [place.slug for place in access.localities_ever_led_by(mover)] == ["ashford", "swale"]


def test_the_users_assignments_are_read_once_for_every_check(
    mover, quarters, django_assert_num_queries
):
    swale, ashford = Locality.objects.get(slug="swale"), Locality.objects.get(slug="ashford")
    access.is_locality_lead(mover)  # the groups, cached as before
    with django_assert_num_queries(1):
        for quarter in quarters.values():
            for place in (swale, ashford):
                access.can_work_on_return(mover, place, quarter)


# --- The pages -------------------------------------------------------------------------


def test_a_lead_until_31_march_2020_works_on_swales_2019_20_q4_return_not_2020_21_q1(
    client, leaving
):
    client.force_login(leaving)

    assert client.get(edit_url("swale", Q4_2019_20)).status_code == 200
    assert save_summary(client, "swale", Q4_2019_20, "Ours to the end").status_code == 302
    assert summary_of("swale", Q4_2019_20) == "Ours to the end"

    assert client.get(edit_url("swale", Q1_2020_21)).status_code == 403
    assert save_summary(client, "swale", Q1_2020_21, "Not mine").status_code == 403
    assert summary_of("swale", Q1_2020_21) is None


def test_a_lead_from_1_april_2020_may_read_but_not_work_on_the_2019_20_q4_return(
    client, arriving, leaving
):
    client.force_login(leaving)
    save_summary(client, "swale", Q4_2019_20, "The previous lead's")
    client.force_login(arriving)

    # As for another locality's return: read it, change nothing.
    detail = client.get(f"/updates/swale/{Q4_2019_20}/")
    assert detail.status_code == 200
    assert detail.context["can_edit"] is False
    assert client.get(edit_url("swale", Q4_2019_20)).status_code == 403
    assert client.get(f"/updates/swale/{Q4_2019_20}/submit/").status_code == 403
    assert save_summary(client, "swale", Q4_2019_20, "Taken over").status_code == 403
    assert summary_of("swale", Q4_2019_20) == "The previous lead's"

    assert client.get(edit_url("swale", Q1_2020_21)).status_code == 200
    assert save_summary(client, "swale", Q1_2020_21, "My first").status_code == 302
    assert summary_of("swale", Q1_2020_21) == "My first"


def test_a_lead_with_consecutive_assignments_works_on_each_localitys_returns_of_its_time(
    client, mover
):
    client.force_login(mover)

    assert client.get(edit_url("swale", Q4_2019_20)).status_code == 200
    assert client.get(edit_url("swale", Q1_2020_21)).status_code == 403
    assert client.get(edit_url("ashford", Q4_2019_20)).status_code == 403
    assert client.get(edit_url("ashford", Q1_2020_21)).status_code == 200


def test_only_the_returns_lead_may_reply_to_comments_on_it(leaving, arriving, quarters):
    update = QuarterlyUpdate(
        locality=Locality.objects.get(slug="swale"), quarter=quarters[Q4_2019_20]
    )

    assert comment_services.can_reply(leaving, update)
    assert not comment_services.can_reply(arriving, update)


# --- My localities ---------------------------------------------------------------------


@pytest.fixture
def faversham(quarters, office_user):
    """A locality of the test's own whose 2019/20 Q3 return is approved: its current
    return is 2019/20 Q4 (deadline 21 April 2020)."""
    place = factories.locality("Faversham", Locality.objects.get(slug="swale").sub_system)
    approve(place, Quarter.objects.with_slug("2019-20-q3").get(), office_user)
    return place


def approve(place, quarter, office_user):
    moment = timezone.make_aware(datetime.datetime.combine(quarter.end_date, datetime.time(9)))
    QuarterlyUpdate.objects.create(
        locality=place,
        quarter=quarter,
        status=QuarterlyUpdate.Status.APPROVED,
        submitted_at=moment,
        reviewed_at=moment,
        reviewed_by=office_user,
    )


@pytest.fixture
def faversham_leads(faversham, django_user_model):
    leaving = make_lead(django_user_model, "faversham-until-march-2020")
    assign_lead(leaving, faversham, end=LAST_DAY_OF_2019_20)
    arriving = make_lead(django_user_model, "faversham-from-april-2020")
    assign_lead(arriving, faversham, start=FIRST_DAY_OF_2020_21)
    return leaving, arriving


def rows_for(user, day):
    """My localities' rows for `user` on `day`, read as a request would: a fresh user."""
    user = type(user).objects.get(pk=user.pk)
    return [
        (row.locality.slug, row.quarter.slug, row.can_work, row.next_step)
        for row in selectors.lead_returns(user=user, today=day)
    ]


def test_my_localities_keeps_a_former_leads_open_return_until_it_is_approved(
    faversham, faversham_leads, quarters, office_user
):
    leaving, arriving = faversham_leads
    april = datetime.date(2020, 4, 10)

    # Their 2019/20 Q4 return is still theirs after they moved on; the new lead
    # sees the locality, with that return to read, not to start.
    assert rows_for(leaving, april) == [("faversham", Q4_2019_20, True, "start")]
    assert rows_for(arriving, april) == [("faversham", Q4_2019_20, False, "view")]

    approve(faversham, quarters[Q4_2019_20], office_user)
    july = datetime.date(2020, 7, 10)
    assert rows_for(leaving, july) == []
    assert rows_for(arriving, july) == [("faversham", Q1_2020_21, True, "start")]


def test_my_localities_says_whose_return_it_is(client, faversham, faversham_leads):
    leaving, arriving = faversham_leads
    with time_machine.travel(datetime.datetime(2020, 4, 10, 9, tzinfo=datetime.UTC)):
        client.force_login(arriving)
        taken_over = client.get("/updates/").text
        client.force_login(leaving)
        still_mine = client.get("/updates/").text

    assert "You did not lead Faversham on 31 March 2020, the end of 2019/20 Q4" in taken_over
    assert "View the 2019/20 Q4 update" in taken_over
    assert "Start the 2019/20 Q4 update" not in taken_over
    assert "You did not lead" not in still_mine
    assert "Start the 2019/20 Q4 update" in still_mine
    # "View" opens the return, not yet started, to read.
    client.force_login(arriving)
    view = client.get(f"/updates/faversham/{Q4_2019_20}/")
    assert view.status_code == 200
    assert view.context["can_edit"] is False


# --- Reminders and e-mails -------------------------------------------------------------


def reminded(day, place):
    rows = reminders.returns_for_reminders(today=day)
    return [
        (reminder.user.username, reminder.quarter.slug)
        for reminder in reminders.due_reminders(rows, days=7)
        if reminder.locality == place
    ]


def test_reminders_go_to_the_lead_assigned_on_the_quarters_last_day(
    faversham, faversham_leads, quarters, office_user
):
    leaving, arriving = faversham_leads

    assert reminded(datetime.date(2020, 4, 18), faversham) == [(leaving.username, Q4_2019_20)]
    assert reminded(datetime.date(2020, 4, 25), faversham) == [(leaving.username, Q4_2019_20)]

    approve(faversham, quarters[Q4_2019_20], office_user)
    assert reminded(datetime.date(2020, 7, 18), faversham) == [(arriving.username, Q1_2020_21)]


def test_a_lead_assigned_twice_over_the_quarters_end_is_reminded_once(faversham, django_user_model):
    lead = make_lead(django_user_model, "faversham-twice")
    assign_lead(lead, faversham)
    assign_lead(lead, faversham, start=datetime.date(2020, 1, 1))

    assert reminded(datetime.date(2020, 4, 18), faversham) == [(lead.username, Q4_2019_20)]


def test_reminders_read_the_assignments_in_a_fixed_number_of_queries(
    faversham_leads, django_assert_num_queries
):
    with django_assert_num_queries(4):
        reminders.returns_for_reminders(today=datetime.date(2020, 4, 18))


def test_e_mails_about_a_return_go_to_its_leads_not_todays(
    leaving, arriving, quarters, office_user, mailoutbox
):
    swale = Locality.objects.get(slug="swale")

    assert outbox.lead_recipients(swale, quarters[Q4_2019_20]) == [leaving]
    assert outbox.lead_recipients(swale, quarters[Q1_2020_21]) == [arriving]

    update = QuarterlyUpdate.objects.create(
        locality=swale,
        quarter=quarters[Q4_2019_20],
        status=QuarterlyUpdate.Status.RETURNED,
        submitted_at=timezone.now(),
        review_comments="Please check the spend.",
    )
    queued = outbox.notify(outbox.Event.RETURNED, update=update, by=office_user)
    assert [message.recipient for message in queued] == [leaving]


def test_the_office_chases_a_localitys_milestones_with_its_lead_today(quarters, django_user_model):
    before = make_lead(django_user_model, "ashford-until-march-2020")
    assign_lead(before, "ashford", end=LAST_DAY_OF_2019_20)
    after = make_lead(django_user_model, "ashford-from-april-2020")
    assign_lead(after, "ashford", start=FIRST_DAY_OF_2020_21)
    # An overlapping earlier spell: named once, not twice.
    assign_lead(after, "ashford", start=datetime.date(2020, 1, 1), end=datetime.date(2020, 4, 30))

    def owners(day):
        gaps = selectors.milestone_reporting_gaps(today=day, limit=1_000)
        return {gap.owner for gap in gaps.rows if gap.locality_name == "Ashford"}

    assert owners(datetime.date(2020, 4, 10)) == {after.username}
    assert owners(datetime.date(2020, 3, 10)) == {f"{after.username}, {before.username}"}
