"""The risk register in Django admin, as the programme office uses it.

The list (columns, filters, search, sorting, a pinned query count), the risk's
page (descriptors, computed scores, inlines, warnings, the refusal of a stale
edit), the actions and the accept/reject pages, who may reach any of it, and
the history each path leaves behind.
"""

import csv
import datetime
import io

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from localities import access
from localities.models import Locality
from risks import services
from risks.forms import RiskAdminForm
from risks.models import MitigatingAction, Risk, RiskReview, ScoreBand
from risks.scoring import band_for
from risks.selectors import open_risks_by_band
from tests import factories
from tests.helpers import assign_lead

TODAY = datetime.date(2019, 5, 1)
CHANGELIST = reverse("admin:risks_risk_changelist")


def change_url(risk):
    return reverse("admin:risks_risk_change", args=[risk.pk])


def step_url(step, risk):
    return reverse(f"admin:risks_risk_{step}", args=[risk.pk])


def history_url(risk):
    return reverse("admin:risks_risk_history", args=[risk.pk])


@pytest.fixture
def on_1_may_2019(time_machine):
    time_machine.move_to(datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.UTC), tick=False)


@pytest.fixture(scope="module")
def programme_data_once(django_db_setup, django_db_blocker):
    """The reference and illustrative fixtures, loaded once for this module.

    Loading them takes about two seconds; every test here runs inside this
    outer transaction (each in its own savepoint), which is rolled back after
    the module so that other modules start from an empty database.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "loaddata", "reference", "structure", "governance", "illustrative", verbosity=0
        )
        yield
        transaction.set_rollback(True)


@pytest.fixture
def programme(programme_data_once, db):
    """The real register (reference and illustrative fixtures)."""


@pytest.fixture
def register(programme, on_1_may_2019, client, admin_user):
    """The real register on 1 May 2019, as `admin`."""
    client.force_login(admin_user)
    return client


def risk(reference):
    return Risk.objects.get(reference=reference)


def proposed_risk():
    return Risk.objects.get(status=Risk.Status.PROPOSED)


def listed(response):
    return [row.reference for row in response.context["cl"].result_list]


def change_form_data(response) -> dict:
    """What the browser would post back from a change page, unchanged."""
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


# --- The list ----------------------------------------------------------------------------


def test_list_shows_the_register_columns(register):
    response = register.get(CHANGELIST)

    content = response.content.decode()
    rows = {row.reference: row for row in response.context["cl"].result_list}
    assert set(rows) >= {f"LC-R{n:02d}" for n in range(1, 14)}
    # LC-R03: workforce, programme-wide, objective 2, 16 (extreme), falling from 20.
    assert "Workforce availability and development" in content
    assert "Programme-wide" in content
    assert "STP Local Care Lead" in content
    assert '16 <strong class="risk-band risk-band-red">Extreme</strong>' in content
    assert '12 <strong class="risk-band risk-band-orange">High</strong>' in content
    assert '6 <strong class="risk-band risk-band-yellow">Moderate</strong>' in content
    assert "↓ Falling" in content
    assert "→ No change" in content
    assert '<strong class="risk-overdue">Overdue</strong>' in content
    assert "admin/risks.css" in content


def test_list_flags_overdue_reviews_only(register):
    response = register.get(CHANGELIST, {"overdue": "yes"})

    overdue = set(listed(response))
    # Monthly risks last reviewed on 12 March were due on 11 April; the
    # moderate ones (LC-R06, LC-R08) are not due until 10 June.
    assert "LC-R01" in overdue
    assert not {"LC-R06", "LC-R08"} & overdue
    assert set(listed(register.get(CHANGELIST, {"overdue": "no"}))) >= {"LC-R06", "LC-R08"}


def test_overdue_moves_with_the_date(programme, client, admin_user, time_machine):
    client.force_login(admin_user)
    time_machine.move_to(datetime.datetime(2019, 4, 11, 12, tzinfo=datetime.UTC), tick=False)
    assert listed(client.get(CHANGELIST, {"overdue": "yes"})) == []

    time_machine.move_to(datetime.datetime(2019, 4, 12, 12, tzinfo=datetime.UTC), tick=False)
    assert "LC-R01" in listed(client.get(CHANGELIST, {"overdue": "yes"}))


def test_band_filter_lists_each_band_from_the_data(register):
    extreme = ScoreBand.objects.get(name="Extreme")

    response = register.get(CHANGELIST, {"band": extreme.pk})

    assert sorted(listed(response)) == ["LC-R03", "LC-R04", "LC-R07", "LC-R10"]
    band_filter = next(f for f in response.context["cl"].filter_specs if f.title == "band")
    assert [title for _, title in band_filter.lookup_choices] == [
        "Low",
        "Moderate",
        "High",
        "Extreme",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category__id__exact": 3}, {"LC-R03", "LC-R09", "LC-R12", None}),  # workforce
        ({"locality__isnull": "True"}, {f"LC-R{n:02d}" for n in range(1, 9)}),
        ({"objective__id__exact": 4}, {"LC-R07", "LC-R13"}),
        ({"owner_role__exact": "STP Estates workstream lead"}, {"LC-R07"}),
        ({"status__exact": "proposed"}, {None}),
        ({"q": "voluntary sector"}, {"LC-R11"}),  # in the title
        ({"q": "redeployed"}, {None}),  # in the proposed risk's description
        ({"q": "LC-R05"}, {"LC-R05"}),
    ],
)
def test_filters_and_search(register, query, expected):
    assert set(listed(register.get(CHANGELIST, query))) == expected


def test_locality_filter(register):
    thanet = Locality.objects.get(slug="thanet")

    response = register.get(CHANGELIST, {"locality__id__exact": thanet.pk})

    assert set(listed(response)) == {"LC-R09", None}


def test_sorting_by_score_either_way(register):
    column = register.get(CHANGELIST).context["cl"].list_display.index("current_score_and_band")

    ascending = register.get(CHANGELIST, {"o": str(column), "status__exact": "open"})
    descending = register.get(CHANGELIST, {"o": f"-{column}", "status__exact": "open"})

    scores = [row.current_score for row in ascending.context["cl"].result_list]
    assert scores == sorted(scores)
    assert [row.current_score for row in descending.context["cl"].result_list] == sorted(
        scores, reverse=True
    )


def build_register(count, first=0):
    """`count` risks, each with its own category, locality, objective, reviews and an action."""
    year = factories.financial_year(2030 + first)
    sub = factories.sub_system()
    for i in range(first, first + count):
        place = factories.locality(f"Locality {i:02d}", sub)
        row = factories.open_risk(
            f"LC-Q{i:02d}",
            factories.risk_category(f"Category {i:02d}"),
            locality=place if i % 2 else None,
            objective=factories.objective(year, i + 1),
            owner_role=f"Owner {i:02d}",
            current_likelihood=i % 5 + 1,
            current_consequence=(i // 5) % 5 + 1,
            next_review_date=datetime.date(2019, 4, 1 + i % 20),
        )
        for day, likelihood in [(1, 3), (2, i % 5 + 1)]:
            RiskReview.objects.create(
                risk=row,
                reviewed_on=datetime.date(2019, 3, day),
                likelihood=likelihood,
                consequence=row.current_consequence,
            )
        MitigatingAction.objects.create(risk=row, description="Act.", due_date=TODAY)


# Session, user, one query per filter drawn from the data (category, locality,
# objective, owner), the score bands once (the band filter and every row share
# them), two counts and the page of rows, the trend coming with the rows as a
# subquery, and the user's groups for the header's links. Measured on SQLite.
RISK_CHANGELIST_QUERIES = 11


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_pinned(register, django_assert_num_queries, rows):
    fixture_rows = Risk.objects.count()
    build_register(rows)
    register.get(CHANGELIST)  # fill per-process caches (content types) first

    with django_assert_num_queries(RISK_CHANGELIST_QUERIES):
        response = register.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == fixture_rows + rows


# --- Band edits take effect everywhere ------------------------------------------------------


def test_band_edits_take_effect_everywhere(register, admin_user):
    """Move score 8 from High to Moderate through the admin; every reader follows."""
    high, moderate = ScoreBand.objects.get(name="High"), ScoreBand.objects.get(name="Moderate")
    scored_8 = risk("LC-R11")
    services.record_review(
        risk=scored_8, reviewed_on=TODAY, likelihood=2, consequence=4, note=".", by=admin_user
    )

    def edit(band, **changes):
        data = {
            "name": band.name,
            "min_score": band.min_score,
            "max_score": band.max_score,
            "colour": band.colour,
            "review_every_days": band.review_every_days,
            **changes,
        }
        return register.post(reverse("admin:risks_scoreband_change", args=[band.pk]), data)

    overlapping = edit(moderate, max_score=8)
    assert "overlap the High band (8–12)" in overlapping.content.decode()

    assert edit(high, min_score=9).status_code == 302
    assert edit(moderate, max_score=8).status_code == 302

    bands = list(ScoreBand.objects.all())
    assert band_for(8, bands).name == "Moderate"
    content = register.get(CHANGELIST).content.decode()
    assert '8 <strong class="risk-band risk-band-yellow">Moderate</strong>' in content
    assert "LC-R11" in listed(register.get(CHANGELIST, {"band": moderate.pk}))
    assert "LC-R11" not in listed(register.get(CHANGELIST, {"band": high.pk}))
    counts = {row.band.name: row.count for row in open_risks_by_band(TODAY)}
    assert counts["Moderate"] == 3  # LC-R06, LC-R08 and now LC-R11
    # The next review follows the new band's frequency (quarterly, was monthly).
    register.post(
        step_url("review", scored_8),
        {
            "reviewed_on": "2019-05-01",
            f"likelihood_{scored_8.pk}": "2",
            f"consequence_{scored_8.pk}": "4",
            f"note_{scored_8.pk}": "No change.",
            f"version_{scored_8.pk}": Risk.objects.get(pk=scored_8.pk).version,
            "apply": "yes",
        },
    )
    scored_8.refresh_from_db()
    assert scored_8.next_review_date == TODAY + datetime.timedelta(days=90)


# --- The risk's page ------------------------------------------------------------------------


def test_risk_page_groups_fields_and_shows_descriptors_scores_and_inlines(register):
    thanet_risk = risk("LC-R09")
    overdue_action = thanet_risk.actions.get(status="in_progress")
    overdue_action.due_date = datetime.date(2019, 4, 30)
    overdue_action.save()

    response = register.get(change_url(thanet_risk))

    content = response.content.decode()
    fieldsets = [fieldset.name for fieldset in response.context["adminform"]]
    assert fieldsets == ["The risk", "Scores (likelihood × consequence)", "Status and review"]
    assert "4 – Likely: will probably happen, but it is not a persisting issue" in content
    assert "5 – Catastrophic: programme objectives not met" in content
    # Computed, read-only: current 12 (high), target 6 (moderate), the trend.
    assert '12 <strong class="risk-band risk-band-orange">High</strong>' in content
    assert '6 <strong class="risk-band risk-band-yellow">Moderate</strong>' in content
    assert "New (one review)" in content
    # The overdue action is flagged; the completed one is not.
    assert content.count('<strong class="risk-overdue">Overdue</strong>') == 2  # action + review
    # Reviews are listed, read-only; status and current score change by workflow only.
    form = response.context["adminform"].form
    assert "current_likelihood" not in form.fields
    assert "status" not in form.fields
    assert "Scored at the Local Care Implementation Board." in content
    assert f'href="{step_url("review", thanet_risk)}"' in content
    assert f'href="{step_url("close", thanet_risk)}"' in content


def test_review_inline_is_read_only(register):
    response = register.get(change_url(risk("LC-R01")))

    reviews = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is RiskReview
    )
    assert not reviews.has_add_permission
    assert not reviews.has_change_permission
    assert reviews.formset.total_form_count() == 4


def edit_risk(client, target, **changes):
    loaded = client.get(change_url(target))
    data = change_form_data(loaded)
    data.update(changes)
    return client.post(change_url(target), data)


def test_an_edit_saves_through_the_service_with_history(register, admin_user):
    target = risk("LC-R05")

    response = edit_risk(register, target, title="Central funding for IT and the care record")

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.title == "Central funding for IT and the care record"
    assert target.version == 2
    latest = target.history.first()
    assert latest.history_user == admin_user


def test_history_page_shows_a_readable_diff(register):
    # As `load_programme_data` does: loaddata writes no history of its own.
    call_command("populate_history", "risks.Risk", verbosity=0, stdout=io.StringIO())
    target = risk("LC-R05")
    edit_risk(register, target, title="Central funding for IT", owner_role="STP Digital lead")
    register.post(
        step_url("review", target),
        {
            "reviewed_on": "2019-04-30",
            f"likelihood_{target.pk}": "3",
            f"consequence_{target.pk}": "3",
            f"note_{target.pk}": "Some funding found.",
            f"version_{target.pk}": Risk.objects.get(pk=target.pk).version,
            "apply": "yes",
        },
    )
    register.post(step_url("close", target), {"note": "Funding agreed.", "apply": "yes"})

    response = register.get(history_url(target))

    changes = [
        [(change["field"], change["old"], change["new"]) for change in record.history_delta_changes]
        for record in response.context["page_obj"]
        if hasattr(record, "history_delta_changes")
    ]
    closing, reviewing, editing = changes
    assert ("Title", "Central funding for IT infrastructure", "Central funding for IT") in editing
    assert ("Owner role", "Local Care Directors", "STP Digital lead") in editing
    # Choices by their label, empty values in words.
    assert ("Status", "Open", "Closed") in closing
    assert ("Closing note", "(empty)", "Funding agreed.") in closing
    assert ("Version", "3", "4") in closing
    assert ("Current likelihood", "4 – Likely", "3 – Possible") in reviewing
    assert ("Next review date", "11 Apr 2019", "30 May 2019") in reviewing  # 9 is high: monthly
    content = response.content.decode()
    assert "<strong>Title:</strong>" in content
    assert "Closed" in content  # the change reason of the workflow step


def test_old_versions_are_for_reading_not_reverting(register):
    target = risk("LC-R05")
    edit_risk(register, target, title="Central funding for IT")
    record = target.history.first()
    url = reverse("admin:risks_risk_simple_history", args=[target.pk, record.history_id])

    assert register.get(url).status_code == 200
    assert register.post(url, {"title": "Reverted"}).status_code == 403
    target.refresh_from_db()
    assert target.title == "Central funding for IT"


def test_target_worse_than_current_needs_save_anyway(register):
    target = risk("LC-R05")  # current 4 × 3 = 12

    refused = edit_risk(register, target, target_likelihood="5", target_consequence="4")

    assert refused.status_code == 400
    content = refused.content.decode()
    assert "The target score (20) is worse than the current score (12)" in content
    assert 'type="checkbox" name="save_anyway"' in content
    target.refresh_from_db()
    assert target.target_score == 6

    accepted = edit_risk(
        register, target, target_likelihood="5", target_consequence="4", save_anyway="on"
    )

    assert accepted.status_code == 302
    target.refresh_from_db()
    assert target.target_score == 20


def test_save_anyway_is_hidden_until_needed(register):
    content = register.get(change_url(risk("LC-R05"))).content.decode()

    assert 'type="hidden" name="save_anyway"' in content


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inherent_likelihood": "6"}, "Likelihood is scored from 1 (rare) to 5 (almost certain)."),
        (
            {"target_consequence": "0"},
            "Consequence is scored from 1 (negligible) to 5 (catastrophic).",
        ),
        ({"date_raised": "2019-05-02"}, "The date raised cannot be in the future."),
        (
            {"date_raised": "2018-08-01"},
            "The risk cannot be raised after its first review (17 Jul 2018).",
        ),
        (
            {"next_review_date": "2018-06-01"},
            "The next review cannot be before the risk was raised.",
        ),
    ],
)
def test_risk_page_validation_messages(register, changes, message):
    response = edit_risk(register, risk("LC-R01"), **changes)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert risk("LC-R01").version == 1


def test_a_closed_risk_needs_its_closing_note(register, admin_user):
    target = risk("LC-R08")
    services.close_risk(risk=target, note="Language agreed.", by=admin_user)

    response = edit_risk(register, target, closing_note="")

    assert response.status_code == 400
    assert "Say why the risk is closed." in response.content.decode()


def test_adding_an_open_risk_needs_a_reference_and_a_current_score(register):
    response = register.post(
        reverse("admin:risks_risk_add"),
        {
            "title": "Workforce",
            "category": 3,
            "status": "open",
            "date_raised": "2019-04-01",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
            "reviews-TOTAL_FORMS": "0",
            "reviews-INITIAL_FORMS": "0",
        },
    )

    content = response.content.decode()
    assert "An open risk needs a reference, such as LC-R14." in content
    assert "An open risk needs a current score" in content


# --- Optimistic locking ---------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_the_users_text_shown_back(register, client, office_user):
    target = risk("LC-R02")
    # Two people open the same risk.
    mine = change_form_data(register.get(change_url(target)))
    client.force_login(office_user)
    theirs = change_form_data(client.get(change_url(target)))

    theirs["title"] = "Their title"
    assert client.post(change_url(target), theirs).status_code == 302
    mine["title"] = "My carefully written title"
    mine["description"] = "My new description."
    refused = register.post(change_url(target), mine)

    assert refused.status_code == 409
    content = refused.content.decode()
    assert "Someone else saved this risk while you were editing it" in content
    assert 'value="My carefully written title"' in content
    assert "My new description." in content
    target.refresh_from_db()
    assert (target.title, target.version) == ("Their title", 2)

    # Having compared, saving the shown form again replaces their version on purpose.
    again = change_form_data(refused)
    assert again["loaded_version"] == "2"
    assert register.post(change_url(target), again).status_code == 302
    target.refresh_from_db()
    assert (target.title, target.version) == ("My carefully written title", 3)


def test_a_save_racing_past_the_form_check_is_still_refused(register, monkeypatch):
    """Another save landing between the form's check and the write: the service refuses."""
    target = risk("LC-R02")
    mine = change_form_data(register.get(change_url(target)))
    Risk.objects.filter(pk=target.pk).update(version=2, title="Theirs")
    monkeypatch.setattr(RiskAdminForm, "_refuse_stale_edit", lambda form: None)

    response = register.post(change_url(target), {**mine, "title": "Mine"}, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert any("Someone else saved this risk" in message for message in messages)
    target.refresh_from_db()
    assert (target.title, target.version) == ("Theirs", 2)


def test_a_review_recorded_meanwhile_makes_an_open_form_stale(register, admin_user):
    target = risk("LC-R02")
    mine = change_form_data(register.get(change_url(target)))
    services.record_review(
        risk=target, reviewed_on=TODAY, likelihood=3, consequence=3, note=".", by=admin_user
    )

    refused = register.post(change_url(target), {**mine, "title": "Mine"})

    assert "Someone else saved this risk" in refused.content.decode()


# --- Actions ----------------------------------------------------------------------------------


def run_action(client, action, risks, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [r.pk for r in risks], **data},
    )


def test_record_a_review_for_the_selected_risks(register, admin_user):
    first, second = risk("LC-R01"), risk("LC-R04")

    page = run_action(register, "record_review", [first, second])

    assert page.status_code == 200
    content = page.content.decode()
    assert "Record a review" in content
    assert "3 – Possible: may occur occasionally" in content
    assert "5 – Catastrophic: programme objectives not met" in content
    assert 'aria-label="Likelihood of LC-R01"' in content

    done = run_action(
        register,
        "record_review",
        [first, second],
        apply="yes",
        reviewed_on="2019-04-30",
        **{
            f"likelihood_{first.pk}": "4",
            f"consequence_{first.pk}": "4",
            f"note_{first.pk}": "Culture work stalled.",
            f"version_{first.pk}": first.version,
            f"likelihood_{second.pk}": "2",
            f"consequence_{second.pk}": "5",
            f"note_{second.pk}": "Investment case progressing.",
            f"version_{second.pk}": second.version,
        },
    )

    assert done.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.current_score_value == 16
    assert second.current_score_value == 10
    assert first.next_review_date == datetime.date(2019, 5, 30)
    review = first.reviews.order_by("-reviewed_on").first()
    assert (review.reviewer, review.note) == (admin_user, "Culture work stalled.")
    assert first.history.first().history_user == admin_user
    content = register.get(CHANGELIST).content.decode()
    assert "↑ Rising" in content


def test_a_review_before_the_raise_date_is_refused(register):
    thanet_risk = risk("LC-R09")  # raised 20 August 2018

    response = run_action(
        register,
        "record_review",
        [thanet_risk],
        apply="yes",
        reviewed_on="2018-08-01",
        **{
            f"likelihood_{thanet_risk.pk}": "4",
            f"consequence_{thanet_risk.pk}": "3",
            f"note_{thanet_risk.pk}": "Early.",
            f"version_{thanet_risk.pk}": thanet_risk.version,
        },
    )

    assert response.status_code == 400
    assert (
        "LC-R09: A review cannot be dated before the risk was raised (20 Aug 2018)."
        in response.content.decode()
    )
    assert thanet_risk.reviews.count() == 1


def test_a_review_needs_a_note_and_valid_scores(register):
    target = risk("LC-R01")

    response = run_action(
        register,
        "record_review",
        [target],
        apply="yes",
        reviewed_on="2019-04-30",
        **{f"likelihood_{target.pk}": "7", f"consequence_{target.pk}": "4"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Likelihood is scored from 1 (rare) to 5 (almost certain)." in content
    assert "Add a note: what the review found or decided." in content


def test_reviewing_leaves_risks_that_are_not_open(register):
    response = run_action(register, "record_review", [risk("LC-R01"), proposed_risk()])

    assert response.status_code == 200
    assert [r.reference for r in response.context["risks"]] == ["LC-R01"]
    messages = [str(m) for m in response.context["messages"]]
    assert any("Left alone, as not open" in m for m in messages)


def test_close_and_reopen_selected_risks_with_history(register, admin_user):
    targets = [risk("LC-R06"), risk("LC-R08")]

    asked = run_action(register, "close_selected", targets)
    assert "Closing note" in asked.content.decode()
    refused = run_action(register, "close_selected", targets, apply="yes", note="")
    assert "Say why the risk is closed." in refused.content.decode()
    assert not Risk.objects.filter(status=Risk.Status.CLOSED).exists()

    closed = run_action(
        register, "close_selected", targets, apply="yes", note="Business case process agreed."
    )

    assert closed.status_code == 302
    for target in targets:
        target.refresh_from_db()
        assert target.status == Risk.Status.CLOSED
        assert target.closing_note == "Business case process agreed."
        latest = target.history.first()
        assert (latest.history_user, latest.history_change_reason) == (admin_user, "Closed")

    reopened = run_action(
        register, "reopen_selected", targets, apply="yes", reason="Process not adopted."
    )

    assert reopened.status_code == 302
    for target in targets:
        target.refresh_from_db()
        assert (target.status, target.closing_note) == (Risk.Status.OPEN, "")
        latest = target.history.first()
        assert latest.history_user == admin_user
        assert latest.history_change_reason == "Reopened: Process not adopted."


def test_close_and_reopen_from_the_risk_page(register):
    target = risk("LC-R06")

    assert register.get(step_url("close", target)).status_code == 200
    register.post(step_url("close", target), {"note": "Done.", "apply": "yes"})
    target.refresh_from_db()
    assert target.status == Risk.Status.CLOSED
    page = register.get(change_url(target)).content.decode()
    assert f'href="{step_url("reopen", target)}"' in page

    register.post(step_url("reopen", target), {"reason": "Back.", "apply": "yes"})
    target.refresh_from_db()
    assert target.status == Risk.Status.OPEN


def test_export_selected_to_csv_neutralises_formulas(register):
    target = risk("LC-R01")
    Risk.objects.filter(pk=target.pk).update(title='=HYPERLINK("http://evil")')

    response = run_action(register, "export_csv", [target, risk("LC-R09")])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="localcare-risk-register-2019-05-01.csv"' in response["Content-Disposition"]
    # One UTF-8 byte-order mark, so that Excel reads the arrows in "Trend" as arrows.
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, first, second = rows
    assert header[:3] == ["Reference", "Title", "Description"]
    record = dict(zip(header, first, strict=True))
    assert record["Title"] == '\'=HYPERLINK("http://evil")'
    assert record["Current score"] == "12"
    assert record["Band"] == "High"
    assert record["Trend"] == "→ No change"
    assert record["Review overdue"] == "Overdue"
    assert record["Locality"] == "Programme-wide"
    assert dict(zip(header, second, strict=True))["Locality"] == "Thanet"


def test_export_selected_to_xlsx(register):
    response = run_action(register, "export_xlsx", [risk("LC-R03")])

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content.startswith(b"PK")  # no byte-order mark in a workbook
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Risk register"
    assert sheet.freeze_panes == "C2"
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Reference"] == "LC-R03"
    assert row["Current score"] == 16
    assert row["Band"] == "Extreme"
    assert row["Trend"] == "↓ Falling"
    assert row["Date raised"].date() == datetime.date(2018, 7, 1)
    assert sheet.cell(row=2, column=header.index("Date raised") + 1).number_format == "dd/mm/yyyy"


# --- Proposed risks: accept or reject ------------------------------------------------------------


def accept_data(**changes):
    return {
        "reference": "LC-R14",
        "owner_role": "Thanet locality Local Care lead",
        "inherent_likelihood": "4",
        "inherent_consequence": "4",
        "current_likelihood": "4",
        "current_consequence": "3",
        "target_likelihood": "2",
        "target_consequence": "3",
        **changes,
    }


def test_proposed_risk_page_offers_accept_and_reject(register):
    proposal = proposed_risk()

    content = register.get(change_url(proposal)).content.decode()

    assert f'href="{step_url("accept", proposal)}"' in content
    assert f'href="{step_url("reject", proposal)}"' in content
    assert f'href="{step_url("review", proposal)}"' not in content


def test_accepting_a_proposed_risk(register, admin_user):
    proposal = proposed_risk()

    page = register.get(step_url("accept", proposal))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Winter pressures pull community staff away from MDT working" in content
    assert 'value="LC-R14"' in content  # the next free reference, suggested
    assert "2 – Unlikely: not expected to happen, but it is possible" in content

    response = register.post(step_url("accept", proposal), accept_data())

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reference) == (Risk.Status.OPEN, "LC-R14")
    assert proposal.current_score_value == 12
    assert proposal.reviews.get().reviewed_on == TODAY
    latest = proposal.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "Accepted as LC-R14")


def test_accepting_needs_a_unique_reference_and_every_score(register):
    proposal = proposed_risk()

    response = register.post(
        step_url("accept", proposal), accept_data(reference="LC-R03", target_likelihood="")
    )

    content = response.content.decode()
    assert "LC-R03 is already another risk&#x27;s reference: choose another." in content
    assert "Score the likelihood from 1 to 5." in content
    assert proposed_risk().pk == proposal.pk


def test_accepting_with_a_worse_target_needs_save_anyway(register):
    proposal = proposed_risk()

    refused = register.post(
        step_url("accept", proposal), accept_data(target_likelihood="5", target_consequence="5")
    )

    content = refused.content.decode()
    assert "The target score (25) is worse than the current score (12)" in content
    assert 'type="checkbox" name="save_anyway"' in content
    assert proposed_risk().pk == proposal.pk

    accepted = register.post(
        step_url("accept", proposal),
        accept_data(target_likelihood="5", target_consequence="5", save_anyway="on"),
    )

    assert accepted.status_code == 302
    proposal.refresh_from_db()
    assert proposal.target_score == 25


def test_rejecting_a_proposed_risk_needs_a_reason(register, admin_user):
    proposal = proposed_risk()

    refused = register.post(step_url("reject", proposal), {"reason": ""})
    assert "Say why the proposed risk is rejected." in refused.content.decode()

    response = register.post(step_url("reject", proposal), {"reason": "Covered by LC-R03."})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.rejection_reason) == (
        Risk.Status.REJECTED,
        "Covered by LC-R03.",
    )
    latest = proposal.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "Rejected")


def test_an_open_risk_cannot_be_accepted(register):
    target = risk("LC-R01")

    response = register.post(step_url("accept", target), accept_data())

    assert response.status_code == 302
    assert response["Location"] == change_url(target)
    target.refresh_from_db()
    assert target.reference == "LC-R01"


# --- Who reaches the register --------------------------------------------------------------------


def test_programme_office_reaches_the_register(programme, client, office_user):
    client.force_login(office_user)

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(change_url(risk("LC-R01"))).status_code == 200
    index = client.get(reverse("admin:index"))
    assert "risks" in [app["app_label"] for app in index.context["app_list"]]


@pytest.fixture
def staff_board_member(db, django_user_model):
    user = django_user_model.objects.create_user(username="board-staff", is_staff=True)
    user.groups.add(Group.objects.get(name=access.BOARD_MEMBER))
    return user


def test_a_board_member_made_staff_is_refused_everywhere_in_the_register(
    programme, client, staff_board_member
):
    client.force_login(staff_board_member)
    target, proposal = risk("LC-R01"), proposed_risk()

    for url in [
        CHANGELIST,
        reverse("admin:risks_risk_add"),
        change_url(target),
        history_url(target),
        step_url("review", target),
        step_url("close", target),
        step_url("accept", proposal),
        step_url("reject", proposal),
        reverse("admin:risks_scoreband_changelist"),
        reverse("admin:risks_riskreview_changelist"),
        reverse("admin:risks_mitigatingaction_changelist"),
        reverse("admin:risks_riskcategory_changelist"),
    ]:
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            CHANGELIST,
            {
                "action": "close_selected",
                "_selected_action": [target.pk],
                "apply": "yes",
                "note": "x",
            },
        ).status_code
        == 403
    )
    index = client.get(reverse("admin:index"))
    assert "risks" not in [app["app_label"] for app in index.context["app_list"]]
    target.refresh_from_db()
    assert target.status == Risk.Status.OPEN


@pytest.fixture
def lead(programme, django_user_model):
    user = django_user_model.objects.create_user(username="lead-thanet")
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(user, "thanet")
    return user


@pytest.mark.parametrize("role", ["board_user", "lead"])
def test_board_members_and_leads_never_see_the_admin(programme, client, request, role):
    client.force_login(request.getfixturevalue(role))

    for url in [CHANGELIST, step_url("accept", proposed_risk())]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_only_a_superuser_deletes_from_the_register(programme, client, office_user):
    client.force_login(office_user)
    target = risk("LC-R01")

    assert client.get(reverse("admin:risks_risk_delete", args=[target.pk])).status_code == 403
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]
    assert {"record_review", "close_selected", "reopen_selected", "export_csv", "export_xlsx"} <= {
        name for name, _ in actions
    }


# --- Reviews added on their own admin page follow the same rules ------------------------------------


def test_adding_a_review_on_its_own_page_goes_through_the_service(register, admin_user):
    target = risk("LC-R02")

    response = register.post(
        reverse("admin:risks_riskreview_add"),
        {
            "risk": target.pk,
            "reviewed_on": "2019-04-30",
            "likelihood": "4",
            "consequence": "4",
            "note": "Language work slipped.",
            "reviewer_role": "STP Local Care Lead",
        },
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.current_score_value == 16
    assert target.history.first().history_user == admin_user
    refused = register.post(
        reverse("admin:risks_riskreview_add"),
        {
            "risk": target.pk,
            "reviewed_on": "2018-06-01",
            "likelihood": "4",
            "consequence": "4",
            "note": "Too early.",
        },
    )
    assert "A review cannot be dated before the risk was raised (1 Jul 2018)." in (
        refused.content.decode()
    )


def test_completing_an_action_on_its_admin_page_dates_it(register):
    action = MitigatingAction.objects.exclude(status=MitigatingAction.Status.COMPLETE).first()
    data = {
        "risk": action.risk_id,
        "description": action.description,
        "owner_role": action.owner_role,
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "status": MitigatingAction.Status.COMPLETE,
        "is_illustrative": "on" if action.is_illustrative else "",
    }
    url = reverse("admin:risks_mitigatingaction_change", args=[action.pk])

    response = register.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    action.refresh_from_db()
    assert action.completed_on == datetime.date(2019, 5, 1)
