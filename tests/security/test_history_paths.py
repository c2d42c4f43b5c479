"""Nothing lost: every way programme data is written leaves a history row saying who and what.

One test per write path: the lead's section form, the spreadsheet import, the
workflow (submit, return, approve, reopen), the risk services, an admin edit
of each kind of reference data, the risks admin actions, and the management
commands that load or generate data. Each asserts the newest history row's
user, its reason where the path gives one, and which fields it changed.
"""

import datetime
import io

import openpyxl
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from localities import demo
from localities.management.commands import load_programme_data
from localities.models import MDT, LeadAssignment, Locality, Milestone
from localities.programme_data import read_reorganisations
from risks import services as risk_services
from risks.models import Risk
from tests.updates.update_data import q4_2018_19, save_complete_update
from tools import scale
from updates import services, spreadsheet
from updates.models import QuarterlyUpdate, ReturnComment

Q4 = "2018-19-q4"
ON_1_MAY_2019 = datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def in_may_2019(time_machine):
    """After the 2018/19 Q4 returns and the register's latest reviews."""
    time_machine.move_to(ON_1_MAY_2019, tick=False)


def update_url(name: str, locality: str) -> str:
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": Q4})


def q4(slug: str) -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.get(locality__slug=slug, quarter=q4_2018_19())


def fields_of(obj) -> dict:
    """The row as the database holds it now, field by field (taken before a change)."""
    saved = type(obj)._base_manager.get(pk=obj.pk)
    return {field.name: getattr(saved, field.attname) for field in obj._meta.concrete_fields}


def changed_fields(record, before: dict) -> set[str]:
    """The fields whose value in the history row `record` differs from `before`."""
    return {
        name
        for name, value in before.items()
        if getattr(record, record._meta.get_field(name).attname) != value
    }


def assert_recorded(obj, *, by, reason=None, changed=None, before=None, kind="~"):
    """The newest history row of `obj` says who (`by`), why (`reason`) and what (`changed`,
    against the row as it was `before`)."""
    latest = obj.history.order_by("-history_date", "-history_id").first()
    assert latest is not None, f"{obj!r} has no history"
    assert latest.history_user == by
    assert latest.history_type == kind
    if reason is not None:
        assert latest.history_change_reason == reason
    if changed is not None:
        assert changed_fields(latest, before) == set(changed)
    return latest


# --- Quarterly updates: forms, import, workflow ----------------------------------------


def explain_rag_overrides(update: QuarterlyUpdate) -> None:
    """The illustrative draft differs from some suggested RAGs without saying why: say why,
    so that the whole update is valid (as tests/updates/test_spreadsheet_views.py does)."""
    suggestions = services.suggested_rags(update)
    for status in update.objective_statuses.all():
        if status.rag != suggestions[status.objective_id].rag and not status.rag_reason:
            status.rag_reason = "The figures lag behind what is happening."
            status.save()


def test_saving_a_section_records_the_lead_and_the_section(client, lead_medway):
    client.force_login(lead_medway)
    before = fields_of(q4("medway"))

    response = client.post(
        update_url("detail", "medway") + "edit/summary/",
        {"version": before["version"], "summary-summary": "Recruitment caught up in March."},
    )

    assert response.status_code == 302
    assert_recorded(
        q4("medway"),
        by=lead_medway,
        reason="Saved draft: Summary (1 changed)",
        changed={"summary", "version"},
        before=before,
    )


def test_saving_a_sections_rows_records_each_row_with_the_lead(client, lead_medway):
    client.force_login(lead_medway)
    update = q4("medway")
    explain_rag_overrides(update)
    statuses = list(update.objective_statuses.select_related("objective"))
    first = statuses[0]
    before = fields_of(first)
    data = {"version": update.version}
    for status in statuses:
        prefix = f"objective-{status.objective.number}"
        data |= {
            f"{prefix}-rag": status.rag,
            f"{prefix}-narrative": status.narrative,
            f"{prefix}-percent_complete": status.percent_complete or "",
            f"{prefix}-rag_reason": status.rag_reason,
        }
    data[f"objective-{first.objective.number}-narrative"] = "Plans signed off by all partners."

    response = client.post(update_url("detail", "medway") + "edit/objectives/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    latest = assert_recorded(first, by=lead_medway, before=before)
    assert "narrative" in changed_fields(latest, before)
    assert latest.narrative == "Plans signed off by all partners."


def test_a_spreadsheet_import_records_the_lead_and_says_so(client, lead_medway):
    client.force_login(lead_medway)
    explain_rag_overrides(q4("medway"))
    before = fields_of(q4("medway"))
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(update_url("download", "medway")).content)
    )
    workbook["Summary"]["A2"].value = "Imported from the spreadsheet."
    content = io.BytesIO()
    workbook.save(content)

    response = client.post(
        update_url("upload", "medway"),
        {
            "spreadsheet": SimpleUploadedFile(
                "update.xlsx", content.getvalue(), content_type=spreadsheet.CONTENT_TYPE
            )
        },
    )

    assert response.status_code == 302, response.context and response.context["problems"]
    latest = assert_recorded(q4("medway"), by=lead_medway)
    assert latest.history_change_reason.startswith("Imported spreadsheet: Objectives, ")
    assert {"summary", "version"} <= changed_fields(latest, before)
    assert latest.summary == "Imported from the spreadsheet."


def test_submitting_records_the_lead(client, lead_medway):
    save_complete_update(Locality.objects.get(slug="medway"), q4_2018_19(), lead_medway)
    client.force_login(lead_medway)
    before = fields_of(q4("medway"))

    response = client.post(update_url("submit", "medway"), {"version": before["version"]})

    assert response.status_code == 302
    assert_recorded(
        q4("medway"),
        by=lead_medway,
        reason="Submitted",
        changed={"status", "submitted_at", "submitted_by", "version"},
        before=before,
    )


def test_returning_records_the_office_and_the_comments(client, office_user, programme_data):
    client.force_login(office_user)
    before = fields_of(q4("thanet"))

    response = client.post(
        update_url("return", "thanet"),
        {"version": before["version"], "return-comments": "Please check the spend."},
    )

    assert response.status_code == 302
    assert_recorded(
        q4("thanet"),
        by=office_user,
        reason="Returned: Please check the spend.",
        changed={"status", "review_comments", "reviewed_at", "reviewed_by", "version"},
        before=before,
    )


def test_comments_replies_and_their_closing_record_who_and_why(
    client, office_user, lead_thanet, programme_data
):
    client.force_login(office_user)
    client.post(update_url("comment", "thanet"), {"section": "money", "text": "Spend?"})
    comment = ReturnComment.objects.get()
    assert_recorded(comment, by=office_user, reason="Comment on Money", kind="+")

    client.force_login(lead_thanet)
    reply_url = reverse(
        "updates:reply", kwargs={"locality": "thanet", "quarter": Q4, "comment": comment.pk}
    )
    client.post(reply_url, {"text": "On plan."})
    assert_recorded(comment.replies.get(), by=lead_thanet, reason="Reply on Money", kind="+")

    client.force_login(office_user)
    before = fields_of(comment)
    client.post(update_url("approve", "thanet"), {"version": q4("thanet").version})
    record = assert_recorded(
        comment,
        by=office_user,
        changed={"state", "closed_at", "closed_by", "closed_by_decision"},
        before=before,
    )
    assert record.history_change_reason.startswith("Closed: Approved on ")


def test_approving_records_the_office_on_the_update_and_every_milestone_it_moves(
    client, office_user, lead_medway
):
    medway = save_complete_update(Locality.objects.get(slug="medway"), q4_2018_19(), lead_medway)
    medway = services.submit_update(update=medway, expected_version=medway.version, by=lead_medway)
    client.force_login(office_user)

    response = client.post(update_url("approve", "medway"), {"version": medway.version})

    assert response.status_code == 302
    assert_recorded(q4("medway"), by=office_user, reason="Approved")
    reason = f"Approved in the {medway} update"
    milestones = Milestone.objects.filter(reports__update=medway)
    mdts = MDT.objects.filter(reports__update=medway)
    assert milestones.exists()
    assert mdts.exists()
    for reported in [*milestones.filter(derived_from=""), *mdts]:
        assert_recorded(reported, by=office_user, reason=reason)
    # A milestone the data decide is re-derived from them, and says so (decision 0009).
    for derived in milestones.exclude(derived_from=""):
        assert_recorded(derived, by=office_user, reason=f"Derived on approving the {medway} update")


def test_reopening_records_the_office_and_the_reason(client, office_user, programme_data):
    client.force_login(office_user)
    before = fields_of(q4("ashford"))

    response = client.post(
        update_url("reopen", "ashford"),
        {"version": before["version"], "reopen-reason": "Spend figure wrong"},
    )

    assert response.status_code == 302
    assert_recorded(
        q4("ashford"),
        by=office_user,
        reason="Reopened to correct: Spend figure wrong",
        changed={"status", "review_comments", "reviewed_at", "reviewed_by", "version"},
        before=before,
    )


# --- The risk register: services --------------------------------------------------------


def open_risk() -> Risk:
    return Risk.objects.filter(status=Risk.Status.OPEN).order_by("reference").first()


def test_recording_a_review_records_who_and_the_score(programme_data, office_user, in_may_2019):
    risk = open_risk()
    before = fields_of(risk)

    review = risk_services.record_review(
        risk=risk,
        reviewed_on=datetime.date(2019, 4, 30),
        likelihood=1,
        consequence=2,
        note="Mitigations working.",
        by=office_user,
    )

    risk.refresh_from_db()
    latest = assert_recorded(risk, by=office_user, reason="Review of 30 Apr 2019 recorded: score 2")
    assert {"current_likelihood", "current_consequence", "version"} <= changed_fields(
        latest, before
    )
    assert_recorded(review, by=office_user, kind="+")


def test_accepting_a_proposal_records_who_and_the_reference(
    programme_data, office_user, in_may_2019
):
    proposal = Risk.objects.get(status=Risk.Status.PROPOSED)
    before = fields_of(proposal)

    risk_services.accept_proposed_risk(
        risk=proposal,
        reference="LC-R99",
        owner_role="Programme director",
        inherent=(4, 4),
        current=(3, 4),
        target=(2, 3),
        by=office_user,
    )

    proposal.refresh_from_db()
    latest = assert_recorded(proposal, by=office_user, reason="Accepted as LC-R99")
    assert {"status", "reference", "owner_role", "version"} <= changed_fields(latest, before)
    assert_recorded(proposal.reviews.get(), by=office_user, kind="+")


def test_rejecting_a_proposal_records_who_and_the_reason(programme_data, office_user):
    proposal = Risk.objects.get(status=Risk.Status.PROPOSED)
    before = fields_of(proposal)

    risk_services.reject_proposed_risk(
        risk=proposal, reason="A duplicate of LC-R03.", by=office_user
    )

    proposal.refresh_from_db()
    assert_recorded(
        proposal,
        by=office_user,
        reason="Rejected",
        changed={"status", "rejection_reason", "version"},
        before=before,
    )


def test_closing_and_reopening_record_who_and_why(programme_data, office_user):
    risk = open_risk()
    before = fields_of(risk)

    risk_services.close_risk(risk=risk, note="Funding agreed.", by=office_user)
    risk.refresh_from_db()
    assert_recorded(
        risk,
        by=office_user,
        reason="Closed",
        changed={"status", "closing_note", "closed_on", "version"},
        before=before,
    )

    before = fields_of(risk)
    risk_services.reopen_risk(risk=risk, reason="Funding withdrawn.", by=office_user)
    risk.refresh_from_db()
    assert_recorded(
        risk,
        by=office_user,
        reason="Reopened: Funding withdrawn.",
        changed={"status", "closing_note", "closed_on", "version"},
        before=before,
    )


def test_saving_a_risk_records_who_and_the_fields(programme_data, office_user):
    risk = open_risk()
    before = fields_of(risk)
    risk.title = "A clearer title"

    risk_services.save_risk(risk=risk, expected_version=risk.version, by=office_user)

    risk.refresh_from_db()
    assert_recorded(risk, by=office_user, changed={"title", "version"}, before=before)


# --- Django admin: edits and actions ----------------------------------------------------


def change_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field, forms.BooleanField):
                if value and not isinstance(field.widget, forms.HiddenInput):
                    data[bound.html_name] = "on"
                continue
            if value is None:
                value = ""
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[bound.html_name] = value if isinstance(value, list) else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def admin_edit(client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Milestone, "title", "Care record shared across the locality"),
        (MDT, "name", "Margate and Cliftonville"),
        (Locality, "registered_population", "150000"),
        (Risk, "title", "Central funding for IT and the care record"),
    ],
    ids=["milestone", "mdt", "locality", "risk"],
)
def test_an_admin_edit_records_who_and_the_field(
    client, programme_data, office_user, model, field, value
):
    obj = model.objects.order_by("pk").first()
    before = fields_of(obj)
    client.force_login(office_user)

    response = admin_edit(client, obj, **{field: value})

    assert response.status_code == 302, response.context and (
        response.context["adminform"].form.errors
    )
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == value
    expected = {field, "version"} if model is Risk else {field}
    assert_recorded(obj, by=office_user, changed=expected, before=before)


CHANGELIST = reverse("admin:risks_risk_changelist")


def run_action(client, action, risks, **data):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [r.pk for r in risks], **data}
    )


def test_the_admin_review_action_records_who(client, programme_data, office_user, in_may_2019):
    risk = open_risk()
    client.force_login(office_user)

    response = run_action(
        client,
        "record_review",
        [risk],
        apply="yes",
        reviewed_on="2019-04-30",
        **{
            f"likelihood_{risk.pk}": "4",
            f"consequence_{risk.pk}": "4",
            f"note_{risk.pk}": "Culture work stalled.",
            f"version_{risk.pk}": risk.version,
        },
    )

    assert response.status_code == 302
    risk.refresh_from_db()
    assert_recorded(risk, by=office_user, reason="Review of 30 Apr 2019 recorded: score 16")
    assert_recorded(risk.reviews.order_by("-pk").first(), by=office_user, kind="+")


def test_the_admin_close_and_reopen_actions_record_who_and_why(client, programme_data, office_user):
    risk = open_risk()
    client.force_login(office_user)

    run_action(client, "close_selected", [risk], apply="yes", note="Business case agreed.")
    risk.refresh_from_db()
    assert_recorded(risk, by=office_user, reason="Closed")
    assert risk.history.first().closing_note == "Business case agreed."

    run_action(client, "reopen_selected", [risk], apply="yes", reason="Not adopted.")
    risk.refresh_from_db()
    assert_recorded(risk, by=office_user, reason="Reopened: Not adopted.")


def test_exporting_from_admin_writes_nothing(client, programme_data, office_user):
    client.force_login(office_user)
    before = Risk.history.count()

    for action in ("export_csv", "export_xlsx"):
        assert run_action(client, action, Risk.objects.all()).status_code == 200

    assert Risk.history.count() == before


def test_an_admin_delete_records_who(client, programme_data, admin_user):
    """Deleting (superusers only) keeps the deleted risk in its history."""
    risk = Risk.objects.get(status=Risk.Status.PROPOSED)
    pk = risk.pk
    client.force_login(admin_user)

    response = run_action(client, "delete_selected", [risk], post="yes")

    assert response.status_code == 302
    assert not Risk.objects.filter(pk=pk).exists()
    deleted = Risk.history.filter(id=pk).order_by("-history_date").first()
    assert (deleted.history_type, deleted.history_user) == ("-", admin_user)


# --- Management commands ----------------------------------------------------------------


def test_load_programme_data_gives_every_row_a_history_row_naming_the_command(db):
    call_command("load_programme_data", verbosity=0)
    # The fixtures' reorganisations are recorded through the office's service, which
    # names the reorganisation (localities.programme_data).
    reasons = {load_programme_data.CHANGE_REASON} | {
        f"Reorganisation: {spec['title']}" for spec in read_reorganisations()
    }

    for model in (Locality, MDT, Milestone, QuarterlyUpdate, Risk):
        rows = model.objects.count()
        recorded = model.history.filter(history_change_reason__in=reasons).values("id")
        assert rows, model.__name__
        assert recorded.distinct().count() == rows, model.__name__
        assert model.history.exclude(history_change_reason__in=reasons).count() == 0, model.__name__


def test_generate_scale_data_gives_every_new_row_a_history_row_naming_the_command(
    programme_data,
):
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in (MDT, Risk)}

    call_command("generate_scale_data", factor=2, verbosity=0, stdout=io.StringIO())

    for model, existing in before.items():
        added = set(model.objects.values_list("pk", flat=True)) - existing
        assert added, model.__name__
        recorded = set(
            model.history.filter(
                id__in=added, history_change_reason=scale.CHANGE_REASON
            ).values_list("id", flat=True)
        )
        assert recorded == added, model.__name__


def test_creating_the_demo_accounts_records_the_new_leads(programme_data, settings):
    settings.DEBUG = True

    call_command("create_demo_accounts", verbosity=0, stdout=io.StringIO())
    call_command("create_demo_accounts", verbosity=0, stdout=io.StringIO())  # a reset

    created = LeadAssignment.history.filter(user__username="lead-thanet")
    assert [
        (row.history_type, row.locality.slug, row.history_change_reason) for row in created
    ] == [("+", "thanet", demo.DEMO_CHANGE_REASON)]
