"""Security headers on every kind of response, and nothing in the code that needs inline.

The Content Security Policy allows scripts and styles from this site only, and
nothing inline; tests/browser/test_csp.py proves in Chromium that every page
still works under it. These tests pin the headers and scan the templates,
static JavaScript and vendored files for what the policy would refuse.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import simple_history
from django.urls import reverse

from dashboard.charts import plotly_css

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
STATIC_JS = ROOT / "static" / "js"
PLOTLY_BUNDLE = ROOT / "static" / "vendor" / "plotly" / "plotly-basic.min.js"

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *values = directive.split()
        assert name not in directives, f"{name} given twice"
        directives[name] = values
    return directives


def assert_security_headers(response, where: str) -> None:
    assert policy(response.headers["Content-Security-Policy"]) == EXPECTED_POLICY, where
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, (where, name)


# --- Headers ----------------------------------------------------------------------------


def test_pages_downloads_and_errors_all_carry_the_headers(client, programme_data, board_user):
    anonymous = {
        "login page": client.get(reverse("login")),
        "admin login": client.get(reverse("admin:login")),
        "health check": client.get(reverse("healthz")),
        "redirect to log in": client.get(reverse("dashboard:home")),
    }
    client.force_login(board_user)
    signed_in = {
        "overview": client.get(reverse("dashboard:home")),
        "chart page": client.get(reverse("dashboard:objectives")),
        "CSV download": client.get(reverse("dashboard:milestones"), {"_export": "csv"}),
        "not found": client.get("/no-such-page/"),
        "refused": client.get(reverse("admin:index")),
    }

    assert signed_in["CSV download"]["Content-Type"].startswith("text/csv")
    assert signed_in["not found"].status_code == 404
    for where, response in {**anonymous, **signed_in}.items():
        assert_security_headers(response, where)


def test_the_policy_allows_nothing_inline_and_no_eval(client, db):
    directives = policy(client.get(reverse("login")).headers["Content-Security-Policy"])

    for name, values in directives.items():
        assert "'unsafe-inline'" not in values, name
        assert "'unsafe-eval'" not in values, name
        assert "'unsafe-hashes'" not in values, name
        assert "*" not in values, name
        assert not any(value.startswith(("http:", "https:")) for value in values), name


SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
# Child process: production settings, one HTTPS request through the whole middleware stack.
PRODUCTION_REQUEST = """
import json
from django.test import Client
client = Client()
secure = client.get("/healthz", secure=True, headers={"host": "localcare.example.nhs.uk"})
plain = client.get("/", secure=False, headers={"host": "localcare.example.nhs.uk"})
print(json.dumps({
    "secure": {"status": secure.status_code, "headers": dict(secure.headers)},
    "plain": {"status": plain.status_code, "headers": dict(plain.headers)},
}))
"""


def test_production_adds_hsts_and_sends_plain_http_to_https():
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="localcare.settings",
        DEBUG="false",
        SECRET_KEY="p" * 20 + "-production-like-secret-key-for-header-tests-0123456789",
        ALLOWED_HOSTS="localcare.example.nhs.uk",
        # An in-memory database: /healthz runs SELECT 1 and nothing is left behind.
        DATABASE_URL="sqlite://:memory:",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRODUCTION_REQUEST}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout.strip().splitlines()[-1])

    secure = responses["secure"]
    assert secure["status"] == 200
    assert secure["headers"]["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert policy(secure["headers"]["Content-Security-Policy"]) == EXPECTED_POLICY
    for name, value in EXPECTED_HEADERS.items():
        assert secure["headers"][name] == value, name
    plain = responses["plain"]
    assert plain["status"] == 301
    assert plain["headers"]["Location"] == "https://localcare.example.nhs.uk/"


# --- What the policy would refuse -------------------------------------------------------

INLINE_IN_TEMPLATES = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event-handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "javascript: address": re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I),
}


def without_comments(template: str) -> str:
    template = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", template, flags=re.S)
    return re.sub(r"{#.*?#}", "", template, flags=re.S)


@pytest.mark.parametrize(
    "template",
    sorted(TEMPLATES.rglob("*.html")),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_templates_have_nothing_inline(template):
    text = without_comments(template.read_text(encoding="utf-8"))

    for what, pattern in INLINE_IN_TEMPLATES.items():
        assert not pattern.search(text), f"{what}: {pattern.search(text).group(0)}"


UNSAFE_IN_SCRIPTS = {
    "eval": re.compile(r"\beval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\s*\("),
    "string timer": re.compile(r"set(Timeout|Interval)\s*\(\s*[\"'`]"),
    "style attribute": re.compile(r"setAttribute\(\s*[\"']style"),
    "HTML from strings": re.compile(
        r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write"
    ),
}


@pytest.mark.parametrize("script", sorted(STATIC_JS.glob("*.js")), ids=lambda path: path.name)
def test_our_scripts_need_neither_eval_nor_inline_styles(script):
    text = script.read_text(encoding="utf-8")

    for what, pattern in UNSAFE_IN_SCRIPTS.items():
        assert not pattern.search(text), what


def test_the_plotly_bundle_has_no_eval():
    """So script-src needs no 'unsafe-eval' (the basic bundle; the full one has some)."""
    bundle = PLOTLY_BUNDLE.read_text(encoding="utf-8")

    assert not re.search(r"\beval\s*\(", bundle)
    assert not re.search(r"\bnew Function\s*\(", bundle)


def test_plotly_css_holds_the_rules_plotly_would_write_inline():
    """After an update of plotly.js, run `python -m dashboard.charts.plotly_css`."""
    bundle = PLOTLY_BUNDLE.read_text(encoding="utf-8")

    assert plotly_css.STYLESHEET.read_text(encoding="utf-8") == plotly_css.stylesheet_text(bundle)
    assert len(plotly_css.rules_from_bundle(bundle)) > 50
    # plotly.js skips its inline <style> only for an element with this id and class.
    assert '"plotly.js-style-"+' in bundle
    assert '.matches(".no-inline-styles")' in bundle


def test_chart_pages_link_plotly_css_where_plotly_looks_for_it(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(reverse("dashboard:objectives"))

    assert (
        '<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" '
        'href="/static/vendor/plotly/plotly.css">'
    ) in response.text
    head = response.text.split("</head>")[0]
    # Before plotly.js runs: it looks for the element as it loads.
    assert head.index("plotly.js-style-global") < head.index("plotly-basic.min.js")


def test_the_history_template_override_differs_only_by_its_style_attribute():
    """templates/simple_history/ copies django-simple-history's template minus one style
    attribute; after upgrading the package, copy it again if this fails."""
    installed = (
        Path(simple_history.__file__).parent
        / "templates"
        / "simple_history"
        / "object_history_list.html"
    ).read_text(encoding="utf-8")
    override = re.sub(
        r"\A{% comment %}.*?{% endcomment %}\n",
        "",
        (TEMPLATES / "simple_history" / "object_history_list.html").read_text(encoding="utf-8"),
        flags=re.S,
    )

    assert installed.count(' style="border-top: 0"') == 1
    assert override == installed.replace(' style="border-top: 0"', "")
