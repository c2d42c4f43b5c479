"""Settings come from the environment; production refuses unsafe defaults.

Each case runs Django in a child process, because settings are read once at
import time.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "k" * 20 + "-production-secret-key-for-tests-only-0123456789"
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "REQUIRE_STAFF_TWO_FACTOR",
    "TRUSTED_PROXY_COUNT",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_USE_TLS",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
    # Set by tests/conftest.py for Playwright; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_django(code: str, **environment: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "localcare.settings"
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def setting(expression: str, **environment: str) -> str:
    result = run_django(f"from django.conf import settings; print({expression})", **environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sqlite_is_the_default_database():
    assert setting("settings.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"
    assert setting("settings.DATABASES['default']['NAME']").endswith("db.sqlite3")


def test_database_url_selects_postgresql_with_a_connect_timeout():
    url = "postgres://someone:secret@db.example.internal:5433/localcare"
    assert setting("settings.DATABASES['default']['ENGINE']", DATABASE_URL=url) == (
        "django.db.backends.postgresql"
    )
    assert setting("settings.DATABASES['default']['HOST']", DATABASE_URL=url) == (
        "db.example.internal"
    )
    assert setting("settings.DATABASES['default']['PORT']", DATABASE_URL=url) == "5433"
    assert (
        setting("settings.DATABASES['default']['OPTIONS']['connect_timeout']", DATABASE_URL=url)
        == "5"
    )


def test_development_is_the_default_and_has_a_key():
    assert setting("settings.DEBUG") == "True"
    assert setting("bool(settings.SECRET_KEY)") == "True"


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        (None, "missing"),
        ("too-short", "short"),
        ("django-insecure-development-only-key-never-use-in-production", "dev key"),
        # What `startproject` writes: long and random, but marked as a laptop's key.
        ("django-insecure-" + "q7#vx2!kz9@m4r&t8w$y1b^n6c*e3h0j5l(p)s-d+f=g", "generated dev key"),
        ("x" * 60, "one character"),
        ("abcd" * 15, "four distinct characters"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key, reason):
    environment = {"DEBUG": "false", "ALLOWED_HOSTS": "localcare.example.nhs.uk"}
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key
    result = run_django("pass", **environment)
    assert result.returncode != 0, reason
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_django("pass", DEBUG="false", SECRET_KEY=PRODUCTION_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "localcare.example.nhs.uk,*", "*.example.nhs.uk"])
def test_production_refuses_to_start_with_a_wildcard_host(hosts):
    result = run_django("pass", DEBUG="false", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name this service's hosts, not '*'" in result.stderr


def test_production_starts_with_a_real_key_and_named_hosts():
    """The refusals above are not refusing everything: five distinct characters are enough."""
    key = "abcde" * 10
    environment = {"DEBUG": "false", "SECRET_KEY": key, "ALLOWED_HOSTS": "a.example,b.example"}
    assert setting("settings.ALLOWED_HOSTS", **environment) == "['a.example', 'b.example']"


def test_e_mail_goes_to_the_console_in_development_and_smtp_from_the_environment_in_production():
    assert setting("settings.EMAIL_BACKEND") == "django.core.mail.backends.console.EmailBackend"
    production = {
        "DEBUG": "false",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "localcare.example.nhs.uk",
        "EMAIL_HOST": "smtp.example.nhs.uk",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "true",
        "EMAIL_TIMEOUT": "7",
        "DEFAULT_FROM_EMAIL": "localcare@example.nhs.uk",
    }
    expression = (
        "repr((settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, "
        "settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT, settings.DEFAULT_FROM_EMAIL))"
    )
    assert setting(expression, **production) == (
        "('django.core.mail.backends.smtp.EmailBackend', 'smtp.example.nhs.uk', 587, True, 7, "
        "'localcare@example.nhs.uk')"
    )
    # A silent server is given up on well inside a request's time.
    assert setting("settings.EMAIL_TIMEOUT") == "10"


def test_debug_must_be_a_boolean():
    result = run_django("pass", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="localcare.example.nhs.uk",
        DJANGO_SETTINGS_MODULE="localcare.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
