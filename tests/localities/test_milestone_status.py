"""A milestone's status as at a day has one rule (localities.milestone_status): the
locality page's Python and the milestone register's SQL agree on every row."""

import datetime
from itertools import product

import pytest

from localities.milestone_status import StatusAsAt, status_as_at, status_as_at_expression
from localities.models import Milestone

DAY = datetime.date(2018, 12, 31)
BEFORE, AFTER = DAY - datetime.timedelta(days=1), DAY + datetime.timedelta(days=1)
# (planned start, planned end): none, closed before, closing on, open across, not yet open.
WINDOWS = [(None, None), (None, BEFORE), (None, DAY), (BEFORE, AFTER), (AFTER, AFTER)]


def _milestones() -> list[Milestone]:
    made = []
    for (start, end), status in product(WINDOWS, Milestone.Status.values):
        actuals = [BEFORE, DAY, AFTER] if status == Milestone.Status.COMPLETE else [None]
        for actual in actuals:
            made.append(
                Milestone.objects.create(
                    title=f"{status} {start}–{end} done {actual}",
                    planned_start=start,
                    planned_end=end,
                    status=status,
                    actual_date=actual,
                )
            )
    return made


@pytest.mark.django_db
def test_python_and_sql_agree_on_every_milestone():
    made = _milestones()

    in_sql = dict(
        Milestone.objects.annotate(then=status_as_at_expression(DAY)).values_list("id", "then")
    )

    assert len(in_sql) == len(made) == len(WINDOWS) * (len(Milestone.Status.values) + 2)
    assert {m.title: status_as_at(m, DAY) for m in made} == {m.title: in_sql[m.pk] for m in made}
    # Every status a page can show is reached, so the agreement covers each branch.
    assert {status_as_at(m, DAY) for m in made} == set(StatusAsAt)


@pytest.mark.parametrize(
    ("status", "window", "actual", "expected"),
    [
        ("complete", (None, BEFORE), DAY, StatusAsAt.COMPLETE),
        ("complete", (None, BEFORE), AFTER, StatusAsAt.OVERDUE),
        ("complete", (AFTER, AFTER), AFTER, StatusAsAt.NOT_STARTED),
        ("complete", (BEFORE, AFTER), AFTER, StatusAsAt.IN_PROGRESS),
        ("not_reported", (None, BEFORE), None, StatusAsAt.NOT_REPORTED),  # never overdue
        ("cancelled", (None, BEFORE), None, StatusAsAt.CANCELLED),
        ("in_progress", (None, DAY), None, StatusAsAt.IN_PROGRESS),  # due on the day: not late
    ],
)
def test_status_as_at(status, window, actual, expected):
    milestone = Milestone(
        status=status, planned_start=window[0], planned_end=window[1], actual_date=actual
    )

    assert status_as_at(milestone, DAY) == expected
