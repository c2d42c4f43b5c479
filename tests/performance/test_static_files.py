"""Static files in production: hashed names, compressed copies, a year's immutable caching.

A child process runs with production settings (DEBUG off), collects the static
files into a temporary STATIC_ROOT, then asks whitenoise for them through
Django's test client, exactly as a browser behind the reverse proxy would.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONE_YEAR = 365 * 24 * 60 * 60
HASHED = r"\.[0-9a-f]{12}\."

CHILD = """
import json, django
django.setup()
from django.core.management import call_command
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

# Django admin's and the API documentation's own files (Swagger UI) add nothing
# to what is checked here, only time.
call_command(
    "collectstatic",
    interactive=False,
    verbosity=0,
    ignore_patterns=["admin", "drf_spectacular_sidecar"],
)
client = Client()

def fetch(url, **headers):
    response = client.get(url, secure=True, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return {
        "status": response.status_code,
        "cache_control": response.get("Cache-Control", ""),
        "encoding": response.get("Content-Encoding", ""),
        "vary": response.get("Vary", ""),
        "length": len(body),
    }

names = ["js/nhsuk-init.js", "js/charts.js", "vendor/plotly/plotly-basic.min.js",
         "vendor/nhsuk-frontend/nhsuk-frontend.min.js", "css/localcare.css"]
urls = {name: staticfiles_storage.url(name) for name in names}
with staticfiles_storage.open(staticfiles_storage.stored_name("js/nhsuk-init.js")) as module:
    module_source = module.read().decode()
login = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "urls": urls,
    "hashed": {name: fetch(url) for name, url in urls.items()},
    "gzipped": fetch(urls["vendor/plotly/plotly-basic.min.js"], HTTP_ACCEPT_ENCODING="gzip"),
    "plain": fetch("/static/js/charts.js"),
    "module_source": module_source,
    "login": {"status": login.status_code, "html": login.content.decode()},
    "redirect": fetch("/"),
}))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static_root")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.performance.collectstatic_settings",
        LOCALCARE_TEST_STATIC_ROOT=str(static_root),
        DEBUG="false",
        SECRET_KEY="static-files-test-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        # An empty database: nothing here reads a table (one would fail), but the
        # 503 middleware must be able to connect before serving the login page.
        DATABASE_URL=f"sqlite:///{static_root}/empty.sqlite3",
        REDIS_URL="",
    )
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_collectstatic_gives_every_file_a_content_hash_in_its_name(served):
    for name, url in served["urls"].items():
        stem, extension = name.rsplit(".", 1)
        assert re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}", url), url


def test_hashed_files_are_cached_for_a_year_and_never_revalidated(served):
    for name, response in served["hashed"].items():
        assert response["status"] == 200, name
        assert "immutable" in response["cache_control"], (name, response)
        max_age = int(re.search(r"max-age=(\d+)", response["cache_control"])[1])
        assert max_age >= ONE_YEAR, (name, response)
        # WhiteNoise answers before localcare.middleware.PrivateCacheMiddleware.
        assert "no-store" not in response["cache_control"], (name, response)
        assert "private" not in response["cache_control"], (name, response)


def test_responses_from_django_are_never_stored_while_static_files_are(served):
    """Production settings: the overview's redirect to log in is private, no-store."""
    redirect = served["redirect"]
    directives = {part.strip() for part in redirect["cache_control"].split(",")}

    assert redirect["status"] == 302
    assert {"private", "no-store"} <= directives


def test_plotly_is_sent_compressed(served):
    gzipped = served["gzipped"]

    assert gzipped["encoding"] == "gzip"
    assert "Accept-Encoding" in gzipped["vary"]
    assert gzipped["length"] < served["hashed"]["vendor/plotly/plotly-basic.min.js"]["length"] / 2


def test_an_unhashed_name_is_not_cached_for_long(served):
    plain = served["plain"]

    assert plain["status"] == 200
    assert "immutable" not in plain["cache_control"]


def test_pages_and_module_imports_point_at_hashed_names(served):
    login = served["login"]

    assert login["status"] == 200
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', login["html"])
    styles = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', login["html"])
    assert scripts
    assert styles
    for url in scripts + styles:
        assert re.search(HASHED, url), url
    # nhsuk-init.js loads NHS.UK frontend with an ES module import: hashed too.
    imported = re.findall(r'from\s+"([^"]+)"', served["module_source"])
    assert imported
    assert all(re.search(HASHED, path) for path in imported), imported
