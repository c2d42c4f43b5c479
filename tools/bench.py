"""The benchmark behind `make bench`: query counts and server time per page at several factors.

Each factor has its own database, built once and reused: factor 1 is the real
fixtures (`load_programme_data`) with the demo accounts, factor N adds
`generate_scale_data --factor N` on top. With DATABASE_URL pointing at
PostgreSQL the databases are `<name>_bench_f1`, `<name>_bench_f10`, ... on the
same server; otherwise SQLite files in `.bench/`.

The parent process (`manage.py bench`) never touches a database itself apart
from creating the PostgreSQL ones: every factor is measured in a child process
(`manage.py bench --only-factor N`) whose DATABASE_URL points at that factor's
database, so connections, caches and Python state never leak between factors.
The child writes JSON; the parent prints the table, checks the targets and
writes docs/benchmarks.md.

Every factor's child stays up for the whole run (`--serve`), and the
factors take turns page by page (`--rounds`, 4 by default): a few requests
to a page at factor 1, then at 10, then at 100, then factor 1 again... and
each page's samples are pooled per factor. This machine's speed changes by up
to 2× from one minute to the next (other tenants of the host); measured one
factor after another, or in rounds of every page, those changes landed in the
factor-100 ÷ factor-1 ratios the targets judge.

Server time is the wall time of one request through Django's test client
(`Client.get` with a user logged in by `force_login`): URL resolution, every
middleware, the view, the queries and the template, without a network or a
WSGI server. Requests run with DEBUG off (as in production and the tests).
Query counts come from one extra request under CaptureQueriesContext, which is
not timed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SQLITE_DIR = BASE_DIR / ".bench"
RESULTS_FILE = SQLITE_DIR / "results.json"  # the last run's figures, for --report-only
DEFAULT_FACTORS = (1, 10, 100)
DEFAULT_REQUESTS = 20
DEFAULT_ROUNDS = 4
# A slow page at factor 100 must not hold the whole run hostage: stop a page's
# timed requests after this long (at least MIN_REQUESTS are always made).
DEFAULT_PAGE_SECONDS = 20.0
MIN_REQUESTS = 5
# A few, so that connection set-up and first-use costs (imports, template and
# plan caches) are not in the factor-1 figures, whose small times they would skew.
WARM_UP_REQUESTS = 3
REAL_LOCALITIES = 8

# The page kinds and the growth each may show from factor 1 to factor 100.
SUMMARY = "summary"  # a fixed-size summary or detail page: at most 3x
TABLE = "table"  # a paginated table: at most 2x
GROWTH_LIMIT = {SUMMARY: 3.0, TABLE: 2.0}
OVERVIEW_P95_LIMIT_MS = 300.0

# docs/benchmarks.md keeps the load-test sections (written by `make loadtest`)
# between markers like these when `make bench` rewrites the rest.
LOADTEST_START = "<!-- loadtest:start -->"
LOADTEST_END = "<!-- loadtest:end -->"
EXPLAIN_NOTES = BASE_DIR / "docs" / "benchmark-notes-explain.md"


@dataclass(frozen=True)
class PageSpec:
    name: str
    kind: str
    username: str
    url: str
    # The data API (issue 20): requested with an API token of the user's, not a session.
    with_token: bool = False


def page_specs() -> list[PageSpec]:
    """Every page measured, with who looks at it. Needs Django set up and a database."""
    from django.urls import reverse

    from dashboard.navigation import DASHBOARD_PAGES
    from dashboard.selectors.risks import board_visible_risks

    # Pages whose main content is a paginated table; the rest show a fixed-size
    # summary (charts, headline figures, one locality or one risk).
    tables = {
        "dashboard:objectives",
        "dashboard:milestones",
        "dashboard:mdts",
        "dashboard:money",
        "dashboard:risks",
    }
    specs = [
        PageSpec(label, TABLE if url_name in tables else SUMMARY, "board", reverse(url_name))
        for url_name, label in DASHBOARD_PAGES
    ]
    # Real rows, identical at every factor: the pages look at the same things.
    risk = (
        board_visible_risks()
        .exclude(reference__startswith="SYN-")
        .order_by("reference")
        .values_list("reference", flat=True)
        .first()
    )
    specs += [
        PageSpec(
            "Locality (Thanet)", SUMMARY, "board", reverse("dashboard:locality", args=["thanet"])
        ),
        PageSpec(f"Risk {risk}", SUMMARY, "board", reverse("dashboard:risk-detail", args=[risk])),
        # Issue 18: the monthly outcomes' matrix (every locality charted to order them) and
        # the investment case tracked.
        PageSpec("Outcomes summary matrix", TABLE, "board", reverse("dashboard:outcomes-summary")),
        PageSpec("Benefits", SUMMARY, "board", reverse("dashboard:benefits")),
        # Issue 19: the boards as at a quarter (under Actions in the header).
        PageSpec("Boards", SUMMARY, "board", reverse("dashboard:governance")),
        PageSpec("Risks, page 2", TABLE, "board", reverse("dashboard:risks") + "?page=2"),
        PageSpec("My localities (lead)", SUMMARY, "lead-medway", reverse("updates:mine")),
        PageSpec(
            "Update form: objectives (lead)",
            SUMMARY,
            "lead-medway",
            reverse("updates:edit-section", args=["medway", "2018-19-q4", "objectives"]),
        ),
        PageSpec("Returns (office)", TABLE, "office", reverse("updates:returns")),
        # Issue 20: the data API's largest endpoint, the monthly outcome figures (localities
        # × measures × months: 1,152 rows at factor 1, 115,200 at 100), a full page of
        # 1,000 as a Power BI refresh reads them; and the milestone register a page of the
        # default 100 (factor 1 has fewer than 1,000: a bigger page would time its size).
        PageSpec(
            "API: outcomes, 1,000 a page",
            TABLE,
            "board",
            reverse("api:outcomes") + "?page_size=1000",
            with_token=True,
        ),
        PageSpec(
            "API: milestones, 100 a page",
            TABLE,
            "board",
            reverse("api:milestones"),
            with_token=True,
        ),
    ]
    if pack := latest_published_pack():
        # The board's one-click download: the stored bytes, never a new render.
        specs.append(
            PageSpec(
                PUBLISHED_PACK_PAGE,
                SUMMARY,
                "board",
                reverse("dashboard:published-pack-pdf", args=[pack]),
            )
        )
    return specs


PUBLISHED_PACK_PAGE = "Published pack PDF (download)"
# Publishing runs Chromium: a few runs per factor are enough to see its time.
PUBLISH_RUNS = 3


def latest_published_pack() -> int | None:
    from governance.models import PublishedPack

    return PublishedPack.objects.published().order_by("-pk").values_list("pk", flat=True).first()


def measure_publishing(*, runs: int = PUBLISH_RUNS, log) -> dict:
    """The time to publish the latest quarter's pack: render, print in Chromium, store.

    Each run is a new version (as a correction is), made by the publish command's
    own code in this process (the subprocess adds only Python's start-up). Leaves
    a published pack behind for the download page.
    """
    from django.contrib.auth import get_user_model

    from dashboard import publishing
    from dashboard.periods import quarters_with_updates
    from localities.models import GovernanceBody

    office = get_user_model().objects.get(username="office")
    quarter = quarters_with_updates(("approved",))[-1]
    body = GovernanceBody.objects.order_by("name").first()
    seconds, pages, sizes = [], [], []
    for run in range(runs):
        pack = publishing.request_publication(
            user=office,
            quarter=quarter,
            body=body,
            reason=f"make bench, run {run + 1}",
            start=lambda pk: None,
        )
        started = time.perf_counter()
        pack = publishing.publish(pack.pk)
        elapsed = time.perf_counter() - started
        if pack.status != "published":
            log(f"publishing failed: {pack.failure}")
            return {"error": pack.failure, "quarter": quarter.label}
        seconds.append(elapsed)
        pages.append(pack.page_count)
        sizes.append(pack.pdf_bytes)
    result = {
        "quarter": quarter.label,
        "runs": runs,
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "pages": pages[-1],
        "bytes": sizes[-1],
    }
    log(
        f"publishing the {quarter.label} pack: median {result['median_s']:.1f} s "
        f"({runs} runs), {result['pages']} pages, {result['bytes'] / 1024:,.0f} kB"
    )
    return result


# --- measuring one factor (the child process) -------------------------------------


@dataclass
class Timing:
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        # Nearest rank: with 20 samples, the 19th fastest.
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def summary(self) -> dict:
        return {
            "n": len(self.samples_ms),
            "median": self.median,
            "p95": self.p95,
            "samples": self.samples_ms,
        }


def pool_samples(chunks: list[dict]) -> dict:
    """One page's results from several turns: the first turn's query count, weight and
    statements, and the timed samples of every turn together."""
    pooled = dict(chunks[0])
    pooled["timing"] = Timing(
        [sample for chunk in chunks for sample in chunk["timing"]["samples"]]
    ).summary()
    return pooled


def normalise_sql(sql: str) -> str:
    """The shape of a statement: literals and IN lists replaced, for comparing factors."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((?:\s*\?\s*,)+\s*\?\s*\)", "(?...)", sql)
    sql = re.sub(r"IN \(\?\)", "IN (?...)", sql)
    return re.sub(r"\s+", " ", sql).strip()


def ensure_database(factor: int, *, log) -> dict:
    """Migrate, and load the data for `factor` unless the database holds it already."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from localities.demo import create_demo_accounts
    from localities.models import Locality
    from tools.scale import generate_scale_data

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    localities = Locality.objects.count()
    built = []
    if localities == 0:
        log(f"factor {factor}: loading the programme data")
        call_command("load_programme_data", verbosity=0, stdout=io.StringIO())
        built.append("fixtures")
        localities = Locality.objects.count()
    if factor > 1 and localities == REAL_LOCALITIES:
        log(f"factor {factor}: generating scale data (this is the slow part)")
        report = generate_scale_data(factor=factor)
        built.append(f"generate_scale_data: {report.total_rows:,} rows in {report.seconds:.0f} s")
        localities = Locality.objects.count()
    if localities != REAL_LOCALITIES * factor:
        raise RuntimeError(
            f"The factor-{factor} database {connection.settings_dict['NAME']} holds "
            f"{localities} localities, not {REAL_LOCALITIES * factor}: run the benchmark "
            "with --rebuild to start it again."
        )
    debug = settings.DEBUG
    settings.DEBUG = True  # demo accounts refuse otherwise; this is a scratch database
    try:
        create_demo_accounts()
    finally:
        settings.DEBUG = debug
    if built and connection.vendor == "postgresql":
        # Fresh bulk inserts have no planner statistics until autovacuum gets to
        # them; a production database has them.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        built.append("VACUUM ANALYZE")
    return {"built": built, "seconds": time.perf_counter() - started}


def database_facts() -> dict:
    from django.db import connection

    from localities.models import MDT, Locality, Quarter
    from risks.models import Risk
    from updates.models import QuarterlyUpdate

    facts = {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            facts["version"] = "PostgreSQL " + cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            facts["version"] = "SQLite " + cursor.fetchone()[0]
    facts["rows"] = {
        "localities": Locality.objects.count(),
        "MDTs": MDT.objects.count(),
        "quarters": Quarter.objects.count(),
        "quarterly updates": QuarterlyUpdate.objects.count(),
        "risks": Risk.objects.count(),
    }
    return facts


def caching_in_use() -> bool:
    """Whether the dashboard code reads Django's cache (the cold/warm split then matters)."""
    for path in (BASE_DIR / "dashboard").rglob("*.py"):
        if re.search(r"from django\.core\.cache import|django\.core\.cache\.", path.read_text()):
            return True
    return False


def measure_page(spec: PageSpec, client, *, requests: int, page_seconds: float, cold: bool):
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tools.page_weight import PageWeight, weigh_html

    session_in_cache = settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"

    def prepare():
        if cold:
            for alias in settings.CACHES:
                caches[alias].clear()
            if session_in_cache and not getattr(client, "_with_token", False):
                client.force_login(client._bench_user)

    for _ in range(WARM_UP_REQUESTS):
        prepare()
        client.get(spec.url)
    prepare()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(spec.url)
    queries = [
        {"sql": q["sql"], "ms": float(q.get("time") or 0) * 1000} for q in captured.captured_queries
    ]
    samples = []
    deadline = time.perf_counter() + page_seconds
    while len(samples) < requests and (
        len(samples) < MIN_REQUESTS or time.perf_counter() < deadline
    ):
        prepare()
        started = time.perf_counter()
        client.get(spec.url)
        samples.append((time.perf_counter() - started) * 1000)
    shapes = Counter(normalise_sql(q["sql"]) for q in queries)
    slowest = sorted(queries, key=lambda q: q["ms"], reverse=True)[:3]
    is_html = response.get("Content-Type", "").startswith("text/html")
    weight = (
        weigh_html(response.content) if response.status_code == 200 and is_html else PageWeight()
    )
    return {
        "status": response.status_code,
        "bytes": len(response.content),
        "weight": {
            "html": weight.html,
            "chart_json": weight.chart_json,
            "javascript_gzipped": weight.javascript_gzipped + weight.inline_javascript,
        },
        "queries": len(queries),
        "sql_ms": sum(q["ms"] for q in queries),
        "timing": Timing(samples).summary(),
        "shapes": dict(shapes),
        "slowest": [{"ms": q["ms"], "sql": q["sql"][:600]} for q in slowest],
    }


class FactorSession:
    """One factor's database, ready to measure its pages: the child process's state.

    Built once per child; `measure` may be called for the same page many times
    (the parent interleaves factors page by page), each call adding samples.
    """

    def __init__(self, factor: int, *, pages: str | None, log):
        from django.conf import settings
        from django.contrib.auth import get_user_model

        self.factor = factor
        self.build = ensure_database(factor, log=log)
        self.database = database_facts()
        # Publishing runs Chromium: measured in a full run, or when --pages asks for it.
        self.publishing = (
            measure_publishing(log=lambda message: log(f"factor {factor}: {message}"))
            if not pages or re.search(pages, PUBLISHED_PACK_PAGE, re.IGNORECASE)
            else None
        )
        self.specs = page_specs()
        if pages:
            wanted = re.compile(pages, re.IGNORECASE)
            self.specs = [spec for spec in self.specs if wanted.search(spec.name)]
        # Measure what production runs: DEBUG off (no debug templates, no query log).
        settings.DEBUG = False
        self.modes = ["cold", "warm"] if caching_in_use() else ["uncached"]
        self.cache_backend = settings.CACHES["default"]["BACKEND"]
        self._users = {
            u.username: u
            for u in get_user_model().objects.filter(username__in={s.username for s in self.specs})
        }
        self._clients: dict[int, object] = {}

    def describe(self) -> dict:
        return {
            "factor": self.factor,
            "build": self.build,
            "database": self.database,
            "modes": self.modes,
            "cache_backend": self.cache_backend,
            "publishing": self.publishing,
            "pages": [asdict(spec) for spec in self.specs],
        }

    def measure(self, index: int, mode: str, *, requests: int, page_seconds: float) -> dict:
        from django.test import Client

        spec = self.specs[index]
        if index not in self._clients:
            user = self._users[spec.username]
            if spec.with_token:
                from api.services import create_token

                # The token alone, no session: what another system sends.
                key = create_token(owner=user, name="make bench").key
                client = Client(headers={"Authorization": f"Bearer {key}"})
            else:
                client = Client()
                client.force_login(user)
            client._bench_user = user
            client._with_token = spec.with_token
            self._clients[index] = client
        return measure_page(
            spec,
            self._clients[index],
            requests=requests,
            page_seconds=page_seconds,
            cold=mode == "cold",
        )


def measure_factor(
    factor: int, *, requests: int, page_seconds: float, pages: str | None, log
) -> dict:
    """Every page of one factor, one after another, in this process (no interleaving)."""
    session = FactorSession(factor, pages=pages, log=log)
    result = session.describe()
    for index, entry in enumerate(result["pages"]):
        entry["modes"] = {
            mode: session.measure(index, mode, requests=requests, page_seconds=page_seconds)
            for mode in session.modes
        }
        first = entry["modes"][session.modes[0]]
        log(
            f"factor {factor}: {entry['name']}: {first['queries']} queries, "
            f"median {first['timing']['median']:.0f} ms, p95 {first['timing']['p95']:.0f} ms "
            f"({first['timing']['n']} requests)"
        )
    return result


# The child answers on stdout, where nothing else may be mistaken for an answer.
ANSWER_PREFIX = "@bench-answer "


def serve_factor(factor: int, *, pages: str | None, log, requests, answers) -> None:
    """The child's side of interleaved measuring: describe the factor, then measure pages
    as the parent asks (`{"page": i, "mode": m, "requests": n, "page_seconds": s}` per
    line on `requests`), one JSON answer per line on `answers`, until the input ends."""
    session = FactorSession(factor, pages=pages, log=log)

    def answer(value) -> None:
        answers.write(ANSWER_PREFIX + json.dumps(value) + "\n")
        answers.flush()

    answer(session.describe())
    for line in requests:
        asked = json.loads(line)
        answer(
            session.measure(
                asked["page"],
                asked["mode"],
                requests=asked["requests"],
                page_seconds=asked["page_seconds"],
            )
        )


# --- the parent: databases per factor, children, the report ----------------------------


def factor_database_url(base_url: str | None, factor: int) -> str:
    """The URL of the factor's own database, beside the one DATABASE_URL names."""
    if base_url and urlsplit(base_url).scheme.startswith("postgres"):
        parts = urlsplit(base_url)
        name = parts.path.lstrip("/") or "localcare"
        return urlunsplit(parts._replace(path=f"/{name}_bench_f{factor}"))
    return f"sqlite:///{SQLITE_DIR / f'bench_f{factor}.sqlite3'}"


def _postgres_admin(url: str):
    """A connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    # Query-string options (?host=/socket/dir&port=…) win, as they do for Django.
    parameters = {
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        **config.get("OPTIONS", {}),
    }
    connection = psycopg2.connect(
        dbname="postgres",
        connect_timeout=5,
        **{key: value for key, value in parameters.items() if value not in (None, "")},
    )
    connection.autocommit = True
    return connection, config["NAME"]


def prepare_database(url: str, *, rebuild: bool) -> None:
    """Create the factor's database if missing (dropping it first with rebuild)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(exist_ok=True)
        if rebuild and path.exists():
            path.unlink()
        return
    from psycopg2 import sql

    connection, name = _postgres_admin(url)
    try:
        with connection.cursor() as cursor:
            if rebuild:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def _child(factor: int, url: str, arguments: list[str]) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    command = [sys.executable, str(BASE_DIR / "manage.py"), "bench", "--only-factor", str(factor)]
    subprocess.run(command + arguments, env=env, check=True, cwd=BASE_DIR)


def build_factor(factor: int, *, url: str, log) -> None:
    """Build the factor's database (or check the one there) in a child process."""
    log(f"factor {factor}: preparing {url.split('?')[0]}")
    _child(factor, url, ["--prepare-only"])


class _FactorChild:
    """A child process serving one factor (`manage.py bench --only-factor N --serve`)."""

    def __init__(self, factor: int, url: str, pages: str | None):
        command = [
            sys.executable,
            str(BASE_DIR / "manage.py"),
            "bench",
            "--only-factor",
            str(factor),
            "--serve",
        ]
        if pages:
            command += ["--pages", pages]
        self.factor = factor
        self.process = subprocess.Popen(
            command,
            env={**os.environ, "DATABASE_URL": url, "DEBUG": "true"},
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def answer(self) -> dict:
        for line in self.process.stdout:
            if line.startswith(ANSWER_PREFIX):
                return json.loads(line[len(ANSWER_PREFIX) :])
        raise RuntimeError(f"factor {self.factor}: the child stopped ({self.process.wait()})")

    def ask(self, **request) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self) -> None:
        self.process.stdin.close()
        if self.process.wait() != 0:
            raise RuntimeError(f"factor {self.factor}: the child failed")


def measure_interleaved(
    urls: dict[int, str], *, requests: int, rounds: int, page_seconds: float, pages, log
) -> list[dict]:
    """Every page at every factor, the factors taking turns page by page.

    For each page and mode, `rounds` turns of a share of the requests at each
    factor in order, the samples pooled per factor: a change in the machine's
    speed lasting more than a few seconds falls on every factor alike.
    """
    factors = sorted(urls)
    children = {factor: _FactorChild(factor, urls[factor], pages) for factor in factors}
    try:
        results = {factor: children[factor].answer() for factor in factors}
        names = [page["name"] for page in results[factors[0]]["pages"]]
        for factor in factors:
            if [page["name"] for page in results[factor]["pages"]] != names:
                raise RuntimeError(f"factor {factor} measures other pages than factor {factors[0]}")
        per_turn = math.ceil(requests / rounds)
        for index, name in enumerate(names):
            for mode in results[factors[0]]["modes"]:
                turns: dict[int, list[dict]] = {factor: [] for factor in factors}
                for _ in range(rounds):
                    for factor in factors:
                        turns[factor].append(
                            children[factor].ask(
                                page=index,
                                mode=mode,
                                requests=per_turn,
                                page_seconds=page_seconds / rounds,
                            )
                        )
                for factor in factors:
                    page = results[factor]["pages"][index]
                    page.setdefault("modes", {})[mode] = pool_samples(turns[factor])
            first_mode = results[factors[0]]["modes"][0]
            medians = (
                results[factor]["pages"][index]["modes"][first_mode]["timing"]["median"]
                for factor in factors
            )
            log(
                f"{name}: "
                + ", ".join(
                    f"f{factor} {median:.0f} ms"
                    for factor, median in zip(factors, medians, strict=True)
                )
                + f" ({first_mode}, median)"
            )
    finally:
        for child in children.values():
            child.close()
    return [results[factor] for factor in factors]


def machine_facts() -> dict:
    import django

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = match[1].strip() if match else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f"{int(match[1]) / 1024 / 1024:.1f} GiB" if match else ""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor() or "unknown",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


@dataclass
class Check:
    target: str
    page: str
    passed: bool
    detail: str


@dataclass
class Report:
    machine: dict
    factors: list[dict]
    checks: list[Check] = field(default_factory=list)

    @property
    def primary_mode(self) -> str:
        return self.factors[0]["modes"][0]

    def pages(self) -> list[dict]:
        return self.factors[0]["pages"]

    def entry(self, factor: dict, name: str, mode: str) -> dict | None:
        for page in factor["pages"]:
            if page["name"] == name:
                return page["modes"].get(mode)
        return None


def _ratio(first: float, last: float) -> float:
    return last / first if first else float("inf")


def check_targets(report: Report) -> list[Check]:
    """The issue's bench targets, judged on the uncached (or cold-cache) figures."""
    mode = report.primary_mode
    low, high = report.factors[0], report.factors[-1]
    checks = []
    for page in report.pages():
        name = page["name"]
        counts = [report.entry(f, name, mode)["queries"] for f in report.factors]
        statuses = {report.entry(f, name, mode)["status"] for f in report.factors}
        checks.append(
            Check(
                "query count identical at every factor",
                name,
                len(set(counts)) == 1 and statuses == {200},
                " / ".join(str(c) for c in counts)
                + ("" if statuses == {200} else f" (HTTP {sorted(statuses)})"),
            )
        )
    if low["factor"] != high["factor"]:
        for page in report.pages():
            name = page["name"]
            first = report.entry(low, name, mode)["timing"]["median"]
            last = report.entry(high, name, mode)["timing"]["median"]
            limit = GROWTH_LIMIT[page["kind"]]
            ratio = _ratio(first, last)
            checks.append(
                Check(
                    f"{page['kind']} page median grows <= {limit:g}x "
                    f"(f{low['factor']} -> f{high['factor']})",
                    name,
                    ratio <= limit,
                    f"{first:.0f} -> {last:.0f} ms = {ratio:.2f}x",
                )
            )
    checks += _budget_checks(report)
    overview = report.pages()[0]["name"]
    p95 = report.entry(high, overview, mode)["timing"]["p95"]
    vendor = high["database"]["vendor"]
    checks.append(
        Check(
            f"overview p95 < {OVERVIEW_P95_LIMIT_MS:.0f} ms at factor {high['factor']} on {vendor}",
            overview,
            p95 < OVERVIEW_P95_LIMIT_MS and vendor == "postgresql" and high["factor"] >= 100,
            f"{p95:.0f} ms"
            + ("" if vendor == "postgresql" else " (not PostgreSQL: the target is not met here)")
            + ("" if high["factor"] >= 100 else " (factor 100 not measured)"),
        )
    )
    return checks


def _budget_checks(report: Report) -> list[Check]:
    """Front-end budgets (tools.page_weight) of every page at every factor."""
    from tools.page_weight import PageWeight, over_budget

    checks = []
    for page in report.pages():
        name = page["name"]
        weights = [
            report.entry(factor, name, report.primary_mode).get("weight")
            for factor in report.factors
        ]
        if None in weights:  # results written before the bench weighed pages
            continue
        problems = [
            f"f{factor['factor']} {problem.split(': ', 1)[1]}"
            for factor, weight in zip(report.factors, weights, strict=True)
            for problem in over_budget(name, PageWeight(**weight))
        ]
        largest = {key: max(weight[key] for weight in weights) for key in weights[0]}
        checks.append(
            Check(
                "HTML < 150 kB, chart JSON < 100 kB, JS < 500 kB gzipped, at every factor",
                name,
                not problems,
                "; ".join(problems)
                or f"largest: HTML {largest['html'] / 1000:.0f} kB, chart JSON "
                f"{largest['chart_json'] / 1000:.0f} kB, JS "
                f"{largest['javascript_gzipped'] / 1000:.0f} kB gzipped",
            )
        )
    return checks


def _growth_notes(report: Report) -> list[str]:
    """Per page whose query count changed: which statement shapes appear more often."""
    mode = report.primary_mode
    low, high = report.factors[0], report.factors[-1]
    notes = []
    for page in report.pages():
        a = report.entry(low, page["name"], mode)
        b = report.entry(high, page["name"], mode)
        if a["queries"] == b["queries"]:
            continue
        grown = [
            (shape, a["shapes"].get(shape, 0), count)
            for shape, count in b["shapes"].items()
            if count != a["shapes"].get(shape, 0)
        ]
        for shape, was, now in sorted(grown, key=lambda g: g[1] - g[2])[:3]:
            notes.append(f"- **{page['name']}**: {was} → {now} times: `{shape[:300]}`")
    return notes


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def table_rows(report: Report, mode: str) -> tuple[list[str], list[list[str]]]:
    factors = [f["factor"] for f in report.factors]
    header = ["Page", "Kind"]
    header += [f"Queries f{n}" for n in factors]
    for n in factors:
        header += [f"Median ms f{n}", f"p95 ms f{n}"]
    if len(factors) > 1:
        header.append(f"f{factors[-1]}÷f{factors[0]} (median)")
    rows = []
    for page in report.pages():
        entries = [report.entry(f, page["name"], mode) for f in report.factors]
        row = [page["name"], page["kind"]]
        row += [
            str(e["queries"]) + ("" if e["status"] == 200 else f" (HTTP {e['status']})")
            for e in entries
        ]
        for e in entries:
            row += [_ms(e["timing"]["median"]), _ms(e["timing"]["p95"])]
        if len(factors) > 1:
            ratio = _ratio(entries[0]["timing"]["median"], entries[-1]["timing"]["median"])
            row.append(f"{ratio:.2f}×")
        rows.append(row)
    return header, rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(lines)


MODE_WORDS = {
    "uncached": "No cache: the dashboard code does not use Django's cache framework, so every "
    "request computes its page from the database.",
    "cold": "Cold: every cache is cleared before each request (the first view after a data "
    "change). The targets are judged on these figures.",
    "warm": "Warm: the same request repeated with the cache kept (what most readers get "
    "between two approvals).",
}


def render_markdown(report: Report, *, requests: int, page_seconds: float, loadtest: str) -> str:
    m = report.machine
    databases = "\n".join(
        f"| {f['factor']} | `{f['database']['name']}` | "
        + " | ".join(f"{v:,}" for v in f["database"]["rows"].values())
        + f" | {'; '.join(f['build']['built']) or 'reused'} ({f['build']['seconds']:.0f} s) |"
        for f in report.factors
    )
    row_names = " | ".join(report.factors[0]["database"]["rows"])
    parts = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`manage.py bench`, code in `tools/bench.py`); do not edit "
        "by hand: the next run rewrites everything but the load-test section, which "
        "`make loadtest` rewrites.",
        "",
        "## Machine and versions",
        "",
        f"- Date: {m['date']}",
        f"- CPU: {m['cpus']} × {m['cpu_model']}; memory {m['memory']}",
        f"- Load average: {m.get('load', 'not recorded')}",
        f"- OS: {m['os']}",
        f"- Python {m['python']}, Django {m['django']}, "
        f"{report.factors[-1]['database'].get('version', report.factors[-1]['database']['vendor'])}",
        f"- Cache backend: `{report.factors[0]['cache_backend']}`",
        "",
        "## What was measured",
        "",
        f"Every page was requested through Django's test client by a logged-in user of the "
        f"role that reads it (board, `lead-medway`, `office`), with DEBUG off: "
        f"{WARM_UP_REQUESTS} untimed warm-up request(s), one untimed request under "
        f"`CaptureQueriesContext` for the query count, then up to {requests} timed requests "
        f"(fewer, but at least {MIN_REQUESTS}, when a page took more than {page_seconds:g} s in "
        f"all). For each page and mode the factors took turns, {m.get('rounds', 1)} time(s) "
        "over, each with a share of the requests (a child process per factor serving the "
        "whole run), and each factor's samples were pooled, so that the machine's changes "
        "of speed fall on every factor alike. Server time is the wall time of `Client.get`: middleware, view, queries and "
        "template, no network and no WSGI server. p95 is the nearest rank (the 19th of 20).",
        "",
        "Factor 1 is the real fixtures plus the demo accounts; factor N adds "
        "`generate_scale_data --factor N`. Each factor has its own database, built once:",
        "",
        f"| factor | database | {row_names} | built |",
        "|" + "---|" * (len(report.factors[0]["database"]["rows"]) + 3),
        databases,
        "",
        "Kinds: *summary* pages show a fixed-size summary (headline figures, charts, one "
        "locality, one risk, one form) and may grow at most 3× from factor 1 to factor 100; "
        "*table* pages are paginated tables and may grow at most 2×.",
        "",
    ]
    for mode in report.factors[0]["modes"]:
        header, rows = table_rows(report, mode)
        parts += [f"## Results: {mode}", "", MODE_WORDS[mode], "", markdown_table(header, rows), ""]
    parts += publishing_section(report)
    parts += [
        "## Targets",
        "",
        f"Judged on the {report.primary_mode} figures.",
        "",
        "| result | target | page | measured |",
        "|---|---|---|---|",
    ]
    parts += [
        f"| {'PASS' if c.passed else '**FAIL**'} | {c.target} | {c.page} | {c.detail} |"
        for c in report.checks
    ]
    passed = sum(c.passed for c in report.checks)
    parts += ["", f"{passed} of {len(report.checks)} checks pass.", ""]
    notes = _growth_notes(report)
    if notes:
        parts += [
            "### Statements whose count grows with the data",
            "",
            f"Compared between factor {report.factors[0]['factor']} and factor "
            f"{report.factors[-1]['factor']} (literals replaced by `?`):",
            "",
            *notes,
            "",
        ]
    high = report.factors[-1]
    parts += [
        f"### Where the time goes at factor {high['factor']}",
        "",
        "For each page whose median is over 100 ms: the time its queries took in the "
        "query-count request (the rest is Python: building rows and charts, rendering the "
        "template), its HTML size, and its slowest statement:",
        "",
    ]
    slow = [p for p in high["pages"] if p["modes"][report.primary_mode]["timing"]["median"] > 100]
    for page in slow:
        entry = page["modes"][report.primary_mode]
        top = entry["slowest"][0] if entry["slowest"] else {"ms": 0, "sql": ""}
        parts.append(
            f"- **{page['name']}**: median {_ms(entry['timing']['median'])} ms, of which SQL "
            f"{_ms(entry.get('sql_ms', 0))} ms in {entry['queries']} queries; HTML "
            f"{entry['bytes'] / 1024:,.0f} kB; slowest ({top['ms']:.0f} ms): "
            f"`{normalise_sql(top['sql'])[:300]}`"
        )
    if not slow:
        parts.append("- none")
    parts.append("")
    analysis = BASE_DIR / "docs" / "benchmark-analysis.md"
    if analysis.exists():
        parts += [analysis.read_text().strip(), ""]
    if EXPLAIN_NOTES.exists():
        parts += [demote_headings(EXPLAIN_NOTES.read_text().strip()), ""]
    parts += [
        loadtest.strip()
        or f"{LOADTEST_START}\n## Load test\n\nNot run yet: `make loadtest`.\n{LOADTEST_END}",
        "",
    ]
    return "\n".join(parts)


def publishing_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """Per factor: the time to publish the pack (make and store its PDF), and the PDF."""
    header = ["factor", "quarter", "publish median (s)", "slowest (s)", "runs", "pages", "PDF (kB)"]
    rows = []
    for factor in report.factors:
        found = factor.get("publishing") or {}
        if "median_s" in found:
            rows.append(
                [
                    str(factor["factor"]),
                    found["quarter"],
                    f"{found['median_s']:.1f}",
                    f"{found['max_s']:.1f}",
                    str(found["runs"]),
                    str(found["pages"]),
                    f"{found['bytes'] / 1024:,.0f}",
                ]
            )
        else:
            rows.append([str(factor["factor"]), found.get("quarter", ""), "failed", "", "", "", ""])
    return header, rows


def publishing_section(report: Report) -> list[str]:
    if not any(factor.get("publishing") for factor in report.factors):
        return []
    header, rows = publishing_rows(report)
    return [
        "## Publishing the board pack",
        "",
        "The time to publish the latest quarter's pack (issue 17): render it with Django, "
        "print it to a tagged A4 PDF in headless Chromium (`dashboard/publishing.py`, the "
        "publish command's own code, in the factor's process) and store it in the database; "
        f"{PUBLISH_RUNS} runs per factor, each a new version. The board's download of a "
        f"published pack is the page *{PUBLISHED_PACK_PAGE}* in the results above: the "
        "stored bytes, no render.",
        "",
        markdown_table(header, rows),
        "",
    ]


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


_SECTION = re.compile(r"<!-- (loadtest[\w-]*):start -->.*?<!-- \1:end -->", re.DOTALL)


def demote_headings(text: str) -> str:
    """One heading level down (# -> ##), outside code blocks: a document included in this one."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,5} ", line):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines)


def existing_loadtest_section(path: Path) -> str:
    """Every load-test section of the file (markers included), to carry into a new report."""
    if not path.exists():
        return ""
    return "\n\n".join(match[0] for match in _SECTION.finditer(path.read_text()))


def replace_loadtest_section(path: Path, section: str, *, name: str = "loadtest") -> None:
    """Put `section` between its markers in docs/benchmarks.md, keeping everything else."""
    start_marker, end_marker = _markers(name)
    block = f"{start_marker}\n{section.strip()}\n{end_marker}"
    text = path.read_text() if path.exists() else "# Benchmarks\n\nRun `make bench` to fill in.\n"
    start, end = text.find(start_marker), text.find(end_marker)
    if start != -1 and end != -1:
        text = text[:start] + block + text[end + len(end_marker) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
