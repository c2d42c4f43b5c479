"""Each review's superseded_on is never stale: after every kind of write it equals a fresh
ordering of its risk's reviews, and the scores as at a day still agree with the reviews."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from risks.models import Risk, RiskReview
from risks.review_dates import expected_stamps, restamp_superseded, stored_stamps
from tests import factories
from tests.risks.test_selectors import as_at_in_python, as_at_in_sql
from tools.scale import generate_scale_data

pytestmark = pytest.mark.django_db

DAY = datetime.date(2019, 3, 31)
DAYS = (
    datetime.date(2018, 9, 30),
    datetime.date(2018, 12, 31),
    DAY,
    datetime.date(2019, 4, 1),
    datetime.date(2019, 6, 30),
)


def assert_dates_are_current():
    assert stored_stamps() == expected_stamps()
    for day in DAYS:
        assert as_at_in_sql(day) == as_at_in_python(day), day


def review(risk, day, score=(2, 3)):
    return RiskReview.objects.create(
        risk=risk, reviewed_on=day, likelihood=score[0], consequence=score[1]
    )


def test_the_fixtures_load_with_every_review_stamped(programme_data):
    assert RiskReview.objects.filter(superseded_on__isnull=False).exists()
    assert_dates_are_current()


def test_adding_a_review_supersedes_the_one_before(db):
    risk = factories.open_risk()
    first = review(risk, DAY - datetime.timedelta(days=30))
    assert RiskReview.objects.get(pk=first.pk).superseded_on is None

    second = review(risk, DAY)

    assert RiskReview.objects.get(pk=first.pk).superseded_on == DAY
    assert RiskReview.objects.get(pk=second.pk).superseded_on is None
    assert_dates_are_current()


def test_reviews_on_the_same_day_leave_the_last_recorded_as_the_latest(db):
    risk = factories.open_risk()
    first, second = review(risk, DAY, (2, 2)), review(risk, DAY, (3, 4))

    # The first was superseded on the day it was made: it was never the latest at a day's end.
    assert RiskReview.objects.get(pk=first.pk).superseded_on == DAY
    assert RiskReview.objects.get(pk=second.pk).superseded_on is None
    assert as_at_in_sql(DAY)[risk.reference][:2] == (3, 4)


def test_redating_moving_and_deleting_reviews_restamps_both_risks(db):
    one = factories.open_risk("LC-R01")
    other = factories.open_risk("LC-R02", category=one.category)
    early, middle, late = (
        review(one, DAY - datetime.timedelta(days=60)),
        review(one, DAY - datetime.timedelta(days=30)),
        review(one, DAY + datetime.timedelta(days=10)),
    )
    review(other, DAY)

    middle.reviewed_on = DAY + datetime.timedelta(days=20)  # now the latest of `one`
    middle.save()
    assert_dates_are_current()

    late.risk = other  # moved to the other risk
    late.save()
    assert_dates_are_current()

    middle.delete()
    assert_dates_are_current()
    assert RiskReview.objects.get(pk=early.pk).superseded_on is None

    other.delete()  # its reviews go first, in the cascade
    assert_dates_are_current()


def test_a_rolled_back_review_leaves_the_dates_as_they_were(db):
    risk = factories.open_risk()
    first = review(risk, DAY)

    with transaction.atomic():
        review(risk, DAY + datetime.timedelta(days=1))
        transaction.set_rollback(True)

    assert RiskReview.objects.get(pk=first.pk).superseded_on is None
    assert_dates_are_current()


def test_the_scale_generator_stamps_the_reviews_it_adds(programme_data):
    generate_scale_data(factor=2)

    assert stored_stamps() == expected_stamps()


def test_the_command_finds_and_repairs_a_date_written_outside_django(programme_data):
    call_command("refresh_derived_data", "--check", verbosity=0)
    stamped = RiskReview.objects.filter(superseded_on__isnull=False).first()
    with connection.cursor() as cursor:
        # A write no signal sees, as from psql.
        cursor.execute(
            f"UPDATE {RiskReview._meta.db_table} SET superseded_on = NULL WHERE id = %s",
            [stamped.pk],
        )

    with pytest.raises(CommandError, match="1 reviews' superseded_on from the reviews' dates"):
        call_command("refresh_derived_data", "--check", verbosity=0)

    call_command("refresh_derived_data", verbosity=0)
    assert_dates_are_current()


def test_restamping_reports_only_what_it_changed(programme_data):
    assert restamp_superseded() == 0
    RiskReview.objects.filter(superseded_on__isnull=False).update(superseded_on=None)

    assert restamp_superseded() > 0
    assert_dates_are_current()


def test_a_review_keeps_no_history_of_its_derived_date(db):
    risk = factories.open_risk()
    first = review(risk, DAY)
    history_rows = first.history.count()

    review(risk, DAY + datetime.timedelta(days=1))  # restamps `first`

    assert first.history.count() == history_rows
    assert not hasattr(first.history.model, "superseded_on")
    assert Risk.objects.filter(pk=risk.pk).exists()
