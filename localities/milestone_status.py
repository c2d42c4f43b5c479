"""A milestone's status as at a day (a quarter's end): the one rule, in Python and in SQL.

The model holds only today's status; a page as at a past quarter judges it as
it stood then. The locality page works it out for a few milestones in Python
(`status_as_at`), the milestone register in SQL so that it can filter, count
and sort on it (`status_as_at_expression`). tests/localities/test_milestone_status.py
runs both on the same rows.

In order: complete if its actual date is on or before the day; cancelled if
cancelled; not reported if nobody has reported on it (never overdue: that would
invent a miss); overdue if its planned window closed before the day; otherwise
its stored status, except that a milestone completed after the day was not
complete then: in progress once its window had opened, else not started.
"""

import datetime

from django.db import models
from django.db.models import Case, F, Value, When

from localities.models import Milestone


class StatusAsAt(models.TextChoices):
    """A milestone's status at the end of the quarter being shown."""

    OVERDUE = "overdue", "Overdue"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_STARTED = "not_started", "Not started"
    # After what has been reported as needing attention, before what is done:
    # a gap in the reporting, never a miss.
    NOT_REPORTED = "not_reported", "Not reported"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


def status_as_at(milestone: Milestone, day: datetime.date) -> StatusAsAt:
    """The status `milestone` had on `day` (see the module)."""
    if milestone.actual_date is not None and milestone.actual_date <= day:
        return StatusAsAt.COMPLETE
    if milestone.status == Milestone.Status.CANCELLED:
        return StatusAsAt.CANCELLED
    if milestone.status == Milestone.Status.NOT_REPORTED:
        return StatusAsAt.NOT_REPORTED
    if milestone.planned_end is not None and milestone.planned_end < day:
        return StatusAsAt.OVERDUE
    if milestone.status == Milestone.Status.COMPLETE:
        opened = milestone.planned_start is None or milestone.planned_start <= day
        return StatusAsAt.IN_PROGRESS if opened else StatusAsAt.NOT_STARTED
    return StatusAsAt(milestone.status)


def status_as_at_expression(day: datetime.date) -> Case:
    """`status_as_at` in SQL, on a Milestone queryset."""
    return Case(
        When(actual_date__lte=day, then=Value(StatusAsAt.COMPLETE)),
        When(status=Milestone.Status.CANCELLED, then=Value(StatusAsAt.CANCELLED)),
        When(status=Milestone.Status.NOT_REPORTED, then=Value(StatusAsAt.NOT_REPORTED)),
        When(planned_end__lt=day, then=Value(StatusAsAt.OVERDUE)),
        When(
            status=Milestone.Status.COMPLETE,
            planned_start__gt=day,
            then=Value(StatusAsAt.NOT_STARTED),
        ),
        When(status=Milestone.Status.COMPLETE, then=Value(StatusAsAt.IN_PROGRESS)),
        default=F("status"),
        output_field=models.CharField(),
    )
