import pytest
from django.urls import reverse

from localities.models import MDT, Locality
from tests import factories

HOME = reverse("dashboard:home")


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_landing_page(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(HOME)

    assert response.status_code == 200
    assert "Local Care programme" in response.text


def test_a_user_with_no_programme_role_is_refused(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(HOME).status_code == 403


def test_landing_page_shows_the_localities_and_counts_from_the_data(
    client, programme_data, board_user
):
    client.force_login(board_user)

    summary = client.get(HOME).context["summary"]

    assert [locality.name for locality in summary.localities] == list(
        Locality.objects.order_by("sub_system__name", "name").values_list("name", flat=True)
    )
    assert summary.mdts_live == MDT.objects.live().count()
    assert summary.mdts_total == MDT.objects.count()
    assert summary.latest_approved_quarter.label == "2018/19 Q4"


def test_a_lead_is_told_which_locality_they_lead(client, lead_thanet):
    client.force_login(lead_thanet)

    response = client.get(HOME)

    assert "You are the locality lead for <strong>Thanet</strong>" in response.text


def test_query_count_does_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(board_user)
    with django_assert_max_num_queries(20) as baseline:
        client.get(HOME)
    queries_with_real_data = len(baseline.captured_queries)

    sub = factories.sub_system("Elsewhere")
    for number in range(80):
        place = Locality.objects.create(
            name=f"Place {number}", slug=f"place-{number}", sub_system=sub
        )
        MDT.objects.bulk_create(
            MDT(locality=place, name=f"Team {team}", status=MDT.Status.PLANNED) for team in range(5)
        )

    with django_assert_num_queries(queries_with_real_data):
        client.get(HOME)
