"""Every refused access is logged once, centrally (localcare.middleware), with who, what and where."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from risks.models import Risk
from tests.error_urls import BUG

ACCESS_LOGGER = "localcare.access"


def refusals(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == ACCESS_LOGGER]


def test_a_refused_dashboard_page_is_logged_once(client, django_user_model, programme_data, caplog):
    client.force_login(django_user_model.objects.create_user("visitor"))

    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.get("/risks/?quarter=2018-19-q3")

    assert response.status_code == 403
    [record] = refusals(caplog)
    assert record.levelno == logging.WARNING
    assert (record.user, record.path) == ("visitor", "/risks/")
    assert record.created  # the time, printed by the log format
    assert "visitor" in record.getMessage()
    assert "GET /risks/" in record.getMessage()
    assert "no programme role" in record.getMessage()


def test_a_refused_update_write_is_logged_once_with_its_object(client, lead_thanet, caplog):
    client.force_login(lead_thanet)

    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.post(
            "/updates/medway/2018-19-q4/edit/summary/", {"summary-summary": "forged", "version": 1}
        )

    assert response.status_code == 403
    [record] = refusals(caplog)
    assert (record.user, record.path, record.target) == (
        "lead-thanet",
        "/updates/medway/2018-19-q4/edit/summary/",
        "Medway",
    )
    assert "POST" in record.getMessage()
    assert "editing this locality's update" in record.getMessage()


def test_a_refusal_in_django_admin_is_logged_too(client, office_user, programme_data, caplog):
    """The programme office may not delete a risk (superusers only): admin's own 403."""
    client.force_login(office_user)
    risk = Risk.objects.filter(reference="LC-R01").get()

    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.post(f"/admin/risks/risk/{risk.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    [record] = refusals(caplog)
    assert (record.user, record.path) == ("office", f"/admin/risks/risk/{risk.pk}/delete/")
    assert Risk.objects.filter(pk=risk.pk).exists()


# The overview, and an approved update (board members read approved ones only).
@pytest.mark.parametrize("path", ["/", "/updates/ashford/2018-19-q4/"])
def test_allowed_pages_log_nothing(client, board_user, programme_data, caplog, path):
    client.force_login(board_user)

    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.get(path)

    assert response.status_code == 200
    assert refusals(caplog) == []


# --- One line a refusal in the log itself -----------------------------------------


@contextmanager
def console_output():
    """What the "console" handler of settings.LOGGING writes, formatted, while inside."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        yield written
    finally:
        handler.setStream(previous)


def test_a_refused_page_is_one_line_in_the_log_without_a_traceback(
    client, django_user_model, programme_data
):
    client.force_login(django_user_model.objects.create_user("visitor"))

    with console_output() as output:
        response = client.get("/risks/?quarter=2018-19-q3")

    assert response.status_code == 403
    [line] = output.getvalue().splitlines()
    assert "WARNING localcare.access Refused" in line
    assert "visitor" in line
    assert "GET /risks/" in line
    assert "Traceback" not in output.getvalue()


def test_a_refusal_in_django_admin_is_one_line_too(client, office_user, programme_data):
    client.force_login(office_user)
    risk = Risk.objects.filter(reference="LC-R01").get()

    with console_output() as output:
        response = client.post(f"/admin/risks/risk/{risk.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    [line] = output.getvalue().splitlines()
    assert line.endswith(
        f"WARNING localcare.access Refused access to user office (id {office_user.pk}) "
        f"on POST /admin/risks/risk/{risk.pk}/delete/"
    )


def test_a_403_the_middleware_did_not_see_keeps_its_line_without_the_traceback():
    """E.g. a PermissionDenied raised in a middleware: Django's line is then the only one."""
    request = RequestFactory().get("/somewhere/")
    try:
        raise PermissionDenied
    except PermissionDenied as refusal:
        error = refusal

    with console_output() as output:
        logging.getLogger("django.request").warning(
            "Forbidden (Permission denied): %s",
            request.path,
            extra={"status_code": 403, "request": request},
            exc_info=error,
        )

    [line] = output.getvalue().splitlines()
    assert line.endswith("WARNING django.request Forbidden (Permission denied): /somewhere/")


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_still_logs_its_traceback(db):
    with console_output() as output:
        response = Client(raise_request_exception=False).get(BUG)

    assert response.status_code == 500
    logged = output.getvalue()
    assert f"ERROR django.request Internal Server Error: {BUG}" in logged
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: a bug" in logged
