"""`make loadtest`: gunicorn on 127.0.0.1 over the factor-10 PostgreSQL database, 20 users for 60 s.

1. Builds (or reuses) the factor-10 database beside DATABASE_URL's, as
   `make bench` does (`manage.py bench --factors 10 --prepare-only`).
2. Collects the static files (production's hashed storage: DEBUG is off).
3. Starts a throwaway Redis on a Unix socket when `redis-server` is installed,
   so that the workers share one cache as production's instances do
   (otherwise each worker keeps its own local-memory cache, and says so).
4. Starts gunicorn with gunicorn.conf.py (WEB_CONCURRENCY workers) on a free
   loopback port, with production settings except that cookies may travel
   over plain HTTP (tools/loadtest/settings.py).
5. Runs locust headless (tools/loadtest/locustfile.py) for the given time, then
   stops everything it started, by process id.
6. Prints throughput, p50/p95/p99, errors and edit conflicts, and writes them
   into the "Load test" section of docs/benchmarks.md.

Only 127.0.0.1 is ever contacted; every step has a time limit.
"""

import argparse
import csv
import datetime as dt
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(BASE_DIR))

from tools import bench  # noqa: E402

P95_TARGET_MS = 500
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


def static_is_current() -> bool:
    """collectstatic's manifest is newer than every file in static/ (and than the code)."""
    manifest = BASE_DIR / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [p for p in (BASE_DIR / "static").rglob("*") if p.is_file()]
    sources.append(BASE_DIR / "requirements.txt")
    return all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(url: str, *, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def log_in(base: str, username: str, password: str) -> tuple[dict, float]:
    """Log in through the login form as a browser does; the cookies and the seconds it took."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    started = time.perf_counter()
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token[1] if token else "",
            "username": username,
            "password": password,
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    try:
        opener.open(request, timeout=60)
        raise RuntimeError(f"Logging in as {username} did not redirect: wrong password?")
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise RuntimeError(f"Logging in as {username} answered {error.code}") from error
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"Logging in as {username} set no session cookie")
    return cookies, time.perf_counter() - started


# Staff pass a second factor before Django admin whenever DEBUG is off (as here):
# the office account gets an authenticator of its own in the load-test database,
# and logs in with a code from it as a person with the app would.
ENROL_OFFICE = """
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
office = get_user_model().objects.get(username="office")
device, _ = TOTPDevice.objects.get_or_create(user=office, name="Load test", defaults={"confirmed": True})
print(device.key)
"""
# Taken away after the run: `make bench` measures the office's pages in the same
# database with a plain login.
REMOVE_OFFICE_DEVICE = """
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.filter(user__username="office", name="Load test").delete()
"""


def _shell(python: str, env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def enrol_authenticator(python: str, env: dict) -> str:
    """A confirmed authenticator (TOTP) for `office` in the load-test database: its hex key."""
    return _shell(python, env, ENROL_OFFICE).stdout.split()[-1]


def verify_second_factor(base: str, cookies: dict, key: str) -> dict:
    """Give the two-factor page the authenticator's current code; the session's new cookies."""
    from django_otp.oath import totp  # the algorithm alone: no Django settings needed

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    header = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    url = f"{base}/accounts/two-factor/verify/"
    with opener.open(urllib.request.Request(url, headers=header), timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token[1] if token else "",
            "code": f"{totp(bytes.fromhex(key)):06d}",
        }
    ).encode()
    request = urllib.request.Request(url, data=data, headers={**header, "Referer": url})
    try:
        opener.open(request, timeout=30)
        raise RuntimeError("The two-factor page did not accept the authenticator's code")
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise RuntimeError(f"The two-factor page answered {error.code}") from error
    return {**cookies, **{cookie.name: cookie.value for cookie in jar}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def stop(process: subprocess.Popen | None, name: str) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop within 30 s; killing it")
        process.kill()
        process.wait(timeout=10)


def read_stats(prefix: Path) -> tuple[list[dict], list[dict]]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        stats = list(csv.DictReader(f))
    failures_path = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_path.exists():
        with open(failures_path, newline="") as f:
            failures = list(csv.DictReader(f))
    return stats, failures


def _ms(row: dict, column: str) -> str:
    value = row.get(column, "")
    return "–" if value in ("", "N/A") else f"{float(value):,.0f}"


def report(
    *,
    stats: list[dict],
    failures: list[dict],
    conflicts: dict,
    server_errors: int,
    settings: dict,
) -> tuple[str, bool]:
    total = next(row for row in stats if row["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    failed = int(total["Failure Count"])
    p95 = float(total["95%"]) if total["95%"] not in ("", "N/A") else float("inf")
    passed = failed == 0 and server_errors == 0 and p95 < P95_TARGET_MS
    m = bench.machine_facts()
    who = (
        "1 locality lead saving drafts, 1 programme office user editing risks in admin, "
        "the rest board members reading dashboard pages"
    )
    heading = ["## Load test", ""]
    if settings["readers_only"]:
        who = "all board members reading dashboard pages"
        heading = [
            "## Load test, board members only (diagnostic)",
            "",
            "The same load with `--readers-only`: nobody writes, so cached dashboard data "
            "stays valid for the whole run. Compare with the mixed load to see what the "
            "writes' cache invalidation costs.",
            "",
        ]
    lines = [
        *heading,
        "Written by `make loadtest` (`tools/loadtest/run.py`, `tools/loadtest/locustfile.py`); the next "
        "run rewrites this section.",
        "",
        f"- Date: {m['date']}; {m['cpus']} × {m['cpu_model']}; load average before the run "
        f"{settings['load_before']}",
        f"- gunicorn ({settings['gunicorn']}) with `gunicorn.conf.py`, "
        f"{settings['workers']} sync workers (WEB_CONCURRENCY), on {HOST}, DEBUG off, "
        f"production settings but for plain-HTTP cookies (`tools/loadtest/settings.py`)",
        f"- Database: PostgreSQL, factor {settings['factor']} (`{settings['database']}`); "
        f"cache: {settings['cache']}",
        f"- Load: locust {settings['locust']} headless, {settings['users']} users "
        f"({who}, 1–3 s between pages), spawned at "
        f"{settings['spawn_rate']}/s, for {settings['seconds']} s. The three accounts log in "
        "through the login form once before the run (PBKDF2 by design costs about a second of "
        f"CPU per login: {settings['login_ms']} ms here) and the users share those sessions.",
        "",
        "| | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**All requests**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        if row["Name"] != "Aggregated":
            name = row["Name"]
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | "
            f"{float(row['Requests/s']):.1f} | {_ms(row, '50%')} | {_ms(row, '95%')} | "
            f"{_ms(row, '99%')} | {_ms(row, 'Max Response Time')} |"
        )
    conflict_text = (
        ", ".join(f"{name}: {count}" for name, count in sorted(conflicts.items())) or "none"
    )
    lines += [
        "",
        f"Throughput {float(total['Requests/s']):.1f} requests/s over {requests:,} requests; "
        f"p50 {_ms(total, '50%')} ms, p95 {_ms(total, '95%')} ms, p99 {_ms(total, '99%')} ms "
        "(locust rounds percentiles above 100 ms to two significant figures).",
        f"Failures (anything but the expected status): {failed}. Server errors in gunicorn's "
        f"log: {server_errors}. Edit conflicts (a stale save refused with 409 or the "
        f"risk form's message, counted apart, not errors): {conflict_text}.",
        "",
    ]
    for failure in failures[:10]:
        lines.append(
            f"- failure: {failure.get('Method', '')} {failure.get('Name', '')}: "
            f"{failure.get('Error', '')[:200]} × {failure.get('Occurrences', '')}"
        )
    lines += [
        "",
        f"Targets: 0 errors — {'PASS' if failed == 0 and server_errors == 0 else '**FAIL**'}; "
        f"p95 < {P95_TARGET_MS} ms — {'PASS' if p95 < P95_TARGET_MS else '**FAIL**'} "
        f"({_ms(total, '95%')} ms).",
    ]
    return "\n".join(lines), passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--readers-only",
        action="store_true",
        help="Diagnostic: board members only, no writes (so cached pages stay warm); "
        "written to its own section.",
    )
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        print(
            "make loadtest needs PostgreSQL: set DATABASE_URL to a PostgreSQL server "
            "(the factor-10 database is created beside it). SQLite cannot take several "
            "gunicorn workers writing at once.",
            file=sys.stderr,
        )
        return 2
    database_url = bench.factor_database_url(base_url, args.factor)
    workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
    python = sys.executable

    log(f"preparing the factor-{args.factor} database")
    subprocess.run(
        [python, "manage.py", "bench", "--factors", str(args.factor), "--prepare-only"],
        cwd=BASE_DIR,
        check=True,
        timeout=900,
        stdout=subprocess.DEVNULL,
    )

    tmp = Path(tempfile.mkdtemp(prefix="localcare-loadtest-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tools.loadtest.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    redis = gunicorn = None
    gunicorn_log = tmp / "gunicorn.log"
    try:
        if static_is_current():
            log("static files already collected")
        else:
            log("collecting static files (compressing plotly.js can take a minute)")
            subprocess.run(
                [python, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                cwd=BASE_DIR,
                env=env,
                check=True,
                timeout=600,
            )
        cache = "local memory, one per worker (no redis-server installed)"
        if shutil.which("redis-server"):
            sock = tmp / "redis.sock"
            redis = subprocess.Popen(
                ["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", ""]
                + ["--appendonly", "no", "--dir", str(tmp)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while not sock.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            env["REDIS_URL"] = f"unix://{sock}?db=0"
            cache = "Redis (a throwaway redis-server on a Unix socket), shared by the workers"

        office_key = enrol_authenticator(python, env)
        port = free_port()
        base = f"http://{HOST}:{port}"
        log(f"starting gunicorn with {workers} workers on {base}")
        with open(gunicorn_log, "w") as out:
            gunicorn = subprocess.Popen(
                [python, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
                + ["--bind", f"{HOST}:{port}", "localcare.wsgi"],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for(f"{base}/healthz", seconds=60, process=gunicorn)

        password = os.environ.get("LOADTEST_PASSWORD", "localcare-demo")
        cookies, login_seconds = {}, []
        for username in ("board", "lead-medway", "office"):
            cookies[username], seconds = log_in(base, username, password)
            login_seconds.append(seconds)
        cookies["office"] = verify_second_factor(base, cookies["office"], office_key)
        log("logged in: " + ", ".join(f"{s * 1000:.0f} ms" for s in login_seconds))

        load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
        log(f"running locust: {args.users} users for {args.seconds} s")
        conflicts_file = tmp / "conflicts.json"
        locust_env = {
            **os.environ,
            "PYTHONPATH": str(BASE_DIR),
            "LOADTEST_CONFLICTS_FILE": str(conflicts_file),
            "LOADTEST_COOKIES": json.dumps(cookies),
        }
        subprocess.run(
            [python, "-m", "locust", "-f", str(BASE_DIR / "tools" / "loadtest" / "locustfile.py")]
            + ["--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
            + ["--run-time", f"{args.seconds}s", "--stop-timeout", "10", "--host", base]
            + ["--csv", str(tmp / "stats"), "--only-summary", "--loglevel", "WARNING"]
            + ["--exit-code-on-error", "0"]
            + (["BoardMember"] if args.readers_only else []),
            cwd=tmp,
            env=locust_env,
            check=True,
            timeout=args.seconds + 120,
        )
    finally:
        stop(gunicorn, "gunicorn")
        stop(redis, "redis-server")
        _shell(python, env, REMOVE_OFFICE_DEVICE)

    stats, failures = read_stats(tmp / "stats")
    conflicts = json.loads(conflicts_file.read_text()) if conflicts_file.exists() else {}
    server_log = gunicorn_log.read_text()
    server_errors = server_log.count("ERROR django.request")
    versions = {}
    for package in ("gunicorn", "locust"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - only for the report
            versions[package] = "?"
    text, passed = report(
        stats=stats,
        failures=failures,
        conflicts=conflicts,
        server_errors=server_errors,
        settings={
            "load_before": load_before,
            "login_ms": ", ".join(f"{s * 1000:,.0f}" for s in login_seconds),
            "gunicorn": versions["gunicorn"],
            "locust": versions["locust"],
            "workers": workers,
            "factor": args.factor,
            "database": database_url.split("?")[0].rsplit("/", 1)[-1],
            "cache": cache,
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "seconds": args.seconds,
            "readers_only": args.readers_only,
        },
    )
    print(text)
    if server_errors:
        print("\nFrom gunicorn's log:\n" + server_log[-3000:])
    bench.replace_loadtest_section(
        Path(args.output), text, name="loadtest-readers" if args.readers_only else "loadtest"
    )
    log(f"wrote the load-test section of {args.output}; files kept in {tmp}")
    log(f"done {dt.datetime.now():%H:%M}: {'targets met' if passed else 'targets NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
