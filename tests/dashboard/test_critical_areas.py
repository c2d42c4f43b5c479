import pytest
from django.urls import reverse

from localities.models import CriticalArea, CriticalAreaAction
from tests.helpers import assert_queries_do_not_grow

CRITICAL_AREAS = reverse("dashboard:critical-areas")
Q4 = "?quarter=2018-19-q4"
PAYLOAD = "<img src=x onerror=alert(1)>"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(CRITICAL_AREAS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={CRITICAL_AREAS}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_critical_areas(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(CRITICAL_AREAS)

    assert response.status_code == 200
    assert "<h1>Critical areas</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(CRITICAL_AREAS).status_code == 403


def test_the_seven_areas_are_listed_in_number_order_with_a_contents_list(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(CRITICAL_AREAS + Q4)

    areas = [item.area for item in response.context["data"].areas]
    assert [area.name for area in areas] == [
        "STP payment mechanism",
        "Information flow",
        "Change in core processes",
        "Workforce",
        "Estates",
        "Communications and engagement",
        "Governance",
    ]
    for area in areas:
        assert f'href="#area-{area.number}">{area.number}. {area.name}</a>' in response.text
        assert f'id="area-{area.number}"' in response.text
    # Each contents entry says how its actions stand, so the list alone can be scanned.
    workforce = CriticalAreaAction.objects.filter(critical_area__number=4)
    expected = ", ".join(
        f"{workforce.filter(status=value).count()} {label.lower()}"
        for value, label in CriticalAreaAction.Status.choices
        if workforce.filter(status=value).exists()
    )
    assert (
        f'4. Workforce</a> <span class="nhsuk-body-s app-contents-status">({expected})</span>'
        in response.text
    )


def test_every_action_shows_its_progress_next_steps_owner_status_and_source(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(CRITICAL_AREAS + Q4)

    workshop = CriticalAreaAction.objects.get(title__startswith="Workforce workshop")
    assert workshop.title in response.text
    assert "Held on 16 August 2018" in response.text
    assert "Local Workforce Action Board (LWAB)" in response.text
    assert "Local Care Directors" in response.text
    assert workshop.source in response.text
    assert ">Complete</strong>" in response.text
    assert "drawn from the programme's papers" in response.text


def test_the_counts_agree_with_the_fixtures(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(CRITICAL_AREAS + Q4)

    actions = CriticalAreaAction.objects.all()
    assert len(response.context["data"].actions) == actions.count() == 15
    not_started = actions.filter(status="not_started").count()
    in_progress = actions.filter(status="in_progress").count()
    complete = actions.filter(status="complete").count()
    assert (
        f"15 actions across 7 critical areas: {not_started} not started, "
        f"{in_progress} in progress, {complete} complete."
    ) in response.text


def test_an_area_with_no_actions_says_so(client, programme_data, board_user):
    CriticalAreaAction.objects.filter(critical_area__number=5).delete()
    client.force_login(board_user)

    response = client.get(CRITICAL_AREAS + Q4)

    assert "No actions recorded for this area yet." in response.text
    assert '5. Estates</a> <span class="nhsuk-body-s app-contents-status">(no actions yet)' in (
        response.text
    )


def test_text_is_escaped(client, programme_data, board_user):
    CriticalAreaAction.objects.filter(critical_area__number=1).update(
        title=PAYLOAD, progress_to_date=PAYLOAD, next_steps=PAYLOAD, owner_role=PAYLOAD
    )
    CriticalArea.objects.filter(number=2).update(name=PAYLOAD)
    client.force_login(board_user)

    response = client.get(CRITICAL_AREAS + Q4)

    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_query_count_is_fixed_and_does_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    url = CRITICAL_AREAS + Q4

    # Session, user, groups, quarters; areas; their actions; the care-model elements.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    assert assert_queries_do_not_grow(client, url) == 8  # + the board actions by area (issue 17)


@pytest.mark.django_db
def test_the_care_model_elements_are_shown_in_their_groups(client, programme_data, board_user):
    client.force_login(board_user)

    html = client.get(CRITICAL_AREAS).text

    section = html[html.index('data-testid="care-model"') :]
    groups = [
        "Supporting people to be healthy and independent",
        "Coordinated care for people who need it",
        "Supporting services",
    ]
    positions = [section.index(f"<h3>{group}</h3>") for group in groups]
    assert positions == sorted(positions)
    assert "5. Single point of access" in section
    assert "The ability within an MDT to respond rapidly to complex patients" in section
    assert (
        "Source: Medway Health and Adult Social Care Overview and Scrutiny Committee, 2017"
        in section
    )
