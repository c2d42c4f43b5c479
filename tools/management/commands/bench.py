"""`make bench`: query counts and server time per page at factors 1, 10 and 100 (tools.bench)."""

import json
import os
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tools import bench


class Command(BaseCommand):
    help = (
        "Measure SQL query count and server time (median, p95) of every dashboard page, the "
        "risks pages, the lead's form and the returns page at several data factors, each in "
        "its own database (built once, then reused), and write docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factors",
            default=",".join(map(str, bench.DEFAULT_FACTORS)),
            help="Comma-separated factors, smallest first (default 1,10,100).",
        )
        parser.add_argument("--requests", type=int, default=bench.DEFAULT_REQUESTS)
        parser.add_argument(
            "--page-seconds",
            type=float,
            default=bench.DEFAULT_PAGE_SECONDS,
            help="Stop timing a page after this long (at least 5 requests are made).",
        )
        parser.add_argument(
            "--pages", help="Only pages whose name matches this regular expression."
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=bench.DEFAULT_ROUNDS,
            help="Turns the factors take at each page, each with a share of its requests "
            f"(default {bench.DEFAULT_ROUNDS}).",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Drop and rebuild the factors' databases."
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="Build (or check) the factors' databases, print their URLs and measure nothing.",
        )
        parser.add_argument(
            "--report-only",
            action="store_true",
            help="Measure nothing: write the report again from the last run's results "
            "(.bench/results.json), e.g. after editing docs/benchmark-analysis.md.",
        )
        parser.add_argument(
            "--output",
            default=str(bench.BASE_DIR / "docs" / "benchmarks.md"),
            help="Markdown file to write ('-' to write none).",
        )
        # Internal: the child process that measures one factor in its own database.
        parser.add_argument("--only-factor", type=int, help="(internal)")
        parser.add_argument("--serve", action="store_true", help="(internal)")

    def log(self, message):
        self.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}")

    def handle(self, *args, **options):
        if options["only_factor"]:
            if options["prepare_only"]:
                bench.ensure_database(options["only_factor"], log=self.log)
                return
            if not options["serve"]:
                raise CommandError("--only-factor is internal: with --prepare-only or --serve.")
            # Answers on the real stdout: the parent reads them line by line.
            bench.serve_factor(
                options["only_factor"],
                pages=options["pages"],
                log=self.log,
                requests=sys.stdin,
                answers=sys.stdout,
            )
            return

        if options["report_only"]:
            if not bench.RESULTS_FILE.exists():
                raise CommandError(f"No results yet ({bench.RESULTS_FILE}): run the benchmark.")
            saved = json.loads(bench.RESULTS_FILE.read_text())
            report = bench.Report(machine=saved["machine"], factors=saved["factors"])
            report.checks = bench.check_targets(report)
            results = saved["factors"]
        else:
            report, results = self.measure(options)
            if report is None:  # --prepare-only
                return
        for mode in results[0]["modes"]:
            header, rows = bench.table_rows(report, mode)
            self.stdout.write(f"\n{mode}:\n" + bench.text_table(header, rows))
        if any(factor.get("publishing") for factor in results):
            header, rows = bench.publishing_rows(report)
            self.stdout.write("\npublishing the board pack:\n" + bench.text_table(header, rows))
        self.stdout.write("")
        for check in report.checks:
            verdict = "PASS" if check.passed else "FAIL"
            self.stdout.write(f"{verdict}  {check.target}: {check.page}: {check.detail}")
        if options["output"] != "-":
            output = Path(options["output"])
            text = bench.render_markdown(
                report,
                requests=report.machine.get("requests", options["requests"]),
                page_seconds=report.machine.get("page_seconds", options["page_seconds"]),
                loadtest=bench.existing_loadtest_section(output),
            )
            output.write_text(text)
            self.stdout.write(f"\nWrote {output}")

    def measure(self, options):
        try:
            factors = sorted({int(f) for f in options["factors"].split(",") if f.strip()})
        except ValueError as error:
            raise CommandError("--factors takes whole numbers, e.g. 1,10,100.") from error
        if not factors or factors[0] < 1:
            raise CommandError("--factors must be at least 1.")
        base_url = os.environ.get("DATABASE_URL")
        load_before = os.getloadavg()
        rounds = max(1, min(options["rounds"], options["requests"]))
        urls = {}
        for factor in factors:
            urls[factor] = bench.factor_database_url(base_url, factor)
            bench.prepare_database(urls[factor], rebuild=options["rebuild"])
            if options["prepare_only"]:
                bench.build_factor(factor, url=urls[factor], log=self.log)
                self.stdout.write(urls[factor])
        if options["prepare_only"]:
            return None, []
        results = bench.measure_interleaved(
            urls,
            requests=options["requests"],
            rounds=rounds,
            page_seconds=options["page_seconds"],
            pages=options["pages"],
            log=self.log,
        )
        machine = bench.machine_facts()
        # Other work on the machine slows every page alike: say how busy it was.
        machine["requests"], machine["page_seconds"] = options["requests"], options["page_seconds"]
        machine["rounds"] = rounds
        machine["load"] = (
            "{:.1f} {:.1f} {:.1f} before, {:.1f} {:.1f} {:.1f} after (1, 5 and 15 min)".format(
                *load_before, *os.getloadavg()
            )
        )
        report = bench.Report(machine=machine, factors=results)
        report.checks = bench.check_targets(report)
        bench.RESULTS_FILE.parent.mkdir(exist_ok=True)
        bench.RESULTS_FILE.write_text(json.dumps({"machine": report.machine, "factors": results}))
        return report, results
