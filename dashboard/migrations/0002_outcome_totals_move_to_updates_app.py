"""The outcome totals move to the updates app, which owns the figures they are summed from.

The table is renamed, rows and all (dashboard_outcometotal to
updates_outcometotal); updates 0001 declares the model again.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_outcome_totals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="outcometotal", table="updates_outcometotal"),
            ],
            state_operations=[
                migrations.DeleteModel(name="OutcomeTotal"),
            ],
        ),
    ]
