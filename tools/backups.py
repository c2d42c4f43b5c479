"""Backups of the whole database, and restoring one: `make backup`, `make restore FILE=…`.

PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean
--if-exists --no-owner --no-acl --single-transaction`, so a restore either
replaces everything or changes nothing. pg_dump refuses a server newer than
itself, so the tools are taken from PG_BIN if set, else from the installed
PostgreSQL whose major version is the server's, else from PATH.

SQLite: a consistent copy made with SQLite's online backup API, which is safe
while the app is writing; restored the same way in the other direction.

Backups hold unpublished programme data and every account's password hash:
files are written readable by their owner only (0600), in a directory that
is too (0700).
"""

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Something a person can fix: said in plain words, without a traceback."""


def _database():
    return connections["default"]


def is_postgresql() -> bool:
    return _database().vendor == "postgresql"


def backup(*, directory: Path) -> Path:
    """Write a backup into `directory` with a timestamped name; return its path."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    database = _database()
    name = Path(str(database.settings_dict["NAME"])).stem or "localcare"
    suffix = ".dump" if is_postgresql() else ".sqlite3"
    target = _unused_path(directory, f"{name}-{datetime.now():%Y%m%d-%H%M%S}", suffix)
    # Written under a temporary name and renamed when complete: a file with the
    # final name is never a partial backup.
    partial = target.with_name(target.name + ".partial")
    try:
        if is_postgresql():
            _pg_dump(partial)
        else:
            _sqlite_copy(Path(database.settings_dict["NAME"]), partial)
        partial.chmod(0o600)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(*, path: Path) -> None:
    """Replace everything in the database with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if is_postgresql():
        if not start.startswith(PG_MAGIC):
            raise BackupError(
                f"{path} is not a pg_dump custom-format backup, and the database is PostgreSQL."
            )
        connections.close_all()
        _pg_restore(path)
    else:
        if start != SQLITE_MAGIC:
            raise BackupError(f"{path} is not an SQLite backup, and the database is SQLite.")
        connections.close_all()
        _sqlite_copy(path, Path(_database().settings_dict["NAME"]), check=True)


def describe_database() -> str:
    if is_postgresql():
        parameters = _pg_parameters()
        host = parameters.get("host") or "the default socket"
        return f"PostgreSQL database {parameters['dbname']} on {host}"
    return f"SQLite database {_database().settings_dict['NAME']}"


def _unused_path(directory: Path, stem: str, suffix: str) -> Path:
    candidate = directory / f"{stem}{suffix}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = directory / f"{stem}-{number}{suffix}"
    return candidate


# --- SQLite ------------------------------------------------------------------------


def _sqlite_copy(source: Path, target: Path, *, check: bool = False) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if check:
            (result,) = reader.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise BackupError(f"{source} is damaged ({result}); nothing has been restored.")
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    finally:
        reader.close()


# --- PostgreSQL --------------------------------------------------------------------


# libpq's connection keywords (what Django passes to psycopg) and the variables
# pg_dump and pg_restore read them from.
LIBPQ_VARIABLES = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
}


def _pg_parameters() -> dict:
    # Django's own merge of NAME, USER, HOST, PORT and OPTIONS (where
    # DATABASE_URL's ?host=/socket/dir&port=... ends up).
    return _database().get_connection_params()


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the app's database: the password stays off the command line."""
    env = dict(os.environ)  # other libpq variables (PGSSLCRL, ...) pass through
    for keyword, value in _pg_parameters().items():
        if keyword in LIBPQ_VARIABLES and value not in (None, ""):
            env[LIBPQ_VARIABLES[keyword]] = str(value)
    return env


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the server's major version (pg_dump refuses newer servers)."""
    if os.environ.get("PG_BIN"):
        candidates = [Path(os.environ["PG_BIN"]) / name]
    else:
        database = _database()
        database.ensure_connection()
        major = database.pg_version // 10000
        candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's version "
            "(Debian: postgresql-client-NN), or set PG_BIN to its bin directory."
        )
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_dump(target: Path) -> None:
    _run([pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"])


def _pg_restore(path: Path) -> None:
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            # Objects belong to whoever restores (the app's database user), and
            # no GRANTs name roles that may not exist on this server.
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={_pg_parameters()['dbname']}",
            str(path),
        ]
    )


def default_directory() -> Path:
    return Path(settings.BACKUP_DIR)
