"""The programme office opens the next financial year from a page (issue 19, decision 0024).

The tests open "the year after the latest one set up" on top of the loaded data,
whichever year that is, so they hold when later years are added to the fixtures.
"""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from localities.models import (
    FinancialYear,
    Locality,
    Milestone,
    Objective,
    PlannedInvestment,
    Quarter,
)
from tools.scale import generate_scale_data
from updates import year_services
from updates.year_services import NewObjective, YearPlan

pytestmark = pytest.mark.django_db
URL = reverse("updates:open-year")


def today():
    return timezone.localdate()


def proposed():
    return year_services.proposal(today=today())


def full_plan(proposal=None, **changes) -> YearPlan:
    """A whole year: last year's pattern, every objective carried, every locality's
    investment, the first two milestones still owed rolled forward."""
    proposal = proposal or proposed()
    plan = YearPlan(
        start_year=proposal.start_year,
        based_on=proposal.fingerprint,
        deadlines={quarter.number: quarter.deadline for quarter in proposal.quarters},
        carried=tuple(objective.id for objective in proposal.objectives),
        investments={locality.id: Decimal("250000") for locality in proposal.localities},
        milestones=tuple(milestone.id for milestone in proposal.milestones[:2]),
    )
    return dataclasses.replace(plan, **changes)


def form_data(proposal=None, action="preview", **changes):
    proposal = proposal or proposed()
    data = {"start_year": proposal.start_year, "based_on": proposal.fingerprint}
    if action:
        data["action"] = action
    for quarter in proposal.quarters:
        data[f"deadline_{quarter.number}"] = f"{quarter.deadline:%d/%m/%Y}"
    for objective in proposal.objectives:
        data[f"carry_{objective.id}"] = "on"
    for slot in (1, 2, 3):
        data[f"new_{slot}_kind"] = Objective.Kind.OTHER
    for locality in proposal.localities:
        data[f"investment_{locality.id}"] = "250,000"
    for milestone in proposal.milestones[:2]:
        data[f"milestone_{milestone.id}"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def counts():
    return (
        FinancialYear.objects.count(),
        Quarter.objects.count(),
        Objective.objects.count(),
        PlannedInvestment.objects.count(),
        Milestone.objects.count(),
        FinancialYear.history.count(),
        Objective.history.count(),
        Milestone.history.count(),
    )


# --- The proposal -------------------------------------------------------------------


def test_the_proposal_is_the_year_after_the_latest_with_last_years_deadline_pattern(
    programme_data,
):
    latest = FinancialYear.objects.order_by("-start_year").first()
    last_quarters = {quarter.number: quarter for quarter in latest.quarters.all()}

    proposal = proposed()

    assert proposal.start_year == latest.start_year + 1
    assert proposal.previous == latest
    assert [quarter.start_date for quarter in proposal.quarters] == [
        datetime.date(proposal.start_year, 4, 1),
        datetime.date(proposal.start_year, 7, 1),
        datetime.date(proposal.start_year, 10, 1),
        datetime.date(proposal.start_year + 1, 1, 1),
    ]
    for quarter in proposal.quarters:
        last = last_quarters[quarter.number]
        assert quarter.deadline - quarter.end_date == last.submission_deadline - last.end_date
    assert [locality.id for locality in proposal.localities] == list(
        Locality.objects.order_by("name").values_list("id", flat=True)
    )


def test_the_objectives_offered_are_those_last_year_reported_on(programme_data):
    proposal = proposed()
    last_quarter = proposal.previous.quarters.order_by("number").last()

    assert proposal.objectives == list(Objective.objects.reported_in(last_quarter))
    assert proposal.objectives  # the papers' 2018/19 objectives, carried on since


def test_only_milestones_still_owed_and_reported_by_a_person_roll_forward(programme_data):
    offered = {milestone.id for milestone in proposed().milestones}

    assert offered
    done = Milestone.objects.filter(
        status__in=[Milestone.Status.COMPLETE, Milestone.Status.CANCELLED]
    )
    derived = Milestone.objects.exclude(derived_from=Milestone.DerivedFrom.REPORTED)
    assert done.exists()
    assert derived.exists()
    assert not offered & set(done.values_list("id", flat=True))
    assert not offered & set(derived.values_list("id", flat=True))


# --- Opening: what is created --------------------------------------------------------


def test_opening_creates_the_year_its_quarters_objectives_investment_and_milestones(
    programme_data, office_user
):
    proposal = proposed()
    plan = full_plan(
        proposal,
        new_objectives=(
            NewObjective(
                title="Align MDTs with Primary Care Networks",
                short_title="PCN alignment",
                measure="MDTs aligned with a PCN",
                source="Illustrative",
                kind=Objective.Kind.MDTS,
            ),
        ),
    )

    year = year_services.open_year(plan=plan, by=office_user, today=today())

    assert year.start_year == proposal.start_year
    quarters = list(year.quarters.order_by("number"))
    assert [(q.number, q.start_date, q.end_date, q.submission_deadline) for q in quarters] == [
        (q.number, q.start_date, q.end_date, q.deadline) for q in proposal.quarters
    ]
    objectives = list(year.objectives.order_by("number"))
    carried = len(proposal.objectives)
    assert [o.number for o in objectives] == list(range(1, carried + 2))
    assert objectives[-1].title == "Align MDTs with Primary Care Networks"
    assert objectives[-1].kind == Objective.Kind.MDTS
    assert objectives[-1].continues is None
    assert dict(
        PlannedInvestment.objects.filter(financial_year=year).values_list("locality_id", "amount")
    ) == {locality.id: Decimal("250000") for locality in proposal.localities}
    assert Milestone.objects.filter(in_plan_from=year.start_date).count() == 2


def test_a_carried_objective_continues_last_years_with_its_terms(programme_data, office_user):
    proposal = proposed()

    year = year_services.open_year(plan=full_plan(proposal), by=office_user, today=today())

    for old, new in zip(proposal.objectives, year.objectives.order_by("number"), strict=True):
        assert new.continues == old
        assert (new.title, new.short_title, new.measure, new.kind, new.carries_spend) == (
            old.title,
            old.short_title,
            old.measure,
            old.kind,
            old.carries_spend,
        )
        assert new.source.startswith(
            f"Carried forward from {old.financial_year.label} when {year.label} was opened"
        )
    # The next year's returns report on the carried ones (Objective.reported_in).
    first = year.quarters.get(number=1)
    assert list(Objective.objects.reported_in(first)) == list(year.objectives.order_by("number"))


def test_an_objective_not_carried_stays_last_years_only(programme_data, office_user):
    proposal = proposed()
    kept, dropped = proposal.objectives[0], proposal.objectives[1]

    year = year_services.open_year(
        plan=full_plan(proposal, carried=(kept.id,)), by=office_user, today=today()
    )

    assert list(year.objectives.values_list("continues", flat=True)) == [kept.id]
    assert not Objective.objects.filter(continues=dropped).exists()


def test_a_rolled_forward_milestone_is_a_new_row_and_last_years_is_untouched(
    programme_data, office_user
):
    proposal = proposed()
    old = proposal.milestones[0]
    before = Milestone.objects.filter(pk=old.pk).values().get()

    year = year_services.open_year(
        plan=full_plan(proposal, milestones=(old.id,)), by=office_user, today=today()
    )

    new = Milestone.objects.get(continues=old)
    assert Milestone.objects.filter(pk=old.pk).values().get() == before
    assert new.in_plan_from == year.start_date
    kept = (
        "title",
        "description",
        "workstream",
        "locality_id",
        "critical_area_id",
        "planned_start",
        "planned_end",
        "timing_as_written",
        "is_date_uncertain",
        "forecast_date",
        "status",
        "source",
        "reported_by",
        "reported_on",
        "is_illustrative",
    )
    assert {name: getattr(new, name) for name in kept} == {name: before[name] for name in kept}
    successor = Objective.objects.filter(continues_id=old.objective_id).first()
    assert new.objective == successor
    # In last year's plan until the new year starts; the new row from then on.
    last_day = proposal.previous.end_date
    assert old in Milestone.objects.in_plan_on(last_day)
    assert new not in Milestone.objects.in_plan_on(last_day)
    assert old not in Milestone.objects.in_plan_on(year.start_date)
    assert new in Milestone.objects.in_plan_on(year.start_date)


def test_every_row_created_has_its_history_with_who_and_why(programme_data, office_user):
    year = year_services.open_year(plan=full_plan(), by=office_user, today=today())

    reason = f"Opened {year.label}"
    created = [
        year.history.get(),
        *(quarter.history.get() for quarter in year.quarters.all()),
        *(objective.history.get() for objective in year.objectives.all()),
        *(plan.history.get() for plan in year.planned_investments.all()),
        *(
            milestone.history.get()
            for milestone in Milestone.objects.filter(in_plan_from=year.start_date)
        ),
    ]
    objectives = Objective.objects.filter(continues__isnull=False).count()
    assert objectives
    assert len(created) == 1 + 4 + objectives + Locality.objects.count() + 2
    assert {(record.history_user, record.history_change_reason) for record in created} == {
        (office_user, reason)
    }
    assert {record.history_type for record in created} == {"+"}


def test_after_opening_the_next_proposal_is_the_year_after(programme_data, office_user):
    year = year_services.open_year(plan=full_plan(), by=office_user, today=today())

    assert proposed().start_year == year.start_year + 1


def test_the_first_year_is_opened_with_new_objectives_when_none_is_set_up(db, office_user):
    on = datetime.date(2026, 12, 7)
    proposal = year_services.proposal(today=on)
    assert (proposal.start_year, proposal.previous, proposal.objectives) == (2026, None, [])
    assert proposal.milestones == []
    assert proposal.last_investments == {}
    assert [quarter.deadline - quarter.end_date for quarter in proposal.quarters] == [
        datetime.timedelta(days=year_services.DEFAULT_DAYS_AFTER_QUARTER)
    ] * 4
    assert year_services.proposal(today=datetime.date(2027, 2, 1)).start_year == 2026

    year = year_services.open_year(
        plan=full_plan(
            proposal, new_objectives=(NewObjective(title="Roll out MDTs", short_title="MDTs"),)
        ),
        by=office_user,
        today=on,
    )

    assert year.label == "2026/27"
    assert list(year.objectives.values_list("number", "short_title")) == [(1, "MDTs")]


# --- A half-made year is refused, with what is missing, and nothing saved ------------


def _last_day_of_q2(proposal):
    return proposal.quarters[1].end_date


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        (lambda p: {"carried": (), "new_objectives": ()}, "objectives", "at least one"),
        (
            lambda p: {"deadlines": {1: None, 2: p.quarters[1].deadline, 3: None, 4: None}},
            "deadline_1",
            "Enter the deadline for Q1",
        ),
        (
            lambda p: {
                "deadlines": {
                    **{q.number: q.deadline for q in p.quarters},
                    2: _last_day_of_q2(p) - datetime.timedelta(days=1),
                }
            },
            "deadline_2",
            "on or after the quarter ends",
        ),
        (
            lambda p: {"investments": {p.localities[0].id: Decimal(5)}},
            "investment_{second}",
            "Enter the planned investment for",
        ),
        (
            lambda p: {
                "investments": {
                    **{locality.id: Decimal(1) for locality in p.localities},
                    p.localities[0].id: Decimal(-1),
                }
            },
            "investment_{first}",
            "cannot be negative",
        ),
        (
            lambda p: {"new_objectives": (NewObjective(title="A title only", short_title=" "),)},
            "new_1",
            "both a title and a short title",
        ),
        (lambda p: {"carried": (999999,)}, "carry_999999", "Only last year's objectives"),
        (lambda p: {"milestones": (999999,)}, "milestone_999999", "still owed"),
    ],
    ids=[
        "no-objectives",
        "no-deadline",
        "deadline-before-quarter-ends",
        "locality-without-investment",
        "negative-investment",
        "new-objective-half-given",
        "objective-not-last-years",
        "milestone-not-owed",
    ],
)
def test_a_half_made_year_is_refused_with_what_is_missing(
    programme_data, office_user, changes, key, words
):
    proposal = proposed()
    key = key.format(first=proposal.localities[0].id, second=proposal.localities[1].id)
    plan = full_plan(proposal, **changes(proposal))
    before = counts()

    with pytest.raises(year_services.YearRefused) as refused:
        year_services.open_year(plan=plan, by=office_user, today=today())

    problems = {problem.key: problem.message for problem in refused.value.problems}
    assert key in problems
    assert words in problems[key]
    assert counts() == before


def test_only_the_next_year_can_be_opened(programme_data):
    proposal = proposed()
    later = full_plan(proposal, start_year=proposal.start_year + 1)

    problems = year_services.year_problems(later, proposed=proposal)

    assert [problem.key for problem in problems] == ["year"]
    assert f"the next year to open is {proposal.label}" in problems[0].message


def test_every_missing_piece_is_listed_at_once(programme_data, office_user):
    proposal = proposed()
    plan = full_plan(proposal, carried=(), deadlines={}, investments={})

    with pytest.raises(year_services.YearRefused) as refused:
        year_services.preview_year(plan=plan, today=today())

    keys = [problem.key for problem in refused.value.problems]
    assert keys == [
        "deadline_1",
        "deadline_2",
        "deadline_3",
        "deadline_4",
        "objectives",
        *(f"investment_{locality.id}" for locality in proposal.localities),
    ]


def test_nothing_is_half_saved_when_the_last_step_fails(programme_data, office_user, monkeypatch):
    before = counts()

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away while rolling milestones forward")

    monkeypatch.setattr(year_services, "_rolled_forward", fail)

    with pytest.raises(RuntimeError):
        year_services.open_year(plan=full_plan(), by=office_user, today=today())

    assert counts() == before


def test_a_year_opened_meanwhile_is_refused_not_opened_twice(programme_data, office_user):
    plan = full_plan()
    year_services.open_year(plan=plan, by=office_user, today=today())
    before = counts()

    with pytest.raises(year_services.YearAlreadyOpen, match="has been opened since"):
        year_services.open_year(plan=plan, by=office_user, today=today())

    assert counts() == before


def test_a_plan_made_from_last_year_as_it_no_longer_is_is_refused(programme_data, office_user):
    proposal = proposed()
    plan = full_plan(proposal)
    objective = proposal.objectives[0]
    Objective.objects.filter(pk=objective.pk).update(title="Renamed after the preview")
    before = counts()

    with pytest.raises(year_services.StalePlan, match="changed since this page was loaded"):
        year_services.open_year(plan=plan, by=office_user, today=today())

    assert counts() == before


@pytest.mark.parametrize("who", ["board_user", "lead_thanet"])
def test_only_the_programme_office_opens_a_year(programme_data, request, who):
    before = counts()

    with pytest.raises(PermissionDenied):
        year_services.open_year(plan=full_plan(), by=request.getfixturevalue(who), today=today())

    assert counts() == before


# --- The page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),
        ("board_user", 403),
        ("lead_thanet", 403),
        ("office_user", 200),
        ("admin_user", 200),
    ],
)
def test_who_may_open_a_year(client, programme_data, request, who, expected):
    if who:
        client.force_login(request.getfixturevalue(who))
    years = FinancialYear.objects.count()

    get = client.get(URL)
    post = client.post(URL, form_data(action="open"))

    assert get.status_code == expected
    if who is None:
        assert get["Location"].startswith(reverse("login"))
        assert post.status_code == 302
        assert post["Location"].startswith(reverse("login"))
    elif expected == 403:
        assert post.status_code == 403
    assert FinancialYear.objects.count() == years + (expected == 200)


def test_the_office_home_links_to_opening_a_year(client, programme_data, office_user):
    client.force_login(office_user)

    html = client.get(reverse("updates:returns")).content.decode()

    assert f'href="{URL}"' in html


def test_the_page_proposes_the_next_year(client, programme_data, office_user):
    client.force_login(office_user)
    proposal = proposed()

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>Open {proposal.label}</h1>" in html
    first = proposal.quarters[0].deadline
    assert f'value="{first.day}/{first.month}/{first.year}"' in html
    for objective in proposal.objectives:
        assert (
            f'id="id_carry_{objective.id}" name="carry_{objective.id}" type="checkbox" value="on" checked'
            in html
        )
    for locality in proposal.localities:
        assert f'name="investment_{locality.id}"' in html
    assert 'data-testid="illustrative-tag"' in html  # the illustrative milestones offered


def test_the_preview_lists_what_will_be_created_and_saves_nothing(
    client, programme_data, office_user
):
    client.force_login(office_user)
    proposal = proposed()
    before = counts()

    response = client.post(
        URL,
        form_data(
            proposal,
            new_1_title="Sustainable investment for Local Care",
            new_1_short_title="Investment",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert counts() == before
    assert f"Check and open {proposal.label}" in html
    objectives = len(proposal.objectives) + 1
    rows = 1 + 4 + objectives + len(proposal.localities) + 2
    assert f"creates {rows} records" in html
    assert f"{objectives} objectives ({len(proposal.objectives)} carried forward, 1 new)" in html
    assert "Sustainable investment for Local Care" in html
    assert f"{250000 * len(proposal.localities):,}" in html
    # The confirm sends the same data again.
    assert 'name="new_1_title" value="Sustainable investment for Local Care"' in html
    assert f'name="based_on" value="{proposal.fingerprint}"' in html
    assert 'name="action" value="open"' in html


def test_confirming_opens_the_year_and_goes_to_its_first_quarters_returns(
    client, programme_data, office_user
):
    client.force_login(office_user)
    proposal = proposed()

    response = client.post(URL, form_data(proposal, action="open"), follow=True)

    year = FinancialYear.objects.get(start_year=proposal.start_year)
    first = year.quarters.get(number=1)
    assert response.redirect_chain[-1][0] == f"{reverse('updates:returns')}?quarter={first.slug}"
    assert f"{year.label} is open: its 4 quarters, {len(proposal.objectives)} objectives" in (
        response.content.decode()
    )
    assert "and 2 milestones rolled forward are saved" in response.content.decode()
    assert year.history.get().history_user == office_user


def test_change_goes_back_to_the_form_with_what_was_typed(client, programme_data, office_user):
    client.force_login(office_user)
    before = counts()

    response = client.post(
        URL, form_data(action="change", new_1_title="Carers", new_1_short_title="Carers")
    )

    assert response.status_code == 200
    assert 'value="Carers"' in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deadline_1": "31/2/2030"}, "id_deadline_1", "Enter the deadline for Q1 as a real date"),
        ({"deadline_3": ""}, "id_deadline_3", "Enter the deadline for Q3"),
        ({"deadline_2": "1/7/2000"}, "id_deadline_2", "on or after the quarter ends"),
        ({"investment_FIRST": "lots"}, "id_investment_FIRST", "in pounds"),
        ({"investment_FIRST": ""}, "id_investment_FIRST", "Enter the planned investment for"),
        ({"investment_FIRST": "-5"}, "id_investment_FIRST", "cannot be negative"),
        ({"new_1_title": "Only a title"}, "id_new_1_title", "both a title and a short title"),
        ({"new_2_kind": "nonsense"}, "id_new_2_kind", "Select a valid choice"),
        ({"new_1_title": "x" * 1000}, "id_new_1_title", "at most"),
        ({"CARRY_ALL": None}, "id_CARRY_FIRST", "at least one"),
    ],
)
def test_bad_input_is_refused_with_a_linked_message_and_nothing_saved(
    client, programme_data, office_user, changes, field, message
):
    client.force_login(office_user)
    proposal = proposed()
    first_locality, first_objective = proposal.localities[0].id, proposal.objectives[0].id
    data = form_data(proposal, action="open")
    for name, value in changes.items():
        if name == "CARRY_ALL":
            for objective in proposal.objectives:
                data.pop(f"carry_{objective.id}")
            continue
        data[name.replace("FIRST", str(first_locality))] = value
    field = field.replace("CARRY_FIRST", f"carry_{first_objective}").replace(
        "FIRST", str(first_locality)
    )
    before = counts()

    response = client.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    assert f'href="#{field}"' in html
    assert message in html
    assert counts() == before


@pytest.mark.parametrize(
    "changes", [{"start_year": "soon"}, {"based_on": None}, {"start_year": None}]
)
def test_a_tampered_form_is_a_400_not_a_500(client, programme_data, office_user, changes):
    client.force_login(office_user)
    before = counts()

    response = client.post(URL, form_data(action="open", **changes))

    assert response.status_code == 400
    assert counts() == before


def test_a_year_opened_meanwhile_is_a_409_that_keeps_what_was_typed(
    client, programme_data, office_user
):
    client.force_login(office_user)
    proposal = proposed()
    data = form_data(
        proposal, action="open", new_1_title="Carers deep dive", new_1_short_title="Carers"
    )
    year_services.open_year(plan=full_plan(proposal), by=office_user, today=today())
    before = counts()

    response = client.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 409
    assert counts() == before
    assert f"{proposal.label} has been opened since this page was loaded" in html
    assert 'data-testid="open-year-conflict"' in html
    assert 'value="Carers deep dive"' in html


def test_a_stale_plan_is_a_409(client, programme_data, office_user):
    client.force_login(office_user)
    proposal = proposed()
    data = form_data(proposal, action="preview")
    Objective.objects.filter(pk=proposal.objectives[0].pk).update(title="Changed meanwhile")

    response = client.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 409
    assert "changed since this page was loaded" in html
    # The form now stands on the year as it is: sent again, it is previewed.
    now = proposed()
    assert f'name="based_on" value="{now.fingerprint}"' in html
    again = client.post(URL, {**data, "based_on": now.fingerprint})
    assert again.status_code == 200
    assert "Changed meanwhile" in again.content.decode()


def test_free_text_is_escaped_on_the_preview(client, programme_data, office_user):
    client.force_login(office_user)
    payload = '<script>alert("x")</script>'

    response = client.post(URL, form_data(new_1_title=payload, new_1_short_title=payload))

    html = response.content.decode()
    assert response.status_code == 200
    assert payload not in html
    assert "&lt;script&gt;" in html


def test_the_page_and_preview_take_a_fixed_number_of_queries(
    client, programme_data, office_user, django_assert_max_num_queries
):
    client.force_login(office_user)
    data = form_data()

    # Measured: 11 and 20 (the session, the user, the proposal, the checks), whatever
    # the number of objectives, localities and milestones offered.
    with django_assert_max_num_queries(11):
        client.get(URL)
    with django_assert_max_num_queries(20):
        client.post(URL, data)

    generate_scale_data(factor=10)
    data = form_data()
    with django_assert_max_num_queries(11):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.post(URL, data).status_code == 200
