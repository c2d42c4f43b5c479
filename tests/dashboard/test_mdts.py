import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from dashboard.charts.mdts import _names
from dashboard.selectors.mdts import AgainstPlan, Leaders, _leaders, against_plan
from localities.models import MDT, Locality
from tests.helpers import assert_queries_do_not_grow
from tools.scale import generate_scale_data

MDTS = reverse("dashboard:mdts")
Q4 = "?quarter=2018-19-q4"
Q2 = "?quarter=2018-19-q2"
Q4_END = datetime.date(2019, 3, 31)
PAYLOAD = "<img src=x onerror=alert(1)>"


def by_locality(response):
    localities = response.context["data"].localities
    assert localities.total <= localities.per_page, "not every locality is on this page"
    return {row.slug: row for row in localities.rows}


def register_names(response):
    register = response.context["data"].register
    assert register.total <= register.per_page, "not every MDT is on this page"
    return {mdt.name for mdt in register.rows}


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(MDTS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={MDTS}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_roll_out(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(MDTS)

    assert response.status_code == 200
    assert "<h1>MDT roll-out</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(MDTS).status_code == 403


def test_locality_figures_agree_with_the_register(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MDTS + Q4)

    rows = by_locality(response)
    # Computed straight from the MDT rows, without the selector's SQL.
    for locality in Locality.objects.all():
        mdts = list(MDT.objects.filter(locality=locality))
        live = [m for m in mdts if m.actual_go_live and m.actual_go_live <= Q4_END]
        shadow = [m for m in mdts if m not in live and m.status == MDT.Status.SHADOW]
        row = rows[locality.slug]
        assert row.live == len(live)
        assert row.shadow == len(shadow)
        assert row.planned == len(mdts) - len(live) - len(shadow)
        assert row.population_live == sum(m.population_covered for m in live)
    medway = rows["medway"]
    assert (medway.live, medway.shadow, medway.planned) == (4, 2, 1)
    assert medway.population_live == 46_500 + 33_000 + 33_600 + 47_500
    assert medway.average_population_live == round(medway.population_live / 4)
    totals = response.context["data"].totals
    assert (totals.live, totals.shadow, totals.planned) == (34, 5, 4)
    assert totals.total == MDT.objects.count() == 43
    assert "34 of 43 MDTs were live, 5 shadow running and 4 planned" in response.text


def test_status_is_as_at_the_selected_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    register = {
        mdt.name: mdt
        for mdt in client.get(MDTS + Q2 + "&per_page=100").context["data"].register.rows
    }

    # Went live 3 November 2018: at the end of September it was not yet live.
    assert register["Medway MDT 2 (illustrative)"].status_then == "planned"
    assert register["Medway MDT 1 (illustrative)"].status_then == "live"
    assert register["Medway MDT 5 (illustrative)"].status_then == "shadow"
    assert by_locality(client.get(MDTS + Q2))["medway"].live == 1


def test_counts_come_from_the_register_whichever_returns_are_approved(
    client, programme_data, board_user, office_user
):
    """One source (decision 0009): Thanet's submitted Q4 return changes no count."""
    client.force_login(board_user)
    rows = by_locality(client.get(MDTS + Q4))
    assert rows["thanet"].live == 4
    assert rows["west-kent"].live == 9

    client.force_login(office_user)
    preview = by_locality(client.get(MDTS + Q4 + "&preview=1"))
    assert preview["thanet"].live == rows["thanet"].live


def test_average_population_is_compared_with_the_plan():
    assert against_plan(None) == AgainstPlan.NO_LIVE_MDTS
    assert against_plan(29_999) == AgainstPlan.BELOW
    assert against_plan(30_000) == AgainstPlan.WITHIN
    assert against_plan(50_000) == AgainstPlan.WITHIN
    assert against_plan(50_001) == AgainstPlan.ABOVE


def test_filters_by_locality_tier_and_status(client, programme_data, board_user):
    client.force_login(board_user)

    medway = register_names(client.get(MDTS + Q4 + "&locality=medway"))
    shadow = register_names(client.get(MDTS + Q4 + "&status=shadow"))
    tier_2 = register_names(client.get(MDTS + Q4 + "&tier=tier_2"))

    assert len(medway) == 7
    assert all(name.startswith("Medway") for name in medway)
    assert shadow == set(
        MDT.objects.filter(status=MDT.Status.SHADOW).values_list("name", flat=True)
    )
    assert tier_2 == set()


def test_sorting_by_status_follows_the_roll_out(client, programme_data, board_user):
    client.force_login(board_user)

    table = client.get(MDTS + Q4 + "&sort=status_then&per_page=50").context["table"]

    statuses = [row.record.status_then for row in table.rows]
    assert statuses == sorted(statuses, key=["live", "shadow", "planned"].index)
    assert statuses[0] == "live"
    assert statuses[-1] == "planned"


def test_illustrative_mdts_are_marked_with_a_word(client, programme_data, board_user):
    MDT.objects.create(
        locality=Locality.objects.get(slug="ashford"),
        name="Ashford reported MDT",
        population_covered=40_000,
        status=MDT.Status.PLANNED,
    )
    client.force_login(board_user)

    response = client.get(MDTS + Q4 + "&locality=ashford")

    assert ">Illustrative</strong>" in response.text
    assert "From the papers" in response.text
    assert "have figures invented for demonstration" in response.text


def test_the_chart_stacks_mdts_by_status_with_words(client, programme_data, board_user):
    client.force_login(board_user)

    chart = client.get(MDTS + Q4).context["chart"]

    traces = {trace["name"]: trace for trace in chart.figure["data"]}
    assert list(traces) == ["Live", "Shadow running", "Planned"]
    assert chart.figure["layout"]["barmode"] == "stack"
    medway = traces["Live"]["y"].index("Medway")
    assert traces["Live"]["x"][medway] == 4
    assert chart.table.rows[-1] == ["All localities", "34", "5", "4", "43"]
    assert chart.summary == (
        "Most live MDTs: West Kent (9). Most not yet live: Dartford, Gravesham and Swanley "
        "and Medway (3 each). Every locality has at least one live MDT."
    )


def test_csv_export_has_every_filtered_row(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MDTS + Q4 + "&_export=csv")

    assert "localcare-mdts-2018-19-q4" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 43
    deal = next(row for row in rows if row["MDT"] == "Deal")
    assert deal["Locality"] == "South Kent Coast"
    assert deal["Status at quarter end"] == "Live"
    assert deal["Tier"] == "Tier 1"
    assert deal["Population covered"] == "38400"
    assert deal["Figures"] == "Illustrative"


def test_xlsx_export_has_the_rows(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MDTS + Q2 + "&locality=medway&_export=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers, body = values[0], values[1:]
    assert len(body) == 7
    mdt_2 = dict(
        zip(headers, next(r for r in body if r[0] == "Medway MDT 2 (illustrative)"), strict=True)
    )
    assert mdt_2["Status at quarter end"] == "Planned"
    assert mdt_2["Population covered"] == 33_000


def test_exported_text_that_looks_like_a_formula_is_neutralised(client, programme_data, board_user):
    MDT.objects.filter(name="Deal").update(name="@SUM(A1:A9)")
    client.force_login(board_user)

    response = client.get(MDTS + Q4 + "&_export=csv")

    names = [
        row["MDT"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    ]
    assert "'@SUM(A1:A9)" in names


def test_names_are_escaped_in_the_page_and_the_chart(client, programme_data, board_user):
    Locality.objects.filter(slug="thanet").update(name=PAYLOAD)
    MDT.objects.filter(name="Deal").update(name=PAYLOAD)
    client.force_login(board_user)

    response = client.get(MDTS + Q4)

    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    figure = json.dumps(response.context["chart"].figure)
    assert "<img" not in figure
    assert "&lt;img src=x onerror=alert(1)&gt;" in figure


def test_query_count_is_fixed_and_does_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    url = MDTS + Q4 + "&status=live&sort=-population_covered"

    # Session, user, groups, quarters; every locality's counts (for the filter and the
    # chart's summary); totals of the register; the page of localities; the register's
    # count and page; the infrastructure tiers; the six of the headline figures every page shares (MDTs, localities,
    # returns' completeness, spend by quarter and its plans, localities that spent).
    # 19: + the structure in force at the quarter's end (4, cold; decision 0023), less one.
    with django_assert_max_num_queries(19):
        assert client.get(url).status_code == 200
    assert assert_queries_do_not_grow(client, url) == 19
    data = client.get(url).context["data"]
    assert data.localities.total > 8
    assert len(data.localities.rows) == 25


def test_localities_come_a_page_at_a_time_with_totals_and_summary_over_all(
    client, programme_data, board_user
):
    generate_scale_data(factor=4)  # 32 localities
    client.force_login(board_user)

    first = client.get(MDTS + Q4)
    second = client.get(MDTS + Q4 + "&localities-page=2")

    pages = [first.context["data"].localities, second.context["data"].localities]
    rows = [row for page in pages for row in page.rows]
    assert [len(page.rows) for page in pages] == [25, 7]
    assert [row.name for row in rows] == list(
        Locality.objects.order_by("name").values_list("name", flat=True)
    )
    totals = first.context["data"].totals
    assert totals.total == sum(row.total for row in rows) == MDT.objects.count()
    assert totals.live == sum(row.live for row in rows)
    assert totals.population_live == sum(row.population_live for row in rows)
    # The chart draws the page's localities; its summary compares all of them.
    chart = second.context["chart"]
    assert chart.figure["data"][0]["y"] == [row.name for row in pages[1].rows]
    assert chart.table.rows[-1][0] == "All localities"
    assert len(chart.table.rows) == 7 + 1
    assert "localities 26 to 32 of 32" in chart.title
    most = max(row.live for row in rows)
    assert f"({most}" in chart.summary
    without = sum(1 for row in rows if row.live == 0)
    assert (f"{without} localit" in chart.summary) == bool(without)
    # Links to the other page keep the quarter; the register keeps its own pages.
    assert 'href="?quarter=2018-19-q4&amp;localities-page=2#by-locality"' in first.text
    assert "Page 1 of 2" in second.text


def test_many_localities_tied_are_counted_not_all_named():
    leaders = _leaders([(f"Locality {n}", 3) for n in range(10)] + [("Low", 1)])

    assert leaders == Leaders(names=["Locality 0", "Locality 1", "Locality 2"], tied=10, count=3)
    assert _names(leaders) == "Locality 0, Locality 1, Locality 2 and 7 other localities"


def test_register_pages_are_read_in_sql_in_one_order(client, programme_data, board_user):
    client.force_login(board_user)
    for sort in ("status_then", "-population_covered", "locality", "-actual_go_live"):
        everything = client.get(MDTS + Q4 + f"&sort={sort}&per_page=100").context["data"]
        pages = [
            client.get(MDTS + Q4 + f"&sort={sort}&per_page=10&page={number}").context["data"]
            for number in range(1, 6)
        ]

        assert [mdt.id for page in pages for mdt in page.register.rows] == [
            mdt.id for mdt in everything.register.rows
        ], sort
        assert len(everything.register.rows) == 43


@pytest.mark.django_db
def test_the_tiers_are_explained_with_their_populations(client, programme_data, board_user):
    client.force_login(board_user)

    html = client.get(MDTS).text

    section = html[html.index('data-testid="infrastructure-tiers"') :]
    assert "Population served: 20 – 60k." in section
    assert "Population served: 50 – 200k." in section
    assert "Population served: Various." in section
    assert (
        "Source: Medway Health and Adult Social Care Overview and Scrutiny Committee, 2017"
        in section
    )
