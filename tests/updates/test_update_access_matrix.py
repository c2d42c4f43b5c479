"""Every locality lead against every other locality: reads allowed, every write refused;
and against their own locality's return of a quarter they did not lead at its end.

Generated from the data, so a new locality or a new update URL is covered
without a new test.
"""

import datetime

import pytest
from django.contrib.auth.models import Group

from localities import access
from localities.models import Locality
from tests.helpers import assign_lead
from updates.models import QuarterlyUpdate, RaisedRisk, ReturnComment

pytestmark = pytest.mark.django_db

QUARTER = "2018-19-q4"
LEAD_ONLY_GETS = ["edit/summary/", "edit/objectives/", "submit/", "spreadsheet.xlsx", "upload/"]
OFFICE_ONLY_GETS = ["review/"]
WRITES = [
    "edit/summary/",
    "edit/summary/discard-typed/",
    "submit/",
    "upload/",
    "approve/",
    "return/",
    "reopen/",
    "comments/",
    "comments/1/reply/",
    "confirm/",
]


def snapshot():
    return (
        list(
            QuarterlyUpdate.objects.order_by("pk").values_list("pk", "version", "status", "summary")
        ),
        QuarterlyUpdate.history.count(),
        RaisedRisk.objects.count(),
        ReturnComment.objects.count(),
    )


@pytest.fixture
def leads(programme_data, django_user_model):
    group = Group.objects.get(name=access.LOCALITY_LEAD)
    users = {}
    for locality in Locality.objects.order_by("slug"):
        user = django_user_model.objects.create_user(username=f"lead-of-{locality.slug}")
        user.groups.add(group)
        assign_lead(user, locality)
        users[locality.slug] = user
    return users


def test_every_lead_is_refused_every_write_to_every_other_locality(client, leads):
    before = snapshot()
    checked = 0
    for own_slug, lead in leads.items():
        client.force_login(lead)
        for other_slug in leads:
            if other_slug == own_slug:
                continue
            base = f"/updates/{other_slug}/{QUARTER}/"
            for suffix in LEAD_ONLY_GETS + OFFICE_ONLY_GETS:
                assert client.get(base + suffix).status_code == 403, (own_slug, base + suffix)
            for suffix in WRITES:
                response = client.post(
                    base + suffix,
                    {
                        "version": "1",
                        "summary-summary": "forged",
                        "locality": own_slug,
                        "section": "summary",
                        "text": "forged",
                    },
                )
                assert response.status_code == 403, (own_slug, base + suffix)
                checked += 1
    assert checked == 8 * 7 * len(WRITES)
    assert snapshot() == before


def test_leads_may_read_other_localities_updates(client, leads):
    client.force_login(leads["thanet"])
    for other_slug in leads:
        assert client.get(f"/updates/{other_slug}/{QUARTER}/").status_code == 200, other_slug


def test_each_lead_may_write_their_own_locality_only(client, leads):
    for own_slug, lead in leads.items():
        client.force_login(lead)
        response = client.get(f"/updates/{own_slug}/{QUARTER}/edit/summary/")
        # Their own update: the form, or a redirect when it is locked (submitted or approved).
        assert response.status_code in (200, 302), own_slug
        mine = client.get("/updates/").context["rows"]
        assert [row.locality.slug for row in mine] == [own_slug]


# --- Leads are dated (decision 0023): the quarter's last day says whose return it is ---

Q4_LAST_DAY = datetime.date(2019, 3, 31)


@pytest.fixture
def leads_of_other_times(programme_data, django_user_model):
    """For every locality: a lead who left the day before 2018/19 Q4 ended, and one
    who arrived the day after."""
    group = Group.objects.get(name=access.LOCALITY_LEAD)
    users = []
    for locality in Locality.objects.order_by("slug"):
        for when, start, end in [
            ("left", None, Q4_LAST_DAY - datetime.timedelta(days=1)),
            ("arrived", Q4_LAST_DAY + datetime.timedelta(days=1), None),
        ]:
            user = django_user_model.objects.create_user(username=f"{when}-{locality.slug}")
            user.groups.add(group)
            assign_lead(user, locality, start=start, end=end)
            users.append((locality.slug, user))
    return users


def test_a_lead_not_assigned_on_the_quarters_last_day_is_refused_every_write(
    client, leads_of_other_times
):
    before = snapshot()
    checked = 0
    for slug, lead in leads_of_other_times:
        client.force_login(lead)
        base = f"/updates/{slug}/{QUARTER}/"
        # As a lead of another locality: reads it, changes nothing.
        assert client.get(base).status_code == 200, (lead.username, base)
        for suffix in LEAD_ONLY_GETS + OFFICE_ONLY_GETS:
            assert client.get(base + suffix).status_code == 403, (lead.username, base + suffix)
        for suffix in WRITES:
            response = client.post(
                base + suffix,
                {"version": "1", "summary-summary": "forged", "section": "summary", "text": "x"},
            )
            assert response.status_code == 403, (lead.username, base + suffix)
            checked += 1
    assert checked == 8 * 2 * len(WRITES)
    assert snapshot() == before
