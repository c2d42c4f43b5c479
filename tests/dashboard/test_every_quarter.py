"""Every board page renders for every quarter from the October 2017 baseline to the last
one set up, each as at its own structure, in a number of queries that depends on neither
the quarter nor the data (issue 19, decision 0023).

Counted cold (an empty cache), the worst case a reader meets.
"""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.navigation import DASHBOARD_PAGES
from localities.models import Quarter
from tests.dashboard.test_structure_as_at import merge_medway_and_swale
from tools.scale import generate_scale_data

# The clock stands still, so that no request renews the session (once a minute,
# decision 0006) and adds its queries to one page's count but not another's.
STILL = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)

PAGES = [
    *[name for name, _ in DASHBOARD_PAGES],
    "dashboard:outcomes-summary",
    "dashboard:benefits",
    "dashboard:maturity",
]


def quarters() -> list[str]:
    """From 2017/18 Q3 (the baseline) to the last quarter set up."""
    return [
        quarter.slug
        for quarter in Quarter.objects.chronological()
        if quarter.start_date >= dt.date(2017, 10, 1)
    ]


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def counts_by_page(client) -> dict[str, dict[str, int]]:
    return {
        name: {
            slug: count_queries(client, reverse(name) + f"?quarter={slug}") for slug in quarters()
        }
        for name in PAGES
    } | {
        "locality": {
            slug: count_queries(
                client, reverse("dashboard:locality", args=["thanet"]) + f"?quarter={slug}"
            )
            for slug in quarters()
        }
    }


@pytest.mark.django_db
def test_every_page_renders_every_quarter_in_queries_that_do_not_grow_with_the_data(
    client, programme_data, board_user
):
    with time_machine.travel(STILL, tick=False):
        client.force_login(board_user)
        assert quarters()[0] == "2017-18-q3"

        before = counts_by_page(client)
        # A reorganisation in the middle of the span, and twice the localities with the
        # scale data's own merger (from 2019/20): the counts do not move as at the
        # quarters after them, which add up their lineage. (Each page's own test pins
        # 2018/19 Q4 at ten times the data; earlier quarters gain synthetic quarters
        # before them to compare with, which is more to show, not growth; and
        # tests/dashboard/test_reorganisations_leave_2018_19_alone.py finds every
        # 2018/19 page byte for byte the same after a merger.)
        merge_medway_and_swale()
        generate_scale_data(factor=2)
        scaled = counts_by_page(client)

    print(before)  # the figures for the report: pytest -s
    for name, by_quarter in before.items():
        assert {slug: n for slug, n in scaled[name].items() if slug >= "2019-20"} == {
            slug: n for slug, n in by_quarter.items() if slug >= "2019-20"
        }, name
        # No quarter costs more than the latest with returns, whose count is pinned
        # in each page's own tests: a quarter with fewer returns or none runs fewer.
        assert max(by_quarter.values()) == by_quarter["2018-19-q4"], name
