"""localcare.database_deadline's wait callback against a port that accepts and never answers.

No PostgreSQL needed: the kernel accepts the connection into the listening
socket's backlog and nothing ever replies, as with a stopped server. The
callback is process-wide, so each test installs it and takes it away again.
The gunicorn test with a stopped server is in
tests/security/test_database_unavailable.py.
"""

import socket

import psycopg2
import pytest

from localcare import database_deadline


@pytest.fixture
def never_answering_port():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)
        yield listening.getsockname()[1]


@pytest.fixture
def callback():
    database_deadline.install(outside_requests_seconds=1)
    try:
        yield
    finally:
        database_deadline.uninstall()


def connect(port: int, *, connect_timeout: int):
    return psycopg2.connect(
        host="127.0.0.1", port=port, user="postgres", connect_timeout=connect_timeout
    )


def test_the_request_deadline_ends_a_wait_before_a_longer_connect_timeout(
    callback, never_answering_port
):
    with (
        database_deadline.request_deadline(1),
        pytest.raises(
            psycopg2.OperationalError, match="no answer within the request's 1 s deadline"
        ),
    ):
        connect(never_answering_port, connect_timeout=60)


def test_the_connect_timeout_still_applies_when_it_is_shorter(callback, never_answering_port):
    with (
        database_deadline.request_deadline(60),
        pytest.raises(psycopg2.OperationalError, match="timeout expired"),
    ):
        connect(never_answering_port, connect_timeout=2)


def test_outside_a_request_each_wait_has_a_limit_of_its_own(callback, never_answering_port):
    # connect_timeout=0 is no limit in libpq: only the callback's own limit ends this.
    with pytest.raises(psycopg2.OperationalError, match="no answer within 1 s, outside a request"):
        connect(never_answering_port, connect_timeout=0)
