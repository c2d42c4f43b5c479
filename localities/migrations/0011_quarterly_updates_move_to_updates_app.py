"""The quarterly update and its rows move to the updates app (issue 15).

Nothing is dropped: in the database each table, and its history table, is
renamed from localities_<model> to updates_<model>, rows and all; in Django's
state the models leave this app here and are declared again, unchanged, by
updates 0001 (which also moves their content types, so permissions, groups'
permissions and admin log entries follow them).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("localities", "0010_milestone_actual_as_written"),
        # dashboard 0001 read localities.OutcomeFigure to fill the outcome totals.
        ("dashboard", "0001_outcome_totals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="quarterlyupdate", table="updates_quarterlyupdate"),
                migrations.AlterModelTable(name="objectivestatus", table="updates_objectivestatus"),
                migrations.AlterModelTable(name="outcomefigure", table="updates_outcomefigure"),
                migrations.AlterModelTable(name="maturityscore", table="updates_maturityscore"),
                migrations.AlterModelTable(name="milestoneupdate", table="updates_milestoneupdate"),
                migrations.AlterModelTable(name="mdtupdate", table="updates_mdtupdate"),
                migrations.AlterModelTable(name="raisedrisk", table="updates_raisedrisk"),
                migrations.AlterModelTable(name="historicalquarterlyupdate", table="updates_historicalquarterlyupdate"),
                migrations.AlterModelTable(name="historicalobjectivestatus", table="updates_historicalobjectivestatus"),
                migrations.AlterModelTable(name="historicaloutcomefigure", table="updates_historicaloutcomefigure"),
                migrations.AlterModelTable(name="historicalmaturityscore", table="updates_historicalmaturityscore"),
                migrations.AlterModelTable(name="historicalmilestoneupdate", table="updates_historicalmilestoneupdate"),
                migrations.AlterModelTable(name="historicalmdtupdate", table="updates_historicalmdtupdate"),
                migrations.AlterModelTable(name="historicalraisedrisk", table="updates_historicalraisedrisk"),
            ],
            state_operations=[

                migrations.RemoveField(
                    model_name='historicalmdtupdate',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmdtupdate',
                    name='mdt',
                ),
                migrations.RemoveField(
                    model_name='historicalmdtupdate',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='historicalmilestoneupdate',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmilestoneupdate',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='historicalmilestoneupdate',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='historicalobjectivestatus',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalobjectivestatus',
                    name='objective',
                ),
                migrations.RemoveField(
                    model_name='historicalobjectivestatus',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='historicaloutcomefigure',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicaloutcomefigure',
                    name='measure',
                ),
                migrations.RemoveField(
                    model_name='historicaloutcomefigure',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='historicalquarterlyupdate',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalquarterlyupdate',
                    name='locality',
                ),
                migrations.RemoveField(
                    model_name='historicalquarterlyupdate',
                    name='quarter',
                ),
                migrations.RemoveField(
                    model_name='historicalquarterlyupdate',
                    name='reviewed_by',
                ),
                migrations.RemoveField(
                    model_name='historicalquarterlyupdate',
                    name='submitted_by',
                ),
                migrations.RemoveField(
                    model_name='historicalraisedrisk',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='historicalraisedrisk',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalraisedrisk',
                    name='proposed_risk',
                ),
                migrations.RemoveField(
                    model_name='historicalraisedrisk',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='maturityscore',
                    name='element',
                ),
                migrations.RemoveField(
                    model_name='maturityscore',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='mdtupdate',
                    name='mdt',
                ),
                migrations.RemoveField(
                    model_name='mdtupdate',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='milestoneupdate',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='milestoneupdate',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='objectivestatus',
                    name='objective',
                ),
                migrations.RemoveField(
                    model_name='objectivestatus',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='outcomefigure',
                    name='measure',
                ),
                migrations.RemoveField(
                    model_name='outcomefigure',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='quarterlyupdate',
                    name='locality',
                ),
                migrations.RemoveField(
                    model_name='quarterlyupdate',
                    name='quarter',
                ),
                migrations.RemoveField(
                    model_name='quarterlyupdate',
                    name='reviewed_by',
                ),
                migrations.RemoveField(
                    model_name='quarterlyupdate',
                    name='submitted_by',
                ),
                migrations.RemoveField(
                    model_name='raisedrisk',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='raisedrisk',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='raisedrisk',
                    name='proposed_risk',
                ),
                migrations.DeleteModel(
                    name='HistoricalMaturityScore',
                ),
                migrations.DeleteModel(
                    name='HistoricalMDTUpdate',
                ),
                migrations.DeleteModel(
                    name='HistoricalMilestoneUpdate',
                ),
                migrations.DeleteModel(
                    name='HistoricalObjectiveStatus',
                ),
                migrations.DeleteModel(
                    name='HistoricalOutcomeFigure',
                ),
                migrations.DeleteModel(
                    name='HistoricalQuarterlyUpdate',
                ),
                migrations.DeleteModel(
                    name='HistoricalRaisedRisk',
                ),
                migrations.DeleteModel(
                    name='MaturityScore',
                ),
                migrations.DeleteModel(
                    name='MDTUpdate',
                ),
                migrations.DeleteModel(
                    name='MilestoneUpdate',
                ),
                migrations.DeleteModel(
                    name='ObjectiveStatus',
                ),
                migrations.DeleteModel(
                    name='OutcomeFigure',
                ),
                migrations.DeleteModel(
                    name='QuarterlyUpdate',
                ),
                migrations.DeleteModel(
                    name='RaisedRisk',
                ),
            ],
        ),
    ]
