"""Kent and Medway's outcome totals, stored as the figures change (`OutcomeTotal`).

Summing every approved outcome figure on each request took 43–76 ms at factor
100 (100,000 figures) on the outcomes page and the board pack, and grew with
the data. The sums per quarter, status and measure are stored instead, and a
page adds up a few hundred of them.

They are never stale, by construction rather than by care:

- every save and delete of an OutcomeFigure or a QuarterlyUpdate, whoever
  makes it (services, Django admin, loaddata, the spreadsheet import, a shell),
  recomputes the totals of the quarters the row was in before and after the
  write, in the write's own transaction: they commit or roll back together;
- a recompute sums the quarter's figures afresh; nothing is ever incremented,
  so nothing can drift;
- recomputes of one quarter wait for each other on a lock of its Quarter row,
  so two approvals committing at once cannot each store a sum that misses
  the other's figures (on PostgreSQL; SQLite has one writer at a time);
- writes that send no signals (bulk_create, update(), raw SQL) must call
  `refresh_outcome_totals` themselves, as tools.scale does;
  tests/security/test_no_bulk_writes.py makes every such write say why it is safe;
- `manage.py refresh_derived_data` rebuilds them all, and checks them with
  `--check`; the release runs it.

Only the statuses a dashboard can show are stored (approved, and submitted for
the programme office's preview), so a lead's draft saves change no total and
take no lock.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.signals import post_delete, post_save, pre_save

from localities.models import Quarter
from updates.models import OutcomeFigure, OutcomeTotal, QuarterlyUpdate

SHOWN_STATUSES = (QuarterlyUpdate.Status.APPROVED, QuarterlyUpdate.Status.SUBMITTED)

# (quarter id, status, measure id) -> (total, figures, illustrative figures)
Totals = dict[tuple[int, str, int], tuple[Decimal, int, int]]


def summed_figures(quarter_ids: Iterable[int] | None = None) -> Totals:
    """The totals as the figures now stand, summed in the database (None: every quarter)."""
    figures = OutcomeFigure.objects.order_by().filter(update__status__in=SHOWN_STATUSES)
    if quarter_ids is not None:
        figures = figures.filter(update__quarter_id__in=list(quarter_ids))
    rows = (
        figures.values("update__quarter_id", "update__status", "measure_id")
        .annotate(
            total=Sum("value"),
            figures=Count("pk"),
            illustrative=Count("pk", filter=Q(update__is_illustrative=True)),
        )
        .values_list(
            "update__quarter_id", "update__status", "measure_id", "total", "figures", "illustrative"
        )
    )
    return {
        (quarter_id, status, measure_id): (total, count, illustrative)
        for quarter_id, status, measure_id, total, count, illustrative in rows
    }


def stored_totals() -> Totals:
    """Every stored total, in the shape of `summed_figures`."""
    rows = OutcomeTotal.objects.values_list(
        "quarter_id", "status", "measure_id", "total", "figures", "illustrative_figures"
    )
    return {
        (quarter_id, status, measure_id): (total, count, illustrative)
        for quarter_id, status, measure_id, total, count, illustrative in rows
    }


@transaction.atomic
def refresh_outcome_totals(quarter_ids: Iterable[int] | None = None) -> None:
    """Recompute the stored totals of these quarters from their figures (None: every quarter)."""
    quarters = Quarter.objects.order_by("pk")
    if quarter_ids is not None:
        quarters = quarters.filter(pk__in=set(quarter_ids))
    # Held until the enclosing transaction ends. In pk order, so that two
    # refreshes of several quarters cannot each hold one the other waits for.
    locked = [quarter.pk for quarter in quarters.select_for_update(no_key=True).only("pk")]
    # history: derived rows, rebuilt from figures whose every change keeps its history
    OutcomeTotal.objects.filter(quarter_id__in=locked).delete()
    # history: as above, a fresh sum of figures whose history is kept
    OutcomeTotal.objects.bulk_create(
        OutcomeTotal(
            quarter_id=quarter_id,
            status=status,
            measure_id=measure_id,
            total=total,
            figures=count,
            illustrative_figures=illustrative,
        )
        for (quarter_id, status, measure_id), (total, count, illustrative) in summed_figures(
            locked
        ).items()
    )


def _shown_quarters(updates) -> set[int]:
    """The quarters of those of `updates` (a queryset) in a status dashboards show."""
    return set(updates.filter(status__in=SHOWN_STATUSES).values_list("quarter_id", flat=True))


def _note_quarters_before(instance, quarters: set[int]) -> None:
    # Kept on the instance between pre_save and post_save: a write that moves a
    # figure or an update out of a quarter or status changes the old total too.
    instance._outcome_total_quarters_before = quarters


def _refresh_quarters_before_and(instance, quarters: set[int]) -> None:
    quarters |= getattr(instance, "_outcome_total_quarters_before", set())
    instance._outcome_total_quarters_before = set()
    if quarters:
        refresh_outcome_totals(quarters)


def _figure_about_to_save(sender, instance, **kwargs) -> None:
    updates = QuarterlyUpdate.objects
    before = updates.filter(outcome_figures=instance.pk) if instance.pk else updates.none()
    _note_quarters_before(instance, _shown_quarters(before))


def _figure_saved_or_deleted(sender, instance, **kwargs) -> None:
    # By id, not instance.update: loaddata may save a figure before its update
    # (then the update's own save refreshes), and a cascade deletes figures
    # while their update is still there.
    _refresh_quarters_before_and(
        instance, _shown_quarters(QuarterlyUpdate.objects.filter(pk=instance.update_id))
    )


def _update_about_to_save(sender, instance, **kwargs) -> None:
    updates = QuarterlyUpdate.objects
    before = updates.filter(pk=instance.pk) if instance.pk else updates.none()
    _note_quarters_before(instance, _shown_quarters(before))


def _update_saved_or_deleted(sender, instance, **kwargs) -> None:
    now = {instance.quarter_id} if instance.status in SHOWN_STATUSES else set()
    _refresh_quarters_before_and(instance, now)


def connect() -> None:
    pre_save.connect(_figure_about_to_save, sender=OutcomeFigure, dispatch_uid="totals-figure-pre")
    post_save.connect(
        _figure_saved_or_deleted, sender=OutcomeFigure, dispatch_uid="totals-figure-saved"
    )
    post_delete.connect(
        _figure_saved_or_deleted, sender=OutcomeFigure, dispatch_uid="totals-figure-deleted"
    )
    pre_save.connect(
        _update_about_to_save, sender=QuarterlyUpdate, dispatch_uid="totals-update-pre"
    )
    post_save.connect(
        _update_saved_or_deleted, sender=QuarterlyUpdate, dispatch_uid="totals-update-saved"
    )
    post_delete.connect(
        _update_saved_or_deleted, sender=QuarterlyUpdate, dispatch_uid="totals-update-deleted"
    )
