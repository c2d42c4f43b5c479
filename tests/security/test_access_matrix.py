"""Who may open every URL of the app, for every role: generated from the URLconf.

Every URL pattern (Django admin and the login and account pages aside: they
have tests of their own) is filled in with real values from the fixture data
and requested as each role. A new URL fails `test_every_url_is_covered` until
it has values here and a rule in `expected_get`. Every lead against every
other locality is tests/updates/test_update_access_matrix.py; this file
checks that its lists still name every update URL.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from localities import access
from risks.models import Risk
from tests.helpers import assign_lead
from tests.updates import test_update_access_matrix as lead_matrix
from updates.models import QuarterlyUpdate

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "accounts/")
QUARTER = "2018-19-q4"
# In 2018/19 Q4 (illustrative data): Thanet submitted, Medway draft, Swale
# returned, Ashford approved; lead-thanet and lead-medway lead their own.
STATUS_IN_QUARTER = {
    "thanet": QuarterlyUpdate.Status.SUBMITTED,
    "medway": QuarterlyUpdate.Status.DRAFT,
    "swale": QuarterlyUpdate.Status.RETURNED,
    "ashford": QuarterlyUpdate.Status.APPROVED,
}
VALUES = {
    "locality": list(STATUS_IN_QUARTER),
    "quarter": [QUARTER],
    "section": ["objectives", "summary"],
    "slug": ["thanet"],  # the dashboard's locality page
    "reference": ["LC-R01"],
    "comment": [1],  # a thread on the return (issue 16); POST only
    "pk": [1],  # a meeting, decision or action on the programme office's pages (issue 17)
    # No board pack is published here: every role that may read pack 1 gets 404;
    # each role's download of a real one is tests/dashboard/test_published_pack_views.py.
    # The illustrative board reports of 2018/19 Q4: 1000 approved, 1001 a draft.
    "report": [1000, 1001],
    # The office's monthly outcome data (issue 18): the illustrative change point, and
    # the extract template's two formats.
    "change_point": [1000],
    "export_format": ["csv", "xlsx"],
    # The reorganisation the fixtures record (issue 19): the 2020 CCG merger.
    "reorganisation": [1],
    # An API token (issue 20): none exists here, so revoking one is a 404 to a POST and
    # a 405 to a GET; tests/api/test_token_pages.py revokes real ones.
    "token": [1],
}
APPROVED_REPORTS = {1000}
ROLES = [
    "anonymous",
    "board",
    "lead-thanet",
    "lead-medway",
    "former-lead-swale",
    "office",
    "superuser",
]
LEADS = {"lead-thanet": "thanet", "lead-medway": "medway"}
# Led Swale until 31 December 2018: not its 2018/19 Q4 return's lead (decision 0023),
# so treated as any lead of another locality; and a locality lead still.
FORMER_LEADS = {"former-lead-swale": "swale"}
REVIEWERS = {"office", "superuser"}
POST_ONLY = {
    "updates:approve",
    "updates:return",
    "updates:reopen",
    "updates:comment",
    "updates:reply",
    "updates:confirm",
    "updates:discard-typed",
    "updates:change-point-withdraw",
    "reports:approve",
    "api:token-revoke",
}
EDITABLE = {QuarterlyUpdate.Status.DRAFT, QuarterlyUpdate.Status.RETURNED}
LOGIN = "login"  # a redirect to the login page
# The data API's endpoints (issue 20) take an API token, never a session: 401 to every
# role here; tests/api/ requests them with tokens.
API_DATA = {
    "api:localities",
    "api:objectives",
    "api:objective-statuses",
    "api:milestones",
    "api:mdts",
    "api:money",
    "api:outcomes",
    "api:risks",
    "api:actions",
    "api:decisions",
}
# A person's own API tokens are their account, not programme data: a board member may
# make and revoke their own (tests/api/test_token_pages.py).
OWN_ACCOUNT_WRITES = {"api:tokens", "api:token-revoke"}


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    arguments: tuple[str, ...]


def app_routes(skipped_prefixes: tuple[str, ...] = SKIPPED_PREFIXES) -> list[Route]:
    """Every URL pattern outside `skipped_prefixes` (test_cache_control.py walks admin
    and the account pages too)."""

    def walk(patterns, prefix="", namespace=""):
        for entry in patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace]))
                yield from walk(entry.url_patterns, pattern, inner)
            elif isinstance(entry, URLPattern) and not pattern.startswith(skipped_prefixes):
                name = ":".join(filter(None, [namespace, entry.name]))
                yield Route(pattern, name, tuple(entry.pattern.converters))

    return list(walk(get_resolver().url_patterns))


def concrete_urls(route: Route, values: dict = VALUES) -> list[tuple[str, dict]]:
    combinations = [{}]
    for argument in route.arguments:
        combinations = [{**c, argument: value} for c in combinations for value in values[argument]]
    return [(reverse(route.name, kwargs=kwargs), kwargs) for kwargs in combinations]


def expected_get(role: str, name: str, kwargs: dict) -> int | str:
    """The rules, written out: what `role` gets from GET on the URL `name` with `kwargs`."""
    if name in {"healthz", "api:schema"}:
        return 200  # the API's schema holds no data
    if name in API_DATA:
        return 401
    if role == "anonymous":
        return LOGIN
    if name == "dashboard:publish-pack":
        return 200 if role in REVIEWERS else 403  # only the programme office publishes
    if name in {"dashboard:published-pack-pdf", "dashboard:published-pack-status"}:
        return 404  # every programme role may; no pack is published here (see VALUES)
    if name.startswith("dashboard:"):
        return 200  # every programme role reads every dashboard page
    if name in POST_ONLY:
        return 405
    if name.startswith("governance:"):
        return 200 if role in REVIEWERS else 403  # the office keeps them; the board reads
    if name in {"api:docs", "api:tokens"}:
        return 200  # every programme role may read the API and make tokens
    if name == "api:token-new":
        return 302  # no token just made: back to the tokens page
    if name == "api:all-tokens":
        return 200 if role in REVIEWERS else 403
    status = STATUS_IN_QUARTER.get(kwargs.get("locality"))
    is_own_lead = LEADS.get(role) == kwargs.get("locality")
    match name:
        case "updates:start":
            return 302  # on to the role's own page (tests/updates/test_landing.py)
        case "updates:mine":
            return 200 if role in LEADS or role in FORMER_LEADS else 403
        case (
            "updates:returns"
            | "updates:review"
            | "updates:outcome-extracts"
            | "updates:outcome-extract-template"
            | "updates:change-points"
            | "updates:change-point-add"
            | "updates:change-point-edit"
            | "updates:reorganisations"
            | "updates:reorganisation-record"
            | "updates:reorganisation"
            | "updates:open-year"
        ):
            return 200 if role in REVIEWERS else 403
        case "updates:detail":
            if role == "board":
                return 200 if status == QuarterlyUpdate.Status.APPROVED else 403
            return 200
        case "updates:edit-section" | "updates:submit":
            if not is_own_lead:
                return 403
            return 200 if status in EDITABLE else 302  # locked: back to the update page
        case "updates:download" | "updates:upload":
            return 200 if is_own_lead else 403
        case "reports:list":
            return 200  # every programme role; only the office sees drafts
        case "reports:detail":
            if role in REVIEWERS:
                return 200
            return 200 if kwargs["report"] in APPROVED_REPORTS else 403
        case "reports:create" | "reports:edit":
            return 200 if role in REVIEWERS else 403
    raise AssertionError(f"No rule for {name}: add one to expected_get")


def former_lead_swale(django_user_model):
    user = django_user_model.objects.create_user(username="former-lead-swale")
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(user, "swale", end=datetime.date(2018, 12, 31))
    return user


@pytest.fixture
def users(
    programme_data, board_user, lead_thanet, lead_medway, office_user, admin_user, django_user_model
):
    return {
        "anonymous": None,
        "board": board_user,
        "lead-thanet": lead_thanet,
        "lead-medway": lead_medway,
        "former-lead-swale": former_lead_swale(django_user_model),
        "office": office_user,
        "superuser": admin_user,
    }


def test_every_url_is_covered():
    routes = app_routes()
    assert len(routes) >= 20
    for route in routes:
        missing = [argument for argument in route.arguments if argument not in VALUES]
        assert not missing, f"{route.pattern}: give VALUES for {missing}"
        for role in ROLES:
            expected_get(role, route.name, dict.fromkeys(route.arguments, VALUES["quarter"][0]))


def test_every_role_gets_what_the_rules_say_from_every_url(client, users):
    wrong = []
    checked = 0
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        for route in app_routes():
            for url, kwargs in concrete_urls(route):
                response = client.get(url)
                expected = expected_get(role, route.name, kwargs)
                if expected == LOGIN:
                    ok = response.status_code == 302 and response["Location"].startswith(
                        reverse("login") + "?next="
                    )
                else:
                    ok = response.status_code == expected
                if not ok:
                    wrong.append((role, url, expected, response.status_code))
                checked += 1
    assert wrong == []
    assert checked > 250


# --- Board members can never write ------------------------------------------------


def snapshot() -> dict:
    """Rows in every table, and the versions of what people edit."""
    state = {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }
    state["updates"] = list(
        QuarterlyUpdate.objects.order_by("pk").values_list("pk", "version", "status", "summary")
    )
    state["risks"] = list(Risk.objects.order_by("pk").values_list("pk", "version", "status"))
    return state


FORGED = {
    "version": "1",
    "locality": "thanet",
    "summary-summary": "forged by a board member",
    "return-comments": "forged",
    "reopen-reason": "forged",
    "submit": "Submit",
}


def test_board_members_can_never_write(client, users):
    client.force_login(users["board"])
    before = snapshot()
    wrong = []
    for route in app_routes():
        # Their own API tokens only: the forged form is refused (400), no token 1 (404);
        # the data API asks for its token before its method (401).
        if route.name in OWN_ACCOUNT_WRITES:
            refusals = (400, 404)
        elif route.name in API_DATA:
            refusals = (401,)
        else:
            refusals = (403, 405)
        for url, _ in concrete_urls(route):
            response = client.post(url, FORGED)
            if response.status_code not in refusals:
                wrong.append((url, response.status_code))
    assert wrong == []
    assert snapshot() == before


# --- The lead-by-locality matrix names every update URL -----------------------------


def test_the_lead_by_locality_matrix_names_every_update_url():
    """tests/updates/test_update_access_matrix.py lists update URLs by hand: keep it whole."""
    base = "updates/<slug:locality>/<slug:quarter>/"
    suffixes = {
        route.pattern.removeprefix(base)
        .replace("<slug:section>", "summary")
        .replace("<int:comment>", "1")
        for route in app_routes()
        if route.pattern.startswith(base) and route.pattern != base
    }
    listed = set(lead_matrix.LEAD_ONLY_GETS + lead_matrix.OFFICE_ONLY_GETS + lead_matrix.WRITES)
    assert suffixes <= listed, suffixes - listed
