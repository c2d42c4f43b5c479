#!/usr/bin/env bash
# `.ci/services.sh COMMAND...`: run COMMAND (make test's pytest) against a
# throwaway PostgreSQL server and a throwaway Redis, as CI does, and stop both
# afterwards whatever happens; exits with COMMAND's exit code.
#
# - DATABASE_URL already set: the caller chose the servers; COMMAND runs as is.
# - PostgreSQL on a Unix socket in a new temporary directory (no TCP, so no
#   port to clash with), fsync off; as root it runs as the postgres user.
# - Redis on 127.0.0.1 on a free port, no persistence. Each pytest-xdist worker
#   uses its own database of it (tests/conftest.py).
# - Exports DATABASE_URL, REDIS_URL, PG_BIN (tests/security/servers.py and the
#   backup tests use the same binaries), PG_DIR and PG_PORT.
# - Binaries missing (make test-deps installs them when run as root): under
#   CI=true that fails; otherwise COMMAND runs on SQLite without Redis and the
#   tests that need them skip, as one line says.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND..." >&2
	exit 2
fi
if [ -n "${DATABASE_URL:-}" ]; then
	exec "$@"
fi

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
REDIS_SERVER="$(command -v redis-server || true)"
missing=""
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || missing="$missing postgresql"
[ -n "$REDIS_SERVER" ] || missing="$missing redis-server"
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "CI needs Debian's$missing (make test-deps installs them as root)" >&2
		exit 1
	fi
	skipping="tests/test_backups.py's PostgreSQL round trip, the concurrent-write tests and tests/performance/test_redis.py"
	case "$missing" in *postgresql*) skipping="$skipping, tests/security/test_database_unavailable.py" ;; esac
	echo "No$missing here (apt-get install$missing): running on SQLite without Redis; $skipping skip."
	exec "$@"
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
as_postgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/localcare-test.XXXXXX")"
PG_PORT="$(free_port)"
REDIS_PORT="$(free_port)"
postgres_started=""
redis_started=""

stop_services() {
	if [ -n "$redis_started" ]; then
		redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
	fi
	if [ -n "$postgres_started" ]; then
		as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$PG_DIR"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
postgres_started=yes
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgresql.log" -w -o \
	"-p $PG_PORT -k $PG_DIR -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
	start >/dev/null
as_postgres "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -q -c "CREATE DATABASE localcare" >/dev/null

redis_started=yes
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$PG_DIR" \
	--pidfile "$PG_DIR/redis.pid" --logfile "$PG_DIR/redis.log" --daemonize yes
for _ in $(seq 50); do
	redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
	sleep 0.1
done
redis-cli -p "$REDIS_PORT" ping >/dev/null

export PG_BIN PG_DIR PG_PORT
export DATABASE_URL="postgres://postgres@/localcare?host=$PG_DIR&port=$PG_PORT"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
echo "Throwaway PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on $PG_DIR," \
	"Redis on 127.0.0.1:$REDIS_PORT; both stop when the tests end."

# Not exec: the trap must stop the servers once COMMAND has ended.
status=0
"$@" || status=$?
exit "$status"
