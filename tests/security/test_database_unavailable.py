"""While the database is down every page answers 503, quickly and plainly; then it recovers.

Against real servers, no mocks: the app runs under gunicorn with production
settings (DEBUG off) in a child process, against a throwaway PostgreSQL
cluster that the test stops and starts, a port that refuses connections, and
a port that accepts them and never answers.
"""

import json
import socket

import pytest

from tests.helpers import TABLES_FROM_MODELS
from tests.security.servers import app_server, manage, production_environment, throwaway_cluster

PASSWORD = "a-long-test-password-for-board"
UNAVAILABLE = "Sorry, the service is unavailable"
# The connect timeout is 5 seconds (DB_CONNECT_TIMEOUT); a refused connection is immediate.
CONNECT_TIMEOUT = 5
# Pages people open, logged in or not; and a write.
PAGES = ["/", "/risks/", "/updates/medway/2018-19-q4/", "/accounts/login/"]

# One child process for all three (each Django start costs a second or two).
SET_UP_DATABASE = (
    TABLES_FROM_MODELS
    + f"""
from django.contrib.auth.models import Group, User
call_command("load_programme_data", verbosity=0)
user = User.objects.create_user("board", password="{PASSWORD}")
user.groups.add(Group.objects.get(name="Board member"))
"""
)


@pytest.fixture(scope="module")
def cluster():
    with throwaway_cluster() as cluster:
        cluster.psql("CREATE DATABASE localcare")
        manage("shell", "-c", SET_UP_DATABASE, env=production_environment(cluster.url("localcare")))
        yield cluster


def assert_unavailable(response, where):
    assert response.status == 503, (where, response.status, response.text[:500])
    assert response.headers["Retry-After"] == "30", where
    assert "Traceback" not in response.text, where
    if where.startswith("/healthz"):
        assert json.loads(response.text) == {"status": "unavailable", "database": "unreachable"}
    else:
        assert UNAVAILABLE in response.text, where
        assert response.headers["Content-Type"].startswith("text/html"), where


def test_pages_answer_503_while_the_database_is_stopped_and_recover_when_it_starts(
    cluster, tmp_path
):
    with app_server(production_environment(cluster.url("localcare")), tmp_path) as app:
        session = app.log_in("board", PASSWORD)
        assert app.get("/", cookies=session).status == 200
        assert app.get("/healthz").status == 200

        cluster.stop("fast")
        try:
            for path in PAGES:
                for cookies in (session, None):
                    response = app.get(path, cookies=cookies)
                    assert_unavailable(response, path)
                    assert response.seconds < CONNECT_TIMEOUT, (path, response.seconds)
            assert_unavailable(app.get("/healthz", cookies=session), "/healthz")
            assert_unavailable(app.get("/healthz"), "/healthz")
            # A write: logging in again.
            login = app.request(
                "POST",
                "/accounts/login/",
                cookies=session,
                form={"username": "board", "password": PASSWORD},
            )
            assert_unavailable(login, "POST /accounts/login/")
        finally:
            cluster.start()

        # The same server, not restarted, and the same session: the database is back.
        assert app.get("/", cookies=session).status == 200
        assert app.get("/risks/", cookies=session).status == 200
        assert app.get("/accounts/login/").status == 200
        assert app.get("/").status == 302
        assert app.get("/healthz").status == 200

    # One line in the log per refused request, and no traceback.
    log = app.log
    assert log.count("Database unavailable; answered 503") == 2 * len(PAGES) + 3, log
    assert "Traceback" not in log


def test_a_database_unreachable_from_the_start_answers_503_within_the_connect_timeout(tmp_path):
    """Refused at first, then accepting connections and never answering (a hung server)."""
    with socket.socket() as database:
        # Bound but not listening: connections are refused.
        database.bind(("127.0.0.1", 0))
        url = f"postgres://postgres@127.0.0.1:{database.getsockname()[1]}/localcare"
        with app_server(production_environment(url), tmp_path) as app:
            for path in PAGES + ["/healthz"]:
                response = app.get(path)
                assert_unavailable(response, path)
            assert app.get("/").seconds < 2

            # Listening, so the kernel accepts connections, but nothing ever answers.
            database.listen(16)
            response = app.get("/")
            assert_unavailable(response, "/")
            assert CONNECT_TIMEOUT - 0.5 < response.seconds < CONNECT_TIMEOUT + 1, response.seconds
    assert "timeout expired" in app.log
    assert "Traceback" not in app.log


# DB_REQUEST_DEADLINE's default: a request's database waits end 8 s after it starts.
REQUEST_DEADLINE = 8


def test_a_hung_database_answers_503_within_the_request_deadline_and_recovers(cluster, tmp_path):
    """The server accepts connections and never answers (SIGSTOP), on a kept-alive connection.

    TCP cannot tell: the kernel still acknowledges everything. The app's own
    deadline answers, gunicorn's worker is not killed, and once the server
    runs again the same worker serves the next request.
    """
    with app_server(production_environment(cluster.url("localcare")), tmp_path) as app:
        session = app.log_in("board", PASSWORD)
        # The worker keeps this connection (DB_CONN_MAX_AGE); its backend stops too.
        assert app.get("/", cookies=session).status == 200

        with cluster.paused():
            # The kept-alive connection's health check waits until the deadline.
            response = app.get("/", cookies=session)
            assert_unavailable(response, "/")
            assert REQUEST_DEADLINE - 0.5 < response.seconds < REQUEST_DEADLINE + 2, (
                response.seconds
            )
            # A new connection: accepted into the backlog, never answered.
            response = app.get("/healthz")
            assert_unavailable(response, "/healthz")
            assert CONNECT_TIMEOUT - 0.5 < response.seconds < CONNECT_TIMEOUT + 1, response.seconds

        # The same worker, not restarted, and the same session.
        assert app.get("/", cookies=session).status == 200
        assert app.get("/healthz").status == 200

    log = app.log
    assert "no answer within the request's 8 s deadline" in log, log
    assert "timeout expired" in log, log
    assert log.count("Database unavailable; answered 503") == 2, log
    assert log.count("Booting worker") == 1, log
    assert "WORKER TIMEOUT" not in log
    assert "Traceback" not in log
