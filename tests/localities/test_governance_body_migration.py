"""The migration that dates governance bodies as the papers date them (decision 0027) keeps
every body as it was, with the new bounds empty, and can be undone.

Found by its name's end, not its number: the integrator renumbers parts' migrations.
"""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

NAME_ENDS = "_governance_body_dates_and_roles"


def migrate_to(targets):
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def this_migration():
    graph = MigrationExecutor(connection).loader.graph
    (key,) = [k for k in graph.nodes if k[0] == "localities" and k[1].endswith(NAME_ENDS)]
    (parent,) = [p for p in graph.node_map[key].parents if p.key[0] == "localities"]
    return key, parent.key


@pytest.fixture
def before(transactional_db):
    key, parent = this_migration()
    old_apps = migrate_to([parent])
    try:
        yield old_apps, key
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_migration_keeps_every_body_and_can_be_undone(before):
    old_apps, key = before
    Body = old_apps.get_model("localities", "GovernanceBody")
    Body.objects.create(
        name="Local Care Implementation Board",
        short_name="LCIB",
        purpose="Oversees delivery.",
        active_from=datetime.date(2017, 7, 11),
    )

    new_apps = migrate_to([key])

    body = new_apps.get_model("localities", "GovernanceBody").objects.get()
    assert (body.short_name, body.purpose, body.active_from) == (
        "LCIB",
        "Oversees delivery.",
        datetime.date(2017, 7, 11),
    )
    assert body.formed_after is None
    assert body.ended_by is None
    assert body.succeeded_by_id is None
    assert body.active_from_as_written == body.active_until_as_written == body.source == ""
    assert not new_apps.get_model("localities", "GovernanceBodyRole").objects.exists()

    _, parent = this_migration()
    undone = migrate_to([parent])
    assert undone.get_model("localities", "GovernanceBody").objects.get().short_name == "LCIB"
