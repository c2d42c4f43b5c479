"""The programme office records a reorganisation: form → preview → record (issue 19).

The fixtures hold the 2020 CCG merger; each test records the 2022 ICB after it
(tests/reorganisations.py), then a later, made-up one: two Health and Care
Partnerships merging in April 2025.
"""

import datetime as dt

import pytest
from django.urls import reverse

from localities.models import LeadAssignment, Locality, Reorganisation, Succession
from localities.reorganisation_services import Level

pytestmark = pytest.mark.django_db
LIST = reverse("updates:reorganisations")
RECORD = reverse("updates:reorganisation-record")
DGS = "Dartford, Gravesham and Swanley Health and Care Partnership"
MEDWAY_AND_SWALE = "Medway and Swale Health and Care Partnership"


def value(name: str) -> str:
    return f"{Level.LOCALITY}:{Locality.objects.get(name=name).pk}"


def form_data(**changes):
    return {
        "change_count": "1",
        "effective_date": "1/4/2025",
        "title": "North Kent partnership",
        "description": "Two partnerships merge.",
        "source": "A made-up test",
        "is_illustrative": "on",
        "carry_leads": "on",
        "c0-predecessors": [value(DGS), value(MEDWAY_AND_SWALE)],
        "c0-kind": Succession.Kind.MERGED_INTO,
        "c0-existing": "",
        "c0-new_names": "North Kent Health and Care Partnership",
        "c0-new_kind": Locality.Kind.HEALTH_AND_CARE_PARTNERSHIP,
        "c0-new_sub_system": "Kent and Medway Integrated Care System",
        **changes,
    }


def preview(client, **changes):
    response = client.post(RECORD, {**form_data(**changes), "action": "preview"})
    return response, response.content.decode()


def fingerprint(html: str) -> str:
    marker = 'name="fingerprint" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# --- Who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, RECORD, reverse("updates:reorganisation", args=[1])])
def test_anonymous_visitors_are_sent_to_log_in(client, icb_2022, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("role", ["board_user", "lead_thanet"])
@pytest.mark.parametrize("url", [LIST, RECORD, reverse("updates:reorganisation", args=[1])])
def test_only_the_programme_office_may(client, icb_2022, request, role, url):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == 403
    assert client.post(RECORD, {**form_data(), "action": "preview"}).status_code == 403
    assert Reorganisation.objects.count() == 2


@pytest.mark.parametrize("role", ["office_user", "admin_user"])
def test_the_office_and_superusers_may(client, icb_2022, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in (LIST, RECORD, reverse("updates:reorganisation", args=[1])):
        assert client.get(url).status_code == 200


# --- The pages ------------------------------------------------------------------------


def test_the_list_shows_the_fixtures_reorganisations_and_is_linked_from_the_returns(
    client, office_user, icb_2022, django_assert_max_num_queries
):
    client.force_login(office_user)
    with django_assert_max_num_queries(12):
        html = client.get(LIST).content.decode()
    assert "The eight Kent and Medway CCGs merge into NHS Kent and Medway CCG" in html
    assert "From 1 April 2020" in html
    assert "Thanet CCG merged into Kent and Medway CCG" in html
    assert "Thanet merged into East Kent Health and Care Partnership" in html
    assert "with the programme data" in html
    assert LIST in client.get(reverse("updates:returns")).content.decode()


def test_one_reorganisation_shows_what_became_what_and_its_history(client, office_user, icb_2022):
    client.force_login(office_user)
    html = client.get(reverse("updates:reorganisation", args=[icb_2022.pk])).content.decode()
    assert "Ended 30 June 2022" in html
    assert "Medway and Swale Health and Care Partnership" in html
    assert "Reorganisation: NHS Kent and Medway ICB and four Health and Care Partnerships" in html
    assert client.get(reverse("updates:reorganisation", args=[999])).status_code == 404


def test_form_preview_record(client, office_user, icb_2022, django_user_model):
    lead = django_user_model.objects.create_user(username="dgs-lead", first_name="Dee")
    LeadAssignment.objects.create(
        user=lead, locality=Locality.objects.get(name=DGS), in_force_from=dt.date(2022, 7, 1)
    )
    client.force_login(office_user)
    form = client.get(RECORD).content.decode()
    assert 'name="c0-predecessors"' in form
    assert "Thanet (locality)" not in form  # ended: nothing more can end it

    response, html = preview(client)
    assert response.status_code == 200
    assert Reorganisation.objects.count() == 2  # nothing saved yet
    assert "Locality: Dartford, Gravesham and Swanley Health and Care Partnership" in html
    assert "Ends on 31 March 2025" in html
    assert "North Kent Health and Care Partnership (Health and Care Partnership)" in html
    assert "Pages as at quarters ending on or after 1 April 2025" in html
    assert "Earlier pages are unchanged." in html
    assert "Dee: leads Dartford, Gravesham and Swanley Health and Care Partnership until" in html

    response = client.post(
        RECORD, {**form_data(), "action": "record", "fingerprint": fingerprint(html)}
    )
    event = Reorganisation.objects.get(title="North Kent partnership")
    assert response.status_code == 302
    assert response["Location"] == reverse("updates:reorganisation", args=[event.pk])
    assert event.recorded_by == office_user
    assert event.is_illustrative
    new = Locality.objects.get(name="North Kent Health and Care Partnership")
    assert new.in_force_from == dt.date(2025, 4, 1)
    assert new.is_illustrative
    assert LeadAssignment.objects.filter(user=lead, locality=new).exists()
    assert Locality.objects.get(name=DGS).in_force_until == dt.date(2025, 3, 31)


def test_a_changed_preview_is_edited_with_the_text_kept(client, office_user, icb_2022):
    client.force_login(office_user)
    response = client.post(RECORD, {**form_data(title="Kept title"), "action": "edit"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Kept title"' in html
    assert "There is a problem" not in html


def test_another_change_can_be_added(client, office_user, icb_2022):
    client.force_login(office_user)
    response = client.post(RECORD, {**form_data(), "action": "add"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="change"') == 2
    assert 'value="add">Add another change</button>' in html
    assert "There is a problem" not in html
    assert 'value="North Kent Health and Care Partnership"' not in html  # a textarea
    assert "North Kent Health and Care Partnership</textarea>" in html


def test_a_preview_that_went_stale_is_refused_with_409_and_the_text_kept(
    client, office_user, icb_2022, django_user_model
):
    client.force_login(office_user)
    _, html = preview(client, title="My careful title")
    # Meanwhile someone gives one of the partnerships a lead.
    LeadAssignment.objects.create(
        user=django_user_model.objects.create_user(username="meanwhile"),
        locality=Locality.objects.get(name=MEDWAY_AND_SWALE),
    )
    response = client.post(
        RECORD,
        {
            **form_data(title="My careful title"),
            "action": "record",
            "fingerprint": fingerprint(html),
        },
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale-preview"' in page
    assert "Something changed since you previewed" in page
    assert 'value="My careful title"' in page
    assert Reorganisation.objects.count() == 2


def test_recording_without_a_preview_is_refused(client, office_user, icb_2022):
    client.force_login(office_user)
    response = client.post(RECORD, {**form_data(), "action": "record"})
    assert response.status_code == 400
    assert "Preview the reorganisation before recording it." in response.content.decode()
    assert Reorganisation.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "message", "linked"),
    [
        ({"effective_date": ""}, "Give the date the new structure began.", "id_effective_date"),
        ({"effective_date": "31/2/2025"}, "as a real date", "id_effective_date"),
        ({"title": ""}, "Give the reorganisation a title.", "id_title"),
        ({"source": ""}, "Say where the dates come from.", "id_source"),
        ({"c0-predecessors": []}, "Change 1: choose what ended.", "id_c0-predecessors_0"),
        ({"c0-predecessors": ["locality:99999"]}, "Select a valid choice", "id_c0-predecessors_0"),
        ({"c0-kind": ""}, "Change 1: say how it changed.", "id_c0-kind_0"),
        ({"c0-new_names": ""}, "name what it became", "id_c0-new_names"),
        ({"c0-new_kind": ""}, "say what the new one is", "id_c0-new_kind"),
        ({"c0-new_names": "East Kent Health and Care Partnership"}, "already used", None),
        ({"c0-new_sub_system": "Nowhere"}, "There is no sub-system called Nowhere.", None),
        ({"effective_date": "1/4/2021"}, "only starts on 1 July 2022", None),
        (
            {"c0-existing": "west-kent-hcp"},
            "choose an existing successor or name new ones, not both",
            "id_c0-new_names",
        ),
        ({"change_count": "abc"}, "Enter a whole number.", None),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(
    client, office_user, icb_2022, changes, message, linked
):
    client.force_login(office_user)
    if changes.get("c0-existing") == "west-kent-hcp":
        changes = {
            "c0-existing": f"{Level.LOCALITY}:{Locality.objects.get(slug='west-kent-hcp').pk}"
        }
    response, html = preview(client, **changes)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    if linked:
        assert f'href="#{linked}"' in html
    assert Reorganisation.objects.count() == 2
    assert not Locality.objects.filter(name__startswith="North Kent").exists()


def test_a_mix_of_levels_and_a_successor_of_another_level_are_refused(
    client, office_user, icb_2022
):
    client.force_login(office_user)
    system = Locality.objects.get(name=DGS).sub_system
    response, html = preview(
        client, **{"c0-predecessors": [value(DGS), f"{Level.SUB_SYSTEM}:{system.pk}"]}
    )
    assert response.status_code == 400
    assert "not a mix" in html
    response, html = preview(
        client,
        **{"c0-existing": f"{Level.SUB_SYSTEM}:{system.pk}", "c0-new_names": ""},
    )
    assert response.status_code == 400
    assert "is a sub-system" in html


def test_free_text_is_escaped(client, office_user, icb_2022):
    client.force_login(office_user)
    _, html = preview(client, title="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    client.post(
        RECORD,
        {
            **form_data(title="<script>alert(1)</script>"),
            "action": "record",
            "fingerprint": fingerprint(html),
        },
    )
    assert "<script>alert(1)</script>" not in client.get(LIST).content.decode()
