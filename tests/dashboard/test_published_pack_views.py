"""The publish page, the pack page's published versions, and the board's download."""

from unittest import mock

import pytest
from django.urls import reverse

from dashboard import publishing
from dashboard.periods import quarters_with_updates
from governance.models import PublishedPack
from localities.models import GovernanceBody

pytestmark = pytest.mark.django_db

PUBLISH = reverse("dashboard:publish-pack")


def quarter():
    return quarters_with_updates(("approved",))[-1]


@pytest.fixture
def body(programme_data):
    return GovernanceBody.objects.order_by("name").first()


def fake_pdf(html, *, title):
    content = b"%PDF-1.4 fake " + title.encode()
    return publishing.MadePdf(content=content, sha256="b" * 64, page_count=3)


@pytest.fixture
def published(office_user, body):
    pack = publishing.request_publication(
        user=office_user, quarter=quarter(), body=body, start=lambda pk: None
    )
    return publishing.publish(pack.pk, make_pdf=fake_pdf)


@pytest.fixture
def no_launch():
    with mock.patch("dashboard.publishing.launch") as launch:
        yield launch


def test_the_office_publishes_and_is_sent_to_the_pack_page(
    client, office_user, body, no_launch, django_capture_on_commit_callbacks
):
    client.force_login(office_user)
    page = client.get(PUBLISH)
    assert page.status_code == 200
    assert b"Publish the pack" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PUBLISH, {"body": body.pk, "reason": ""})
    pack = PublishedPack.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#published-pack-{pack.pk}")
    no_launch.assert_called_once_with(pack.pk)
    shown = client.get(response["Location"])
    assert b"Publishing\xe2\x80\xa6" in shown.content
    assert b"data-poll-url" in shown.content
    assert b'role="status"' in shown.content


def test_a_second_publish_is_refused_with_a_clear_message(client, office_user, body, no_launch):
    client.force_login(office_user)
    client.post(PUBLISH, {"body": body.pk})
    response = client.post(PUBLISH, {"body": body.pk, "reason": "again"})
    assert response.status_code == 409
    assert b"being published already" in response.content
    assert b"nhsuk-error-summary" in response.content
    assert PublishedPack.objects.count() == 1


def test_a_correction_without_its_reason_is_refused_at_the_field(client, office_user, published):
    client.force_login(office_user)
    response = client.post(PUBLISH, {"body": published.body_id, "reason": "  "})
    assert response.status_code == 400
    assert b'href="#id_reason"' in response.content
    assert b"say why the new version corrects it" in response.content
    assert response.content.count(b"<title>Error: ") == 1
    assert PublishedPack.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, b"Select the board the pack is for"),
        ({"body": "999999"}, b"Select the board the pack is for"),
        ({"body": "x", "reason": "r" * 5000}, b"characters or fewer"),
    ],
)
def test_bad_input_is_a_400_with_its_message(client, office_user, body, data, message, no_launch):
    client.force_login(office_user)
    response = client.post(PUBLISH, data)
    assert response.status_code == 400
    assert message in response.content
    assert not PublishedPack.objects.exists()
    no_launch.assert_not_called()


def test_the_reason_is_escaped(client, office_user, published, no_launch, board_user):
    client.force_login(office_user)
    client.post(PUBLISH, {"body": published.body_id, "reason": "<script>alert(1)</script>"})
    page = client.get(reverse("dashboard:board-pack"))
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_publishing_needs_csrf(office_user, body, no_launch):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    assert client.post(PUBLISH, {"body": body.pk}).status_code == 403
    assert not PublishedPack.objects.exists()


@pytest.mark.parametrize("who", ["board_user", "lead_thanet"])
def test_only_the_office_publishes(client, request, who, body, no_launch):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PUBLISH).status_code == 403
    assert client.post(PUBLISH, {"body": body.pk}).status_code == 403
    assert not PublishedPack.objects.exists()


def test_a_superuser_publishes(client, admin_user, body):
    client.force_login(admin_user)
    assert client.get(PUBLISH).status_code == 200


def test_anonymous_is_sent_to_log_in(client, published):
    for url in (
        PUBLISH,
        reverse("dashboard:published-pack-pdf", args=[published.pk]),
        reverse("dashboard:published-pack-status", args=[published.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


# --- the pack page lists the versions --------------------------------------------------


def test_the_pack_page_lists_the_versions_and_the_office_may_publish(
    client, office_user, board_user, published
):
    client.force_login(board_user)
    page = client.get(reverse("dashboard:board-pack"))
    content = page.content.decode()
    assert "Published versions of the" in content
    assert "First version" in content
    assert "Download version 1" in content
    assert "(PDF, 3 pages)" in content
    assert "office" in content  # who published
    assert PUBLISH not in content  # a board member does not publish
    client.force_login(office_user)
    assert PUBLISH in client.get(reverse("dashboard:board-pack")).content.decode()


def test_a_failure_is_shown_to_the_office(client, office_user, body, settings):
    settings.BOARD_PACK_CHROMIUM = "/nonexistent/chromium"
    pack = publishing.request_publication(
        user=office_user, quarter=quarter(), body=body, start=lambda pk: None
    )
    publishing.publish(pack.pk)
    client.force_login(office_user)
    content = client.get(reverse("dashboard:board-pack")).content.decode()
    assert "Failed" in content
    assert "Chromium is not installed" in content
    status = client.get(reverse("dashboard:published-pack-status", args=[pack.pk])).json()
    assert status["status"] == "failed"
    assert "Chromium is not installed" in status["message"]


def test_the_status_poll(client, office_user, body):
    pack = publishing.request_publication(
        user=office_user, quarter=quarter(), body=body, start=lambda pk: None
    )
    client.force_login(office_user)
    url = reverse("dashboard:published-pack-status", args=[pack.pk])
    answer = client.get(url)
    assert answer.json()["status"] == "publishing"
    assert "no-cache" in answer["Cache-Control"] or "no-store" in answer["Cache-Control"]
    publishing.publish(pack.pk, make_pdf=fake_pdf)
    done = client.get(url).json()
    assert done["status"] == "published"
    assert done["published_at"]
    assert done["download_url"] == reverse("dashboard:published-pack-pdf", args=[pack.pk])
    assert client.get(reverse("dashboard:published-pack-status", args=[999999])).status_code == 404


# --- the board's download ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_a_board_member_downloads_the_stored_pdf(
    client, request, who, published, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("dashboard:published-pack-pdf", args=[published.pk])
    client.get(url)  # warm the session and the quarter options
    with (
        mock.patch("dashboard.publishing.pdf_from_html") as chromium,
        mock.patch("dashboard.publishing.render_pack_html") as render,
        django_assert_max_num_queries(8),
    ):
        response = client.get(url)
    chromium.assert_not_called()
    render.assert_not_called()
    assert response.status_code == 200
    assert response.content == bytes(PublishedPack.objects.get(pk=published.pk).pdf)
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"].split(", ")
    assert response["Content-Disposition"] == (
        f'attachment; filename="local-care-board-pack-{published.quarter.slug}-'
        f'{publishing.pdf_filename(published).split(published.quarter.slug + "-")[1]}"'
    )
    assert publishing.pdf_filename(published).endswith("-v1.pdf")


def test_the_download_query_count_is_flat(client, board_user, published, office_user):
    """Ten more versions (of other quarters' packs too) read no more for one download."""
    client.force_login(board_user)
    url = reverse("dashboard:published-pack-pdf", args=[published.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    body = GovernanceBody.objects.order_by("name").last()
    for _ in range(3):
        pack = publishing.request_publication(
            user=office_user, quarter=quarter(), body=body, reason="r", start=lambda pk: None
        )
        publishing.publish(pack.pk, make_pdf=fake_pdf)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_a_pack_not_published_is_not_downloaded(client, board_user, office_user, body):
    pack = publishing.request_publication(
        user=office_user, quarter=quarter(), body=body, start=lambda pk: None
    )
    client.force_login(board_user)
    assert client.get(reverse("dashboard:published-pack-pdf", args=[pack.pk])).status_code == 404
    assert client.get(reverse("dashboard:published-pack-pdf", args=[999999])).status_code == 404


def test_no_role_is_refused(client, django_user_model, published):
    client.force_login(django_user_model.objects.create_user("visitor"))
    assert (
        client.get(reverse("dashboard:published-pack-pdf", args=[published.pk])).status_code == 403
    )
    assert client.get(PUBLISH).status_code == 403
