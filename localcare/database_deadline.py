"""A deadline on every database wait of a web request, for a server that stops answering.

A PostgreSQL server that is stopped or wedged (SIGSTOP, a frozen VM, a
saturated host) keeps its TCP connections open: the kernel still accepts and
acknowledges, so libpq's blocking read waits for ever and gunicorn kills the
worker after its 30 s timeout, with no answer to the person. TCP settings do
not help, measured on Linux against a SIGSTOPped server: with keepalives (idle
1 s, interval 1 s, count 2) and tcp_user_timeout=3000 a kept-alive
connection's `SELECT 1` was still blocked after 20 s, because the peer's
kernel acknowledges both the query and the keepalive probes. A server-side
statement_timeout needs the server to run. A new connection is already bounded
by libpq's connect_timeout (5.0 s measured).

So the client keeps the time: psycopg2's wait callback (the hook coroutine
libraries use) makes libpq non-blocking, and `wait_within_deadline` polls its
socket until the request's deadline (DB_REQUEST_DEADLINE, set by
DatabaseUnavailableMiddleware; outside a request, as long from the start of
each wait) or, while connecting, connect_timeout. Past it,
psycopg2 closes the connection and raises OperationalError, which the
middleware answers with 503; the next request connects afresh.

Installed by localcare/wsgi.py only, so management commands (a migration may
rightly run for minutes) and the test suite keep libpq's blocking calls.
With a wait callback psycopg2 refuses COPY and large objects; the app uses
neither. A deadline that passes while a COMMIT's answer is awaited leaves its
outcome unknown to the person (as any client timeout does); the server rolls
back whatever it had not committed when it sees the connection gone.
"""

import contextlib
import contextvars
import select
import time

import psycopg2
from psycopg2 import extensions

# time.monotonic() by which the current request's database waits must end.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "database_deadline", default=None
)
_seconds: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "database_deadline_seconds", default=None
)


@contextlib.contextmanager
def request_deadline(seconds: float):
    """Every database wait inside ends by `seconds` from now (where the callback is installed)."""
    deadline_token = _deadline.set(time.monotonic() + seconds)
    seconds_token = _seconds.set(seconds)
    try:
        yield
    finally:
        _deadline.reset(deadline_token)
        _seconds.reset(seconds_token)


def _connect_timeout(connection) -> float | None:
    # libpq ignores connect_timeout in non-blocking mode, so it is kept here,
    # with libpq's meaning: unset or 0 is no limit, and at least 2 seconds.
    value = extensions.parse_dsn(connection.dsn).get("connect_timeout")
    if not value or int(value) <= 0:
        return None
    return float(max(int(value), 2))


# Outside a request (Django's request_finished health check, for one), each
# wait gets this long on its own; set by install().
_outside_requests_seconds = 8.0


def wait_within_deadline(connection) -> None:
    """psycopg2's wait callback: poll the connection until done or out of time."""
    now = time.monotonic()
    limits = []  # (monotonic deadline, why) for each limit that applies
    if _deadline.get() is not None:
        limits.append(
            (_deadline.get(), f"no answer within the request's {_seconds.get():g} s deadline")
        )
    else:
        limits.append(
            (
                now + _outside_requests_seconds,
                f"no answer within {_outside_requests_seconds:g} s, outside a request",
            )
        )
    if connection.status == extensions.STATUS_SETUP:
        connect_timeout = _connect_timeout(connection)
        if connect_timeout is not None:
            limits.append((now + connect_timeout, "timeout expired"))
    ends_by, reason = min(limits, default=(None, ""))
    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        if state == extensions.POLL_READ:
            events = select.POLLIN
        elif state == extensions.POLL_WRITE:
            events = select.POLLOUT
        else:
            raise psycopg2.OperationalError(f"unexpected state from poll(): {state}")
        timeout_ms = None
        if ends_by is not None:
            timeout_ms = (ends_by - time.monotonic()) * 1000
            if timeout_ms <= 0:
                # psycopg2 closes the connection when the callback raises.
                raise psycopg2.OperationalError(f"database unresponsive: {reason}")
        # poll, not select: no limit on the descriptor's number. The socket is
        # asked for each time: libpq opens a new one per address it tries.
        poller = select.poll()
        poller.register(connection.fileno(), events)
        poller.poll(timeout_ms)


def install(*, outside_requests_seconds: float) -> None:
    """From now on, every psycopg2 connection of this process waits through the callback."""
    global _outside_requests_seconds
    _outside_requests_seconds = outside_requests_seconds
    extensions.set_wait_callback(wait_within_deadline)


def uninstall() -> None:
    extensions.set_wait_callback(None)
