import json

import pytest

from tests.test_settings import run_django

HEALTHZ_IN_CHILD = (
    "from django.test import Client; r = Client().get('/healthz'); "
    "print(r.status_code); print(r.content.decode())"
)


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_login(client, db):
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "unreachable_database",
    [
        # A real PostgreSQL client connecting to a port nothing listens on.
        "postgres://nobody@127.0.0.1:9/localcare",
        # A real SQLite file in a directory that does not exist.
        "sqlite:////nonexistent-directory/localcare.sqlite3",
    ],
)
def test_healthz_answers_503_when_the_database_does_not(unreachable_database):
    result = run_django(HEALTHZ_IN_CHILD, DATABASE_URL=unreachable_database)

    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}
    assert "Traceback" not in body


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
