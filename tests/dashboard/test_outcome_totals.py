"""Stored outcome totals are never stale: after every kind of write they equal a fresh sum.

Each test writes in one of the ways programme data changes (the workflow's
services, edits and deletions as Django admin makes them, loaddata, the scale
generator, a rolled-back transaction, two approvals at once) and compares every
stored total with the figures summed afresh in the database.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from localities.models import Locality, OutcomeMeasure, Quarter
from tests.updates.update_data import q4_2018_19, save_complete_update
from tools.scale import generate_scale_data
from updates import services
from updates.models import OutcomeFigure, OutcomeTotal, QuarterlyUpdate
from updates.outcome_totals import refresh_outcome_totals, stored_totals, summed_figures

pytestmark = pytest.mark.django_db

Status = QuarterlyUpdate.Status


def assert_totals_are_current():
    summed = summed_figures()
    assert summed, "expected some approved or submitted figures"
    assert stored_totals() == summed


def total_of(update: QuarterlyUpdate, measure_id: int) -> Decimal:
    return OutcomeTotal.objects.get(
        quarter=update.quarter, status=update.status, measure_id=measure_id
    ).total


@pytest.fixture
def approved_figure(programme_data) -> OutcomeFigure:
    return (
        OutcomeFigure.objects.filter(update__status=Status.APPROVED)
        .select_related("update__quarter")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def q4(programme_data) -> Quarter:
    return q4_2018_19()


def test_loading_the_fixtures_stores_every_total(programme_data):
    # programme_data holds exactly the rows `loaddata reference illustrative` wrote.
    assert_totals_are_current()
    assert OutcomeTotal.objects.filter(status=Status.APPROVED).exists()
    assert OutcomeTotal.objects.filter(status=Status.SUBMITTED).exists()
    assert not OutcomeTotal.objects.exclude(status__in=[Status.APPROVED, Status.SUBMITTED]).exists()


def test_submitting_approving_and_reopening_move_the_totals(q4, lead_thanet, office_user):
    thanet = Locality.objects.get(slug="thanet")
    next_quarter = Quarter.objects.get(financial_year__start_year=2019, number=1)
    update = save_complete_update(thanet, next_quarter, by=lead_thanet)
    # Returns no longer take outcome figures (decision 0019); the totals of those that
    # exist still follow their update.
    for measure in OutcomeMeasure.objects.all():
        OutcomeFigure.objects.create(update=update, measure=measure, value=Decimal("120.5"))
    assert not OutcomeTotal.objects.filter(quarter=next_quarter).exists()  # a draft counts nowhere

    update = services.submit_update(update=update, expected_version=update.version, by=lead_thanet)
    assert_totals_are_current()
    measure_id = update.outcome_figures.first().measure_id
    assert total_of(update, measure_id) == Decimal("120.5")

    update = services.approve_update(update=update, expected_version=update.version, by=office_user)
    assert_totals_are_current()
    assert total_of(update, measure_id) == Decimal("120.5")
    assert not OutcomeTotal.objects.filter(quarter=next_quarter, status=Status.SUBMITTED).exists()

    services.reopen_update(
        update=update, reason="Wrong figures", expected_version=update.version, by=office_user
    )
    assert_totals_are_current()
    assert not OutcomeTotal.objects.filter(quarter=next_quarter).exists()


def test_returning_a_submitted_update_takes_it_out_of_the_preview_totals(q4, office_user):
    submitted = QuarterlyUpdate.objects.filter(status=Status.SUBMITTED).first()
    before = OutcomeTotal.objects.filter(quarter=submitted.quarter, status=Status.SUBMITTED)
    assert before.exists()

    services.return_update(
        update=submitted, comments="Check A&E", expected_version=submitted.version, by=office_user
    )

    assert_totals_are_current()


def test_editing_a_figure_changes_its_total(approved_figure):
    update = approved_figure.update
    before = total_of(update, approved_figure.measure_id)

    approved_figure.value += Decimal("1000.5")
    approved_figure.save()

    assert total_of(update, approved_figure.measure_id) == before + Decimal("1000.5")
    assert_totals_are_current()


def test_moving_a_figure_to_another_update_changes_both_quarters(approved_figure):
    old_quarter = approved_figure.update.quarter
    elsewhere = (
        QuarterlyUpdate.objects.filter(status=Status.APPROVED)
        .exclude(quarter=old_quarter)
        .exclude(outcome_figures__measure=approved_figure.measure_id)
        .first()
    )
    assert elsewhere is not None

    approved_figure.update = elsewhere
    approved_figure.save()

    assert_totals_are_current()


def test_deleting_a_figure_or_a_whole_update_changes_the_totals(approved_figure):
    approved_figure.delete()
    assert_totals_are_current()

    # Its figures go first, in the cascade.
    QuarterlyUpdate.objects.filter(status=Status.APPROVED).first().delete()
    assert_totals_are_current()


def test_changing_an_updates_quarter_or_illustrative_flag_moves_its_figures(approved_figure):
    update = approved_figure.update
    update.is_illustrative = not update.is_illustrative
    update.save()
    assert_totals_are_current()

    free = Quarter.objects.exclude(updates__locality=update.locality).order_by("pk").first()
    update.quarter = free
    update.save()
    assert_totals_are_current()
    assert OutcomeTotal.objects.filter(quarter=free, status=Status.APPROVED).exists()


def test_a_rolled_back_write_leaves_the_totals_as_they_were(approved_figure):
    before = stored_totals()

    with transaction.atomic():
        approved_figure.value += 1
        approved_figure.save()
        transaction.set_rollback(True)

    assert stored_totals() == before
    assert_totals_are_current()


def test_a_leads_draft_save_reads_or_writes_no_total(q4, lead_medway):
    medway = Locality.objects.get(slug="medway")
    draft = QuarterlyUpdate.objects.get(locality=medway, quarter=q4)
    assert draft.status == Status.DRAFT

    with CaptureQueriesContext(connection) as queries:
        services.save_draft(
            locality=medway,
            quarter=q4,
            # Returns no longer take outcome figures (decision 0019): any section.
            sections={"money": {"spend_planned": Decimal("7"), "spend_actual": Decimal("7")}},
            expected_version=draft.version,
            by=lead_medway,
        )

    draft.refresh_from_db()
    assert draft.spend_planned == Decimal("7")
    assert not [q for q in queries.captured_queries if "outcometotal" in q["sql"].lower()]
    assert_totals_are_current()


def test_the_scale_generator_stores_the_totals_of_what_it_adds(programme_data):
    generate_scale_data(factor=2)

    assert_totals_are_current()


def test_the_command_checks_and_rebuilds_after_a_write_outside_django(approved_figure):
    call_command("refresh_derived_data", "--check", verbosity=0)
    with connection.cursor() as cursor:
        # A write no signal sees, as from psql.
        cursor.execute(
            f"UPDATE {OutcomeFigure._meta.db_table} SET value = value + 1 WHERE id = %s",
            [approved_figure.pk],
        )

    with pytest.raises(CommandError, match="1 stored outcome totals differ from the figures"):
        call_command("refresh_derived_data", "--check", verbosity=0)

    call_command("refresh_derived_data", verbosity=0)
    assert_totals_are_current()


def test_refreshing_one_quarter_leaves_the_others_alone(approved_figure):
    other = OutcomeTotal.objects.exclude(quarter=approved_figure.update.quarter).first()
    other_pk = other.pk

    refresh_outcome_totals([approved_figure.update.quarter_id])

    assert OutcomeTotal.objects.filter(pk=other_pk).exists()
    assert_totals_are_current()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_approvals_committing_at_once_are_both_counted(
    programme_data, office_user, monkeypatch
):
    """The second refresh waits for the first's lock, then sums both approvals.

    Without the lock the second would sum what it could see (without the first
    approval, not yet committed) and store that, or collide with the first's
    new rows on the unique key.
    """
    quarter = (
        QuarterlyUpdate.objects.filter(status=Status.APPROVED, outcome_figures__isnull=False)
        .values_list("quarter", flat=True)
        .first()
    )
    pair = list(QuarterlyUpdate.objects.filter(quarter=quarter, status=Status.APPROVED)[:2])
    # The data's approved returns carry no milestone or MDT reports, which approval's
    # submission checks would ask for: this test is about the totals, not those checks.
    monkeypatch.setattr(services, "submission_problems", lambda update: [])
    for update in pair:
        update.status = Status.SUBMITTED
        update.save()
    first_approved = threading.Event()
    errors = []

    def approve(update, *, wait_for=None, then_set=None):
        try:
            if wait_for:
                wait_for.wait(5)
            with transaction.atomic():
                fresh = QuarterlyUpdate.objects.get(pk=update.pk)
                services.approve_update(
                    update=fresh, expected_version=fresh.version, by=office_user
                )
                if then_set:
                    then_set.set()
                    time.sleep(0.5)  # commit only after the other has tried to refresh
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(pair[0],), kwargs={"then_set": first_approved}),
        threading.Thread(target=approve, args=(pair[1],), kwargs={"wait_for": first_approved}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert errors == []
    assert {
        update.status for update in QuarterlyUpdate.objects.filter(pk__in=[u.pk for u in pair])
    } == {Status.APPROVED}
    assert_totals_are_current()
