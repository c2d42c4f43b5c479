"""Bad input is a 400 whose JSON names the parameter; never a 500, never a guess."""

import pytest
from django.urls import reverse

from localities.models import Locality


@pytest.mark.parametrize(
    ("name", "query", "parameter"),
    [
        ("localities", {"quarter": "2099-00-q9"}, "quarter"),
        ("localities", {"quarter": "<script>"}, "quarter"),
        ("objective-statuses", {"locality": "atlantis"}, "locality"),
        ("money", {"locality": ""}, None),  # empty: every locality
        ("risks", {"colour": "red"}, "colour"),
        ("objectives", {"locality": "thanet"}, "locality"),  # objectives have no locality
        ("decisions", {"locality": "thanet"}, "locality"),
        ("localities", {"from": "2018-01-01"}, "from"),  # no date to compare
        ("milestones", {"from": "yesterday"}, "from"),
        ("actions", {"to": "2018-02-30"}, "to"),
        ("outcomes", {"page": "0"}, "page"),
        ("outcomes", {"page": "9999"}, "page"),
        ("outcomes", {"page": "last"}, "page"),
        ("mdts", {"page_size": "0"}, "page_size"),
        ("mdts", {"page_size": "1001"}, "page_size"),
        ("mdts", {"page_size": "ten"}, "page_size"),
    ],
)
def test_bad_parameters_are_400_naming_them(api, name, query, parameter):
    response = api(reverse(f"api:{name}"), **query)

    if parameter is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert body["detail"]


def test_a_parameter_given_twice_is_400(client, board_token):
    response = client.get(
        reverse("api:risks") + "?quarter=2018-19-q4&quarter=2018-19-q3",
        headers={"Authorization": f"Bearer {board_token.key}"},
    )

    assert response.status_code == 400
    assert response.json()["parameter"] == "quarter"


def test_an_unknown_parameter_in_csv_is_still_400(api):
    response = api(reverse("api:risks"), format="csv", colour="red")

    assert response.status_code == 400


def test_the_api_writes_nothing(client, board_token):
    for name in ["localities", "risks", "money"]:
        response = client.post(
            reverse(f"api:{name}"), {}, headers={"Authorization": f"Bearer {board_token.key}"}
        )
        assert response.status_code == 405


def test_a_quarter_without_approved_returns_answers_with_what_is_known(api, programme_data):
    # Any quarter set up after the first reported on may be asked for (as the pages allow).
    response = api(reverse("api:milestones"), quarter="2018-19-q1")

    assert response.status_code == 200


def test_every_locality_slug_works(api, programme_data):
    for slug in Locality.objects.values_list("slug", flat=True):
        assert api(reverse("api:localities"), locality=slug).json()["count"] == 1
