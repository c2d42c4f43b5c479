"""The production configuration files agree with the settings and with each other."""

import re
import runpy
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def _nginx_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_nginx_body_limit_lets_the_app_explain_a_too_large_spreadsheet():
    (size,) = re.findall(r"^\s*client_max_body_size\s+(\S+);", NGINX, re.MULTILINE)
    limit = _nginx_bytes(size)
    # At least the app's own limit plus the multipart envelope, so the app's
    # message (not nginx's 413 page) answers a file just over the limit; and not
    # far above it, so big bodies never reach a worker.
    assert limit >= settings.UPDATE_UPLOAD_MAX_BYTES + 64 * 1024
    assert limit <= 2 * settings.UPDATE_UPLOAD_MAX_BYTES


def test_nginx_sets_the_headers_django_trusts():
    # Django reads the scheme from X-Forwarded-Proto in production
    # (SECURE_PROXY_SSL_HEADER); every proxied location must set it itself.
    locations = re.findall(r"location[^{]*\{(.*?)\}", NGINX, re.DOTALL)
    proxied = [body for body in locations if "proxy_pass" in body]
    assert len(proxied) == 2
    for body in proxied:
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in body
        assert "proxy_set_header Host $host;" in body


def test_gunicorn_workers_come_from_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 7
    assert config["control_socket_disable"] is True
    assert config["bind"] == "127.0.0.1:8000"

    monkeypatch.delenv("WEB_CONCURRENCY")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] >= 3


def test_gunicorn_accepts_the_configuration():
    # --check-config loads the file and the app the way `gunicorn -c` does, and
    # fails on a setting name gunicorn does not know.
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "gunicorn.conf.py"]
        + ["localcare.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_procfile_releases_once_and_serves_with_the_config():
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert lines["release"].strip() == "bash deploy/release.sh database"
    assert "gunicorn -c gunicorn.conf.py" in lines["web"]
    assert "localcare.wsgi" in lines["web"]


def test_release_script_refuses_an_unknown_step():
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / "release.sh"), "everything"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "usage" in result.stderr
