"""Carried forward, not re-typed (issue 16): a lead with nothing to change confirms
last quarter's values instead of re-saving them, and a save that changes nothing
changes nothing."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from localities.models import MDT, Locality, Milestone
from tests.helpers import assign_lead, visible_text
from tests.updates.update_data import q4_2018_19, save_complete_update
from updates import carry, services
from updates.models import MDTUpdate, QuarterlyUpdate, RaisedRisk

pytestmark = pytest.mark.django_db

MEDWAY_Q4 = "/updates/medway/2018-19-q4/"


@pytest.fixture
def medway(programme_data):
    return Locality.objects.get(slug="medway")


@pytest.fixture
def q4(programme_data):
    return q4_2018_19()


def medway_update():
    return QuarterlyUpdate.objects.get(
        locality__slug="medway", quarter__number=4, quarter__financial_year__start_year=2018
    )


def every_row(*, leave_out=()) -> dict:
    """Every row of every model of every app, field by field (history tables counted)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.label in leave_out or model._meta.app_label in ("sessions", "axes"):
            continue
        rows[model._meta.label] = {
            obj.pk: model_to_dict(obj, fields=[f.name for f in model._meta.concrete_fields])
            for obj in model._base_manager.all()
        }
    return rows


def form_values(section) -> dict:
    """What the section's form sends when the lead presses Save without typing anything."""
    data = {}
    for form in section.forms:
        for bound in form:
            value = bound.value()
            data[bound.html_name] = "" if value is None else bound.field.prepare_value(value)
    return data


# --- A save that changes nothing changes nothing ----------------------------------


def test_re_saving_unchanged_new_risks_writes_no_rows_and_no_history(medway, q4, lead_medway):
    update = medway_update()
    update = services.save_draft(
        locality=medway,
        quarter=q4,
        sections={"risks": [{"title": "Estates", "description": "", "category": _category()}]},
        expected_version=update.version,
        by=lead_medway,
    )
    before = (list(RaisedRisk.objects.values()), RaisedRisk.history.count())

    services.save_draft(
        locality=medway,
        quarter=q4,
        sections={"risks": [{"title": "Estates", "description": "", "category": _category()}]},
        expected_version=update.version,
        by=lead_medway,
    )

    assert (list(RaisedRisk.objects.values()), RaisedRisk.history.count()) == before
    assert medway_update().history.latest().history_change_reason == (
        "Saved draft: New risks or issues (0 changed)"
    )


def _category():
    from risks.models import RiskCategory

    return RiskCategory.objects.order_by("pk").first()


def test_approving_unchanged_reports_leaves_the_register_and_its_history_alone(
    medway, q4, lead_medway, office_user
):
    """Approval copies reports onto the MDTs and milestones: a report that says what the
    register already says is no change, and writes no history row."""
    update = medway_update()
    sections = {
        "mdts": [
            {
                "mdt": mdt,
                "status": mdt.status,
                "actual_go_live": mdt.actual_go_live,
                "population_covered": mdt.population_covered,
            }
            for mdt in MDT.objects.for_locality(medway)
        ]
    }
    services.save_draft(
        locality=medway,
        quarter=q4,
        sections=sections,
        expected_version=update.version,
        by=lead_medway,
    )
    update = save_complete_update(medway, q4, lead_medway)
    # Put the MDT reports back to the register's values (the complete data makes them all live).
    for report in MDTUpdate.objects.filter(update=update).select_related("mdt"):
        report.status = report.mdt.status
        report.actual_go_live = report.mdt.actual_go_live
        report.population_covered = report.mdt.population_covered
        report.save()
    update.objective_statuses.update(rag_reason="The register moved on since.")
    update = services.submit_update(update=update, expected_version=update.version, by=lead_medway)
    mdts_before = every_row()["localities.MDT"]
    mdt_history = MDT.history.count()

    services.approve_update(update=update, expected_version=update.version, by=office_user)

    assert every_row()["localities.MDT"] == mdts_before
    assert MDT.history.count() == mdt_history


def test_an_unchanged_re_save_of_the_mdt_section_leaves_every_field_the_same(
    client, medway, q4, lead_medway
):
    """Issue 16: re-saving the MDT section as shown once changed a count on the update
    (`mdts_planned` 6 → 7, gone since decision 0009). Now the first save of the form as
    shown only adds the reports (the values carried forward: the section counts as
    confirmed) and touches no other row; saving it again changes nothing at all."""
    client.force_login(lead_medway)
    section = client.get(MEDWAY_Q4 + "edit/mdts/").context["section"]
    data = form_values(section)
    registers = ("localities.MDT", "localities.HistoricalMDT", "localities.Milestone")
    before = every_row()

    response = client.post(MEDWAY_Q4 + "edit/mdts/", {"version": medway_update().version, **data})

    assert response.status_code == 302
    after = every_row()
    for label in registers:
        assert after[label] == before[label], label
    reports = MDTUpdate.objects.filter(update=medway_update())
    assert reports.count() == MDT.objects.for_locality(medway).count() == 7
    for report in reports.select_related("mdt"):
        assert (report.status, report.actual_go_live, report.population_covered) == (
            report.mdt.status,
            report.mdt.actual_go_live,
            report.mdt.population_covered,
        )
    after_update = model_to_dict(medway_update())
    page = client.get(MEDWAY_Q4)
    assert page.context["section_views"][2].standing.state == carry.CONFIRMED
    assert "Report on all MDTs" not in " ".join(
        p.message for p in services.submission_problems(medway_update())
    )

    version = medway_update().version
    client.post(MEDWAY_Q4 + "edit/mdts/", {"version": version, **data})

    # The save itself is in the update's history (who, when, "0 changed"); nothing else moved.
    bookkeeping = ("updates.QuarterlyUpdate", "updates.HistoricalQuarterlyUpdate")
    again = every_row(leave_out=bookkeeping)
    assert again == {label: rows for label, rows in after.items() if label not in bookkeeping}
    fields = model_to_dict(medway_update())
    assert {k: v for k, v in fields.items() if k != "version"} == {
        k: v for k, v in after_update.items() if k != "version"
    }
    latest = medway_update().history.latest()
    assert latest.history_change_reason == "Saved draft: MDTs (0 changed)"
    assert latest.history_user == lead_medway


# --- "No change since last quarter" ----------------------------------------------


def confirm(client, section, *, row=None, version=None, url=MEDWAY_Q4):
    update = QuarterlyUpdate.objects.filter(
        locality__slug=url.split("/")[2], quarter__in=[q4_2018_19()]
    ).first()
    if version is None:
        version = update.version if update and url == MEDWAY_Q4 else 0
    data = {"section": section, "version": version}
    if row is not None:
        data["row"] = row
    return client.post(url + "confirm/", data)


def problems_of(update):
    return [f"{p.section_heading}: {p.message}" for p in services.submission_problems(update)]


def test_confirming_milestones_and_mdts_counts_last_quarters_values_as_reported(
    client, medway, lead_medway
):
    assert "Milestones: Report on all milestones: 3 not yet saved." in problems_of(medway_update())
    assert "MDTs: Report on all MDTs: 7 not yet saved." in problems_of(medway_update())
    client.force_login(lead_medway)

    assert confirm(client, "milestones").status_code == 302
    response = confirm(client, "mdts")

    assert response.status_code == 302
    assert response["Location"] == MEDWAY_Q4  # the top, where the banner takes the focus
    update = medway_update()
    assert not [p for p in problems_of(update) if p.startswith(("Milestones", "MDTs"))]
    for report in update.milestone_updates.select_related("milestone"):
        milestone = report.milestone
        assert (report.status, report.forecast_date, report.actual_date) == (
            milestone.status,
            milestone.forecast_date,
            milestone.actual_date,
        )
        row_history = report.history.get()
        assert (row_history.history_user, row_history.history_change_reason) == (
            lead_medway,
            "No change since last quarter",
        )
    latest = update.history.latest()
    assert latest.history_user == lead_medway
    assert latest.history_change_reason == "No change since last quarter: MDTs (7 carried forward)"
    confirmation = update.confirmations.get(section="mdts")
    assert confirmation.confirmed_by == lead_medway
    assert confirmation.history.get().history_user == lead_medway
    page = client.get(MEDWAY_Q4)
    assert "MDTs: confirmed, no change since last quarter." in visible_text(page.text)


def test_the_update_page_says_changed_confirmed_or_to_do_for_each_section(
    client, medway, q4, lead_medway
):
    client.force_login(lead_medway)

    def states():
        page = client.get(MEDWAY_Q4)
        found = dict(re.findall(r'data-testid="section-state-([a-z]+)">([^<]+)<', page.text))
        assert set(found) == {slug for slug, _ in services.SECTIONS}
        return found

    first = states()
    assert (first["milestones"], first["mdts"], first["risks"]) == ("To do",) * 3
    confirm(client, "mdts")
    services.save_draft(
        locality=medway,
        quarter=q4,
        sections={"summary": {"summary": "Something new this quarter."}},
        expected_version=medway_update().version,
        by=lead_medway,
    )
    then = states()
    assert (then["mdts"], then["summary"], then["milestones"]) == (
        "Confirmed unchanged",
        "Changed",
        "To do",
    )
    page = client.get(MEDWAY_Q4).text
    # Each tag is words on an NHS tag; a row to do has its own button, named for its row.
    assert 'class="nhsuk-tag nhsuk-tag--green app-section-state"' in page
    assert (
        'No change since last quarter<span class="nhsuk-u-visually-hidden"> for Milestones' in page
    )


def test_one_row_at_a_time(client, medway, lead_medway):
    client.force_login(lead_medway)
    mdt = MDT.objects.for_locality(medway).order_by("name").first()

    response = confirm(client, "mdts", row=mdt.pk)

    assert response.status_code == 302
    update = medway_update()
    assert list(update.mdt_updates.values_list("mdt_id", flat=True)) == [mdt.pk]
    assert "MDTs: Report on all MDTs: 6 not yet saved." in problems_of(update)
    assert not update.confirmations.exists()  # the section is not done: six rows to go
    page = client.get(MEDWAY_Q4)
    standing = page.context["section_views"][2].standing
    assert (standing.state, standing.rows[mdt.pk]) == (carry.TO_DO, carry.CONFIRMED)


def test_every_section_at_once_carries_what_it_can_and_says_what_it_cannot(
    client, medway, lead_medway
):
    client.force_login(lead_medway)
    milestone = Milestone.objects.for_locality(medway).first()
    Milestone.objects.filter(pk=milestone.pk).update(
        status=Milestone.Status.NOT_REPORTED, actual_date=None
    )

    response = confirm(client, "all", version=medway_update().version)

    assert response.status_code == 302
    update = medway_update()
    assert problems_of(update) == ["Milestones: Report on all milestones: 1 not yet saved."]
    page = visible_text(client.get(MEDWAY_Q4).text)
    assert f"{milestone.title}: not reported before, so give its status." in page
    assert "Every section still to do is confirmed" in page


# --- Who may confirm, and bad input ---------------------------------------------------


def snapshot():
    return every_row(leave_out=("auth.User", "auth.Group"))


def test_only_the_localitys_own_lead_may_confirm(
    client, programme_data, lead_thanet, office_user, board_user
):
    before = snapshot()
    response = client.post(MEDWAY_Q4 + "confirm/", {"section": "mdts", "version": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    for user in (lead_thanet, office_user, board_user):
        client.force_login(user)
        response = confirm(client, "mdts")
        assert response.status_code == 403, user
    assert snapshot() == before


def test_confirm_takes_posts_only(client, lead_medway):
    client.force_login(lead_medway)
    assert client.get(MEDWAY_Q4 + "confirm/").status_code == 405


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"section": "nonsense"}, 400, "There is no such section of the update."),
        ({"section": ""}, 400, "There is no such section of the update."),
        ({"section": "mdts", "row": "999999"}, 400, "That row is not part of this section."),
        ({"section": "mdts", "row": "x"}, 400, "That row is not part of this section."),
        ({"section": "money", "row": "1"}, 400, "That row is not part of this section."),
        ({"section": "objectives"}, 400, "every section asked about is already answered"),
        ({"section": "mdts", "version": "0"}, 409, "Someone else saved this update"),
        ({"section": "mdts", "version": ""}, 400, "That row is not part of this section."),
    ],
)
def test_bad_confirmations_are_refused_with_a_message_and_save_nothing(
    client, lead_medway, data, status, message
):
    client.force_login(lead_medway)
    before = snapshot()
    data = {"version": medway_update().version, **data}

    response = client.post(MEDWAY_Q4 + "confirm/", data)

    assert response.status_code == status
    assert message in visible_text(response.text)
    assert "Nothing has been confirmed" in response.text
    assert snapshot() == before


def test_a_row_already_answered_is_refused(client, medway, lead_medway):
    client.force_login(lead_medway)
    mdt = MDT.objects.for_locality(medway).first()
    confirm(client, "mdts", row=mdt.pk)
    before = snapshot()

    response = confirm(client, "mdts", row=mdt.pk)

    assert response.status_code == 400
    assert "already answered" in response.text
    assert snapshot() == before


def test_a_locked_update_cannot_be_confirmed(client, lead_thanet):
    client.force_login(lead_thanet)
    before = snapshot()

    response = client.post("/updates/thanet/2018-19-q4/confirm/", {"section": "mdts", "version": 1})

    assert response.status_code == 409
    assert "This update was submitted" in visible_text(response.text)
    assert snapshot() == before


def test_an_unreported_milestone_cannot_be_carried_alone(client, medway, lead_medway):
    client.force_login(lead_medway)
    milestone = Milestone.objects.for_locality(medway).first()
    Milestone.objects.filter(pk=milestone.pk).update(
        status=Milestone.Status.NOT_REPORTED, actual_date=None
    )
    before = snapshot()

    response = confirm(client, "milestones", row=milestone.pk)

    assert response.status_code == 400
    assert "not reported before, so give its status" in response.text
    assert snapshot() == before


# --- A lead with nothing to change ------------------------------------------------------


def test_a_lead_with_nothing_to_change_submits_a_fresh_quarter_in_four_page_loads(
    client, programme_data, django_user_model
):
    """Ashford's 2018/19 Q4 is approved, so its 2019/20 Q1 return is not started.
    The page loads: the update page; "No change since last quarter in every section to
    do" (a POST and the update page again); Check and submit; Submit (a POST and the
    update page again)."""
    from django.contrib.auth.models import Group

    from localities import access

    lead = django_user_model.objects.create_user(username="lead-ashford")
    lead.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(lead, "ashford")
    client.force_login(lead)
    url = "/updates/ashford/2019-20-q1/"
    requests = []

    def get(path):
        response = client.get(path)
        requests.append(("GET", path, response.status_code))
        return response

    def post(path, data):
        response = client.post(path, data)
        requests.append(("POST", path, response.status_code))
        assert response.status_code == 302, visible_text(response.text)
        return get(response["Location"])

    page = get(url)
    assert "No change since last quarter in every section to do" in page.text
    page = post(url + "confirm/", {"section": "all", "version": 0})
    assert "Check and submit" in page.text
    check = get(url + "submit/")
    assert check.context["problems"] == []
    version = check.context["update"].version
    page = post(url + "submit/", {"version": version})

    update = QuarterlyUpdate.objects.get(
        locality__slug="ashford", quarter=check.context["target"].quarter
    )
    assert update.status == QuarterlyUpdate.Status.SUBMITTED
    page_loads = [r for r in requests if r[0] == "GET"]
    assert len(page_loads) == 4
    assert len(requests) == 6
    previous = carry.previous_approved(update.locality, update.quarter)
    assert update.spend_actual == previous.spend_actual
    assert update.maturity_scores.count() == previous.maturity_scores.count() == 8


# --- What can and cannot be carried forward ----------------------------------------------


def standings_of(update):
    from updates.forms import SectionContext

    context = SectionContext(locality=update.locality, quarter=update.quarter, update=update)
    return carry.standings(update=update, context=context)


def test_register_dates_after_the_quarter_cannot_be_carried_into_it(medway, q4):
    mdt = MDT.objects.for_locality(medway).get(name__startswith="Medway MDT 7")
    MDT.objects.filter(pk=mdt.pk).update(status=MDT.Status.LIVE, actual_go_live="2019-05-01")
    milestone = Milestone.objects.for_locality(medway).filter(status="complete").first()
    Milestone.objects.filter(pk=milestone.pk).update(actual_date="2019-05-01")

    standings = standings_of(medway_update())

    assert standings["mdts"].cannot_carry == {
        mdt.pk: f"{mdt.name}: went live after this quarter, so give its status then."
    }
    assert standings["milestones"].cannot_carry == {
        milestone.pk: f"{milestone.title}: completed after this quarter, so give its status then."
    }


def test_with_no_approved_return_before_there_is_nothing_to_carry_but_the_registers(
    medway, q4, lead_medway
):
    update = medway_update()
    QuarterlyUpdate.objects.filter(locality=medway).exclude(pk=update.pk).delete()
    QuarterlyUpdate.objects.filter(pk=update.pk).update(spend_planned=None, spend_actual=None)
    update.objective_statuses.all().delete()
    update.maturity_scores.all().delete()

    standings = standings_of(medway_update())

    assert standings["money"].cannot_carry == {
        0: "Money: no earlier approved spend to carry forward: fill it in."
    }
    assert not standings["money"].can_confirm
    assert standings["objectives"].state == carry.TO_DO
    assert (
        "Objective 1: no earlier approved answer"
        in standings["objectives"].cannot_carry[next(iter(standings["objectives"].cannot_carry))]
    )
    assert standings["maturity"].to_carry == {}
    with pytest.raises(ValidationError) as error:
        services.confirm_unchanged(
            locality=medway,
            quarter=q4,
            sections=["money"],
            expected_version=update.version,
            by=lead_medway,
        )
    assert error.value.messages == [
        "Money: no earlier approved spend to carry forward: fill it in."
    ]


def test_a_summary_is_to_do_confirmed_or_changed(medway, q4, lead_medway):
    previous = carry.previous_approved(medway, q4)

    def save_summary(text):
        services.save_draft(
            locality=medway,
            quarter=q4,
            sections={"summary": {"summary": text}},
            expected_version=medway_update().version,
            by=lead_medway,
        )
        return standings_of(medway_update())["summary"].state

    QuarterlyUpdate.objects.filter(pk=medway_update().pk).update(summary="")
    assert standings_of(medway_update())["summary"].state == carry.TO_DO
    services.confirm_unchanged(
        locality=medway,
        quarter=q4,
        sections=["summary"],
        expected_version=medway_update().version,
        by=lead_medway,
    )
    assert medway_update().summary == previous.summary
    assert standings_of(medway_update())["summary"].state == carry.CONFIRMED
    assert save_summary("Something else.") == carry.CHANGED
    assert save_summary("") == carry.CHANGED  # cleared on purpose, having confirmed it once
    assert save_summary(previous.summary) == carry.CONFIRMED


def test_saving_no_new_risks_confirms_the_section_once(medway, q4, lead_medway):
    def save_no_risks():
        services.save_draft(
            locality=medway,
            quarter=q4,
            sections={"risks": []},
            expected_version=medway_update().version,
            by=lead_medway,
        )

    save_no_risks()
    confirmation = medway_update().confirmations.get()
    save_no_risks()

    assert list(medway_update().confirmations.all()) == [confirmation]
    assert confirmation.history.count() == 1
    assert standings_of(medway_update())["risks"].state == carry.CONFIRMED


def test_an_objective_is_confirmed_on_its_own(client, programme_data, django_user_model):
    """Objectives are rows too: each has its own tag and "No change" button, and one
    carries forward that objective's last approved answer and no other."""
    from django.contrib.auth.models import Group

    from localities import access

    lead = django_user_model.objects.create_user(username="lead-ashford")
    lead.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(lead, "ashford")
    client.force_login(lead)
    url = "/updates/ashford/2019-20-q1/"
    page = client.get(url)
    objectives = page.context["section_views"][0]
    first = objectives.forms[0].subject
    assert objectives.forms[0].can_carry
    assert objectives.forms[0].row_state.state == carry.TO_DO
    assert page.text.count("No change since last quarter<span") >= 4 + 1  # a row each, and more

    response = client.post(
        url + "confirm/", {"section": "objectives", "row": first.pk, "version": 0}
    )

    assert response.status_code == 302
    update = QuarterlyUpdate.objects.get(
        locality__slug="ashford", quarter__financial_year__start_year=2019, quarter__number=1
    )
    assert list(update.objective_statuses.values_list("objective_id", flat=True)) == [first.pk]
    previous = carry.previous_approved(update.locality, update.quarter)
    before = previous.objective_statuses.get(objective=first)
    after = update.objective_statuses.get(objective=first)
    assert (after.rag, after.narrative) == (before.rag, before.narrative)
    assert after.history.latest().history_change_reason == "No change since last quarter"
    page = client.get(url)
    objectives = page.context["section_views"][0]
    assert objectives.forms[0].row_state.state == carry.CONFIRMED
    assert objectives.standing.state == carry.TO_DO  # the other objectives are still to do
