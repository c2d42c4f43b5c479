"""Carried forward, not re-typed (issue 16): a lead with nothing to change confirms
last quarter's values instead of re-saving them, and a save that changes nothing
changes nothing."""

import pytest
from django.apps import apps
from django.forms.models import model_to_dict

from localities.models import MDT, Locality
from tests.updates.update_data import q4_2018_19, save_complete_update
from updates import services
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
