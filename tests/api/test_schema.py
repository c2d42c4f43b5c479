"""The OpenAPI schema: generated from the code, valid OpenAPI 3, public (it holds no data);
its documentation page is for signed-in readers, served from our own static files."""

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

SCHEMA = reverse("api:schema")
DOCS = reverse("api:docs")
ENDPOINTS = [
    "localities",
    "objectives",
    "objective-statuses",
    "milestones",
    "mdts",
    "money",
    "outcomes",
    "risks",
    "actions",
    "decisions",
]


@pytest.fixture
def schema(client, db):
    response = client.get(SCHEMA)
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)

    assert schema["openapi"].startswith("3.")


def test_the_schema_is_public_and_never_stored(client, db):
    response = client.get(SCHEMA)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_schema_names_every_endpoint_its_parameters_and_errors(schema):
    for name in ENDPOINTS:
        operation = schema["paths"][reverse(f"api:{name}")]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"quarter", "page", "page_size", "format"} <= names, name
        assert {"200", "400", "401", "404", "429"} <= set(operation["responses"]), name
        assert operation["security"] == [{"apiToken": []}], name
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_schema_lists_no_token_pages(schema):
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert not any("tokens" in path or "docs" in path for path in schema["paths"])


def test_anonymous_visitors_are_sent_to_log_in_for_the_docs(client, db):
    response = client.get(DOCS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_people_without_a_programme_role_may_not_read_the_docs(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(DOCS).status_code == 403


@pytest.mark.parametrize("role", ["board_user", "lead_thanet", "office_user", "admin_user"])
def test_the_docs_load_swagger_ui_from_our_own_static_files(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(DOCS)
    script = client.get(DOCS + "?script=")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html  # no CDN
    assert "<script>" not in html
    assert "<style>" not in html
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA in script.content.decode()
