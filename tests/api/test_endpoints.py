"""Every endpoint says what the dashboard page says for the same quarter: each reads the
page's own selector, and these tests compare the two."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from dashboard.periods import page_for_quarter, quarter_choices
from dashboard.selectors.actions import _filter_choices, action_rows
from dashboard.selectors.milestones import milestone_rows
from dashboard.selectors.money import money_page
from dashboard.selectors.objectives import objectives_data
from dashboard.selectors.risks import register_rows, risk_filter_choices
from governance.models import Decision, Meeting
from localities.models import Locality, MonthlyOutcome, Objective
from risks.models import Risk, ScoreBand
from updates.models import QuarterlyUpdate

Q4 = "2018-19-q4"
APPROVED = (QuarterlyUpdate.Status.APPROVED,)


def _page(slug=Q4):
    options, selectable = quarter_choices(APPROVED)
    return page_for_quarter(
        requested=slug,
        statuses=APPROVED,
        is_preview=False,
        options=options,
        selectable=selectable,
        today=datetime.date(2026, 12, 7),
    )


def _all(api, name, **query):
    """Every record of an endpoint, page by page."""
    records, number = [], 1
    while True:
        response = api(reverse(f"api:{name}"), page=number, page_size=1000, **query)
        assert response.status_code == 200, response.content
        body = response.json()
        records += body["results"]
        if not body["next"]:
            return records
        number += 1


def test_localities_are_every_locality(api):
    records = _all(api, "localities", quarter=Q4)

    assert [r["slug"] for r in records] == list(
        Locality.objects.order_by("name", "id").values_list("slug", flat=True)
    )
    assert {"slug", "name", "sub_system", "is_illustrative"} <= set(records[0])


def test_objective_statuses_are_the_objectives_pages_cells(api, programme_data):
    page = _page()
    shown = objectives_data(
        page=page,
        localities=Locality.objects.all(),
        table_query=RequestFactory().get("/").GET,
        per_page=None,
    )
    expected = {
        (progress.objective.number, row.locality.slug): cell.rag
        for progress in shown.objectives
        for row in progress.page.rows
        for cell in row.cells
        if cell.quarter.id == page.quarter.id and cell.rag
    }

    records = _all(api, "objective-statuses", quarter=Q4)

    assert expected
    assert {(r["objective_number"], r["locality"]): r["rag"] for r in records} == expected
    assert all(r["quarter"] == Q4 for r in records)
    assert all(r["is_illustrative"] for r in records)  # 2018/19 returns are illustrative


def test_objective_statuses_are_approved_returns_only(api, programme_data):
    # Thanet's 2018/19 Q4 return is submitted, Medway's a draft (the illustrative data).
    records = _all(api, "objective-statuses", quarter=Q4)
    localities = {r["locality"] for r in records}

    assert "thanet" not in localities
    assert "medway" not in localities
    assert "ashford" in localities


def test_objective_statuses_of_one_locality(api, programme_data):
    records = _all(api, "objective-statuses", quarter=Q4, locality="ashford")

    assert records
    assert {r["locality"] for r in records} == {"ashford"}


def test_objectives_are_the_quarters_years(api, programme_data):
    records = _all(api, "objectives", quarter=Q4)

    page = _page()
    assert [r["number"] for r in records] == list(
        Objective.objects.filter(financial_year=page.quarter.financial_year)
        .order_by("number")
        .values_list("number", flat=True)
    )


def test_milestones_are_the_registers_rows(api, programme_data):
    page = _page()
    rows = milestone_rows(page=page, filter_data={}, ordering=[])

    records = _all(api, "milestones", quarter=Q4)

    assert [r["id"] for r in records] == [row.id for row in rows]
    by_id = {row.id: row for row in rows}
    for record in records:
        row = by_id[record["id"]]
        assert record["status"] == row.status_then
        assert record["timing_as_written"] == row.planned_window
        assert record["actual_as_written"] == row.actual_text
        assert record["is_illustrative"] == row.is_illustrative


def test_milestones_never_give_a_date_more_precise_than_the_source(api, programme_data):
    for record in _all(api, "milestones", quarter=Q4):
        if record["actual_date"]:
            assert record["actual_as_written"] == "" or record["actual_as_written"][0].isdigit()


def test_milestones_in_a_date_range(api, programme_data):
    records = _all(api, "milestones", quarter=Q4, **{"from": "2018-04-01", "to": "2018-09-30"})

    assert records
    everything = len(_all(api, "milestones", quarter=Q4))
    assert len(records) < everything


def test_mdts_have_their_status_as_at_the_quarter(api, programme_data):
    from dashboard.selectors.mdts import mdts_as_at

    page = _page()
    expected = {m.id: m.status_then for m in mdts_as_at(page.quarter.end_date)}

    records = _all(api, "mdts", quarter=Q4)

    assert {r["id"]: r["status"] for r in records} == expected
    for record in records:
        if record["actual_go_live"]:
            assert record["actual_go_live"] <= page.quarter.end_date.isoformat()


def test_money_is_the_money_pages_table(api, programme_data):
    page = _page()
    shown = money_page(
        page=page, localities=Locality.objects.all(), ordering=[], number="1", per_page=None
    )
    expected = {
        row.slug: (str(row.spent_to_date.quantize(Decimal("0.01"))), row.returns)
        for row in shown.localities.rows
    }

    records = _all(api, "money", quarter=Q4)

    assert {r["locality"]: (r["spent_to_date"], r["returns"]) for r in records} == expected
    assert all(r["financial_year"] == "2018/19" and r["to_quarter"] == Q4 for r in records)


def test_outcomes_are_the_monthly_figures_up_to_the_quarter(api, programme_data):
    page = _page()
    expected = MonthlyOutcome.objects.filter(month__lte=page.quarter.end_date).count()

    response = api(reverse("api:outcomes"), quarter=Q4, page_size=1)

    assert response.json()["count"] == expected > 0
    record = response.json()["results"][0]
    assert {"locality", "measure", "month", "value", "is_illustrative"} <= set(record)


def test_risks_are_the_risks_pages_register(api, programme_data):
    page = _page()
    rows = register_rows(
        page=page,
        filter_data={},
        choices=risk_filter_choices(),
        bands=list(ScoreBand.objects.all()),
    )

    records = _all(api, "risks", quarter=Q4)

    assert [(r["reference"], r["score"], r["band"]) for r in records] == [
        (row.reference, row.score, row.band_name) for row in rows
    ]


def test_risks_never_include_proposed_or_rejected_ones(api, programme_data):
    hidden = set(
        Risk.objects.filter(status__in=[Risk.Status.PROPOSED, Risk.Status.REJECTED]).values_list(
            "reference", flat=True
        )
    )
    Risk.objects.filter(reference="LC-R01").update(status=Risk.Status.PROPOSED)
    hidden.add("LC-R01")

    references = {r["reference"] for r in _all(api, "risks", quarter=Q4)}

    assert references
    assert not references & hidden


def test_actions_are_the_action_log(api, programme_data):
    page = _page()
    rows = action_rows(page=page, filter_data={}, choices=_filter_choices(page))

    records = _all(api, "actions", quarter=Q4)

    assert sorted(r["id"] for r in records) == sorted(row.pk for row in rows)
    by_id = {row.pk: row for row in rows}
    for record in records:
        assert record["status"] == by_id[record["id"]].status
        assert record["is_overdue"] == by_id[record["id"]].is_overdue
    # The same order: overdue first.
    overdue = [r["is_overdue"] for r in records]
    assert overdue == sorted(overdue, reverse=True)


def test_decisions_are_those_of_meetings_held_by_the_quarters_end(api, programme_data):
    page = _page()

    records = _all(api, "decisions", quarter=Q4)

    held = Decision.objects.filter(meeting__in=Meeting.objects.held_by(page.as_at))
    assert len(records) == held.count() > 0
    assert {"reference", "text", "paper", "meeting", "body", "is_illustrative"} <= set(records[0])


def test_the_latest_quarter_with_approved_returns_is_the_default(api, programme_data):
    latest = quarter_choices(APPROVED)[0][-1]

    records = _all(api, "objective-statuses")

    assert {r["quarter"] for r in records} == {latest.slug}


@pytest.mark.parametrize(
    "name",
    [
        "localities",
        "objectives",
        "objective-statuses",
        "milestones",
        "mdts",
        "money",
        "outcomes",
        "risks",
        "actions",
        "decisions",
    ],
)
def test_every_endpoint_gives_csv(api, name):
    response = api(reverse(f"api:{name}"), quarter=Q4, format="csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "is_illustrative" in rows[0]
    assert "attachment" in response["Content-Disposition"]


def test_csv_neutralises_formulas(api, programme_data):
    Decision.objects.filter(pk=Decision.objects.order_by("pk").first().pk).update(
        text='=HYPERLINK("http://evil")'
    )

    response = api(reverse("api:decisions"), quarter=Q4, format="csv", page_size=1000)

    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_every_record_says_whether_it_is_illustrative(api):
    for name in [
        "localities",
        "objectives",
        "objective-statuses",
        "milestones",
        "mdts",
        "money",
        "outcomes",
        "risks",
        "actions",
        "decisions",
    ]:
        body = api(reverse(f"api:{name}"), quarter=Q4).json()
        assert body["results"], name
        assert all(isinstance(r["is_illustrative"], bool) for r in body["results"]), name


def test_pages_are_paginated(api):
    first = api(reverse("api:milestones"), quarter=Q4, page_size=5).json()
    second = api(reverse("api:milestones"), quarter=Q4, page_size=5, page=2).json()

    assert len(first["results"]) == 5
    assert first["count"] > 5
    assert "page=2" in first["next"]
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


def test_an_empty_csv_still_has_its_header_row(api, programme_data):
    response = api(reverse("api:actions"), quarter=Q4, format="csv", to="1900-01-01")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "id",
            "text",
            "owner",
            "due_date",
            "due_as_written",
            "status",
            "is_overdue",
            "closed_on",
            "meeting",
            "body",
            "decision",
            "linked",
            "is_illustrative",
        ]
    ]
