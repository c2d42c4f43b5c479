"""Each review's `superseded_on`: the date its risk's next review replaced it.

The dashboards read a risk's score as it stood at a quarter's end from the
review that was its latest then: reviewed by that day and not superseded by
it (RiskQuerySet.with_score_as_at). Finding that review by a subquery per risk
grew with every review in the register; a stored date makes it a plain join.

The dates are never stale, by the same construction as the outcome totals
(decision 0008):

- every save and delete of a RiskReview, whoever makes it (services, Django
  admin and its inlines, loaddata, a shell), restamps the reviews of the risk
  it belongs to, and belonged to before, inside the write's transaction;
- a restamp orders the risk's reviews afresh (date, then id, as
  `newest_first_by` does) and gives each the next one's date; nothing is
  patched piecemeal;
- restamps of one risk wait for each other on a lock of its Risk row;
- writes that send no signals call `restamp_superseded` themselves
  (tools.scale); `manage.py refresh_derived_data` restamps every review,
  and checks with `--check`.
"""

from collections.abc import Iterable
from itertools import groupby
from operator import attrgetter

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from risks.models import Risk, RiskReview

# (review id) -> superseded_on
Stamps = dict[int, object]


def expected_stamps(risk_ids: Iterable[int] | None = None) -> Stamps:
    """What each review's superseded_on should be, from the reviews' dates (None: every risk)."""
    reviews = RiskReview.objects.order_by("risk_id", "reviewed_on", "id")
    if risk_ids is not None:
        reviews = reviews.filter(risk_id__in=set(risk_ids))
    stamps = {}
    for _, group in groupby(
        reviews.only("id", "risk_id", "reviewed_on"), key=attrgetter("risk_id")
    ):
        ordered = list(group)
        for review, following in zip(ordered, [*ordered[1:], None], strict=True):
            stamps[review.pk] = following.reviewed_on if following else None
    return stamps


def stored_stamps() -> Stamps:
    return dict(RiskReview.objects.values_list("id", "superseded_on"))


@transaction.atomic
def restamp_superseded(risk_ids: Iterable[int] | None = None) -> int:
    """Set superseded_on on the reviews of these risks (None: every risk); how many changed."""
    risks = Risk.objects.order_by("pk")
    if risk_ids is not None:
        risks = risks.filter(pk__in=set(risk_ids))
    # Held until the enclosing transaction ends, in pk order (see updates.outcome_totals).
    locked = [risk.pk for risk in risks.select_for_update(no_key=True).only("pk")]
    expected = expected_stamps(locked)
    stored = RiskReview.objects.filter(pk__in=list(expected)).only("id", "superseded_on")
    changed = []
    for review in stored:
        if review.superseded_on != expected[review.pk]:
            review.superseded_on = expected[review.pk]
            changed.append(review)
    # history: superseded_on is derived from the reviews' dates, whose every change keeps history
    RiskReview.objects.bulk_update(changed, ["superseded_on"], batch_size=500)
    return len(changed)


def _review_about_to_save(sender, instance, **kwargs) -> None:
    # A review moved to another risk changes the old risk's order too.
    before = RiskReview.objects.filter(pk=instance.pk) if instance.pk else RiskReview.objects.none()
    instance._risk_ids_before = set(before.values_list("risk_id", flat=True))


def _review_saved_or_deleted(sender, instance, **kwargs) -> None:
    risk_ids = {instance.risk_id} | getattr(instance, "_risk_ids_before", set())
    instance._risk_ids_before = set()
    restamp_superseded(risk_ids)


def connect() -> None:
    pre_save.connect(_review_about_to_save, sender=RiskReview, dispatch_uid="superseded-pre")
    post_save.connect(_review_saved_or_deleted, sender=RiskReview, dispatch_uid="superseded-saved")
    post_delete.connect(
        _review_saved_or_deleted, sender=RiskReview, dispatch_uid="superseded-deleted"
    )
