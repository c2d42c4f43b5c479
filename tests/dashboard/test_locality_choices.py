"""The locality list on the MDT, milestone, risk and objective pages: every locality
while there are few, narrowed by a sub-system first when there are many."""

import django_filters
import pytest
from django.urls import reverse

from dashboard.filters.localities import LOCALITY_CHOICES_LIMIT, offer_localities, sub_system_filter
from localities.models import Locality
from tools.scale import generate_scale_data

MDTS = reverse("dashboard:mdts")
MILESTONES = reverse("dashboard:milestones")
RISKS = reverse("dashboard:risks")
OBJECTIVES = reverse("dashboard:objectives")
Q4 = "?quarter=2018-19-q4"
PROGRAMME_WIDE = ("programme-wide", "Programme-wide")


class PlacesFilter(django_filters.FilterSet):
    sub_system = sub_system_filter("sub_system__slug")
    locality = django_filters.ChoiceFilter(label="Locality", field_name="slug")

    class Meta:
        model = Locality
        fields = []


def places(count: int) -> list[tuple[str, str, str, str]]:
    """`count` localities, five to a sub-system, in name order."""
    return [
        (f"p{n:03}", f"Place {n:03}", f"s{n // 5}", f"Sub-system {n // 5}") for n in range(count)
    ]


def offered(data: dict, localities, **kwargs):
    filterset = PlacesFilter(data, queryset=Locality.objects.none())
    offer_localities(filterset, localities, **kwargs)
    return filterset.filters["locality"], filterset.filters["sub_system"].extra["choices"]


def test_a_few_localities_are_all_offered_after_the_fixed_choices():
    localities = places(LOCALITY_CHOICES_LIMIT)

    locality, sub_systems = offered({}, localities, before=[PROGRAMME_WIDE])

    assert locality.extra["choices"] == [PROGRAMME_WIDE] + [(s, n) for s, n, _, _ in localities]
    assert locality.label == "Locality"
    assert len(sub_systems) == LOCALITY_CHOICES_LIMIT // 5


def test_many_localities_wait_for_a_sub_system():
    localities = places(LOCALITY_CHOICES_LIMIT + 1)

    locality, _ = offered({}, localities, before=[PROGRAMME_WIDE])
    assert locality.extra["choices"] == [PROGRAMME_WIDE]
    assert locality.label == "Locality (choose a sub-system first)"

    locality, _ = offered({"sub_system": "s2"}, localities)
    assert [slug for slug, _ in locality.extra["choices"]] == [
        "p010",
        "p011",
        "p012",
        "p013",
        "p014",
    ]
    assert locality.label == "Locality"

    # A link may name a locality without its sub-system: it stays a choice.
    locality, _ = offered({"locality": "p042"}, localities)
    assert locality.extra["choices"] == [("p042", "Place 042")]


def register_locality_names(response) -> set[str]:
    data = response.context["data"]
    rows = data.rows.rows if hasattr(data, "rows") else data.register.rows
    return {
        row.locality_name if hasattr(row, "locality_name") else row.locality.name for row in rows
    }


@pytest.mark.parametrize("url", [MDTS, MILESTONES, RISKS])
def test_a_sub_system_narrows_the_register_to_its_localities(
    url, client, programme_data, board_user
):
    client.force_login(board_user)
    east_kent = set(
        Locality.objects.filter(sub_system__slug="east-kent").values_list("name", flat=True)
    )

    response = client.get(url + Q4 + "&sub_system=east-kent&per_page=100")

    assert response.status_code == 200
    shown = register_locality_names(response)
    assert shown
    assert shown <= east_kent
    form = response.context["filter"].form
    assert ("east-kent", "East Kent") in form.fields["sub_system"].choices
    # Eight localities: every one is offered, whatever the sub-system.
    offered_slugs = {value for value, _ in form.fields["locality"].choices if value}
    assert set(Locality.objects.values_list("slug", flat=True)) <= offered_slugs
    assert 'name="sub_system"' in response.text


@pytest.mark.parametrize("url", [MDTS, MILESTONES, RISKS])
def test_an_unknown_sub_system_is_explained_not_applied(url, client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(url + Q4 + "&sub_system=atlantis")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_with_many_localities_no_page_lists_them_all(client, programme_data, board_user):
    generate_scale_data(factor=10)  # 80 localities
    assert Locality.objects.count() > LOCALITY_CHOICES_LIMIT
    client.force_login(board_user)

    for url in (MDTS, MILESTONES, RISKS, OBJECTIVES):
        field = client.get(url + Q4).context["filter"].form["locality"]
        assert field.label == "Locality (choose a sub-system first)", url
        localities = [
            value for value, _ in field.field.choices if value and value != "programme-wide"
        ]
        assert localities == [], url

        field = client.get(url + Q4 + "&sub_system=east-kent").context["filter"].form["locality"]
        assert {
            value for value, _ in field.field.choices if value and value != "programme-wide"
        } == {
            "ashford",
            "canterbury-and-coastal",
            "south-kent-coast",
            "thanet",
        }, url
