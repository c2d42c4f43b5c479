"""The quarterly updates' move from localities (and the outcome totals' from dashboard)
into the updates app keeps everything (issue 15).

The database is taken back to the schema before the move (localities 0010,
dashboard 0001, no updates app), a return with its history, an outcome total,
an admin log entry and the groups' permissions are put there through that
schema's own models, and the migrations are run forward: every row and history
row must come through under the new app, by the same ids, with its content type,
the permissions and the log entries still pointing at it.
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from localities import access
from updates.models import QuarterlyUpdate

BEFORE_THE_MOVE = [
    ("localities", "0010_milestone_actual_as_written"),
    ("dashboard", "0001_outcome_totals"),
    ("updates", None),
]
MOVED_MODELS = {
    "quarterlyupdate",
    "objectivestatus",
    "outcomefigure",
    "maturityscore",
    "milestoneupdate",
    "mdtupdate",
    "raisedrisk",
}


def migrate_to(targets):
    """Migrate to `targets` ((app, None) unapplies the app) and return that state's models."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


# Issue 18 drops the outcome totals (Kent and Medway is summed from the monthly
# figures): the move is checked as it was, up to the migration before the drop.
TOTALS_DROPPED = ("updates", "0006_c_delete_outcome_total")


def before_the_drop():
    graph = MigrationExecutor(connection).loader.graph
    previous = sorted(graph.node_map[TOTALS_DROPPED].parents)[0].key
    return [previous if app == "updates" else (app, name) for app, name in latest()]


def table_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


@pytest.fixture
def before_the_move(transactional_db):
    """The database as it was before the move; forward to the latest schema afterwards."""
    call_command("load_programme_data", verbosity=0)
    old_apps = migrate_to(BEFORE_THE_MOVE)
    try:
        yield old_apps
    finally:
        migrate_to(latest())


def test_the_move_keeps_every_row_history_row_content_type_permission_and_log_entry(
    before_the_move, django_user_model
):
    old_apps = before_the_move
    OldUpdate = old_apps.get_model("localities", "QuarterlyUpdate")
    OldFigure = old_apps.get_model("localities", "OutcomeFigure")
    OldTotal = old_apps.get_model("dashboard", "OutcomeTotal")
    Locality = old_apps.get_model("localities", "Locality")
    Quarter = old_apps.get_model("localities", "Quarter")
    OldContentType = old_apps.get_model("contenttypes", "ContentType")

    # A return written under the old schema, with a history row of its own.
    update = OldUpdate.objects.create(
        locality=Locality.objects.get(slug="thanet"),
        quarter=Quarter.objects.get(financial_year__start_year=2019, number=1),
        status="draft",
        summary="Written before the move",
    )
    old_apps.get_model("localities", "HistoricalQuarterlyUpdate").objects.create(
        id=update.pk,
        locality_id=update.locality_id,
        quarter_id=update.quarter_id,
        status="draft",
        summary="Written before the move",
        version=1,
        is_illustrative=False,
        history_date=timezone.now(),
        history_type="+",
        history_change_reason="Before the move",
    )
    # The demo data no longer holds quarterly figures (decision 0019): one, as before.
    OldFigure.objects.create(
        update=update,
        measure=old_apps.get_model("localities", "OutcomeMeasure").objects.first(),
        value=1,
    )
    rows_before = {model: table_rows(f"localities_{model}") for model in MOVED_MODELS} | {
        f"historical{model}": table_rows(f"localities_historical{model}") for model in MOVED_MODELS
    }
    # Issue 18 dropped the receivers that filled the totals: one is written by hand.
    OldTotal.objects.create(
        measure_id=old_apps.get_model("localities", "OutcomeMeasure").objects.first().pk,
        quarter=Quarter.objects.get(financial_year__start_year=2018, number=4),
        status="approved",
        total=1,
        figures=1,
        illustrative_figures=0,
    )
    totals_before = table_rows("dashboard_outcometotal")
    assert rows_before["quarterlyupdate"] > 1
    assert rows_before["historicalquarterlyupdate"] > 1
    assert rows_before["outcomefigure"] == OldFigure.objects.count() > 0
    assert totals_before == OldTotal.objects.count() > 0

    # Content types, the permissions on them, a group's share of those and an admin log entry.
    content_type = OldContentType.objects.get(app_label="localities", model="quarterlyupdate")
    # Created when the model existed; issue 18 dropped it, so it is made here as it was.
    total_type, _ = OldContentType.objects.get_or_create(
        app_label="dashboard", model="outcometotal"
    )
    office = Group.objects.get(name=access.PROGRAMME_OFFICE)
    office_permissions = set(office.permissions.values_list("pk", flat=True))
    moved_permissions = set(
        office.permissions.filter(content_type_id=content_type.pk).values_list("pk", flat=True)
    )
    assert moved_permissions  # the office may change updates
    admin = django_user_model.objects.create_superuser("moving-admin", password="x")
    entry = LogEntry.objects.create(
        user=admin,
        content_type_id=content_type.pk,
        object_id=str(update.pk),
        object_repr="Thanet 2019/20 Q1",
        action_flag=CHANGE,
        change_message="Before the move",
    )

    moved_apps = migrate_to(before_the_drop())
    OutcomeTotal = moved_apps.get_model("updates", "OutcomeTotal")

    for model, count in rows_before.items():
        assert table_rows(f"updates_{model}") == count, model
    assert table_rows("updates_outcometotal") == totals_before
    moved = QuarterlyUpdate.objects.get(pk=update.pk)
    assert moved.summary == "Written before the move"
    assert moved.history.filter(history_change_reason="Before the move").exists()
    assert OutcomeTotal.objects.count() == totals_before
    assert not ContentType.objects.filter(app_label="localities", model__in=MOVED_MODELS).exists()
    moved_type = ContentType.objects.get(pk=content_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("updates", "quarterlyupdate")
    assert moved_type.model_class() is QuarterlyUpdate
    total_type = ContentType.objects.get(pk=total_type.pk)
    assert (total_type.app_label, total_type.model) == ("updates", "outcometotal")
    assert set(office.permissions.values_list("pk", flat=True)) == office_permissions
    entry.refresh_from_db()
    assert entry.content_type_id == content_type.pk
    assert entry.get_edited_object() == moved
    assert entry.get_admin_url() == f"/admin/updates/quarterlyupdate/{update.pk}/change/"


def test_the_groups_permissions_include_the_updates_app(db):
    """sync_access_groups (run after every migrate) chooses permissions by app label."""
    access.sync_access_groups()
    board = Group.objects.get(name=access.BOARD_MEMBER)
    office = Group.objects.get(name=access.PROGRAMME_OFFICE)
    assert board.permissions.filter(
        content_type__app_label="updates", codename="view_quarterlyupdate"
    ).exists()
    assert not board.permissions.filter(codename="change_quarterlyupdate").exists()
    assert office.permissions.filter(
        content_type__app_label="updates", codename="change_quarterlyupdate"
    ).exists()
