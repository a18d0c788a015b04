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
import random
import sys
import time
from datetime import date, datetime, timedelta

from tests.bench.scoping import _database, _ms, _time, write_report

BUDGET_LIST_P95_MS = 150.0
BUDGET_DASHBOARD_P95_MS = 1000.0
BUDGET_MEMORY_MB = 32.0
MEDICINES = [
    ("Insulin aspart 100 units/ml", "Insulin", ""),
    ("Apixaban 5 mg tablets", "Anticoagulant", ""),
    ("Oxycodone 5 mg capsules", "Opioid", "2"),
    ("Paracetamol 500 mg tablets", "", ""),
    ("Gentamicin 80 mg/2 ml injection", "Aminoglycoside", ""),
    ("Amoxicillin 500 mg capsules", "", ""),
    ("Methotrexate 2.5 mg tablets", "Methotrexate", ""),
    ("Diazepam 5 mg tablets", "", "4"),
]
WORDS = [
    "dose omitted at the morning round",
    "chart not signed",
    "look-alike packaging",
    "wrong patient label",
    "infusion rate set too fast",
    "allergy not checked",
    "discharge letter incomplete",
]


def _load(total: int, trust_id: int) -> int:
    """Load ``total`` incidents (and a medicine each) by COPY, once."""
    from django.db import connection

    from incidents.models import Incident
    from organisations.models import Organisation

    if (
        Incident.objects.count() == total
        and not Incident.objects.filter(medicine_names="").exists()
    ):
        return total
    with connection.cursor() as cursor:  # another size was loaded before: start again
        cursor.execute("TRUNCATE incidents_incident, incidents_incidentmedicine CASCADE")
    rng = random.Random(7)
    organisations = list(Organisation.objects.values_list("pk", flat=True).order_by("pk"))
    big = organisations[: len(organisations) // 10]
    today = date.today()
    columns = (
        "organisation_id, reference, anonymous, receipt_hash, reported_at, occurred_on, "
        "time_bracket, location, service_area, what_happened, immediate_actions, "
        "reached_patient, physical_harm, psychological_harm, age_bracket, gender, service_type, "
        "drugs_involved, too_much, too_little, administered_incorrectly, packaging_problem, "
        "processes, yellow_card, detection_point, ncc_merp, nrls_harm, duty_of_candour, "
        "never_event, never_event_type, cqc_notification, cqc_criteria, high_risk, "
        "controlled_drug, medicine_names, status, learning_response, learning_summary, feedback, "
        "lfpse_state, lfpse_reference"
    )
    medicines = []
    counters: dict[tuple, int] = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY incidents_incident ({columns}) FROM STDIN") as copy:
            for n in range(total):
                if n % 50 == 0:
                    organisation_id = trust_id
                elif rng.random() < 0.75:
                    organisation_id = rng.choice(big)
                else:
                    organisation_id = rng.choice(organisations)
                day = today - timedelta(days=rng.randint(0, 5 * 365))
                key = (organisation_id, day.year)
                counters[key] = counters.get(key, 0) + 1
                harm = rng.choices("5432", weights=[60, 28, 10, 2])[0]
                medicine = rng.randrange(len(MEDICINES))
                name, group, schedule = MEDICINES[medicine]
                status = (
                    "closed"
                    if day < today - timedelta(days=60)
                    else rng.choice(["submitted", "in-review", "awaiting-actions"])
                )
                copy.write_row(
                    (
                        organisation_id,
                        f"Z{organisation_id:05d}-{day.year}-{counters[key]:06d}",
                        False,
                        "",
                        datetime(day.year, day.month, day.day, 12, 0).isoformat() + "+00:00",
                        day,
                        "1",
                        "4",
                        "Ward 3",
                        f"{name}: {rng.choice(WORDS)}.",
                        "Doctor told.",
                        "y",
                        harm,
                        "4",
                        "10",
                        "1",
                        "",
                        "[]",
                        "[]",
                        "[]",
                        "[]",
                        "[]",
                        json.dumps([rng.choice("123")]),
                        "[]",
                        "",
                        "",
                        "",
                        "",
                        False,
                        "",
                        False,
                        "[]",
                        bool(group),
                        bool(schedule),
                        name,
                        status,
                        "",
                        "",
                        "Thank you." if status == "closed" else "",
                        "not-exported",
                        "",
                    )
                )
                medicines.append(medicine)
        cursor.execute("SELECT id FROM incidents_incident ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        with raw.copy(
            "COPY incidents_incidentmedicine (incident_id, position, name, dmd_code, route, dose, "
            "high_risk_group, cd_schedule) FROM STDIN"
        ) as copy:
            for incident_id, medicine in zip(ids, medicines, strict=True):
                name, group, schedule = MEDICINES[medicine]
                copy.write_row((incident_id, 0, name, "", "oral", "", group, schedule))
        cursor.execute("ANALYZE incidents_incident")
        cursor.execute("ANALYZE incidents_incidentmedicine")
    return Incident.objects.count()


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
