import datetime

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from localities.access import PROGRAMME_DATA_APPS
from localities.models import Locality
from localities.programme_data import FIXTURES, load_programme_fixtures

# Every row loaded gets a history entry saying where it came from.
CHANGE_REASON = "Loaded by load_programme_data"
HISTORY_BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Load the Kent and Medway reference data and the illustrative demo data, "
        "once: does nothing when localities already exist, so edits are never overwritten."
    )

    def handle(self, *args, **options):
        if Locality.objects.exists():
            self.stdout.write("Programme data already loaded; leaving it as it is.")
            return
        with transaction.atomic():
            started = timezone.now()
            # The loaded rows' history first; the reorganisations then write their own
            # ("Reorganisation: <title>"), as the office's page would.
            load_programme_fixtures(
                verbosity=options["verbosity"],
                before_reorganisations=lambda: record_initial_history(since=started),
            )
        self.stdout.write(
            f"Loaded fixtures: {', '.join(FIXTURES)}; recorded the reorganisations of "
            "fixtures/reorganisations.json."
        )


def record_initial_history(*, since: datetime.datetime) -> None:
    """Give every row loaddata wrote its first history entry, with CHANGE_REASON.

    loaddata saves raw rows, which django-simple-history does not record. (Its
    many-to-many links do write a history entry while loading, without a reason:
    those entries are labelled instead of duplicated.)
    """
    for model in apps.get_models():
        if model._meta.app_label not in PROGRAMME_DATA_APPS:
            continue
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name is None:
            continue
        history = getattr(model, manager_name)
        # history: labels the entries the many-to-many signals wrote during this load
        history.filter(history_date__gte=since, history_change_reason=None).update(
            history_change_reason=CHANGE_REASON
        )
        recorded = set(history.values_list(model._meta.pk.attname, flat=True))
        unrecorded = [obj for obj in model._base_manager.order_by("pk") if obj.pk not in recorded]
        history.bulk_history_create(
            unrecorded, batch_size=HISTORY_BATCH_SIZE, default_change_reason=CHANGE_REASON
        )
