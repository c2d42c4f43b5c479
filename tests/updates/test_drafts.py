"""Saving is never blocked (issue 16): a draft saves what is valid; what only submission
needs is listed at Check and submit, linked to its field; approval re-checks it all.

Medway's 2018/19 Q4 draft from the illustrative data, after the lead has reported every
MDT live (a valid save of the MDTs section): objective 2 is still Amber, but its figures
now suggest Complete, and no reason is given yet. A draft may hold that; saving an
objective the lead did touch used to be refused for it.
"""

import io
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from localities import access
from localities.models import Locality, Milestone
from tests.conftest import IN_CI
from tests.helpers import assign_lead, query_count
from tests.updates.update_data import complete_sections
from updates import services, spreadsheet
from updates.models import ObjectiveStatus, QuarterlyUpdate
from updates.views.common import find_update

pytestmark = pytest.mark.django_db

Q4 = "2018-19-q4"
MEDWAY_Q4 = "/updates/medway/2018-19-q4/"
SENTENCE = " The plan went to the March board."


def url(name, locality="medway", **kwargs):
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": Q4, **kwargs})


def medway_update() -> QuarterlyUpdate:
    return find_update("medway", Q4).update


def unexplained_overrides(update) -> list[int]:
    suggestions = services.suggested_rags(update)
    return sorted(
        status.objective.number
        for status in update.objective_statuses.select_related("objective")
        if status.rag != suggestions[status.objective_id].rag and not status.rag_reason.strip()
    )


def as_posted(section) -> dict:
    """The section's form exactly as the page shows it, as the browser would post it."""
    data = {}
    for form in section.forms:
        for bound in form:
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
    return data


def report_every_mdt_live(lead) -> None:
    update = medway_update()
    sections = complete_sections(update.locality, update.quarter)
    services.save_draft(
        locality=update.locality,
        quarter=update.quarter,
        sections={"mdts": sections["mdts"]},
        expected_version=update.version,
        by=lead,
    )


@pytest.fixture
def lead_client(client, lead_medway):
    report_every_mdt_live(lead_medway)
    client.force_login(lead_medway)
    return client


# --- 1. A draft saves what is valid -----------------------------------------------------


def test_the_medway_draft_holds_a_rag_override_with_no_reason(lead_client):
    # The premise of the tests below: the objectives say what they said before the MDTs.
    update = medway_update()
    assert unexplained_overrides(update) == [2]
    assert (
        services.suggested_rags(update)[
            update.objective_statuses.get(objective__number=2).objective_id
        ].rag
        == "complete"
    )


def test_adding_a_sentence_to_objective_1_saves_the_draft(lead_client):
    before = medway_update()
    page = lead_client.get(url("edit-section", section="objectives"))
    data = as_posted(page.context["section"])
    data["objective-1-narrative"] += SENTENCE

    response = lead_client.post(
        url("edit-section", section="objectives"), {"version": before.version, **data}
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    after = medway_update()
    assert after.version == before.version + 1
    status = after.objective_statuses.get(objective__number=1)
    assert status.narrative.endswith(SENTENCE)
    # The other objectives are as they were: their missing reasons wait for submission.
    assert unexplained_overrides(after) == [2]


def test_a_milestone_forecast_moved_later_saves_without_a_reason(lead_client):
    milestone = (
        Milestone.objects.for_locality(Locality.objects.get(slug="medway"))
        .exclude(status="complete")
        .first()
    )
    page = lead_client.get(url("edit-section", section="milestones"))
    data = as_posted(page.context["section"])
    data[f"milestone-{milestone.pk}-status"] = "in_progress"
    data[f"milestone-{milestone.pk}-forecast_date"] = "30/9/2019"

    response = lead_client.post(
        url("edit-section", section="milestones"), {"version": medway_update().version, **data}
    )

    assert response.status_code == 302
    report = medway_update().milestone_updates.get(milestone=milestone)
    assert (report.forecast_date.isoformat(), report.forecast_change_reason) == ("2019-09-30", "")
    problems = services.submission_problems(medway_update())
    assert [p.field for p in problems if p.section == "milestones"] == [
        f"id_milestone-{milestone.pk}-forecast_change_reason"
    ]


def test_a_milestone_not_reported_yet_may_stay_so_in_a_draft(lead_client):
    milestone = Milestone.objects.for_locality(Locality.objects.get(slug="medway")).first()
    Milestone.objects.filter(pk=milestone.pk).update(
        status=Milestone.Status.NOT_REPORTED, actual_date=None, forecast_date=None
    )
    page = lead_client.get(url("edit-section", section="milestones"))
    data = as_posted(page.context["section"])
    assert data[f"milestone-{milestone.pk}-status"] == ""

    response = lead_client.post(
        url("edit-section", section="milestones"), {"version": medway_update().version, **data}
    )

    assert response.status_code == 302
    assert not milestone.reports.filter(update__locality__slug="medway").exists()
    problems = services.submission_problems(medway_update())
    assert f"id_milestone-{milestone.pk}-status" in [p.field for p in problems]

    # A date typed for it without a status cannot be stored: that is refused.
    data[f"milestone-{milestone.pk}-forecast_date"] = "31/7/2019"
    response = lead_client.post(
        url("edit-section", section="milestones"), {"version": medway_update().version, **data}
    )
    assert response.status_code == 400
    assert [i for i, _ in response.context["errors"]] == [f"id_milestone-{milestone.pk}-status"]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("objective-1-percent_complete", "140", "Percent complete must be between 0 and 100."),
        ("objective-1-narrative", "x" * 5001, "The progress narrative must be"),
    ],
)
def test_genuinely_invalid_input_still_refuses_the_save_and_keeps_what_was_typed(
    lead_client, field, typed, message
):
    before = medway_update()
    statuses = list(before.objective_statuses.values_list("rag", "narrative", "rag_reason"))
    page = lead_client.get(url("edit-section", section="objectives"))
    data = as_posted(page.context["section"])
    data["objective-2-narrative"] += SENTENCE
    data[field] = typed

    response = lead_client.post(
        url("edit-section", section="objectives"), {"version": before.version, **data}
    )

    assert response.status_code == 400
    assert message in response.text
    assert [input_id for input_id, _ in response.context["errors"]] == [f"id_{field}"]
    # Nothing half-saved, and what was typed (the valid row too) is still in the form.
    after = medway_update()
    assert after.version == before.version
    assert list(after.objective_statuses.values_list("rag", "narrative", "rag_reason")) == statuses
    posted_back = as_posted(response.context["section"])
    assert posted_back["objective-2-narrative"].endswith(SENTENCE)
    assert posted_back[field] == typed


# --- 2. Check and submit lists what submission needs, each linked to its field ----------


def test_check_and_submit_links_each_problem_to_its_field(lead_client):
    response = lead_client.get(url("submit"))

    assert response.status_code == 200
    summary = re.search(
        r'<div class="nhsuk-error-summary".*?</ul>', response.text, flags=re.DOTALL
    ).group(0)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)
    overrides = [(href, text) for href, text in links if "say why you chose" in text]
    assert [href for href, _ in overrides] == [
        url("edit-section", section="objectives") + f"#id_objective-{n}-rag_reason" for n in (2,)
    ]
    # Every link names a field that exists on its section's page.
    pages = {}
    for href, text in links:
        path, _, field = href.partition("#")
        assert field, f"{text} links to no field"
        if path not in pages:
            pages[path] = lead_client.get(path).text
        assert f'id="{field}"' in pages[path], f"{text}: no #{field} on {path}"


def test_every_kind_of_problem_names_a_field_on_its_section_page(lead_client, lead_medway):
    # An update with nothing in it: every completeness rule has something to say.
    update = medway_update()
    ObjectiveStatus.objects.filter(update=update).delete()
    update.milestone_updates.all().delete()
    update.mdt_updates.all().delete()
    update.maturity_scores.all().delete()
    QuarterlyUpdate.objects.filter(pk=update.pk).update(spend_actual=None)

    problems = services.submission_problems(medway_update())

    assert {p.section for p in problems} >= {
        "objectives",
        "milestones",
        "mdts",
        "money",
        "maturity",
    }
    assert "outcomes" not in {p.section for p in problems}  # the extract's (decision 0019)
    for problem in problems:
        page = lead_client.get(url("edit-section", section=problem.section)).text
        assert problem.field, problem
        assert f'id="{problem.field}"' in page, problem


def test_the_submit_page_query_count_does_not_grow_with_problems(lead_client):
    few = query_count(lead_client, url("submit"))
    update = medway_update()
    update.objective_statuses.update(narrative="", rag_reason="")
    update.milestone_updates.update(forecast_change_reason="")
    many = query_count(lead_client, url("submit"))
    assert many <= few


def test_submitting_is_refused_until_the_reasons_are_given(lead_client):
    update = medway_update()
    response = lead_client.post(url("submit"), {"version": update.version})

    assert response.status_code == 400
    assert medway_update().status == QuarterlyUpdate.Status.DRAFT
    assert "say why you chose" in response.text


# --- 3. The spreadsheet: a download uploaded back is accepted ---------------------------


def upload(client, content: bytes):
    return client.post(
        url("upload"),
        {
            "spreadsheet": SimpleUploadedFile(
                "update.xlsx", content, content_type=spreadsheet.CONTENT_TYPE
            )
        },
    )


def test_an_unchanged_download_uploaded_back_is_accepted(lead_client):
    before = medway_update()
    content = lead_client.get(url("download")).content

    response = upload(lead_client, content)

    assert response.status_code == 302, response.context and response.context["problems"]
    assert medway_update().version == before.version + 1
    assert unexplained_overrides(medway_update()) == [2]


def require_soffice(*, which=shutil.which, in_ci: bool = IN_CI) -> None:
    """As the suite treats a missing Chromium: skip on a laptop, fail in CI."""
    if which("soffice") is None:
        message = "soffice is missing: apt-get install libreoffice-calc-nogui (make test-deps)"
        if in_ci:
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize(
    ("in_ci", "outcome"), [(True, pytest.fail.Exception), (False, pytest.skip.Exception)]
)
def test_without_libreoffice_the_test_fails_in_ci_and_skips_elsewhere(in_ci, outcome):
    with pytest.raises(outcome, match="libreoffice-calc-nogui"):
        require_soffice(which=lambda name: None, in_ci=in_ci)
    require_soffice(which=lambda name: f"/usr/bin/{name}", in_ci=in_ci)


def _soffice_resave(content: bytes, tmp_path) -> bytes:
    """The workbook opened and saved again by LibreOffice Calc, as a lead's own program would."""
    source = tmp_path / "download.xlsx"
    source.write_bytes(content)
    out = tmp_path / "resaved"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (out / "download.xlsx").read_bytes()


@pytest.fixture(scope="session")
def libreoffice_resaved(django_db_setup, django_db_blocker, programme_data_rows, tmp_path_factory):
    """Medway's download with one edit, re-saved by LibreOffice once per test session.

    Built from the same rows every test's programme_data holds (so the About
    sheet's version matches), then rolled back.
    """
    require_soffice()
    from django.core.management.color import no_style
    from django.db import connection

    with django_db_blocker.unblock(), transaction.atomic():
        for model, objects in programme_data_rows:
            model._base_manager.bulk_create(objects)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [model for model, _ in programme_data_rows]
            ):
                cursor.execute(statement)
        lead = get_user_model().objects.create_user(username="resave-lead")
        lead.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
        assign_lead(lead, "medway")
        report_every_mdt_live(lead)
        update = medway_update()
        workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.build_workbook(update)))
        transaction.set_rollback(True)
    objectives = workbook["Objectives"]
    headers = [c.value for c in objectives[1]]
    for row in objectives.iter_rows(min_row=2):
        if row[0].value == 1:
            narrative = row[headers.index("Progress this quarter")]
            narrative.value = (narrative.value or "") + SENTENCE
    edited = io.BytesIO()
    workbook.save(edited)
    resaved = _soffice_resave(edited.getvalue(), tmp_path_factory.mktemp("libreoffice"))
    assert resaved[:2] == b"PK"
    return resaved


def test_a_download_resaved_by_libreoffice_is_accepted_with_the_edit(
    lead_client, libreoffice_resaved
):
    before = medway_update()
    narratives = dict(before.objective_statuses.values_list("objective__number", "narrative"))

    response = upload(lead_client, libreoffice_resaved)

    assert response.status_code == 302, response.context and response.context["problems"]
    after = medway_update()
    assert after.version == before.version + 1
    saved = dict(after.objective_statuses.values_list("objective__number", "narrative"))
    assert saved[1] == narratives[1] + SENTENCE
    assert {n: saved[n] for n in (2, 3, 4)} == {n: narratives[n] for n in (2, 3, 4)}


# --- 4. Approval re-runs every submission check ------------------------------------------


def thanet_update() -> QuarterlyUpdate:
    return find_update("thanet", Q4).update


def test_approval_is_refused_when_the_submitted_update_fails_a_check(
    client, programme_data, office_user
):
    update = thanet_update()
    assert update.status == QuarterlyUpdate.Status.SUBMITTED
    # Edited in admin after submission: an objective's narrative emptied.
    update.objective_statuses.filter(objective__number=1).update(narrative="")
    client.force_login(office_user)

    response = client.post(url("approve", locality="thanet"), {"version": update.version})

    assert response.status_code == 400
    messages_ = [message for _, message in response.context["errors"]]
    assert "Objective 1: describe progress this quarter." in messages_
    assert "Objective 1: describe progress this quarter." in response.text
    after = thanet_update()
    assert (after.status, after.version) == (QuarterlyUpdate.Status.SUBMITTED, update.version)
    assert after.history.count() == update.history.count()


def test_the_review_page_says_before_approving_what_would_refuse_it(
    client, programme_data, office_user
):
    update = thanet_update()
    client.force_login(office_user)
    ready = client.get(url("review", locality="thanet"))
    assert ready.context["approval_problems"] == []
    assert 'data-testid="approval-problems"' not in ready.text

    update.objective_statuses.filter(objective__number=1).update(narrative="")
    response = client.get(url("review", locality="thanet"))

    assert response.status_code == 200
    assert [p.message for p in response.context["approval_problems"]] == [
        "Objective 1: describe progress this quarter."
    ]
    assert "Not ready to approve" in response.text
    assert "Objectives: Objective 1: describe progress this quarter." in response.text


def test_the_approve_service_refuses_an_update_that_fails_a_check(programme_data, office_user):
    update = thanet_update()
    update.objective_statuses.filter(objective__number=2).update(narrative=" ")

    with pytest.raises(services.ValidationError) as refused:
        services.approve_update(update=update, expected_version=update.version, by=office_user)

    assert "Objective 2: describe progress this quarter." in refused.value.messages
    assert thanet_update().status == QuarterlyUpdate.Status.SUBMITTED
