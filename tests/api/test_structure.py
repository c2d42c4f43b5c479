"""The API's areas are the structure in force at the quarter's end (issue 20, decision
0023): a merger changes the localities listed from its first quarter on, and a status
reported by an area that merged counts under what it became, as on the pages."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.dashboard.test_structure_as_at import merge_medway_and_swale

# Medway and Swale merge on 1 October 2018: 2018/19 Q3 is the first quarter after it,
# and both approved their Q3 returns.
MERGER = dt.date(2018, 10, 1)
BEFORE, AFTER = "2018-19-q2", "2018-19-q3"


def slugs(api, name, **query):
    response = api(reverse(f"api:{name}"), page_size=1000, **query)
    assert response.status_code == 200, response.content
    return [record["slug"] for record in response.json()["results"]]


@pytest.mark.django_db
def test_localities_are_those_in_force_at_the_quarters_end(api):
    merge_medway_and_swale(MERGER)

    before, after = (
        slugs(api, "localities", quarter=BEFORE),
        slugs(api, "localities", quarter=AFTER),
    )

    assert {"medway", "swale"} <= set(before)
    assert "medway-and-swale" not in before
    assert "medway-and-swale" in after
    assert not {"medway", "swale"} & set(after)
    assert len(after) == len(before) - 1


@pytest.mark.django_db
def test_a_merged_areas_statuses_count_under_what_it_became(api):
    merge_medway_and_swale(MERGER)

    response = api(reverse("api:objective-statuses"), quarter=AFTER, locality="medway-and-swale")
    assert response.status_code == 200, response.content
    reported_by = {record["locality"] for record in response.json()["results"]}

    # The returns stay with the locality that made them; they count under the partnership.
    assert reported_by == {"medway", "swale"}
    ended = api(reverse("api:objective-statuses"), quarter=AFTER, locality="medway")
    assert ended.status_code == 400
    assert ended.json()["parameter"] == "locality"
