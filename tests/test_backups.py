"""`manage.py backup` and `restore` round-trip the whole database, on SQLite and PostgreSQL.

Each step runs in a child process against a scratch database, as `make backup`
and `make restore` would: the programme data is loaded, backed up, changed,
and restored; then every table's row count and a sample of records, field by
field, must be as they were at the backup.
"""

import json
import os
import stat
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.db import connection

from tests.helpers import TABLES_FROM_MODELS
from tests.test_settings import ROOT, SETTINGS_VARIABLES

IN_CI = os.environ.get("CI", "").lower() == "true"

SET_UP = TABLES_FROM_MODELS + 'call_command("load_programme_data", verbosity=0)\n'

# Row counts of every table, and 5 risks and 5 quarterly updates field by field.
SNAPSHOT = """
import json
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from updates.models import QuarterlyUpdate
from risks.models import Risk
state = {
    "counts": {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    },
    "risks": list(Risk.objects.order_by("pk").values()[:5]),
    "updates": list(QuarterlyUpdate.objects.order_by("-pk").values()[:5]),
}
print(json.dumps(state, cls=DjangoJSONEncoder, sort_keys=True))
"""

CHANGE = """
from django.contrib.auth.models import User
from localities.models import Milestone
from updates.models import QuarterlyUpdate
from risks.models import Risk
Risk.objects.order_by("pk").first().delete()
QuarterlyUpdate.objects.filter(pk=QuarterlyUpdate.objects.order_by("-pk")[0].pk).update(
    summary="changed after the backup", version=99
)
Milestone.objects.order_by("pk").last().delete()
User.objects.create_user("made-after-the-backup")
"""


def child_env(database_url: str, backup_dir) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DATABASE_URL=database_url,
        BACKUP_DIR=str(backup_dir),
        DJANGO_SETTINGS_MODULE="localcare.settings",
    )
    return env


def manage(*arguments: str, env, stdin=subprocess.DEVNULL, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def snapshot(env, *, first: str = "") -> dict:
    """Run `first` (Python), then print the snapshot: one child process for both."""
    output = manage("shell", "-v", "0", "-c", first + SNAPSHOT, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def round_trip(database_url: str, tmp_path, suffix: str) -> None:
    env = child_env(database_url, tmp_path / "backups")
    at_backup = snapshot(env, first=SET_UP)
    assert at_backup["counts"]["risks_risk"] > 5
    assert len(at_backup["updates"]) == 5

    path = manage("backup", env=env).stdout.strip()

    backup_file = tmp_path / "backups" / path.rsplit("/", 1)[-1]
    assert path == str(backup_file)
    assert backup_file.suffix == suffix
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup_file.parent.stat().st_mode) == 0o700
    assert snapshot(env, first=CHANGE) != at_backup

    restored = manage("restore", path, "--no-input", env=env)

    assert "Restored" in restored.stdout
    assert snapshot(env) == at_backup


def test_sqlite_backup_round_trip(tmp_path):
    round_trip(f"sqlite:///{tmp_path / 'localcare.sqlite3'}", tmp_path, ".sqlite3")


def test_restore_asks_first_and_without_an_answer_changes_nothing(tmp_path):
    database = tmp_path / "localcare.sqlite3"
    database.write_bytes(b"")  # stands for a database that must not be touched
    backup_file = tmp_path / "backup.sqlite3"
    backup_file.write_bytes(b"SQLite format 3\x00")
    env = child_env(f"sqlite:///{database}", tmp_path / "backups")

    result = manage("restore", str(backup_file), env=env, check=False)  # stdin: not a terminal

    assert result.returncode != 0
    assert "Not restoring without confirmation" in result.stderr
    assert database.read_bytes() == b""


def test_a_backup_of_the_other_kind_is_refused(tmp_path):
    env = child_env(f"sqlite:///{tmp_path / 'localcare.sqlite3'}", tmp_path / "backups")
    not_sqlite = tmp_path / "localcare.dump"
    not_sqlite.write_bytes(b"PGDMP\x01\x0e\x00 a pg_dump archive")

    result = manage("restore", str(not_sqlite), "--no-input", env=env, check=False)

    assert result.returncode != 0
    assert "is not an SQLite backup" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def scratch_postgresql_database(db):
    """A new, empty database on the server the tests use (CI's PostgreSQL)."""
    if connection.vendor != "postgresql":
        message = "DATABASE_URL is not PostgreSQL"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    name = f"localcare_backup_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        # The same server, user and options as the tests' DATABASE_URL; another database.
        yield urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_postgresql_backup_round_trip(scratch_postgresql_database, tmp_path):
    round_trip(scratch_postgresql_database, tmp_path, ".dump")
