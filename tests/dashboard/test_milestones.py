import csv
import datetime
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse

from dashboard.selectors.milestones import slippage
from localities.models import Locality, Milestone, Objective, Quarter
from tests.helpers import assert_queries_do_not_grow

MILESTONES = reverse("dashboard:milestones")
Q4 = "?quarter=2018-19-q4"
Q2 = "?quarter=2018-19-q2"
PAYLOAD = "<img src=x onerror=alert(1)>"

# 33 milestones from the papers, and three illustrative ones for each of the 8 localities.
PAPER_MILESTONES = 36  # the 33 of the 2018/19 plans and three earlier dates (STP, workshop)
ALL_MILESTONES = PAPER_MILESTONES + 3 * 8


# The register comes a page at a time; a page this big holds every fixture milestone.
EVERY_ROW = "&per_page=100"


def rows_by_title(response):
    rows = response.context["data"].rows
    assert rows.total <= rows.per_page, "not every row is on this page"
    return {row.title: row for row in rows.rows}


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(MILESTONES)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={MILESTONES}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_milestones(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(MILESTONES)

    assert response.status_code == 200
    assert "<h1>Milestones</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(MILESTONES).status_code == 403


def test_status_counts_agree_with_the_fixtures(client, programme_data, board_user):
    client.force_login(board_user)

    summary = client.get(MILESTONES + Q4).context["data"].summary

    # Computed straight from the rows, without the selector's SQL.
    end = datetime.date(2019, 3, 31)
    milestones = list(Milestone.objects.all())
    complete = [m for m in milestones if m.actual_date and m.actual_date <= end]
    overdue = [
        m
        for m in milestones
        if m not in complete
        and m.status not in (Milestone.Status.CANCELLED, Milestone.Status.NOT_REPORTED)
        and m.planned_end
        and m.planned_end < end
    ]
    assert summary.total == len(milestones) == ALL_MILESTONES
    assert summary.by_status["complete"] == len(complete)
    assert summary.by_status["overdue"] == len(overdue)
    assert summary.by_status["not_reported"] == sum(
        1 for m in milestones if m.status == Milestone.Status.NOT_REPORTED
    )
    assert summary.without_date == sum(1 for m in milestones if m.planned_end is None) == 2


def test_the_summary_sentence_gives_the_counts(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4)

    summary = response.context["data"].summary
    sentence = (
        f"Of {ALL_MILESTONES} milestones, {summary.by_status['complete']} were complete and "
        f"{summary.by_status['overdue']} overdue by 31 March 2019"
    )
    assert sentence in response.text
    assert "2 have no planned date yet" in response.text


def test_the_slipped_deep_dives_show_their_slippage(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + EVERY_ROW)

    rows = rows_by_title(response)
    # Planned "August / early September 2018"; held 23 November and 11 December 2018:
    # months against a month-level plan, never days from a window end the paper never gave.
    for sub_system in ("East Kent", "West Kent"):
        row = rows[f"Deep dive: {sub_system}"]
        assert row.slippage_days is None
        assert row.slippage.phrase == "About three months after “August / early September 2018”"
        assert row.planned_window == "August / early September 2018"
    assert "About three months after “August / early September 2018”" in response.text
    assert "1 Aug 2018 – 7 Sep 2018" not in response.text
    assert "77 days" not in response.text
    assert "95 days" not in response.text


def test_status_is_as_at_the_selected_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    at_q2 = rows_by_title(client.get(MILESTONES + Q2 + EVERY_ROW))
    at_q3 = rows_by_title(client.get(MILESTONES + "?quarter=2018-19-q3" + EVERY_ROW))
    at_q1 = rows_by_title(client.get(MILESTONES + "?quarter=2018-19-q1" + EVERY_ROW))

    assert at_q2["Deep dive: East Kent"].status_label == "Overdue"
    assert at_q3["Deep dive: East Kent"].status_label == "Complete"
    # Refreshed in July 2018, planned for July: at the end of June it had not started.
    assert at_q1["All 8 locality plans refreshed"].status_label == "Not started"
    # Started in April 2018 and done by the end of June.
    assert at_q1["Locality planning exercise started with all 8 localities"].status_label == (
        "Complete"
    )
    # Nobody has reported on it: not reported, whatever the quarter.
    assert at_q2["Publicise cluster organisational development toolkit"].status_label == (
        "Not reported"
    )


def test_the_forecast_slippage_is_marked_as_a_forecast(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&locality=programme-wide" + EVERY_ROW)

    row = rows_by_title(response)["Outcomes framework progress to the Joint Board"]
    assert row.slippage.is_forecast
    # Planned "December 2018", forecast 19 March 2019: months, not days from 31 December.
    assert row.slippage_days is None
    assert "About three months after “December 2018” (forecast)" in response.text
    assert "78 days" not in response.text


def test_no_slippage_is_computed_from_a_guess():
    guessed = Milestone(
        planned_start=datetime.date(2018, 7, 1),
        planned_end=datetime.date(2018, 9, 30),
        is_date_uncertain=True,
        forecast_date=datetime.date(2018, 12, 1),
    )
    undated = Milestone(timing_as_written="TBC", forecast_date=datetime.date(2018, 12, 1))
    not_yet_known = Milestone(planned_end=datetime.date(2018, 9, 30))

    assert slippage(guessed) is None
    assert slippage(undated) is None
    assert slippage(not_yet_known) is None


def test_filters_by_locality_programme_wide_objective_status_and_workstream(
    client, programme_data, board_user
):
    Milestone.objects.create(
        title="Thanet: Quex cluster MDT review",
        locality=Locality.objects.get(slug="thanet"),
        workstream="MDTs",
        planned_start=datetime.date(2018, 10, 1),
        planned_end=datetime.date(2018, 10, 31),
    )
    client.force_login(board_user)

    def titles(query):
        return set(rows_by_title(client.get(MILESTONES + Q4 + query + EVERY_ROW)))

    assert {t for t in titles("&locality=thanet") if "(illustrative)" not in t} == {
        "Thanet: Quex cluster MDT review"
    }
    assert len(titles("&locality=programme-wide")) == PAPER_MILESTONES
    objective_1 = Objective.objects.get(financial_year__start_year=2018, number=1)
    assert titles(f"&objective={objective_1.pk}") == set(
        Milestone.objects.filter(objective=objective_1).values_list("title", flat=True)
    )
    assert titles("&workstream=Estates") == {"Estates locality workshops"}
    overdue_at_q2 = set(rows_by_title(client.get(MILESTONES + Q2 + "&status=overdue" + EVERY_ROW)))
    assert "Deep dive: Medway" in overdue_at_q2
    assert "Workforce workshop" not in overdue_at_q2


def test_an_unknown_filter_value_is_explained_not_an_error(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&status=nonsense")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_the_table_is_paginated_and_the_chart_follows_the_page(client, programme_data, board_user):
    client.force_login(board_user)

    first = client.get(MILESTONES + Q4 + "&locality=programme-wide")
    second = client.get(MILESTONES + Q4 + "&locality=programme-wide&page=2")

    assert len(first.context["table"].page.object_list) == 25
    assert len(first.context["chart"].table.rows) == 25
    # Page 2 has the last 11 rows; the two with no date at all are not drawn.
    assert len(second.context["table"].page.object_list) == 11
    assert len(second.context["chart"].table.rows) == 9
    assert "page 2 of 2 of the table" in second.context["chart"].summary


def test_sorting_by_slippage_puts_the_latest_first(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&sort=-slippage")

    first = next(iter(response.context["table"].page.object_list)).record
    # Ranked by the window internally; the latest held deep dive (11 December 2018) first.
    assert first.actual_date == datetime.date(2018, 12, 11)
    assert first.slippage.days_after_window == 95
    assert first.title in response.context["chart"].table.rows[0]


def test_the_chart_has_a_bar_per_window_and_markers_per_date(client, programme_data, board_user):
    client.force_login(board_user)

    chart = client.get(MILESTONES + Q2 + "&status=overdue").context["chart"]

    traces = {trace["name"]: trace for trace in chart.figure["data"]}
    assert set(traces) == {"Planned window", "Planned date", "Actual date", "Forecast date"}
    assert traces["Planned window"]["type"] == "bar"
    # The four deep dives, whose window had closed by the end of September.
    assert len(traces["Planned window"]["y"]) == 4
    # The four deep dives were completed in November and December: not known at the
    # end of September, so no actual dates then.
    assert not traces["Actual date"].get("x")
    layout = chart.figure["layout"]
    assert layout["xaxis"]["type"] == "date"
    assert layout["shapes"][0]["x0"] == "2018-09-30"  # the end of the quarter shown
    assert layout["annotations"][0]["text"] == "End of 2018/19 Q2"


def test_a_single_planned_date_is_a_marker_not_a_hairline_bar(client, programme_data, board_user):
    client.force_login(board_user)

    chart = client.get(MILESTONES + Q4 + "&workstream=Governance").context["chart"]

    traces = {trace["name"]: trace for trace in chart.figure["data"]}
    assert "Joint Board agrees the four Local Care objectiv…" in traces["Planned date"]["y"]
    assert "2018-06-28" in traces["Planned date"]["x"]
    assert "y" not in traces["Planned window"] or not traces["Planned window"]["y"]


def test_csv_export_has_every_filtered_row(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&_export=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "localcare-milestones-2018-19-q4" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == ALL_MILESTONES  # all rows, not just the first page
    medway = next(row for row in rows if row["Milestone"] == "Deep dive: Medway")
    assert medway["Locality"] == "Programme-wide"
    assert medway["Slippage"].startswith("About three months after")
    assert medway["Slippage (days)"] == ""  # no days against a month-level plan
    assert medway["Slippage based on"] == "Actual date"
    assert medway["Planned"] == "August / early September 2018"
    assert medway["Status at quarter end"] == "Complete"


def test_xlsx_export_has_the_rows(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q2 + "&status=overdue&_export=xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    headers, body = values[0], values[1:]
    assert len(body) == 4
    east_kent = dict(
        zip(headers, next(row for row in body if row[0] == "Deep dive: East Kent"), strict=True)
    )
    assert east_kent["Status at quarter end"] == "Overdue"
    # Completed 23 November 2018, after the quarter: neither its date nor slippage yet.
    assert east_kent["Actual"] is None
    assert east_kent["Slippage"] is None
    assert east_kent["Slippage (days)"] is None


def test_exported_text_that_looks_like_a_formula_is_neutralised(client, programme_data, board_user):
    Milestone.objects.filter(title="Workforce workshop").update(title='=HYPERLINK("http://x")')
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&_export=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert '\'=HYPERLINK("http://x")' in [row["Milestone"] for row in rows]


def test_titles_are_escaped_in_the_page_and_the_chart(client, programme_data, board_user):
    Milestone.objects.filter(title="Deep dive: Medway").update(title=PAYLOAD)
    Milestone.objects.filter(title="Workforce workshop").update(workstream=PAYLOAD)
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4)

    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    figure = json.dumps(response.context["chart"].figure)
    assert "<img" not in figure
    assert "&lt;img src=x onerror=alert(1)&gt;" in figure


def test_query_count_is_fixed_and_does_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    url = MILESTONES + Q4 + "&sort=-slippage"

    # Session, user, groups, quarters; localities, objectives, workstreams; the summary
    # (one aggregate over every match, which also counts them); the page's milestones.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    assert (
        assert_queries_do_not_grow(client, url) == 10
    )  # + the board actions on milestones (issue 17)
    # At ten times the data the page still shows 25 rows and a chart of them.
    response = client.get(url)
    assert len(response.context["table"].page.object_list) == 25
    assert Quarter.objects.count() > 12


def test_pages_are_read_in_sql_in_the_order_of_the_whole_register(
    client, programme_data, board_user
):
    """Each page is a LIMIT/OFFSET of one SQL order: together the pages are the sorted register."""
    client.force_login(board_user)
    for sort in ("status_then", "-slippage", "objective_label", "locality_name", "-planned_window"):
        everything = client.get(MILESTONES + Q4 + f"&sort={sort}" + EVERY_ROW).context["data"]
        pages = [
            client.get(MILESTONES + Q4 + f"&sort={sort}&per_page=10&page={number}").context["data"]
            for number in range(1, 7)
        ]

        assert [row.id for page in pages for row in page.rows.rows] == [
            row.id for row in everything.rows.rows
        ], sort
        assert {page.rows.total for page in pages} == {ALL_MILESTONES}
        assert [len(page.rows.rows) for page in pages] == [10] * 6
    # Sorted as django-tables2 sorted the whole list in Python before.
    by_status = client.get(MILESTONES + Q4 + "&sort=status_then" + EVERY_ROW).context["data"]
    orders = [row.status_order for row in by_status.rows.rows]
    assert orders == sorted(orders)
    by_slippage = client.get(MILESTONES + Q4 + "&sort=-slippage" + EVERY_ROW).context["data"]
    known = [row.slippage_days for row in by_slippage.rows.rows if row.slippage_days is not None]
    assert known == sorted(known, reverse=True)
    assert by_slippage.rows.rows[-1].slippage_days is None  # unknown slippage last


def test_the_page_asked_for_is_bounded(client, programme_data, board_user):
    client.force_login(board_user)

    huge = client.get(MILESTONES + Q4 + "&per_page=100000").context["table"]
    beyond = client.get(MILESTONES + Q4 + "&page=99")
    nonsense = client.get(MILESTONES + Q4 + "&page=x&per_page=y")

    assert len(huge.page.object_list) == ALL_MILESTONES  # capped at 100 a page
    assert huge.paginator.per_page == 100
    # As django-tables2 does: beyond the end shows the last page, nonsense the first.
    assert beyond.context["table"].page.number == 3
    assert [row.record.id for row in beyond.context["table"].page.object_list] == [
        row.id for row in beyond.context["data"].rows.rows
    ]
    assert len(beyond.context["data"].rows.rows) == ALL_MILESTONES - 50
    assert nonsense.context["table"].page.number == 1
    assert len(nonsense.context["data"].rows.rows) == 25
    assert "Page 2 of 3" in nonsense.text


# Completions the papers give only by month, and the last day stored for sorting.
MONTH_ONLY = {
    "Local Care Investment Case agreed by all Kent and Medway organisations": ("September 2017", "30 Sep 2017"),
    "Maturity matrix baseline completed by all 8 CCG areas": ("October 2017", "31 Oct 2017"),
    "Locality planning exercise started with all 8 localities": ("April 2018", "30 Apr 2018"),
    "All 8 locality plans refreshed": ("July 2018", "31 Jul 2018"),
}  # fmt: skip


def test_a_month_only_completion_shows_the_month_never_a_day(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&locality=programme-wide" + EVERY_ROW)

    rows = rows_by_title(response)
    page = response.content.decode()
    for title, (as_written, stored_day) in MONTH_ONLY.items():
        assert rows[title].actual_text == as_written
        assert stored_day not in page  # neither in the table nor the chart's hover text
    investment_case = rows[next(iter(MONTH_ONLY))]
    assert investment_case.slippage.phrase == "Within “September 2017”"
    assert investment_case.slippage.days is None
    # The Actual cell: the words, not the stored day.
    assert re.search(r"<td[^>]*nowrap[^>]*>\s*September 2017\s*</td>", page)


def test_the_exports_give_a_month_only_completion_as_the_paper_does(
    client, programme_data, board_user
):
    client.force_login(board_user)

    csv_rows = csv.DictReader(
        io.StringIO(client.get(MILESTONES + Q4 + "&_export=csv").content.decode("utf-8-sig"))
    )
    by_title = {row["Milestone"]: row for row in csv_rows}
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(MILESTONES + Q4 + "&_export=xlsx").content)
    )
    values = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    xlsx = {row[0]: dict(zip(values[0], row, strict=True)) for row in values[1:]}

    for title, (as_written, _) in MONTH_ONLY.items():
        assert by_title[title]["Actual"] == as_written
        assert by_title[title]["Slippage (days)"] == ""
        assert xlsx[title]["Actual"] == as_written
    # A completion the papers give to the day keeps its day.
    assert by_title["Workforce workshop"]["Actual"] == "16 Aug 2018"
    assert by_title["Deep dive: Medway"]["Actual"] == "23 Nov 2018"


def test_sorting_by_the_actual_still_follows_the_dates(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&locality=programme-wide&sort=actual_date" + EVERY_ROW)

    done = [row for row in response.context["data"].rows.rows if row.actual_date]
    assert [row.actual_date for row in done] == sorted(row.actual_date for row in done)
    assert done[0].actual_text == "21 Oct 2016"
    assert [row.actual_text for row in done[2:4]] == ["September 2017", "October 2017"]
