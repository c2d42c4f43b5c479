"""The benchmark (`make bench`, tools.bench): its measuring, its verdicts and its report."""

import pytest

from tools import bench


def test_sql_shapes_ignore_literals_and_in_lists():
    a = bench.normalise_sql("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'O''Neil' LIMIT 21")
    b = bench.normalise_sql("SELECT *  FROM t WHERE id IN (7) AND name = 'x' LIMIT 1")
    assert a == b == "SELECT * FROM t WHERE id IN (?...) AND name = ? LIMIT ?"


def test_timing_uses_the_median_and_the_nearest_rank_p95():
    timing = bench.Timing([float(n) for n in range(20, 0, -1)])
    assert timing.median == 10.5
    assert timing.p95 == 19.0  # the 19th of 20
    assert bench.Timing([5.0]).p95 == 5.0


def test_factor_databases_sit_beside_the_configured_one():
    url = "postgres://postgres@/localcare?host=/tmp/pg&port=55433"
    assert bench.factor_database_url(url, 10) == (
        "postgres://postgres@/localcare_bench_f10?host=/tmp/pg&port=55433"
    )
    assert bench.factor_database_url(None, 1).endswith(".bench/bench_f1.sqlite3")
    assert bench.factor_database_url("sqlite:///db.sqlite3", 100).endswith("bench_f100.sqlite3")


def _entry(queries, median, p95=None, status=200, html=40_000):
    return {
        "status": status,
        "bytes": html,
        "weight": {"html": html, "chart_json": 5_000, "javascript_gzipped": 120_000},
        "queries": queries,
        "timing": {"n": 20, "median": median, "p95": p95 or median * 1.2},
        "shapes": {"SELECT a": queries - 1, "SELECT b": 1},
        "slowest": [{"ms": median / 2, "sql": "SELECT a FROM t WHERE id = 5"}],
    }


def _factor(factor, vendor, pages):
    return {
        "factor": factor,
        "build": {"built": [], "seconds": 1.0},
        "database": {
            "vendor": vendor,
            "name": f"db_f{factor}",
            "version": "PostgreSQL 15.18",
            "rows": {"localities": 8 * factor},
        },
        "modes": ["uncached"],
        "cache_backend": "django.core.cache.backends.locmem.LocMemCache",
        "pages": [
            {"name": name, "kind": kind, "username": "board", "url": "/", "modes": {"uncached": e}}
            for name, kind, e in pages
        ],
    }


def _report(vendor="postgresql", high=100):
    low = _factor(
        1,
        vendor,
        [
            ("Overview", bench.SUMMARY, _entry(20, 100)),
            ("Milestones", bench.TABLE, _entry(8, 100)),
            ("Returns", bench.TABLE, _entry(7, 50)),
        ],
    )
    top = _factor(
        high,
        vendor,
        [
            ("Overview", bench.SUMMARY, _entry(20, 250, p95=280)),
            ("Milestones", bench.TABLE, _entry(9, 150)),  # one more query
            ("Returns", bench.TABLE, _entry(7, 150, html=570_000)),  # 3x, and too big
        ],
    )
    report = bench.Report(machine=bench.machine_facts(), factors=[low, top])
    report.checks = bench.check_targets(report)
    return report


def test_targets_are_judged_per_page():
    checks = {(c.target, c.page): c for c in _report().checks}

    assert checks["query count identical at every factor", "Overview"].passed
    assert not checks["query count identical at every factor", "Milestones"].passed
    assert checks["query count identical at every factor", "Milestones"].detail == "8 / 9"
    summary = "summary page median grows <= 3x (f1 -> f100)"
    table = "table page median grows <= 2x (f1 -> f100)"
    assert checks[summary, "Overview"].passed  # 2.5x
    assert checks[table, "Milestones"].passed  # 1.5x
    assert not checks[table, "Returns"].passed  # 3x
    assert checks["overview p95 < 300 ms at factor 100 on postgresql", "Overview"].passed


def test_front_end_budgets_are_judged_at_every_factor():
    budgets = "HTML < 150 kB, chart JSON < 100 kB, JS < 500 kB gzipped, at every factor"
    checks = {(c.target, c.page): c for c in _report().checks}

    assert checks[budgets, "Overview"].passed
    assert "largest: HTML 40 kB, chart JSON 5 kB, JS 120 kB gzipped" in (
        checks[budgets, "Overview"].detail
    )
    assert not checks[budgets, "Returns"].passed
    assert checks[budgets, "Returns"].detail == "f100 HTML 570,000 B"


def test_the_overview_target_needs_postgresql_at_factor_100():
    (sqlite,) = [c for c in _report(vendor="sqlite").checks if c.target.startswith("overview")]
    assert not sqlite.passed
    assert "not PostgreSQL" in sqlite.detail
    (small,) = [c for c in _report(high=10).checks if c.target.startswith("overview")]
    assert not small.passed
    assert "factor 100 not measured" in small.detail


def test_a_page_that_fails_fails_its_query_check():
    report = _report()
    report.factors[1]["pages"][0]["modes"]["uncached"]["status"] = 500
    report.checks = bench.check_targets(report)
    (check,) = [c for c in report.checks if c.page == "Overview" and c.target.startswith("query")]
    assert not check.passed
    assert "HTTP [200, 500]" in check.detail


def test_report_has_the_table_the_verdicts_and_keeps_the_load_test(tmp_path):
    output = tmp_path / "benchmarks.md"
    bench.replace_loadtest_section(output, "## Load test\n\n42 requests/s")
    report = _report()

    text = bench.render_markdown(
        report, requests=20, page_seconds=20, loadtest=bench.existing_loadtest_section(output)
    )

    assert "| Page | Kind | Queries f1 | Queries f100 |" in text
    assert "| Milestones | table | 8 | 9 | 100 | 120 | 150 | 180 | 1.50× |" in text
    assert "| **FAIL** | query count identical at every factor | Milestones | 8 / 9 |" in text
    assert "| PASS | overview p95 < 300 ms" in text
    # The statement that ran once more at factor 100 is named.
    assert "**Milestones**: 7 → 8 times: `SELECT a`" in text
    assert "42 requests/s" in text
    assert text.count(bench.LOADTEST_START) == 1

    # Writing the load test again replaces the section and keeps the rest.
    output.write_text(text)
    bench.replace_loadtest_section(output, "## Load test\n\n7 requests/s")
    again = output.read_text()
    assert "7 requests/s" in again
    assert "42 requests/s" not in again
    assert "| Milestones | table |" in again


@pytest.mark.usefixtures("programme_data")
def test_measures_real_pages_with_the_right_users():
    logged = []

    result = bench.measure_factor(
        1, requests=2, page_seconds=5, pages="Critical areas|Returns|Update form", log=logged.append
    )

    pages = {page["name"]: page for page in result["pages"]}
    assert set(pages) == {"Critical areas", "Returns (office)", "Update form: objectives (lead)"}
    assert pages["Returns (office)"]["username"] == "office"
    assert pages["Update form: objectives (lead)"]["username"] == "lead-medway"
    for page in pages.values():
        for entry in page["modes"].values():
            assert entry["status"] == 200, page["name"]
            assert entry["queries"] > 0
            assert entry["timing"]["n"] == 2
            assert sum(entry["shapes"].values()) == entry["queries"]
            assert 0 < entry["weight"]["html"] == entry["bytes"]
    assert result["database"]["rows"]["localities"] == 8
    assert len(logged) == 3


def test_both_load_test_sections_survive_a_new_report(tmp_path):
    output = tmp_path / "benchmarks.md"
    bench.replace_loadtest_section(output, "## Load test\n\nmixed")
    bench.replace_loadtest_section(output, "## Readers\n\nreaders", name="loadtest-readers")
    bench.replace_loadtest_section(output, "## Load test\n\nmixed again")

    kept = bench.existing_loadtest_section(output)

    assert "mixed again" in kept
    assert "readers" in kept
    assert kept.count("<!-- loadtest:start -->") == 1
    assert kept.count("<!-- loadtest-readers:start -->") == 1


def test_included_notes_move_one_heading_level_down():
    notes = "# Notes\n\nText.\n\n## Part\n\n```sql\n# not a heading\n```\n###### deepest"

    assert bench.demote_headings(notes) == (
        "## Notes\n\nText.\n\n### Part\n\n```sql\n# not a heading\n```\n###### deepest"
    )


def test_turns_pool_their_samples_and_keep_the_first_turns_counts():
    def turn(samples, queries):
        return {"queries": queries, "timing": bench.Timing(samples).summary()}

    pooled = bench.pool_samples([turn([10.0, 30.0], 9), turn([20.0, 40.0, 50.0], 9)])

    assert pooled["timing"]["n"] == 5
    assert pooled["timing"]["median"] == 30.0
    assert pooled["timing"]["p95"] == 50.0
    assert pooled["queries"] == 9


@pytest.mark.usefixtures("programme_data")
def test_a_serving_child_describes_its_factor_then_answers_each_request():
    import io
    import json

    asked = io.StringIO(json.dumps({"page": 0, "mode": "cold", "requests": 2, "page_seconds": 5}))
    answers = io.StringIO()

    bench.serve_factor(
        1, pages="Critical areas", log=lambda _: None, requests=asked, answers=answers
    )

    lines = answers.getvalue().splitlines()
    assert all(line.startswith(bench.ANSWER_PREFIX) for line in lines)
    described, measured = (json.loads(line[len(bench.ANSWER_PREFIX) :]) for line in lines)
    assert [page["name"] for page in described["pages"]] == ["Critical areas"]
    assert measured["status"] == 200
    assert measured["timing"]["n"] == 2


@pytest.mark.usefixtures("programme_data")
def test_measures_publishing_the_pack_and_downloading_it():
    """Issue 17: the time to publish (make and store the PDF) and the stored download."""
    from pathlib import Path

    from tests.conftest import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    logged = []
    result = bench.measure_factor(
        1, requests=2, page_seconds=5, pages="Published pack", log=logged.append
    )
    publishing = result["publishing"]
    assert publishing["runs"] == bench.PUBLISH_RUNS
    assert publishing["median_s"] > 0
    assert publishing["pages"] >= 2
    (page,) = result["pages"]
    assert page["name"] == bench.PUBLISHED_PACK_PAGE
    entry = page["modes"][next(iter(page["modes"]))]
    assert entry["status"] == 200
    assert entry["bytes"] == publishing["bytes"]
    assert entry["weight"]["html"] == 0  # a PDF, not a page to weigh
    report = bench.Report(machine={}, factors=[result])
    header, rows = bench.publishing_rows(report)
    assert rows[0][0] == "1"
    assert "## Publishing the board pack" in "\n".join(bench.publishing_section(report))
    assert any("publishing the" in line for line in logged)
