"""Django admin: every registered model's pages open, changelists stay at a
fixed number of queries, and only the right staff reach the pages.

The page tests are generated from the admin registry, so a model registered
later is covered as soon as `programme` holds one of it.
"""

import datetime
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from governance.models import Action, BoardReport, Decision, Meeting, PublishedPack
from localities import access
from localities.access import PROGRAMME_DATA_APPS
from localities.models import (
    MDT,
    Commissioner,
    CriticalArea,
    CriticalAreaAction,
    FinancialYear,
    GovernanceBody,
    GovernanceBodyRole,
    InfrastructureTier,
    InvestmentCommitment,
    LeadAssignment,
    Locality,
    Milestone,
    MonthlyOutcome,
    OutcomeBaseline,
    OutcomeChangePoint,
    OutcomeExtract,
    OutcomeTrajectory,
    OutcomeUnitCost,
    PartnerOrganisation,
    PlannedInvestment,
    PrimaryCareNetwork,
    ProgrammeFigure,
    Quarter,
    Rag,
    Reorganisation,
    SavingsRamp,
    Succession,
)
from risks.models import MitigatingAction, Risk, RiskReview, ScoreBand
from risks.scoring import band_for
from tests import factories
from tests.helpers import programme_models
from updates.models import (
    MaturityScore,
    MDTUpdate,
    MilestoneUpdate,
    ObjectiveStatus,
    OutboxMessage,
    OutcomeFigure,
    QuarterlyUpdate,
    RaisedRisk,
    ReturnComment,
    SectionConfirmation,
    TypedSection,
)

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)
MODEL_IDS = [model._meta.label_lower for model in REGISTERED]
PROGRAMME_APPS = PROGRAMME_DATA_APPS


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def score_bands():
    """The usual NHS banding of the 5 × 5 matrix."""
    for name, low, high, colour, days in [
        ("Low", 1, 3, ScoreBand.Colour.GREEN, 180),
        ("Moderate", 4, 6, ScoreBand.Colour.YELLOW, 90),
        ("High", 8, 12, ScoreBand.Colour.ORANGE, 30),
        ("Extreme", 15, 25, ScoreBand.Colour.RED, 14),
    ]:
        ScoreBand.objects.create(
            name=name, min_score=low, max_score=high, colour=colour, review_every_days=days
        )


@pytest.fixture
def programme(db, admin_user):
    """One object of every model in the programme apps, linked as real data would be."""
    east_kent = factories.sub_system("East Kent")
    thanet = factories.locality("Thanet", east_kent)
    LeadAssignment.objects.create(
        user=admin_user, locality=thanet, in_force_until=datetime.date(2020, 3, 31)
    )
    partner = PartnerOrganisation.objects.create(
        name="Kent Community Health NHS Foundation Trust",
        kind=PartnerOrganisation.Kind.COMMUNITY_TRUST,
    )
    partner.localities.add(thanet)
    lcib = GovernanceBody.objects.create(
        name="Local Care Implementation Board", short_name="LCIB", purpose="Oversees delivery."
    )
    GovernanceBodyRole.objects.create(body=lcib, role="Oversees the implementation.")
    InfrastructureTier.objects.create(
        tier=MDT.Tier.TIER_1, name="Tier 1", population_served="20 – 60k", source="A paper"
    )
    mdt = MDT.objects.create(
        locality=thanet,
        name="Margate",
        status=MDT.Status.LIVE,
        population_covered=42_000,
        actual_go_live=datetime.date(2018, 9, 1),
    )
    mdt.partners.add(partner)
    ccg = Commissioner.objects.create(
        name="NHS Thanet CCG", kind=Commissioner.Kind.CCG, in_force_until=datetime.date(2020, 3, 31)
    )
    ccg.localities.add(thanet)
    merged = Commissioner.objects.create(
        name="NHS Kent and Medway CCG",
        kind=Commissioner.Kind.CCG,
        in_force_from=datetime.date(2020, 4, 1),
    )
    merged.localities.add(thanet)
    pcn = PrimaryCareNetwork.objects.create(
        name="Thanet PCN A", locality=thanet, in_force_from=datetime.date(2019, 7, 1)
    )
    pcn.mdts.add(mdt)
    merger = Reorganisation.objects.create(
        effective_date=datetime.date(2020, 4, 1), title="The eight CCGs merge"
    )
    Succession.objects.create(
        reorganisation=merger,
        kind=Succession.Kind.MERGED_INTO,
        predecessor_commissioner=ccg,
        successor_commissioner=merged,
    )

    year = factories.financial_year(2018)
    q2 = factories.quarter(year, 2)
    objective = factories.objective(year, 2)
    workforce = CriticalArea.objects.create(number=4, name="Workforce")
    CriticalAreaAction.objects.create(
        critical_area=workforce, title="Workforce workshop", owner_role="STP workforce lead"
    )
    Milestone.objects.create(
        title="Deep dives with all localities",
        workstream="Local Care",
        objective=objective,
        planned_start=datetime.date(2018, 8, 1),
        planned_end=datetime.date(2018, 9, 30),
        forecast_date=datetime.date(2018, 12, 11),
        status=Milestone.Status.IN_PROGRESS,
    )
    element = factories.care_model_element(6)
    measure = factories.outcome_measure("ae-attendances")
    OutcomeBaseline.objects.create(
        locality=thanet,
        measure=measure,
        baseline_period="2017/18 average",
        quarterly_value=Decimal("9000.0"),
        is_illustrative=True,
    )
    PlannedInvestment.objects.create(
        locality=thanet, financial_year=year, amount=Decimal("4000000"), is_illustrative=True
    )
    extract = OutcomeExtract.objects.create(
        loaded_at=timezone.now(),
        loaded_by=admin_user,
        file_name="activity-2018-04.csv",
        source="Data warehouse",
        first_month=datetime.date(2018, 4, 1),
        last_month=datetime.date(2018, 4, 1),
        rows=1,
    )
    MonthlyOutcome.objects.create(
        locality=thanet,
        measure=measure,
        month=datetime.date(2018, 4, 1),
        value=3000,
        extract=extract,
    )
    OutcomeChangePoint.objects.create(
        locality=thanet,
        measure=measure,
        month=datetime.date(2018, 10, 1),
        reason="MDTs live across Thanet.",
        recorded_by=admin_user,
    )
    SavingsRamp.objects.create(start_year=2018, share_percent=Decimal("10"), is_illustrative=True)
    OutcomeTrajectory.objects.create(
        locality=thanet, measure=measure, steady_state_reduction_percent=Decimal("17.5")
    )
    OutcomeUnitCost.objects.create(measure=measure, pounds=Decimal("148"), is_illustrative=True)
    InvestmentCommitment.objects.create(
        kind=InvestmentCommitment.Kind.CAPITAL,
        locality=thanet,
        title="Hub design",
        amount=Decimal("2400000"),
        committed_on=datetime.date(2018, 9, 28),
    )
    ProgrammeFigure.objects.create(
        code="actively-invested",
        label="Being actively invested in Local Care",
        group="Investment",
        value=Decimal("32000000"),
        as_at="Undated minutes; after 11 December 2018",
    )
    update = factories.quarterly_update(
        thanet,
        q2,
        status=QuarterlyUpdate.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=admin_user,
        is_illustrative=True,
    )
    ObjectiveStatus.objects.create(
        update=update, objective=objective, rag=Rag.AMBER, percent_complete=60
    )
    OutcomeFigure.objects.create(update=update, measure=measure, value=Decimal("8700.0"))
    MaturityScore.objects.create(update=update, element=element, score=3)

    score_bands()
    risk = factories.open_risk(
        "LC-R04",
        factories.risk_category("Financial"),
        objective=objective,
        current_likelihood=3,
        current_consequence=4,
        scores_are_illustrative=True,
    )
    MitigatingAction.objects.create(risk=risk, description="Agree the investment plan.")
    milestone = Milestone.objects.create(title="Thanet plan refreshed", locality=thanet)
    MilestoneUpdate.objects.create(
        update=update, milestone=milestone, status=Milestone.Status.IN_PROGRESS
    )
    MDTUpdate.objects.create(
        update=update, mdt=mdt, status=MDT.Status.LIVE, actual_go_live=datetime.date(2018, 9, 1)
    )
    RaisedRisk.objects.create(update=update, title="Estates", category=risk.category)
    ReturnComment.objects.create(
        update=update, section="money", author=admin_user, text="Spend?", created=timezone.now()
    )
    OutboxMessage.objects.create(
        key=f"submitted:update-{update.pk}:v1:user-{admin_user.pk}",
        kind=OutboxMessage.Kind.SUBMITTED,
        locality=thanet,
        quarter=q2,
        update=update,
        recipient=admin_user,
        to_address="office@example.nhs.uk",
        subject="Thanet 2018/19 Q2 update: submitted for review",
        body="Dear Office,",
    )
    SectionConfirmation.objects.create(
        update=update, section="summary", confirmed_by=admin_user, confirmed_at=timezone.now()
    )
    TypedSection.objects.create(
        user=admin_user,
        locality=thanet,
        quarter=q2,
        section="summary",
        data={"summary-summary": ["Half typed"]},
        kept_at=timezone.now(),
    )
    body = GovernanceBody.objects.get(short_name="LCIB")
    meeting = Meeting.objects.create(body=body, held_on=datetime.date(2018, 10, 9))
    decision = Decision.objects.create(
        meeting=meeting, reference="11.1.1", kind=Decision.Kind.NOTED, text="noted", paper="A"
    )
    Action.objects.create(
        meeting=meeting,
        decision=decision,
        text="Report on the deep dives",
        owner_role="STP Local Care Lead",
        created_on=meeting.held_on,
        risk=risk,
    )
    report = BoardReport.objects.create(
        quarter=q2,
        body=body,
        report_from="Local Care Senior Responsible Officer",
        author="STP Local Care Lead",
        assessment_rag=Rag.AMBER,
        assessment_reason="Deep dives slipped.",
        key_messages="One\nTwo\nThree",
        recommendations="note the progress",
    )
    PublishedPack.objects.create(
        quarter=q2,
        body=body,
        board_report=report,
        number=1,
        status=PublishedPack.Status.PUBLISHED,
        requested_by=admin_user,
        published_at=timezone.now(),
        pdf=b"%PDF-1.7",
    )
    RiskReview.objects.create(
        risk=risk,
        reviewed_on=datetime.date(2018, 7, 19),
        reviewer_role="LCIB",
        likelihood=3,
        consequence=4,
        is_illustrative=True,
    )
    # Sign-in records (django-axes), a two-factor device and recovery codes (django-otp).
    AccessAttempt.objects.create(
        username="board", ip_address="192.0.2.10", failures_since_start=1, get_data="", post_data=""
    )
    AccessFailureLog.objects.create(username="board", ip_address="192.0.2.10")
    AccessLog.objects.create(username="admin", ip_address="192.0.2.11")
    # Not the admin's own: a device would make the admin's session owe a code.
    someone = get_user_model().objects.create_user(username="someone", password="x" * 16)
    TOTPDevice.objects.create(user=someone, name="Authenticator app")
    StaticDevice.objects.create(user=someone, name="Recovery codes").token_set.create(
        token="abcd2345"
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# --- Registration -----------------------------------------------------------


@pytest.mark.parametrize("model", programme_models(), ids=lambda model: model._meta.label)
def test_every_programme_model_is_registered_with_history(model):
    assert model in admin.site._registry, f"{model._meta.label} is not in the admin"
    assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model._meta.label


@pytest.mark.parametrize(
    "model",
    [
        model
        for model in REGISTERED
        if model._meta.app_label in PROGRAMME_APPS
        and {"is_illustrative", "scores_are_illustrative"} & {f.name for f in model._meta.fields}
    ],
    ids=lambda model: model._meta.label_lower,
)
def test_demo_data_flag_is_listed_and_filterable(model):
    model_admin = admin.site._registry[model]
    flag = "is_illustrative" if hasattr(model, "is_illustrative") else "scores_are_illustrative"

    assert flag in model_admin.list_display
    assert flag in model_admin.list_filter


def test_children_are_edited_under_their_parents():
    inline_models = {
        model: [inline.model for inline in admin.site._registry[model].inlines]
        for model in [Locality, CriticalArea, FinancialYear, QuarterlyUpdate, Risk, GovernanceBody]
    }

    assert inline_models == {
        Locality: [LeadAssignment, MDT],
        GovernanceBody: [GovernanceBodyRole],
        CriticalArea: [CriticalAreaAction],
        FinancialYear: [Quarter],
        QuarterlyUpdate: [
            ObjectiveStatus,
            MilestoneUpdate,
            MDTUpdate,
            MaturityScore,
            RaisedRisk,
        ],
        Risk: [MitigatingAction, RiskReview],
    }


# --- Every page of every registered model, as a superuser ---------------------


@pytest.mark.parametrize("model", REGISTERED, ids=MODEL_IDS)
def test_changelist_and_add_pages_open(admin_client, programme, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    add = admin_client.get(admin_url(model, "add"))

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    if model in WORKFLOW_ONLY:
        assert add.status_code == 403
    else:
        assert add.status_code == 200
        assert add.context["add"] is True


# Quarterly updates change only through the workflow; admin shows them read-only.
# So do django-axes' sign-in records, which only logins write.
WORKFLOW_ONLY = {
    QuarterlyUpdate,
    ObjectiveStatus,
    OutcomeFigure,
    MaturityScore,
    MilestoneUpdate,
    MDTUpdate,
    RaisedRisk,
    ReturnComment,
    OutboxMessage,
    SectionConfirmation,
    TypedSection,  # kept and deleted by the lead's session and section page
    PublishedPack,  # made by publishing, never edited: a correction is a new version
    OutcomeExtract,  # made by loading an extract (decision 0019)
    MonthlyOutcome,  # changed only by loading an extract: the extract is the record
    OutcomeBaseline,  # kept to read: the baseline is now the baseline months' mean
    AccessAttempt,
    AccessFailureLog,
    AccessLog,
}


@pytest.mark.parametrize("model", REGISTERED, ids=MODEL_IDS)
def test_change_and_history_pages_open(admin_client, programme, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"Add a {model._meta.label} to the `programme` fixture"

    change = admin_client.get(admin_url(model, "change", obj.pk))
    history = admin_client.get(admin_url(model, "history", obj.pk))

    assert change.status_code == 200
    assert change.context["original"] == obj
    assert history.status_code == 200
    if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
        # Created through the ORM, so simple-history recorded the creation.
        assert history.context["page_obj"].paginator.count >= 1


def test_admin_carries_the_programme_name(admin_client, db):
    response = admin_client.get(reverse("admin:index"))

    assert response.context["site_header"] == "Kent and Medway Local Care – administration"


def test_quarterly_update_page_shows_its_parts_read_only(admin_client, programme):
    update = QuarterlyUpdate.objects.get()
    url = admin_url(QuarterlyUpdate, "change", update.pk)

    response = admin_client.get(url)

    content = response.content.decode()
    assert 'name="_save"' not in content
    for text in ["Amber", "Thanet plan refreshed", "Margate", "Estates"]:
        assert text in content
    assert "/updates/thanet/2018-19-q2/review/" in content
    refused = admin_client.post(url, {"status": "approved", "summary": "edited in admin"})
    assert refused.status_code == 403
    update.refresh_from_db()
    assert update.status == QuarterlyUpdate.Status.SUBMITTED


def test_update_autocomplete_names_updates_by_locality_and_quarter(admin_client, programme):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Than",
            "app_label": "updates",
            "model_name": "objectivestatus",
            "field_name": "update",
        },
    )

    assert [result["text"] for result in response.json()["results"]] == ["Thanet 2018/19 Q2"]


# --- What the lists show ------------------------------------------------------


def test_milestone_list_shows_window_locality_and_slippage(admin_client, db):
    thanet = factories.locality("Thanet")
    Milestone.objects.create(
        title="Deep dives with all localities",
        planned_start=datetime.date(2018, 8, 1),
        planned_end=datetime.date(2018, 9, 30),
        timing_as_written="Aug–early Sep 2018",
        forecast_date=datetime.date(2018, 12, 11),
        status=Milestone.Status.IN_PROGRESS,
    )
    Milestone.objects.create(
        title="Publicise cluster OD toolkit", locality=thanet, timing_as_written="TBC"
    )

    response = admin_client.get(admin_url(Milestone, "changelist"))

    content = response.content.decode()
    assert 'Aug–early Sep 2018 <span class="help">(window for sorting: Aug 2018 – Sep 2018)' in (
        content
    )
    assert "Programme-wide" in content
    assert ">TBC<" in content
    # Months against the paper's words, never days from the window read from them.
    assert "About two months after “Aug–early Sep 2018” (forecast)" in content
    assert "72 days" not in content


def test_milestone_list_shows_a_month_only_completion_as_the_paper_gives_it(admin_client, db):
    Milestone.objects.create(
        title="Local Care Investment Case agreed",
        planned_start=datetime.date(2017, 9, 1),
        planned_end=datetime.date(2017, 9, 30),
        timing_as_written="September 2017",
        actual_date=datetime.date(2017, 9, 30),
        actual_as_written="September 2017",
        status=Milestone.Status.COMPLETE,
    )

    content = admin_client.get(admin_url(Milestone, "changelist")).content.decode()

    assert "Within “September 2017”" in content
    assert "30 Sep 2017" not in content
    assert "Sept. 30, 2017" not in content  # Django's own date format


def test_the_office_setting_a_status_in_admin_is_recorded_as_its_report(client, office_user, db):
    milestone = Milestone.objects.create(
        title="Estates locality workshops",
        planned_start=datetime.date(2018, 9, 1),
        planned_end=datetime.date(2018, 10, 31),
        timing_as_written="September / October 2018",
    )
    assert milestone.status == Milestone.Status.NOT_REPORTED
    client.force_login(office_user)
    url = admin_url(Milestone, "change", milestone.pk)
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(status="in_progress", forecast_date="2018-12-14", _save="Save")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    milestone.refresh_from_db()
    assert milestone.reported_by == "the programme office"
    assert milestone.reported_on == timezone.localdate()
    assert milestone.history.latest().history_user == office_user
    assert milestone.report_text().startswith("Reported by the programme office, ")


def test_risk_list_shows_score_with_its_band(admin_client, db):
    score_bands()
    factories.open_risk("LC-R01", current_likelihood=3, current_consequence=4)

    response = admin_client.get(admin_url(Risk, "changelist"))

    content = response.content.decode()
    assert '12 <strong class="risk-band risk-band-orange">High</strong>' in content
    assert "Programme-wide" in content


def test_risk_list_sorts_by_current_score(admin_client, db):
    score_bands()
    category = factories.risk_category()
    for reference, likelihood in [("LC-R01", 4), ("LC-R02", 1), ("LC-R03", 2)]:
        factories.open_risk(
            reference, category, current_likelihood=likelihood, current_consequence=3
        )
    url = admin_url(Risk, "changelist")
    column = admin_client.get(url).context["cl"].list_display.index("current_score_and_band")

    response = admin_client.get(url, {"o": str(column)})

    references = [risk.reference for risk in response.context["cl"].result_list]
    assert references == ["LC-R02", "LC-R03", "LC-R01"]


def test_band_for_matches_the_database_lookup(db):
    score_bands()
    bands = list(ScoreBand.objects.order_by("min_score"))

    for score in [None, *range(1, 26)]:
        expected = (
            None
            if score is None
            else ScoreBand.objects.filter(min_score__lte=score, max_score__gte=score).first()
        )
        assert band_for(score, bands) == expected, score


# --- Changelists cost the same number of queries for 3 rows or 30 ------------


def _localities(first, count):
    sub = factories.sub_system()
    return [factories.locality(f"Locality {i:02d}", sub) for i in range(first, first + count)]


def _quarters(first, count):
    quarters = []
    for i in range(first, first + count):
        year, _ = FinancialYear.objects.get_or_create(start_year=2010 + i // 4)
        quarters.append(factories.quarter(year, i % 4 + 1))
    return quarters


# Each builder adds `count` rows numbered from `first`, every row with its own
# related objects, so that a missing select_related shows as extra queries.


def build_milestones(count, first=0):
    for i, place in enumerate(_localities(first, count), start=first):
        dated = i % 3 != 0
        Milestone.objects.create(
            title=f"Milestone {i:02d}",
            locality=place if i % 2 else None,
            workstream="Communications and engagement",
            planned_start=datetime.date(2018, 7, 1) if dated else None,
            planned_end=datetime.date(2018, 9, 30) if dated else None,
            timing_as_written="July–Sep?" if dated else "TBC",
            is_date_uncertain=True,
            forecast_date=datetime.date(2018, 10, i % 28 + 1) if dated else None,
            status=Milestone.Status.IN_PROGRESS,
        )


def build_risks(count, first=0):
    if not ScoreBand.objects.exists():
        score_bands()
    year, _ = FinancialYear.objects.get_or_create(start_year=2018)
    for i, place in enumerate(_localities(first, count), start=first):
        factories.open_risk(
            f"LC-R{i:02d}",
            factories.risk_category(f"Category {i:02d}"),
            locality=place if i % 2 else None,
            objective=factories.objective(year, i + 1),
            current_likelihood=i % 5 + 1,
            current_consequence=(i // 5) % 5 + 1,
            next_review_date=datetime.date(2018, 10, 1),
        )


def build_updates(count, first=0):
    places = _localities(first, count)
    periods = _quarters(first, count)
    for place, period in zip(places, periods, strict=True):
        factories.quarterly_update(
            place,
            period,
            status=QuarterlyUpdate.Status.SUBMITTED,
            submitted_at=timezone.now(),
            is_illustrative=True,
        )


CHANGELIST_BUILDERS = {
    Milestone: build_milestones,
    Risk: build_risks,
    QuarterlyUpdate: build_updates,
}
# Session, user, two counts (page and full), the rows, and one query per
# related-object filter; risks add one for the score bands (shared by the band
# filter and every row) and one for the owner filter, milestones one for the
# workstream filter. Measured on SQLite; a new filter adds one.
# The header asks once which groups the user is in (for its "My localities" and "Returns" links).
CHANGELIST_MAX_QUERIES = {Milestone: 10, Risk: 11, QuarterlyUpdate: 8}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("model", list(CHANGELIST_BUILDERS), ids=lambda model: model.__name__)
def test_changelist_queries_are_bounded(admin_client, django_assert_max_num_queries, model, rows):
    CHANGELIST_BUILDERS[model](rows)
    url = admin_url(model, "changelist")
    admin_client.get(url)  # fill per-process caches (content types) first

    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES[model]):
        response = admin_client.get(url)

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("model", list(CHANGELIST_BUILDERS), ids=lambda model: model.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    url = admin_url(model, "changelist")
    CHANGELIST_BUILDERS[model](3)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)

    CHANGELIST_BUILDERS[model](27, first=3)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)

    assert len(many) == len(few)


def test_update_page_queries_do_not_grow_with_inline_rows(admin_client, db):
    """Each select in an inline is filled once, not once per row."""
    year = factories.financial_year(2018)
    update = factories.quarterly_update(factories.locality("Thanet"), factories.quarter(year, 2))
    url = admin_url(QuarterlyUpdate, "change", update.pk)

    def add_rows(numbers):
        for number in numbers:
            ObjectiveStatus.objects.create(
                update=update, objective=factories.objective(year, number), rag=Rag.GREEN
            )
            OutcomeFigure.objects.create(
                update=update, measure=factories.outcome_measure(f"measure-{number}"), value=1
            )
            MaturityScore.objects.create(
                update=update, element=factories.care_model_element(number), score=2
            )

    add_rows([1])
    admin_client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        admin_client.get(url)
    add_rows([2, 3, 4])
    with CaptureQueriesContext(connection) as four_rows:
        response = admin_client.get(url)

    assert 'name="objective_statuses-TOTAL_FORMS" value="4"' in response.content.decode()
    assert len(four_rows) == len(one_row)


def test_history_page_queries_do_not_grow_with_versions(admin_client, programme):
    status = ObjectiveStatus.objects.get()
    url = admin_url(ObjectiveStatus, "history", status.pk)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as one_version:
        admin_client.get(url)
    for percent in [70, 80, 90]:
        status.percent_complete = percent
        status.save()

    with CaptureQueriesContext(connection) as four_versions:
        response = admin_client.get(url)

    assert response.context["page_obj"].paginator.count == 4
    assert str(status) in response.content.decode()
    assert len(four_versions) == len(one_version)


# --- Who reaches the admin -------------------------------------------------------


def test_non_staff_user_is_sent_to_the_admin_login(client, board_user):
    client.force_login(board_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={reverse('admin:index')}"


@pytest.fixture
def staff_board_member(db, django_user_model):
    user = django_user_model.objects.create_user(username="board-staff", is_staff=True)
    user.groups.add(Group.objects.get(name=access.BOARD_MEMBER))
    return user


def test_board_member_made_staff_still_cannot_open_the_register(client, staff_board_member):
    """Board members read risks on the dashboard; the register's admin is the office's."""
    client.force_login(staff_board_member)

    assert client.get(admin_url(Risk, "changelist")).status_code == 403
    assert client.get(admin_url(Risk, "add")).status_code == 403


def test_programme_office_adds_a_risk_with_its_actions(client, office_user):
    score_bands()
    category = factories.risk_category("Workforce")
    client.force_login(office_user)

    response = client.post(
        admin_url(Risk, "add"),
        {
            "reference": "LC-R09",
            "title": "Availability of the workforce Local Care needs",
            "description": "",
            "category": category.pk,
            "owner_role": "STP workforce lead",
            "current_likelihood": "4",
            "current_consequence": "3",
            "status": Risk.Status.OPEN,
            "date_raised": "2018-07-19",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Run the workforce workshop.",
            "actions-0-status": MitigatingAction.Status.IN_PROGRESS,
            "actions-0-due_date": "2018-08-16",
            "reviews-TOTAL_FORMS": "0",
            "reviews-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    risk = Risk.objects.get(reference="LC-R09")
    assert risk.actions.get().description == "Run the workforce workshop."
    assert risk.history.get().history_user == office_user
