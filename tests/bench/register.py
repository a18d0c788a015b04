"""Benchmark: the national MSO register, at national scale.

    make bench            (or: python -m tests.bench.register [--runs N])

On PostgreSQL, in the two databases of tests/bench/scoping.py (about 1,900 and 20,000
organisations), with the register seeded by ``seed_register`` (named MSOs and board directors,
vacancies, handovers, changes waiting). For a national and a regional network lead it times:

- a page of 50 rows with its count, as the register first opens, filtered to vacant posts,
  sorted by MSO, searched by a person's name, and filtered to one ICB's area;
- the whole page through Django (middleware, the person's access, the layout, the template);
- the CSV and XLSX exports of every row the lead sees, with the peak memory Python allocated
  while writing them (tracemalloc): flat, however many rows.

It adds its section to docs/benchmarks.md and exits non-zero when a budget is missed: a
national lead's first page under 150 ms at p95 at 20,000 organisations through Django, and an
export's peak memory under 16 MB at 20,000 organisations (it grows with a chunk of rows, not
with the number of rows).
"""

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from datetime import date

from tests.bench.scoping import SCALES, _database, _ms, _time, write_report

BUDGET_PAGE_P95_MS = 150.0
BUDGET_MEMORY_MB = 16.0


def measure(scale, runs):
    from tests.bench.scoping import _people, _setup

    counts = _setup(scale)
    _people()
    from demo.national.organisations import seed_register

    counts |= seed_register()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from core.exports import xlsx_response
    from organisations import register
    from organisations.choices import OrganisationKind
    from organisations.models import Organisation

    results = {"counts": counts, "people": []}
    icb = Organisation.objects.filter(kind=OrganisationKind.ICB).order_by("pk").first()
    _regional_lead(icb.region)  # a region found in both databases
    for label, email in (
        ("National network lead", "national.lead@bench.example"),
        ("Regional network lead", "register.lead@bench.example"),
    ):
        user = User.objects.get(email=email)

        def page(user=user, **filters):
            page = register.Pages(user, register.Filters(**filters), 50).get_page(1)
            return [register.states(row) for row in page.object_list], page.paginator.count

        client = Client()
        client.force_login(user)
        assert client.get("/register/").status_code == 200
        export_runs = max(3, runs // 50)
        person = {
            "label": label,
            "rows": page()[1],
            "first_page": _time(page, runs),
            "vacant": _time(lambda: page(state=register.State.VACANT), runs),
            "sorted": _time(lambda: page(sort=register.Sort.MSO), runs),
            "search": _time(lambda: page(q="Priya Nair"), runs),
            "icb": _time(lambda: page(icb=icb.pk), runs),
            "request": _time(lambda c=client: c.get("/register/"), runs // 3),
            "csv": _export(lambda u=user: _csv(u), export_runs),
            "xlsx": _export(
                lambda u=user: xlsx_response(
                    "MSO register", register.COLUMNS, register.export_rows(register.rows(u)), "x"
                ).close(),
                export_runs,
            ),
        }
        results["people"].append(person)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        results["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
    return results


def _regional_lead(region):
    from accounts.models import User
    from networks.models import Network, NetworkMembership

    network, _ = Network.objects.get_or_create(
        name=f"Bench network of {region}",
        defaults={"kind": Network.Kind.REGIONAL, "region": region},
    )
    user, _ = User.objects.get_or_create(
        email="register.lead@bench.example", defaults={"full_name": "Register Lead"}
    )
    NetworkMembership.objects.get_or_create(
        network=network, user=user, defaults={"role": NetworkMembership.Role.LEAD}
    )


def _csv(user):
    import csv

    from organisations import register

    class Sink:
        def write(self, value):
            return len(value)

    writer = csv.writer(Sink())
    for line in register.export_rows(register.rows(user)):
        writer.writerow(line)


def _export(work, runs):
    """Seconds at the median, and the peak memory Python allocated in one run (MB)."""
    timing = _time(work, runs)
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"p50": timing["p50"], "p95": timing["p95"], "peak_mb": peak / 1e6}


def _child(scale, runs):
    import subprocess

    from tests.bench.scoping import ROOT

    name = f"mso_portal_bench_{str(scale).replace('.', '_')}"
    environment = {
        **os.environ,
        "DATABASE_URL": _database(name),
        "DEBUG": "1",
        "MFA_REQUIRED": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    environment.pop("REDIS_URL", None)
    output = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "tests.bench.register",
            "--measure",
            str(scale),
            "--runs",
            str(runs),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def report(small, national, runs):
    import django

    missed = []
    counts = national["counts"]
    lines = [
        "## The national MSO register",
        "",
        f"Measured {date.today():%-d %B %Y} by `make bench` (tests/bench/register.py) on "
        f"{platform.node() or 'this machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"{national['postgresql']}. Times are p50 / p95 in milliseconds over {runs} runs "
        f"({runs // 3} for whole requests); exports over a few runs.",
        "",
        f"At national scale: {counts['organisations']:,} organisations, "
        f"{counts['named posts']:,} named MSOs and board directors, "
        f"{counts['open handovers']:,} handovers open, {counts['changes waiting']:,} changes "
        f"waiting. The small database: {small['counts']['organisations']:,} organisations.",
        "",
        "| lead | rows seen | first page (50 rows and the count) | vacant | sorted by MSO | "
        "searched by name | one ICB's area | whole request through Django | same request at "
        "1,900 organisations |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for big, little in zip(national["people"], small["people"], strict=True):
        lines.append(
            f"| {big['label']} | {big['rows']:,} | {_ms(big['first_page'])} | "
            f"{_ms(big['vacant'])} | {_ms(big['sorted'])} | {_ms(big['search'])} | "
            f"{_ms(big['icb'])} | {_ms(big['request'])} | {_ms(little['request'])} |"
        )
    lines += [
        "",
        "Exports of every row the lead sees (median time; peak memory Python allocated while "
        "writing, at 20,000 and at 1,900 organisations):",
        "",
        "| lead | CSV | CSV memory | XLSX | XLSX memory |",
        "|---|---:|---:|---:|---:|",
    ]
    for big, little in zip(national["people"], small["people"], strict=True):
        cells = []
        for fmt in ("csv", "xlsx"):
            cells.append(f"{big[fmt]['p50'] / 1000:.2f} s")
            cells.append(f"{big[fmt]['peak_mb']:.1f} MB / {little[fmt]['peak_mb']:.1f} MB")
            if big[fmt]["peak_mb"] > BUDGET_MEMORY_MB:
                missed.append(f"{big['label']}, {fmt}: {big[fmt]['peak_mb']:.1f} MB at peak")
        lines.append(f"| {big['label']} | " + " | ".join(cells) + " |")
    national_lead = national["people"][0]
    if national_lead["request"]["p95"] > BUDGET_PAGE_P95_MS:
        missed.append(
            f"the first page took {national_lead['request']['p95']:.0f} ms at p95 "
            f"(budget {BUDGET_PAGE_P95_MS:g} ms)"
        )
    lines += [
        "",
        f"Budgets: a national lead's first page under {BUDGET_PAGE_P95_MS:g} ms at p95 through "
        f"Django at national scale; an export's peak memory under {BUDGET_MEMORY_MB:g} MB "
        "at national scale. " + ("Missed: " + "; ".join(missed) if missed else "All met."),
        "",
    ]
    return "\n".join(lines), missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--measure", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")
        print(json.dumps(measure(args.measure, args.runs)))
        return 0
    started = time.monotonic()
    small = _child(SCALES["small"], args.runs)
    national = _child(SCALES["national"], args.runs)
    section, missed = report(small, national, args.runs)
    write_report(section)
    print(section)
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
