"""Errors are explained in the NHS style, with no technical detail."""

import logging

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import error_urls


def test_page_not_found_is_plain_and_styled(client, board_user):
    client.force_login(board_user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "nhsuk-header" in response.text
    assert "Traceback" not in response.text


def test_forbidden_says_why_without_detail(client, django_user_model, programme_data):
    client.force_login(django_user_model.objects.create_user("visitor"))

    response = client.get("/")

    assert response.status_code == 403
    assert "You cannot see this page" in response.text
    assert "no role in the Local Care programme" in response.text


# --- 500 and 503: no database, no detail -----------------------------------------

ERROR_URLS = "tests.error_urls"


@pytest.fixture
def anonymous(db):
    """A client that returns error responses instead of re-raising the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("500.html", "Sorry, there is a problem with the service"),
        ("503.html", "Sorry, the service is unavailable"),
    ],
)
def test_500_and_503_pages_render_without_the_database(template, heading, db):
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string(template)
    assert len(queries) == 0
    assert f"<h1>{heading}</h1>" in html
    assert 'lang="en-GB"' in html
    assert "nhsuk-header" in html


@pytest.mark.urls(ERROR_URLS)
def test_a_bug_shows_the_500_page_without_detail_or_a_query(anonymous, settings):
    settings.DEBUG = False
    with CaptureQueriesContext(connection) as queries:
        response = anonymous.get(error_urls.BUG)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    assert len(queries) == 0


@pytest.mark.urls(ERROR_URLS)
def test_a_database_lost_by_a_view_gives_the_503_page(anonymous, settings, caplog):
    settings.DEBUG = False
    with caplog.at_level(logging.WARNING):
        response = anonymous.get(error_urls.DATABASE_GONE)

    assert_service_unavailable(response)
    # One line, on our logger; not Django's "Internal Server Error" with a traceback.
    assert [(r.name, r.exc_info) for r in caplog.records] == [("localcare.database", None)]
    assert "\n" not in caplog.records[0].getMessage()
    assert "server closed the connection unexpectedly" in caplog.records[0].getMessage()


@pytest.mark.urls(ERROR_URLS)
@pytest.mark.parametrize("debug", [False, True])
def test_a_database_lost_by_a_view_gives_the_503_page_in_development_too(
    anonymous, settings, debug
):
    settings.DEBUG = debug
    assert_service_unavailable(anonymous.get(error_urls.DATABASE_GONE))


@pytest.mark.urls(ERROR_URLS)
def test_a_database_lost_in_a_middleware_gives_the_503_page(anonymous, settings, caplog):
    """Before the view (the session and user are read there): through handler500."""
    settings.DEBUG = False
    settings.MIDDLEWARE = insert_after_sessions(settings.MIDDLEWARE)
    with caplog.at_level(logging.WARNING):
        response = anonymous.get(error_urls.MIDDLEWARE_DATABASE_GONE + "any/page/")

    assert_service_unavailable(response)
    assert [r.name for r in caplog.records] == ["localcare.database"]


@pytest.mark.urls(ERROR_URLS)
def test_healthz_answers_json_when_a_middleware_loses_the_database(anonymous, settings):
    settings.DEBUG = False
    settings.MIDDLEWARE = insert_after_sessions(settings.MIDDLEWARE)

    response = anonymous.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def insert_after_sessions(middleware: list[str]) -> list[str]:
    position = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    return [
        *middleware[:position],
        "tests.error_urls.LoseDatabaseInMiddleware",
        *middleware[position:],
    ]


def assert_service_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Sorry, the service is unavailable" in response.text
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text
