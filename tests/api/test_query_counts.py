"""A fixed number of queries per request, whatever the page size and the data (factor 10)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from tools.scale import generate_scale_data

# Every request: the token (and its owner), the owner's groups, the quarters (none when
# the pages' cache has them); then the count and the page. A locality filter adds one;
# the risks, their bands.
EXPECTED = {
    "localities": 5,
    "objectives": 5,
    "objective-statuses": 5,
    "milestones": 5,
    "mdts": 5,
    "money": 5,
    "outcomes": 5,
    "risks": 6,
    "actions": 5,
    "decisions": 5,
}
WITH_LOCALITY = {name: count + 1 for name, count in EXPECTED.items()}
QUARTER = "2018-19-q4"


def _count(api, name, format="json", **query):
    # A recent last use: the once-a-minute write is not part of the count.
    ApiToken.objects.update(last_used_at=timezone.now())
    # Counted with the cache empty: the quarters are read from the database.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = api(reverse(f"api:{name}"), quarter=QUARTER, format=format, **query)
    assert response.status_code == 200, response.content
    if format != "csv" and not response.json()["results"]:
        # An empty list has no page to read: one query fewer.
        return len(queries) + 1
    return len(queries)


def test_queries_do_not_grow_with_the_page_size_or_the_data(api):
    """Each endpoint at two page sizes, as CSV, and at ten times the data: the same count."""
    counted = {
        name: [
            _count(api, name, page_size=2),
            _count(api, name, page_size=1000),
            _count(api, name, page_size=1000, format="csv"),
        ]
        for name in EXPECTED
    }
    generate_scale_data(factor=10)
    for name in EXPECTED:
        counted[name].append(_count(api, name, page_size=1000))

    assert counted == {name: [count] * 4 for name, count in EXPECTED.items()}


@pytest.mark.parametrize(
    "name", ["objective-statuses", "milestones", "mdts", "money", "outcomes", "risks", "actions"]
)
def test_a_locality_adds_one_query(api, name):
    assert _count(api, name, locality="thanet") == WITH_LOCALITY[name]


def test_the_quarters_come_from_the_pages_cache_when_it_has_them(api):
    cold = _count(api, "localities")
    with CaptureQueriesContext(connection) as queries:
        api(reverse("api:localities"), quarter=QUARTER)

    assert len(queries) == cold - 1
