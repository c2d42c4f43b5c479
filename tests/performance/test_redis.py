"""Redis as the shared cache when REDIS_URL is set, against a real server.

.ci/run starts redis-server on loopback and exports REDIS_URL, so in CI the
whole suite runs with Redis as the cache and these tests talk to it. Without
REDIS_URL they are skipped locally and fail under CI=true.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from dashboard import caching
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
OVERVIEW = reverse("dashboard:home") + "?quarter=2018-19-q4"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        message = "REDIS_URL is not set: start redis-server and export REDIS_URL (as .ci/run does)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


def run_python(code: str, **environment: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "localcare.settings", **environment}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_redis_url_selects_djangos_redis_backend_and_sessions_stay_in_the_database():
    configured = run_python(
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], settings.SESSION_ENGINE)",
        REDIS_URL="redis://cache.example.internal:6379/2",
    )
    default = run_python(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        REDIS_URL="",
    )

    assert configured.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.example.internal:6379/2",
        "django.contrib.sessions.backends.db",
    ]
    assert default == "django.core.cache.backends.locmem.LocMemCache"


def test_the_suite_uses_the_real_redis_server(redis_url):
    assert isinstance(caches["default"], RedisCache)
    assert caches["default"]._cache.get_client(write=True).ping()

    cache.set("probe", {"sentence": "A value through Redis"})
    assert cache.get("probe") == {"sentence": "A value through Redis"}


def test_a_page_is_served_from_redis(redis_url, client, programme_data, board_user):
    client.force_login(board_user)

    first = client.get(OVERVIEW)

    redis = caches["default"]._cache.get_client(write=False)
    keys = [key.decode() for key in redis.scan_iter(match="localcare:*dashboard:page:overview:*")]
    assert len(keys) == 1
    assert f":{caching.data_version()}:" in keys[0]
    second = client.get(OVERVIEW)
    assert second.context["overview"] == first.context["overview"]


def test_another_app_process_sees_the_data_version_move(redis_url):
    """Two app instances share one version: a write in one invalidates the other's pages."""
    before = caching.data_version()

    run_python("from dashboard.caching import bump_data_version; bump_data_version()")

    assert caching.data_version() == before + 1
    shown = run_python("from dashboard.caching import data_version; print(data_version())")
    assert int(shown) == before + 1


def test_each_process_has_its_own_local_memory_cache_which_is_why_redis_is_needed(settings):
    """Without REDIS_URL the version lives in this process only (see the settings' comment)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert isinstance(caches["default"], LocMemCache)
    before = caching.data_version()

    run_python("from dashboard.caching import bump_data_version; bump_data_version()", REDIS_URL="")

    assert caching.data_version() == before


def test_an_unreachable_redis_does_not_take_the_dashboards_down(
    client, programme_data, board_user, settings, caplog, monkeypatch
):
    monkeypatch.setattr(caching, "_unavailable_until", 0.0)  # restored afterwards
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    client.force_login(board_user)

    response = client.get(OVERVIEW)
    again = client.get(OVERVIEW)

    assert response.status_code == again.status_code == 200
    assert "Programme overview" in response.text
    # Tried once, then left alone for a while instead of timing out on every page.
    assert caplog.text.count("Dashboard cache unavailable") == 1
