"""Date the risks already closed and the actions already complete, from their history.

The date is that of the first record of the latest closed (complete) run: a risk
closed, reopened and closed again was closed when it was last closed. Where the
history has no such record, the date stays unknown (null): RiskQuerySet.open_as_at
and MitigatingAction.is_complete_as_at then judge by today's status, as before.
"""

from django.db import migrations
from django.utils import timezone


def _date_runs(model, history, status_field_value, date_field):
    for obj in model.objects.filter(status=status_field_value, **{f"{date_field}__isnull": True}):
        records = history.objects.filter(id=obj.pk).order_by("history_date", "history_id")
        started = None
        for record in records:
            if record.status != status_field_value:
                started = None
            elif started is None:
                started = record.history_date
        if started is not None:
            model.objects.filter(pk=obj.pk).update(
                **{date_field: timezone.localtime(started).date()}
            )


def date_from_history(apps, schema_editor):
    _date_runs(
        apps.get_model("risks", "Risk"), apps.get_model("risks", "HistoricalRisk"), "closed", "closed_on"
    )
    _date_runs(
        apps.get_model("risks", "MitigatingAction"),
        apps.get_model("risks", "HistoricalMitigatingAction"),
        "complete",
        "completed_on",
    )


class Migration(migrations.Migration):
    dependencies = [("risks", "0006_closed_on_completed_on")]

    operations = [migrations.RunPython(date_from_history, migrations.RunPython.noop)]
