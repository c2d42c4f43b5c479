"""Uploads: only the quarterly-update spreadsheet takes a file, and nothing reaches disk.

The spreadsheet upload's own limits are tested where it is built
(tests/localities/test_spreadsheet.py: size refused before reading, .xlsm and
non-workbooks refused, a zip bomb refused before inflating;
tests/localities/test_spreadsheet_views.py: 413 unread, memory only). These
tests cover the rest of the site and what a formula in an upload becomes.
"""

import io

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from localities import services, spreadsheet
from localities.models import QuarterlyUpdate
from tests.localities.update_data import q4_2018_19

PROJECT_APPS = ("localities", "risks", "dashboard", "accounts")
MEDWAY_Q4 = "/updates/medway/2018-19-q4/"


def test_no_model_stores_a_file():
    """So nothing people upload is ever kept as a file (media storage is unused)."""
    file_fields = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]

    assert file_fields == []


def test_django_never_spools_an_upload_to_a_temporary_file():
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"
    ]


@pytest.fixture
def no_temporary_files(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("An upload was written to a temporary file")

    monkeypatch.setattr("django.core.files.uploadhandler.TemporaryUploadedFile", refuse)


@pytest.mark.parametrize("size", [1_000, 3 * 1024 * 1024], ids=["small", "over 2.5 MB"])
def test_a_file_posted_to_any_other_page_is_ignored_in_memory(
    client, lead_medway, no_temporary_files, size
):
    client.force_login(lead_medway)
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter=q4_2018_19())

    response = client.post(
        MEDWAY_Q4 + "edit/summary/",
        {
            "version": update.version,
            "summary-summary": "Typed in the form.",
            "attachment": SimpleUploadedFile("big.bin", b"\0" * size),
        },
    )

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.summary == "Typed in the form."


def test_a_formula_in_an_uploaded_spreadsheet_is_never_evaluated_or_kept(client, lead_medway):
    """openpyxl reads the value Excel cached (data_only), never the formula: a workbook
    not saved by Excel has none, so the cell reads as empty."""
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter=q4_2018_19())
    suggestions = services.suggested_rags(update)
    for status in update.objective_statuses.all():
        if status.rag != suggestions[status.objective_id].rag:
            status.rag_reason = "The figures lag behind."
            status.save()
    client.force_login(lead_medway)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(MEDWAY_Q4 + "spreadsheet.xlsx").content)
    )
    workbook["Summary"]["A2"].value = '=HYPERLINK("http://evil.example","Click")&WEBSERVICE("x")'
    assert workbook["Summary"]["A2"].data_type == "f"
    content = io.BytesIO()
    workbook.save(content)

    response = client.post(
        MEDWAY_Q4 + "upload/",
        {
            "spreadsheet": SimpleUploadedFile(
                "update.xlsx", content.getvalue(), content_type=spreadsheet.CONTENT_TYPE
            )
        },
    )

    assert response.status_code == 302, response.context and response.context["problems"]
    update.refresh_from_db()
    assert update.summary == ""
