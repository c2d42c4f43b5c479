"""No page is kept by a browser or proxy: `Cache-Control: private, no-store` (ASVS 8.2.1).

A shared computer must not keep unpublished programme data on disk.
localcare.middleware.PrivateCacheMiddleware sets the header on every response
Django makes; these tests request every URL the app serves, through the
URLconf walker of test_access_matrix.py: every app URL filled with real values
as a role allowed to open it, every CSV and XLSX download linked from those
pages, the account pages, every Django admin URL pattern, the risk register
exports, the login and error pages. Static files (WhiteNoise, before the
middleware) keep their own caching: tests/performance/test_static_files.py
checks a year's immutable caching in production, and that no-store is absent.
"""

import html
from urllib.parse import urljoin

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from localities.models import Locality
from risks.models import Risk
from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import ROLES, app_routes, concrete_urls, expected_get
from tests.security.test_xss import EXPORT_LINK

pytestmark = pytest.mark.django_db

# The access matrix's fixture: each role's user, with the programme data.
users = matrix.users

# The password-reset link's arguments: an unknown link still answers a page.
ACCOUNT_VALUES = {
    "uidb64": ["MQ"],
    "token": ["not-a-real-token"],
    # The idle timer's "end the session, keeping this section" (POST only: 405 to a GET).
    "locality": ["medway"],
    "quarter": ["2018-19-q4"],
    "section": ["objectives"],
}


def directives(response) -> set[str]:
    header = response.get("Cache-Control", "")
    return {part.split("=")[0].strip().lower() for part in header.split(",") if part.strip()}


def is_private(response) -> bool:
    found = directives(response)
    return {"private", "no-store"} <= found and "public" not in found


def allowed_role(name: str, kwargs: dict) -> tuple[str, int | str]:
    """The first signed-in role the access rules let open the URL (200), else the first one."""
    expectations = [(role, expected_get(role, name, kwargs)) for role in ROLES[1:]]
    return next(((role, e) for role, e in expectations if e == 200), expectations[0])


def test_every_app_url_and_download_is_private_and_never_stored(client, users):
    planned = {}
    for route in app_routes():
        for url, kwargs in concrete_urls(route):
            role, expected = allowed_role(route.name, kwargs)
            planned.setdefault(role, []).append((url, expected))

    wrong, pages, downloads = [], 0, 0
    for role, urls in planned.items():
        client.force_login(users[role])
        for url, expected in urls:
            response = client.get(url)
            assert response.status_code == expected, (role, url)
            if not is_private(response):
                wrong.append((role, url, response.get("Cache-Control")))
            pages += 1
            if response.status_code != 200 or not response["Content-Type"].startswith("text/"):
                continue
            for href, _ in EXPORT_LINK.findall(response.content.decode()):
                download = client.get(urljoin(url, html.unescape(href)))
                assert download.status_code == 200, (role, url, href)
                if not is_private(download):
                    wrong.append((role, url + href, download.get("Cache-Control")))
                downloads += 1

    assert wrong == []
    assert pages >= 55
    assert downloads >= 28  # 14 dashboard tables, CSV and XLSX each
    # Every signed-in role took part.
    assert set(planned) >= {"board", "lead-thanet", "office"}


def test_the_account_pages_are_private(client, board_user):
    routes = [
        route
        for route in app_routes(skipped_prefixes=("admin/",))
        if route.pattern.startswith("accounts/")
    ]
    client.force_login(board_user)

    wrong = []
    for route in routes:
        for url, _ in concrete_urls(route, ACCOUNT_VALUES):
            response = client.get(url)
            assert response.status_code < 500, url
            if not is_private(response):
                wrong.append((url, response.status_code, response.get("Cache-Control")))

    assert wrong == []
    assert {route.name for route in routes} >= {
        "login",
        "password_change",
        "password_reset_confirm",
        "accounts:account",
        "accounts:two-factor-setup",
    }


def admin_urls(route, superuser) -> list[str]:
    """Real values for an admin URL pattern: the model's first row, its latest history row."""
    name = route.name
    if name == "admin:app_list":
        labels = sorted({model._meta.app_label for model in admin.site._registry})
        return [reverse(name, kwargs={"app_label": label}) for label in labels]
    if name == "admin:view_on_site":
        locality = Locality.objects.order_by("pk").first()
        content_type = ContentType.objects.get_for_model(Locality)
        return [reverse(name, args=[content_type.pk, locality.pk])]
    if name == "admin:auth_user_password_change":
        return [reverse(name, args=[superuser.pk])]
    model = next(
        (
            model
            for model in admin.site._registry
            if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_")
        ),
        None,
    )
    if model is None:
        assert not route.arguments, name
        return [reverse(name)]
    if not route.arguments and not name.endswith("_simple_history"):
        return [reverse(name)]
    row = model._default_manager.order_by("pk").first()
    if row is None:
        # No such row in the data (milestone and MDT updates): admin answers its
        # "does not exist" redirect, which must be private too.
        return [reverse(name, args=[0, 0] if name.endswith("_simple_history") else [0])]
    if name.endswith("_simple_history"):
        row.save()  # a history row to open (the fixture data is loaded without)
        entry = row.history.order_by("history_id").last()
        return [reverse(name, args=[row.pk, entry.history_id])]
    return [reverse(name, args=[row.pk])]


def test_every_django_admin_url_is_private(client, programme_data, admin_user):
    # A row in each table that has none in the fixtures, so every change page opens.
    attempt = {
        "username": "admin",
        "ip_address": "192.0.2.10",
        "user_agent": "test",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
        "attempt_time": timezone.now(),
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt)
    AccessLog.objects.create(**attempt)
    admin_user.totpdevice_set.create(name="phone", confirmed=False)
    client.force_login(admin_user)
    # Unnamed patterns ("admin") are redirects to named ones, or the catch-all.
    routes = [
        route
        for route in app_routes(skipped_prefixes=())
        if route.pattern.startswith("admin/") and route.name != "admin"
    ]

    wrong, answered = [], 0
    for route in routes:
        for url in admin_urls(route, admin_user):
            response = client.get(url)
            assert response.status_code < 500, url
            answered += response.status_code == 200
            if not is_private(response):
                wrong.append((url, response.status_code, response.get("Cache-Control")))

    assert wrong == []
    assert len(routes) > 150
    assert answered > 150


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_risk_register_export_is_private(client, programme_data, office_user, export_format):
    client.force_login(office_user)

    response = client.post(
        reverse("admin:risks_risk_changelist"),
        {
            "action": f"export_{export_format}",
            "_selected_action": list(Risk.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert is_private(response)


def test_the_login_health_check_redirects_and_not_found_are_private_too(client, board_user):
    anonymous = {
        "login page": client.get(reverse("login")),
        "admin login": client.get(reverse("admin:login")),
        "password reset": client.get(reverse("password_reset")),
        "health check (JSON)": client.get(reverse("healthz")),
        "redirect to log in": client.get(reverse("dashboard:home")),
    }
    client.force_login(board_user)
    not_found = client.get("/no-such-page/")

    assert anonymous["redirect to log in"].status_code == 302
    assert anonymous["health check (JSON)"]["Content-Type"] == "application/json"
    assert not_found.status_code == 404
    for where, response in {**anonymous, "not found": not_found}.items():
        assert is_private(response), (where, response.get("Cache-Control"))


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_is_private(db):
    from tests.error_urls import BUG

    response = Client(raise_request_exception=False).get(BUG)

    assert response.status_code == 500
    assert is_private(response)


def test_static_files_keep_their_own_caching(client, board_user):
    """WhiteNoise answers before the middleware: no private, no no-store."""
    client.force_login(board_user)

    response = client.get("/static/css/localcare.css")
    response.close()  # WhiteNoise streams the open file

    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert "private" not in directives(response)
