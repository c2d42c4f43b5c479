"""Downloading a quarterly update as a spreadsheet and uploading it back, through the views."""

import datetime
import io
import logging
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from localities import access
from localities.models import MDT, Milestone
from tests.helpers import assert_accessible, assign_lead, screenshot
from updates import services, spreadsheet
from updates.models import (
    MaturityScore,
    MDTUpdate,
    MilestoneUpdate,
    ObjectiveStatus,
    OutcomeFigure,
    QuarterlyUpdate,
    RaisedRisk,
)
from updates.views.common import find_update

Q4 = "2018-19-q4"
PAYLOAD = '<img src=x onerror=alert(1)><script>alert("x")</script>'
XLSX = spreadsheet.CONTENT_TYPE


def url(name, locality="medway", quarter=Q4):
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": quarter})


@pytest.fixture
def lead_of_medway(programme_data, django_user_model):
    user = django_user_model.objects.create_user(username="medway-lead", password="x")
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(user, "medway")
    return user


@pytest.fixture
def medway(lead_of_medway):
    """Medway's 2018/19 Q4 draft, with every RAG override explained so that it is valid."""
    update = find_update("medway", Q4).update
    suggestions = services.suggested_rags(update)
    for status in update.objective_statuses.all():
        if status.rag != suggestions[status.objective_id].rag and not status.rag_reason:
            status.rag_reason = "The figures lag behind what is happening."
            status.save()
    return find_update("medway", Q4).update


@pytest.fixture
def lead_client(client, lead_of_medway):
    client.force_login(lead_of_medway)
    return client


def snapshot(locality="medway", quarter=Q4):
    """Everything an upload could change for a locality, and the history that records it."""
    rows = {
        "update": list(QuarterlyUpdate.objects.filter(locality__slug=locality).values()),
        "history": QuarterlyUpdate.history.filter(locality__slug=locality).count(),
    }
    for model in (
        ObjectiveStatus,
        MilestoneUpdate,
        MDTUpdate,
        OutcomeFigure,
        MaturityScore,
        RaisedRisk,
    ):
        mine = {"update__locality__slug": locality}
        rows[model.__name__] = list(model.objects.filter(**mine).values().order_by("pk"))
        rows[model.__name__ + " history"] = model.history.filter(**mine).count()
    return rows


def downloaded(client, locality="medway", quarter=Q4):
    response = client.get(url("download", locality, quarter))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def to_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(
    client, content: bytes, *, name="update.xlsx", locality="medway", quarter=Q4, extra=None
):
    return client.post(
        url("upload", locality, quarter),
        {**(extra or {}), "spreadsheet": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def cell(worksheet, key, header):
    headers = [c.value for c in worksheet[1]]
    for row in worksheet.iter_rows(min_row=2):
        if row[0].value == key:
            return row[headers.index(header)]
    raise AssertionError(f"No row {key!r} on {worksheet.title}")


def problems_table(response) -> list[tuple]:
    return [(p.sheet, p.row, p.column) for p in response.context["problems"]]


# --- Who may download and upload ------------------------------------------------------


@pytest.fixture
def as_role(client, programme_data, board_user, office_user, lead_thanet, admin_user):
    users = {
        "board member": board_user,
        "programme office": office_user,
        "lead of another locality": lead_thanet,
        "superuser": admin_user,
    }

    def log_in(role):
        client.force_login(users[role])
        return client

    return log_in


REFUSED_ROLES = ["board member", "programme office", "lead of another locality", "superuser"]


@pytest.mark.parametrize("view", ["download", "upload"])
def test_anonymous_people_are_sent_to_log_in(client, programme_data, view):
    response = client.get(url(view))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", REFUSED_ROLES)
@pytest.mark.parametrize("view", ["download", "upload"])
def test_only_a_lead_of_the_locality_may_download_or_see_the_upload_page(
    as_role, role, view, caplog
):
    client = as_role(role)

    with caplog.at_level(logging.WARNING, logger="localcare.access"):
        response = client.get(url(view))

    assert response.status_code == 403
    assert "Refused editing this locality's update" in caplog.text
    assert response.get("Content-Type") != XLSX


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_a_lead_of_the_locality_may_upload(as_role, medway, role, caplog):
    content = spreadsheet.build_workbook(medway)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    workbook["Summary"]["A2"].value = "Changed by someone who may not"
    before = snapshot()
    client = as_role(role)

    with caplog.at_level(logging.WARNING, logger="localcare.access"):
        response = upload(client, to_bytes(workbook))

    assert response.status_code == 403
    assert "Refused editing this locality's update" in caplog.text
    assert snapshot() == before


@pytest.mark.parametrize("view", ["download", "upload"])
@pytest.mark.parametrize(
    ("locality", "quarter"), [("nowhere", Q4), ("medway", "2031-32-q1"), ("medway", "q5")]
)
def test_an_unknown_locality_or_quarter_is_not_found(lead_client, view, locality, quarter):
    assert lead_client.get(url(view, locality, quarter)).status_code == 404


def test_a_forged_locality_in_the_post_is_ignored(lead_client, medway):
    workbook = downloaded(lead_client)
    workbook["Summary"]["A2"].value = "Saved to Medway, whatever the form says"
    swale_before = snapshot("swale")

    response = upload(
        lead_client, to_bytes(workbook), extra={"locality": "swale", "locality_id": "7"}
    )

    assert response.status_code == 302
    assert find_update("medway", Q4).update.summary == "Saved to Medway, whatever the form says"
    assert snapshot("swale") == swale_before


def test_the_upload_checks_the_csrf_token(lead_of_medway, medway):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead_of_medway)
    content = spreadsheet.build_workbook(medway)

    refused = upload(client, content)

    assert refused.status_code == 403
    page = client.get(url("upload"))
    token = str(page.context["csrf_token"])
    accepted = upload(client, content, extra={"csrfmiddlewaretoken": token})
    assert accepted.status_code == 302


# --- Download ----------------------------------------------------------------------------


def test_the_lead_downloads_their_update_as_xlsx(lead_client, medway):
    response = lead_client.get(url("download"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="localcare-update-medway-2018-19-q4.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook["Summary"]["A2"].value == medway.summary


def test_a_lead_may_download_a_locked_update(client, lead_thanet):
    client.force_login(lead_thanet)

    response = client.get(url("download", "thanet"))

    assert response.status_code == 200
    about = openpyxl.load_workbook(io.BytesIO(response.content))["About"]
    assert ["Status when downloaded", "Submitted"] in [
        [c.value for c in row[:2]] for row in about.iter_rows()
    ]


# --- The upload page -----------------------------------------------------------------------


def test_the_upload_page_offers_the_download_and_a_file_input(lead_client, medway):
    response = lead_client.get(url("upload"))

    assert response.status_code == 200
    html = response.text
    assert "<title>Upload a spreadsheet – Medway 2018/19 Q4 update" in html
    assert f'href="{url("download")}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="nhsuk-label nhsuk-label--m" for="id_spreadsheet">' in html
    assert 'type="file"' in html
    assert "nhsuk-error-summary" not in html


def test_a_locked_update_has_no_upload_form_and_refuses_a_post(client, lead_thanet):
    client.force_login(lead_thanet)
    thanet = find_update("thanet", Q4).update
    content = spreadsheet.build_workbook(thanet)
    before = snapshot("thanet")

    page = client.get(url("upload", "thanet"))
    response = upload(client, content, locality="thanet")

    assert page.status_code == 200
    assert 'type="file"' not in page.text
    assert "submitted, so it is locked" in page.text
    assert response.status_code == 400
    assert response.text.count("submitted, so it is locked") == 2  # error summary and callout
    assert "<title>Error: " in response.text
    assert snapshot("thanet") == before


# --- Uploading -------------------------------------------------------------------------------


def test_an_unchanged_download_uploads_and_changes_nothing_but_the_version(lead_client, medway):
    content = lead_client.get(url("download")).content
    before = snapshot()

    response = upload(lead_client, content)

    assert response.status_code == 302
    assert response["Location"] == url("detail")
    update = QuarterlyUpdate.objects.get(pk=medway.pk)
    assert update.version == medway.version + 1
    assert (update.summary, update.spend_planned, update.spend_actual) == (
        medway.summary,
        medway.spend_planned,
        medway.spend_actual,
    )
    # What the lead entered is as it was (the update also records the RAG suggested now).
    entered = ("objective_id", "rag", "narrative", "percent_complete", "rag_reason")
    after = snapshot()
    assert [[row[k] for k in entered] for row in after["ObjectiveStatus"]] == [
        [row[k] for k in entered] for row in before["ObjectiveStatus"]
    ]
    for key in ("OutcomeFigure", "MaturityScore", "RaisedRisk"):
        assert after[key] == before[key], key
    # Milestone and MDT reports now hold what the sheet showed: the current values.
    assert {r["milestone_id"] for r in after["MilestoneUpdate"]} == set(
        Milestone.objects.filter(locality__slug="medway").values_list("pk", flat=True)
    )
    latest = update.history.latest("history_date")
    assert latest.history_change_reason.startswith("Imported spreadsheet: Objectives, Milestones")
    assert latest.history_user.username == "medway-lead"
    [message] = get_messages(response.wsgi_request)
    assert str(message) == (
        "Spreadsheet uploaded: the Medway 2018/19 Q4 update has been saved as a draft."
    )


def test_a_filled_in_spreadsheet_applies_everything_and_records_who(
    lead_client, lead_of_medway, medway
):
    workbook = downloaded(lead_client)
    objectives = workbook["Objectives"]
    cell(objectives, 1, "RAG status").value = "Red"
    cell(objectives, 1, "Progress this quarter").value = PAYLOAD
    cell(objectives, 1, "Why a different RAG from the suggested one?").value = "Plan rejected"
    milestone = Milestone.objects.filter(
        locality__slug="medway", status=Milestone.Status.IN_PROGRESS
    ).first()
    cell(workbook["Milestones"], milestone.pk, "Status").value = "Complete"
    cell(workbook["Milestones"], milestone.pk, "Forecast date").value = None
    cell(workbook["Milestones"], milestone.pk, "Actual date").value = datetime.datetime(2019, 3, 8)
    mdt = MDT.objects.filter(locality__slug="medway", status=MDT.Status.SHADOW).first()
    cell(workbook["MDTs"], mdt.pk, "Status").value = "Live"
    cell(workbook["MDTs"], mdt.pk, "Go-live date").value = "1/3/2019"
    cell(workbook["MDTs"], mdt.pk, "Population covered").value = 39000
    workbook["Money"]["A2"].value = 1_250_000.5
    workbook["Money"]["B2"].value = "£1,200,000"
    # An Outcomes sheet (as downloads had before decision 0019) is not read: outcome
    # figures come from the monthly extract, not the return.
    old_outcomes = workbook.create_sheet("Outcomes")
    old_outcomes.append(["Measure code", "Measure", "Unit", "Value this quarter"])
    old_outcomes.append(["bed-days", "Bed days", "", 39000.5])
    figures_before = list(medway.outcome_figures.values_list("measure_id", "value"))
    cell(workbook["Maturity"], 2, "Score (1 to 5)").value = 3
    workbook["New risks"]["A2"].value = "=GP recruitment"
    workbook["New risks"]["A2"].data_type = "s"
    workbook["New risks"]["B2"].value = "Two practices without partners"
    workbook["New risks"]["C2"].value = "Workforce"
    workbook["Summary"]["A2"].value = "A good quarter."

    response = upload(lead_client, to_bytes(workbook))

    assert response.status_code == 302, response.context and response.context["problems"]
    update = QuarterlyUpdate.objects.get(pk=medway.pk)
    status = update.objective_statuses.get(objective__number=1)
    assert (status.rag, status.narrative, status.rag_reason) == ("red", PAYLOAD, "Plan rejected")
    report = update.milestone_updates.get(milestone=milestone)
    assert (report.status, report.actual_date) == ("complete", datetime.date(2019, 3, 8))
    mdt_report = update.mdt_updates.get(mdt=mdt)
    assert (mdt_report.status, mdt_report.actual_go_live, mdt_report.population_covered) == (
        "live",
        datetime.date(2019, 3, 1),
        39000,
    )
    assert (update.spend_planned, update.spend_actual) == (
        Decimal("1250000.50"),
        Decimal("1200000"),
    )
    assert list(update.outcome_figures.values_list("measure_id", "value")) == figures_before
    assert update.maturity_scores.get(element__number=2).score == 3
    risk = update.raised_risks.get()
    assert (risk.title, risk.category.name) == ("=GP recruitment", "Workforce")
    assert update.summary == "A good quarter."
    assert update.version == medway.version + 1
    for model in (ObjectiveStatus, MilestoneUpdate, MDTUpdate, RaisedRisk):
        assert model.history.latest("history_date").history_user == lead_of_medway, model
    assert update.history.latest("history_date").history_user == lead_of_medway
    # The narrative is shown as text wherever the update page shows it.
    page = lead_client.get(url("detail"))
    assert "<img src=x" not in page.text
    assert "<script>alert" not in page.text


def test_one_bad_row_among_200_writes_nothing_and_says_where(lead_client, medway):
    for n in range(200):
        Milestone.objects.create(
            title=f"Neighbourhood step {n} (test)",
            locality=medway.locality,
            planned_start=datetime.date(2019, 4, 1),
            planned_end=datetime.date(2019, 6, 30),
        )
    workbook = downloaded(lead_client)
    sheet = workbook["Milestones"]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) >= 200
    headers = [c.value for c in sheet[1]]
    bad_row = None
    for row in rows:
        if not row[1].value.startswith("Neighbourhood step"):
            continue
        row[headers.index("Status")].value = "In progress"
        row[headers.index("Forecast date")].value = datetime.datetime(2019, 6, 15)
        if row[1].value == "Neighbourhood step 150 (test)":
            row[headers.index("Forecast date")].value = "the week after next"
            bad_row = row[0].row
    before = snapshot()

    response = upload(lead_client, to_bytes(workbook))

    assert response.status_code == 400
    assert problems_table(response) == [("Milestones", bad_row, "Forecast date")]
    assert snapshot() == before
    html = response.text
    assert "<title>Error: " in html
    assert '<a href="#problems">The spreadsheet has 1 problem: correct it' in html
    assert "Enter the forecast date as a real date, like 15/3/2019." in html
    assert f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{bad_row}</td>' in html


def test_a_formula_without_a_saved_value_writes_nothing_and_says_where(lead_client, medway):
    workbook = downloaded(lead_client)
    objectives = workbook["Objectives"]
    cell(objectives, 1, "Progress this quarter").value = "Typed, and valid."
    cell(objectives, 2, "Progress this quarter").value = "=E2"  # written by a script: no value
    before = snapshot()

    response = upload(lead_client, to_bytes(workbook))

    assert response.status_code == 400
    assert problems_table(response) == [("Objectives", 3, "Progress this quarter")]
    html = response.text
    assert '<a href="#problems">The spreadsheet has 1 problem: correct it' in html
    assert "This cell holds a formula with no saved value" in html
    assert snapshot() == before


def test_problems_show_what_was_typed_as_text(lead_client, medway):
    workbook = downloaded(lead_client)
    cell(workbook["Objectives"], 2, "RAG status").value = PAYLOAD
    before = snapshot()

    response = upload(lead_client, to_bytes(workbook))

    assert response.status_code == 400
    assert problems_table(response) == [("Objectives", 3, "RAG status")]
    assert "<img src=x" not in response.text
    assert "<script>alert" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "update.xlsx", "not an Excel spreadsheet"),
        (b"Objective,RAG status\n1,Green\n", "update.xlsx", "not an Excel spreadsheet"),
        (b"Hello", "update.txt", "not an Excel spreadsheet"),
        (b"", "update.xlsx", "The file you chose is empty"),
    ],
    ids=["pdf", "csv", "text", "empty"],
)
def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(
    lead_client, medway, content, name, message
):
    before = snapshot()

    response = upload(lead_client, content, name=name)

    assert response.status_code == 400
    assert message in response.text
    assert '<a href="#id_spreadsheet">' in response.text
    assert snapshot() == before


def test_a_post_without_a_file_asks_for_one(lead_client, medway):
    response = lead_client.post(url("upload"), {})

    assert response.status_code == 400
    assert "Choose the spreadsheet to upload." in response.text


def test_a_spreadsheet_for_another_locality_or_quarter_is_refused(lead_client, medway):
    swale = spreadsheet.build_workbook(find_update("swale", Q4).update)
    next_quarter = spreadsheet.build_workbook(find_update("medway", "2019-20-q1").update)
    before = snapshot()

    wrong_locality = upload(lead_client, swale)
    wrong_quarter = upload(lead_client, next_quarter)

    assert wrong_locality.status_code == 400
    assert "This spreadsheet is for Swale, not Medway." in wrong_locality.text
    assert wrong_quarter.status_code == 400
    assert "This spreadsheet is for 2019/20 Q1, not 2018/19 Q4." in wrong_quarter.text
    assert snapshot() == before


def test_an_oversized_file_is_refused_unread(lead_client, medway, settings):
    settings.UPDATE_UPLOAD_MAX_BYTES = 4000
    content = spreadsheet.build_workbook(medway)
    assert len(content) > 4000
    before = snapshot()

    response = upload(lead_client, content)

    assert response.status_code == 413
    assert "The file is larger than 3.9\xa0KB, so it was not read." in response.text
    assert snapshot() == before


def test_an_upload_is_kept_in_memory_never_in_a_temporary_file(
    lead_client, medway, settings, monkeypatch
):
    # With Django's default handlers a file above this size goes to a temporary file.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("The upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile", no_temporary_files)

    response = upload(lead_client, spreadsheet.build_workbook(medway))

    assert response.status_code == 302


def test_a_save_since_the_download_refuses_the_upload(lead_client, lead_of_medway, medway):
    workbook = downloaded(lead_client)
    workbook["Summary"]["A2"].value = "From the spreadsheet"
    services.save_draft(
        locality=medway.locality,
        quarter=medway.quarter,
        sections={"summary": {"summary": "Saved on the page meanwhile"}},
        expected_version=medway.version,
        by=lead_of_medway,
    )
    before = snapshot()

    response = upload(lead_client, to_bytes(workbook))

    assert response.status_code == 409
    assert "Someone saved this update after your spreadsheet was downloaded" in response.text
    assert snapshot() == before
    assert find_update("medway", Q4).update.summary == "Saved on the page meanwhile"


def test_a_not_started_update_is_started_by_an_upload(lead_client, lead_of_medway):
    content = lead_client.get(url("download", quarter="2019-20-q1")).content

    response = upload(lead_client, content, quarter="2019-20-q1")

    assert response.status_code == 302
    update = find_update("medway", "2019-20-q1").update
    assert update.pk is not None
    assert update.status == QuarterlyUpdate.Status.DRAFT
    assert update.history.earliest("history_date").history_user == lead_of_medway


# --- In a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_upload_page_and_its_problems_are_accessible(page, log_in, demo_site, tmp_path):
    content = spreadsheet.build_workbook(find_update("medway", Q4).update)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cell(workbook["Objectives"], 2, "RAG status").value = "Purple"
    cell(workbook["Objectives"], 3, "Percent complete (optional)").value = 150
    bad = tmp_path / "medway.xlsx"
    bad.write_bytes(to_bytes(workbook))

    log_in("lead-medway")
    page.goto(url("upload"))
    assert_accessible(page)
    screenshot(page, "update-upload")

    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and save as a draft").click()
    page.wait_for_load_state()

    assert page.title().startswith("Error: ")
    table = page.get_by_test_id("problems")
    assert "“Purple” is not in the list" in table.inner_text()
    assert "Percent complete must be between 0 and 100." in table.inner_text()
    assert_accessible(page)
    screenshot(page, "update-upload-problems")
    page.get_by_role("link", name="The spreadsheet has").click()
    assert page.evaluate("document.activeElement.id") in ("problems", "")
