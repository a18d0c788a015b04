"""Benchmark: medication incidents at national scale.

    make bench            (or: python -m tests.bench.incidents [--runs N] [--incidents N])

On PostgreSQL, in the national database of tests/bench/scoping.py (about 20,000
organisations), with incidents loaded by COPY (2,000,000 by default, over five years, skewed:
a tenth of the organisations hold about three quarters; one trust about 40,000). As that
trust's MSO, and as the ICB's CDAO, it times:

- the list's first page (25 rows), a page deep in the list by keyset, filtered by harm, by a
  high-risk medicine flag, by a medicine's name, and a full-text search;
- the whole list request and the whole dashboard request through Django;
- the CSV export of the trust's incidents, with the peak memory Python allocated.

It adds its section to docs/benchmarks.md and exits non-zero when a budget is missed: the
list's first page under 150 ms at p95 through Django, the dashboard under 1,000 ms, and the
export's peak memory under 32 MB.
"""

import argparse
import io
import json
import os
import platform
import sys
import time
from datetime import date

from tests.bench.scoping import _database, _ms, _time, write_report

BUDGET_LIST_P95_MS = 150.0
BUDGET_DASHBOARD_P95_MS = 1000.0
BUDGET_MEMORY_MB = 32.0


def _load(total: int, trust_id: int) -> int:
    """``total`` incidents by COPY (demo/national/incidents.py), 2% of them the trust's; once."""
    from demo.national.incidents import TOTAL, seed_incidents

    return seed_incidents(total / TOTAL, largest_id=trust_id)["incidents"]


def measure(runs, total):
    from tests.bench.scoping import _people, _setup

    counts = _setup(1.0)
    _people()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from incidents import queries
    from incidents.models import Incident
    from organisations.choices import Post
    from organisations.models import Appointment

    mso = User.objects.get(email="trust.mso@bench.example")
    trust = Appointment.objects.get(user=mso, post=Post.MSO).organisation
    started = time.perf_counter()
    counts["incidents"] = _load(total, trust.pk)
    load_seconds = time.perf_counter() - started
    counts["incidents of the trust"] = Incident.objects.filter(organisation=trust).count()
    results = {"counts": counts, "load_seconds": load_seconds, "people": []}
    for label, email in (
        ("A trust's MSO", "trust.mso@bench.example"),
        ("An ICB's CDAO", "icb.cdao@bench.example"),
    ):
        user = User.objects.get(email=email)

        def page(user=user, after="", **filters):
            incidents = queries.filtered(
                Incident.objects.visible_to(user), queries.Filters(**filters)
            ).prefetch_related("medicines")
            return queries.page_of(incidents, "newest", after=after)

        deep = page()
        for _ in range(40):  # 1,000 rows in
            if deep.older:
                deep = page(after=deep.older)
        client = Client()
        client.force_login(user)
        assert client.get("/incidents/").status_code == 200
        person = {
            "label": label,
            "first_page": _time(lambda: page(), runs),
            "deep_page": _time(lambda c=deep.older: page(after=c), runs),
            "harm": _time(lambda: page(harms=["2"]), runs),
            "high_risk": _time(lambda: page(high_risk=True), runs),
            "medicine": _time(lambda: page(medicine="methotrexate"), runs),
            "search": _time(lambda: page(text="allergy"), runs),
            "request": _time(lambda c=client: c.get("/incidents/"), runs // 3),
        }
        if label == "A trust's MSO":
            url = f"/incidents/dashboard/{trust.ods_code}/"
            assert client.get(url).status_code == 200
            person["dashboard"] = _time(lambda c=client, u=url: c.get(u), max(5, runs // 30))
            person["csv"] = _export(user, max(3, runs // 100))
        results["people"].append(person)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        results["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
    return results


def _export(user, runs):
    import csv
    import tracemalloc

    from incidents import queries
    from incidents.models import Incident

    class Sink(io.StringIO):
        def write(self, value):
            return len(value)

    def work():
        writer = csv.writer(Sink())
        for line in queries.export_rows(Incident.objects.visible_to(user), "newest"):
            writer.writerow(line)

    timing = _time(work, runs)
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"p50": timing["p50"], "p95": timing["p95"], "peak_mb": peak / 1e6}


def _child(runs, total):
    import subprocess

    from tests.bench.scoping import ROOT

    environment = {
        **os.environ,
        "DATABASE_URL": _database("mso_portal_bench_1_0"),
        "DEBUG": "1",
        "MFA_REQUIRED": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    environment.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "tests.bench.incidents", "--measure"]
    output = subprocess.run(  # noqa: S603
        [*command, "--runs", str(runs), "--incidents", str(total)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def report(results, runs):
    import django

    missed = []
    counts = results["counts"]
    lines = [
        "## Medication incidents",
        "",
        f"Measured {date.today():%-d %B %Y} by `make bench` (tests/bench/incidents.py) on "
        f"{platform.node() or 'this machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"{results['postgresql']}. Times are p50 / p95 in milliseconds over {runs} runs "
        f"({runs // 3} for whole list requests, fewer for the dashboard and the export).",
        "",
        f"{counts['incidents']:,} incidents over five years in {counts['organisations']:,} "
        f"organisations (loaded by COPY in {results['load_seconds']:.0f} s); the trust holds "
        f"{counts['incidents of the trust']:,}.",
        "",
        "| who | first page (25) | 1,000 rows in | severe harm | high-risk | a medicine | "
        "full-text search | whole list request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for person in results["people"]:
        lines.append(
            f"| {person['label']} | {_ms(person['first_page'])} | {_ms(person['deep_page'])} | "
            f"{_ms(person['harm'])} | {_ms(person['high_risk'])} | {_ms(person['medicine'])} | "
            f"{_ms(person['search'])} | {_ms(person['request'])} |"
        )
        if person["request"]["p95"] > BUDGET_LIST_P95_MS:
            missed.append(f"{person['label']}: list request p95 over {BUDGET_LIST_P95_MS} ms")
    mso = results["people"][0]
    lines += [
        "",
        f"The trust's dashboard (whole request): {_ms(mso['dashboard'])}. CSV export of its "
        f"{counts['incidents of the trust']:,} incidents: {mso['csv']['p50'] / 1000:.1f} s, "
        f"peak memory {mso['csv']['peak_mb']:.1f} MB.",
        "",
        f"Budgets: whole list request p95 under {BUDGET_LIST_P95_MS:.0f} ms; dashboard p95 "
        f"under {BUDGET_DASHBOARD_P95_MS:.0f} ms; export peak memory under "
        f"{BUDGET_MEMORY_MB:.0f} MB. " + ("Missed: " + "; ".join(missed) if missed else "All met."),
        "",
    ]
    if mso["dashboard"]["p95"] > BUDGET_DASHBOARD_P95_MS:
        missed.append("dashboard p95 over budget")
    if mso["csv"]["peak_mb"] > BUDGET_MEMORY_MB:
        missed.append("export memory over budget")
    return "\n".join(lines), missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.runs, args.incidents), default=str))
        return 0
    results = _child(args.runs, args.incidents)
    section, missed = report(results, args.runs)
    write_report(section)
    print(section)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
