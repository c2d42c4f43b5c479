"""Errors are explained in the NHS style, with no technical detail."""

import pytest


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


@pytest.mark.django_db
def test_server_error_page_needs_no_database_or_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
