"""Every free-text field has a maximum length, enforced on the server and shown as a count.

The limits live in localities.models (TITLE_MAX_LENGTH … SUMMARY_MAX_LENGTH).
For each form people type into: the limit is accepted, one character more is
refused with a message naming the limit, and a megabyte is refused too; a
refusal is a 400 that saves nothing. The model refuses the same text, so a
path that skips the forms (admin, spreadsheet, code) cannot store it either.
"""

import io

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from localities.models import (
    COMMENTS_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from risks.models import Risk, RiskCategory
from tests.risks.test_admin_register import change_form_data
from tests.updates.test_spreadsheet import make_valid
from updates import spreadsheet
from updates.models import QuarterlyUpdate
from updates.views.common import find_update

pytestmark = pytest.mark.django_db

MEGABYTE = 1_000_000
MEDWAY_Q4 = "/updates/medway/2018-19-q4/"


def medway_update() -> QuarterlyUpdate:
    return find_update("medway", "2018-19-q4").update


def update_state(update: QuarterlyUpdate) -> tuple:
    update.refresh_from_db()
    return (
        update.version,
        update.summary,
        list(update.objective_statuses.values_list("narrative", "rag_reason")),
        list(update.milestone_updates.values_list("forecast_change_reason", flat=True)),
        list(update.raised_risks.values_list("title", "description")),
    )


# --- Every free-text field of the models has a limit ----------------------------------


def limited_fields():
    for model in apps.get_app_config("localities").get_models():
        yield from _text_fields(model)
    for model in apps.get_app_config("risks").get_models():
        yield from _text_fields(model)


def _text_fields(model):
    if model.__name__.startswith("Historical"):
        return
    for field in model._meta.get_fields():
        if isinstance(field, models.TextField):
            yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(limited_fields()))
def test_every_text_field_refuses_more_than_its_limit(field):
    limit = field.max_length
    assert limit, "a TextField without a limit"
    assert MaxLengthValidator(limit) in field.validators

    field.clean("x" * limit, None)
    with pytest.raises(ValidationError, match=f"at most {limit} characters"):
        field.clean("x" * (limit + 1), None)


# --- The lead's form, section by section ---------------------------------------------


def section_data(client, section: str) -> dict:
    """What the browser would post back from a section page, unchanged, made valid."""
    page = client.get(f"{MEDWAY_Q4}edit/{section}/")
    assert page.status_code == 200
    data = {"version": page.context["version"]}
    for form in page.context["section"].forms:
        for bound in form:
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
            # A RAG that differs from the suggestion, or a later forecast, needs a reason.
            if bound.name in ("rag_reason", "forecast_change_reason") and not value:
                data[bound.html_name] = "Because."
    return data


def first_prefix(client, section: str) -> str:
    page = client.get(f"{MEDWAY_Q4}edit/{section}/")
    return page.context["section"].forms[0].prefix


LEAD_FIELDS = [
    # section, field, limit, extra data for a valid row
    ("objectives", "narrative", NARRATIVE_MAX_LENGTH, {}),
    ("objectives", "rag_reason", REASON_MAX_LENGTH, {}),
    ("milestones", "forecast_change_reason", REASON_MAX_LENGTH, {}),
    ("risks", "title", TITLE_MAX_LENGTH, {"description": "Why it matters."}),
    ("risks", "description", NARRATIVE_MAX_LENGTH, {"title": "A new risk"}),
    ("summary", "summary", SUMMARY_MAX_LENGTH, {}),
]


@pytest.mark.parametrize(
    ("section", "name", "limit", "extra"),
    LEAD_FIELDS,
    ids=[f"{section}-{name}" for section, name, _, _ in LEAD_FIELDS],
)
def test_the_leads_form_takes_its_limit_and_refuses_more(
    client, lead_medway, section, name, limit, extra
):
    client.force_login(lead_medway)
    prefix = first_prefix(client, section)

    def post(text):
        data = section_data(client, section)
        if section == "risks":
            data[f"{prefix}-category"] = str(RiskCategory.objects.first().pk)
        data.update({f"{prefix}-{key}": value for key, value in extra.items()})
        data[f"{prefix}-{name}"] = text
        return client.post(f"{MEDWAY_Q4}edit/{section}/", data)

    for text in ("y" * (limit + 1), "y" * MEGABYTE):
        before = update_state(medway_update())
        refused = post(text)
        assert refused.status_code == 400
        assert f"{limit:,} characters or fewer" in refused.text
        assert update_state(medway_update()) == before

    accepted = post("y" * limit)
    assert accepted.status_code == 302
    assert any("y" * limit in str(value) for value in update_state(medway_update()))


def test_the_character_count_shows_each_fields_limit(client, lead_medway):
    client.force_login(lead_medway)

    summary = client.get(f"{MEDWAY_Q4}edit/summary/").text
    objectives = client.get(f"{MEDWAY_Q4}edit/objectives/").text

    assert (
        '<div class="nhsuk-form-group nhsuk-character-count" '
        'data-module="nhsuk-character-count" data-maxlength="10000">'
    ) in summary
    assert 'class="nhsuk-textarea nhsuk-js-character-count" id="id_summary-summary"' in summary
    assert 'aria-describedby="id_summary-summary-info id_summary-summary-hint"' in summary
    assert (
        '<div class="nhsuk-hint nhsuk-character-count__message" id="id_summary-summary-info">'
        "You can enter up to 10,000 characters</div>"
    ) in summary
    assert 'data-maxlength="5000"' in objectives
    assert 'data-maxlength="1000"' in objectives
    assert "You can enter up to 1,000 characters" in objectives
    # Numbers and choices are not counted.
    assert 'id="id_objective-1-percent_complete-info"' not in objectives


# --- The programme office's review page ------------------------------------------------


def test_return_comments_take_their_limit_and_refuse_more(client, office_user, programme_data):
    client.force_login(office_user)
    url = reverse("updates:return", kwargs={"locality": "thanet", "quarter": "2018-19-q4"})
    update = find_update("thanet", "2018-19-q4").update
    page = client.get(
        reverse("updates:review", kwargs={"locality": "thanet", "quarter": "2018-19-q4"})
    )
    assert f'data-maxlength="{COMMENTS_MAX_LENGTH}"' in page.text

    for text in ("z" * (COMMENTS_MAX_LENGTH + 1), "z" * MEGABYTE):
        refused = client.post(url, {"version": update.version, "return-comments": text})
        assert refused.status_code == 400
        assert "5,000 characters or fewer" in refused.text
        update.refresh_from_db()
        assert update.status == QuarterlyUpdate.Status.SUBMITTED

    accepted = client.post(
        url, {"version": update.version, "return-comments": "z" * COMMENTS_MAX_LENGTH}
    )
    assert accepted.status_code == 302
    update.refresh_from_db()
    assert update.review_comments == "z" * COMMENTS_MAX_LENGTH


# --- The register's admin pages ---------------------------------------------------------


def open_risk() -> Risk:
    return Risk.objects.filter(status=Risk.Status.OPEN).order_by("reference").first()


def review_post(risk, note):
    return {
        "reviewed_on": timezone.localdate().isoformat(),
        f"likelihood_{risk.pk}": "3",
        f"consequence_{risk.pk}": "3",
        f"note_{risk.pk}": note,
        f"version_{risk.pk}": Risk.objects.get(pk=risk.pk).version,
        "apply": "yes",
    }


def close_post(risk, note):
    return {"note": note, "apply": "yes"}


def reject_post(risk, reason):
    return {"reason": reason}


ADMIN_STEPS = [
    # step, which risk, data, limit, message
    ("review", Risk.Status.OPEN, review_post, "Keep the note to 2,000 characters or fewer"),
    ("close", Risk.Status.OPEN, close_post, "Keep the closing note to 2,000 characters or fewer"),
    ("reject", Risk.Status.PROPOSED, reject_post, "Keep the reason to 2,000 characters or fewer"),
]


def risk_state(risk):
    risk.refresh_from_db()
    return risk.version, risk.status, risk.reviews.count(), risk.closing_note, risk.rejection_reason


@pytest.mark.parametrize(
    ("step", "status", "data", "message"), ADMIN_STEPS, ids=[s[0] for s in ADMIN_STEPS]
)
def test_the_registers_forms_take_their_limit_and_refuse_more(
    client, office_user, programme_data, step, status, data, message
):
    client.force_login(office_user)
    risk = Risk.objects.filter(status=status).order_by("pk").first()
    url = reverse(f"admin:risks_risk_{step}", args=[risk.pk])

    for text in ("n" * (NOTE_MAX_LENGTH + 1), "n" * MEGABYTE):
        before = risk_state(risk)
        refused = client.post(url, data(risk, text))
        assert refused.status_code == 400
        assert message in refused.content.decode()
        assert risk_state(risk) == before

    accepted = client.post(url, data(risk, "n" * NOTE_MAX_LENGTH))
    assert accepted.status_code == 302
    assert "n" * NOTE_MAX_LENGTH in [
        *risk_state(risk),
        *risk.reviews.values_list("note", flat=True),
    ]


def test_the_risk_admin_page_refuses_a_long_description(client, office_user, programme_data):
    client.force_login(office_user)
    risk = open_risk()
    url = reverse("admin:risks_risk_change", args=[risk.pk])
    data = change_form_data(client.get(url))

    for text in ("d" * (NARRATIVE_MAX_LENGTH + 1), "d" * MEGABYTE):
        before = risk_state(risk), risk.description
        refused = client.post(url, {**data, "description": text})
        assert refused.status_code == 400
        assert "at most 5000 characters" in refused.content.decode()
        assert (risk_state(risk), risk.description) == before

    accepted = client.post(url, {**data, "description": "d" * NARRATIVE_MAX_LENGTH})
    assert accepted.status_code == 302
    risk.refresh_from_db()
    assert risk.description == "d" * NARRATIVE_MAX_LENGTH


# --- The spreadsheet --------------------------------------------------------------------


def test_a_too_long_spreadsheet_cell_is_a_problem_at_its_row_and_column(lead_medway):
    make_valid(medway_update())
    update = medway_update()
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.build_workbook(update)))
    workbook["Summary"]["A2"].value = "s" * (SUMMARY_MAX_LENGTH + 1)
    output = io.BytesIO()
    workbook.save(output)

    reading = spreadsheet.read_workbook(output.getvalue(), update=update)

    assert [(p.sheet, p.row, p.column, p.message) for p in reading.problems] == [
        (
            "Summary",
            2,
            "Summary of the quarter",
            "The summary must be 10,000 characters or fewer: shorten it, or attach detail "
            "to the locality plan.",
        )
    ]


def test_a_too_long_spreadsheet_cell_is_refused_and_nothing_saved(client, lead_medway):
    make_valid(medway_update())
    update = medway_update()
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.build_workbook(update)))
    workbook["Summary"]["A2"].value = "s" * (SUMMARY_MAX_LENGTH + 1)
    output = io.BytesIO()
    workbook.save(output)
    upload = SimpleUploadedFile(
        "update.xlsx", output.getvalue(), content_type=spreadsheet.CONTENT_TYPE
    )
    client.force_login(lead_medway)
    before = update_state(update)

    response = client.post(f"{MEDWAY_Q4}upload/", {"spreadsheet": upload})

    assert response.status_code == 400
    assert "10,000 characters or fewer" in response.text
    assert update_state(update) == before
