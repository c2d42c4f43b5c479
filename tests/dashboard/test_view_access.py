"""Every dashboard URL says who may see it with a decorator (dashboard.views.base).

Read from the URLconf, so a page added to dashboard/urls.py without
`@board_view` (or, for a page any signed-in user may read, `@signed_in_view`)
fails here rather than being open to accounts with no programme role.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dashboard.views.base import BOARD, SIGNED_IN

# Pages for anyone signed in, programme role or not: no quarter, no programme data.
FOR_ANYONE_SIGNED_IN = {"dashboard:accessibility"}
# The one dashboard write: the programme office publishes the board pack (CSRF, office only).
WRITES = {"dashboard:publish-pack"}
ARGUMENTS = {"slug": "thanet", "reference": "LC-R01", "pk": 1}


def dashboard_patterns() -> list[tuple[str, URLPattern]]:
    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(
                    entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace]))
                )
            elif namespace == "dashboard":
                yield f"{namespace}:{entry.name}", entry

    return list(walk(get_resolver().url_patterns))


def dashboard_url(name: str, pattern: URLPattern) -> str:
    return reverse(
        name, kwargs={argument: ARGUMENTS[argument] for argument in pattern.pattern.converters}
    )


def test_every_dashboard_url_declares_who_may_see_it():
    patterns = dashboard_patterns()
    assert len(patterns) >= 12
    for name, pattern in patterns:
        expected = SIGNED_IN if name in FOR_ANYONE_SIGNED_IN else BOARD
        assert getattr(pattern.callback, "access", None) == expected, (
            f"{name}: decorate its view with @board_view (dashboard.views.base)"
        )


@pytest.mark.django_db
def test_an_account_with_no_programme_role_is_refused_every_board_page(
    client, django_user_model, programme_data
):
    client.force_login(django_user_model.objects.create_user("visitor"))
    for name, pattern in dashboard_patterns():
        response = client.get(dashboard_url(name, pattern))
        if name in FOR_ANYONE_SIGNED_IN:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name
            assert b"no role in the Local Care programme" in response.content, name


@pytest.mark.django_db
def test_dashboard_pages_are_read_only_whoever_asks(client, django_user_model, board_user):
    # The method is checked before access, as before: 405 for a role or none.
    nobody = django_user_model.objects.create_user("visitor")
    for user in (board_user, nobody):
        client.force_login(user)
        for name, pattern in dashboard_patterns():
            expected = 403 if name in WRITES else 405
            assert client.post(dashboard_url(name, pattern)).status_code == expected, name
