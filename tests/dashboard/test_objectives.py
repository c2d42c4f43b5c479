import csv
import io
import json
from collections import Counter

import openpyxl
import pytest
from django.urls import reverse

from dashboard.filters.localities import LOCALITY_CHOICES_LIMIT
from dashboard.tables.objectives import PER_PAGE
from localities.models import Locality, Objective, Rag
from tests.helpers import assert_queries_do_not_grow
from tools.scale import generate_scale_data
from updates.models import ObjectiveStatus

OBJECTIVES = reverse("dashboard:objectives")
Q4 = "?quarter=2018-19-q4"
# Measured with the fixtures loaded: the same at 10× the data (see below). Session, user,
# groups, quarters, localities for the filter; objectives, the year's quarters, the count
# of localities, the chart's counts, the tables' page of localities, their statuses; the
# six of the headline figures every page shares (dashboard/selectors/figures.py).
OBJECTIVES_PAGE_QUERIES = 21  # + the board actions by objective (issue 17)
# + the structure in force at the quarter's end (4, cold), less a count: decision 0023
XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def approved_rags(objective_number, quarter_number, **filters):
    return Counter(
        ObjectiveStatus.objects.filter(
            objective__number=objective_number,
            objective__financial_year__start_year=2018,
            update__quarter__financial_year__start_year=2018,
            update__quarter__number=quarter_number,
            update__status="approved",
            **filters,
        ).values_list("rag", flat=True)
    )


def section(response, number):
    return next(
        item for item in response.context["sections"] if item["progress"].objective.number == number
    )


# --- who may see it ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, programme_data):
    response = client.get(OBJECTIVES)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={OBJECTIVES}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_objectives(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(OBJECTIVES)

    assert response.status_code == 200
    assert "<h1>Objectives</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(OBJECTIVES).status_code == 403


def test_the_page_is_in_the_navigation(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4)

    assert f'href="{OBJECTIVES}{Q4}" aria-current="page"' in response.text


# --- figures against the fixtures ----------------------------------------------------------


def test_each_objective_of_the_year_is_shown_with_its_measure(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4)

    objectives = Objective.objects.filter(financial_year__start_year=2018).order_by("number")
    assert [item["progress"].objective for item in response.context["sections"]] == list(objectives)
    for objective in objectives:
        assert f'id="objective-{objective.number}"' in response.text
        assert objective.measure in response.text


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_counts_per_quarter_agree_with_the_fixtures(client, programme_data, board_user, number):
    client.force_login(board_user)

    counts = section(client.get(OBJECTIVES + Q4), number)["progress"].counts

    assert [item.quarter.label for item in counts] == [f"2018/19 Q{n}" for n in (1, 2, 3, 4)]
    for quarter_number, item in enumerate(counts, start=1):
        expected = approved_rags(number, quarter_number)
        assert item.counts == {rag: expected[rag] for rag in Rag.values}
        assert item.no_status == 8 - sum(expected.values())


def test_the_chart_summary_says_how_many_were_green_or_complete(client, programme_data, board_user):
    client.force_login(board_user)

    chart = section(client.get(OBJECTIVES + Q4), 1)["chart"]

    q4 = approved_rags(1, 4)
    good = q4[Rag.GREEN] + q4[Rag.COMPLETE]
    missing = 8 - sum(q4.values())
    assert chart.summary == (
        f"In 2018/19 Q4, {good} of 8 localities were Green or Complete on "
        f"“Integrated locality plans”; {missing} had no approved return."
    )
    stacked = {trace["name"]: trace["y"] for trace in chart.figure["data"]}
    assert list(stacked) == ["Red", "Amber", "Green", "Complete", "Not started"]
    assert stacked["Complete"][3] == q4[Rag.COMPLETE]
    colours = [trace["marker"]["color"] for trace in chart.figure["data"]]
    assert colours == ["#d5281b", "#ffb81c", "#007f3b", "#005eb8", "#768692"]


def test_board_sees_approved_returns_only(client, programme_data, board_user, office_user):
    client.force_login(board_user)

    rows = section(client.get(OBJECTIVES + Q4), 2)["progress"].rows

    thanet = next(row for row in rows if row.locality.slug == "thanet")
    assert thanet.cells[-1].rag is None  # submitted, not approved

    client.force_login(office_user)
    response = client.get(OBJECTIVES + Q4 + "&preview=1")
    thanet = next(
        row for row in section(response, 2)["progress"].rows if row.locality.slug == "thanet"
    )
    assert (
        thanet.cells[-1].rag
        == ObjectiveStatus.objects.get(
            update__locality__slug="thanet",
            update__quarter__financial_year__start_year=2018,
            update__quarter__number=4,
            objective__number=2,
        ).rag
    )
    assert "approved or submitted" in section(response, 2)["chart"].summary


def test_each_status_links_to_the_locality_for_that_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4)

    link = reverse("dashboard:locality", args=["ashford"]) + "?quarter=2018-19-q2#objective-3"
    assert f'href="{link}"' in response.text


def test_rows_sort_worst_first(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4 + "&objective-2-sort=q1")

    table = section(response, 2)["table"]
    ranks = [row.record["q1"].rank for row in table.rows]
    assert ranks == sorted(ranks)
    assert table.rows[0].record["q1"].rag == Rag.RED


def test_filter_by_sub_system(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4 + "&sub_system=east-kent")

    data = response.context["data"]
    east_kent = Locality.objects.filter(sub_system__slug="east-kent")
    assert data.locality_count == east_kent.count() == 4
    rows = section(response, 1)["progress"].rows
    assert {row.locality.slug for row in rows} == set(east_kent.values_list("slug", flat=True))
    q4 = approved_rags(1, 4, update__locality__sub_system__slug="east-kent")
    assert section(response, 1)["chart"].summary.startswith(
        f"In 2018/19 Q4, {q4[Rag.GREEN] + q4[Rag.COMPLETE]} of 4 localities"
    )


def test_a_year_without_objectives_says_so(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + "?quarter=2017-18-q3")

    assert response.status_code == 200
    assert "No objectives were set for 2017/18." in response.text


# --- exports, escaping, queries ------------------------------------------------------------------


def test_statuses_download_as_csv_with_formulas_neutralised(client, programme_data, board_user):
    Locality.objects.filter(slug="ashford").update(name="=HYPERLINK(1)")
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4 + "&_export=csv&table=objective-2")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Locality", "2018/19 Q1", "2018/19 Q2", "2018/19 Q3", "2018/19 Q4"]
    expected = [
        Rag(
            ObjectiveStatus.objects.get(
                update__locality__slug="ashford",
                update__quarter__financial_year__start_year=2018,
                update__quarter__number=number,
                objective__number=2,
            ).rag
        ).label
        for number in (1, 2, 3, 4)
    ]
    assert ["'=HYPERLINK(1)", *expected] in rows
    thanet = next(row for row in rows if row[0] == "Thanet")
    assert thanet[-1] == "No status"


def test_statuses_download_as_xlsx(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4 + "&_export=xlsx&table=objective-1")

    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "Locality"
    assert len(rows) == 1 + 8


def test_an_unknown_table_cannot_be_downloaded(client, programme_data, board_user):
    client.force_login(board_user)

    assert client.get(OBJECTIVES + Q4 + "&_export=csv&table=objective-9").status_code == 404


def test_people_text_is_escaped_on_the_page_and_in_charts(client, programme_data, board_user):
    Objective.objects.filter(number=1, financial_year__start_year=2018).update(
        short_title=XSS, title=XSS
    )
    Locality.objects.filter(slug="thanet").update(name=XSS)
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4)

    assert "<img src=x" not in response.text
    assert XSS_ESCAPED in response.text
    figure = json.dumps(section(response, 1)["chart"].figure)
    assert "<img" not in figure
    assert XSS_ESCAPED in figure


def test_query_count_is_pinned(client, programme_data, board_user, django_assert_max_num_queries):
    client.force_login(board_user)

    with django_assert_max_num_queries(OBJECTIVES_PAGE_QUERIES):
        assert client.get(OBJECTIVES + Q4 + "&sub_system=east-kent").status_code == 200


def test_queries_do_not_grow_with_ten_times_the_data(client, programme_data, board_user):
    client.force_login(board_user)

    count = assert_queries_do_not_grow(client, OBJECTIVES + Q4)

    assert count == OBJECTIVES_PAGE_QUERIES
    # 80 localities now: each objective's table pages at PER_PAGE (15) rows.
    table = section(client.get(OBJECTIVES + Q4), 1)["table"]
    assert table.paginator.count == Locality.objects.count() == 80
    assert len(table.page.object_list) == PER_PAGE == 15


def test_an_unknown_sub_system_is_explained_not_an_error(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OBJECTIVES + Q4 + "&sub_system=atlantis")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def _rank(rag):
    return Rag.severity(rag)


def test_each_table_reads_its_own_page_in_sql_in_the_order_it_asks_for(
    client, programme_data, board_user
):
    generate_scale_data(factor=4)  # 32 localities: pages of 15, 15 and 2
    client.force_login(board_user)
    names = list(Locality.objects.order_by("name").values_list("name", flat=True))
    q1 = dict(
        ObjectiveStatus.objects.filter(
            objective__number=2,
            objective__financial_year__start_year=2018,
            update__quarter__financial_year__start_year=2018,
            update__quarter__number=1,
            update__status="approved",
        ).values_list("update__locality__name", "rag")
    )
    # Worst first, then by name: as django-tables2 sorted the whole list before.
    by_q1 = sorted(names, key=lambda name: (_rank(q1.get(name)), name))

    def page_rows(number, query=""):
        response = client.get(
            OBJECTIVES + Q4 + f"&objective-2-sort=q1&objective-2-page={number}" + query
        )
        return response, [row.locality.name for row in section(response, 2)["progress"].rows]

    read = [page_rows(number)[1] for number in (1, 2, 3)]
    assert [len(rows) for rows in read] == [15, 15, 2]
    assert [name for rows in read for name in rows] == by_q1
    worst_last = client.get(OBJECTIVES + Q4 + "&objective-2-sort=-q1&objective-2-page=3")
    last_two = [row.locality.name for row in section(worst_last, 2)["progress"].rows]
    assert [_rank(q1.get(name)) for name in last_two] == sorted(
        _rank(q1.get(name)) for name in last_two
    )
    # The other tables keep their own order and page; every chart counts all 32.
    response, _ = page_rows(1, "&objective-1-page=2")
    assert [row.locality.name for row in section(response, 1)["progress"].rows] == names[15:30]
    assert [row.locality.name for row in section(response, 3)["progress"].rows] == names[:15]
    for item in response.context["sections"]:
        latest = item["progress"].counts[-1]
        assert sum(latest.counts.values()) + latest.no_status == 32
    assert section(response, 1)["table"].page.number == 2
    assert "Page 3 of 3" in response.text


def test_a_download_has_every_locality_in_the_tables_order(client, programme_data, board_user):
    generate_scale_data(factor=4)
    client.force_login(board_user)

    response = client.get(
        OBJECTIVES + Q4 + "&_export=csv&table=objective-1&objective-1-sort=-locality"
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Locality"] for row in rows] == list(
        Locality.objects.order_by("-name").values_list("name", flat=True)
    )


def test_with_many_localities_the_locality_list_is_narrowed_by_sub_system(
    client, programme_data, board_user
):
    generate_scale_data(factor=10)  # 80 localities: more than the list offers at once
    assert Locality.objects.count() > LOCALITY_CHOICES_LIMIT
    client.force_login(board_user)
    thanet = Locality.objects.select_related("sub_system").get(slug="thanet")
    in_sub_system = set(
        Locality.objects.filter(sub_system=thanet.sub_system).values_list("slug", flat=True)
    )

    def locality_choices(query):
        response = client.get(OBJECTIVES + Q4 + query)
        field = response.context["filter"].form["locality"]
        return response, field, {value for value, _ in field.field.choices if value}

    _, field, offered = locality_choices("")
    assert offered == set()
    assert field.label == "Locality (choose a sub-system first)"

    _, field, offered = locality_choices(f"&sub_system={thanet.sub_system.slug}")
    assert offered == in_sub_system
    assert field.label == "Locality"

    # A link naming a locality alone still filters to it; a made-up one is still refused.
    response, _, offered = locality_choices("&locality=thanet")
    assert offered == {"thanet"}
    assert [row.locality.slug for row in section(response, 1)["progress"].rows] == ["thanet"]
    assert "Select a valid choice" in client.get(OBJECTIVES + Q4 + "&locality=atlantis").text
