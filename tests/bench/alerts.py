"""Benchmark: national patient safety alerts at national scale.

    make bench            (or: python -m tests.bench.alerts [--runs N] [--alerts N] [--publishes N])

On PostgreSQL, in a national database of its own (``mso_portal_bench_alerts``, built as
tests/bench/scoping.py builds its national one: about 20,000 organisations and the same
people), so that the accounts, responses and reminders it writes do not change the figures of
the register and incidents benchmarks. The organisations' MSOs, deputy MSOs and board directors
are given accounts (the people told of alerts), shaped like ``seed_register``'s posts. It times:

- publishing a National Patient Safety Alert with 3 required actions to every kind of
  organisation (``services.alert_publish``: about 20,000 responses, 60,000 action answers and
  the tallies, in one transaction), with the rows written and the SQL statements Django sent;
- its fan-out (``services.fan_out``: the publishing notice to each organisation's MSO through
  the reminder engine, handed to the broker a batch a task; Celery's in-memory broker stands
  in for Redis), with the notices written and the statements;
- with ``--alerts`` (300) published alerts loaded by set-based SQL (about 2.4 million
  responses of varied states and deadlines by the alert's age, their action answers, and the
  tallies computed from them by one aggregate insert), through Django: one alert's compliance
  page and the same filtered to organisations past a deadline, the past-deadline page, the
  national list, as a national network lead; a trust MSO's inbox;
- the daily sweep's alert providers (not acknowledged, Class 1 not acknowledged, action
  deadlines) written through ``notify``: first with none of their reminders in the ledger (the
  backlog: the worst case), then again the same day (every one already there).

It adds its section to docs/benchmarks.md and exits non-zero when a budget is missed (the
budgets are the constants below; each was set from measured figures with headroom).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta

from demo.national.alerts import LOADED
from tests.bench.scoping import _database, _ms, _time, write_report

DATABASE = "mso_portal_bench_alerts"
BUDGET_PUBLISH_S = 10.0
BUDGET_PUBLISH_STATEMENTS = 100
BUDGET_FAN_OUT_S = 30.0
BUDGET_FAN_OUT_STATEMENTS = 300
BUDGET_COMPLIANCE_P95_MS = 300.0
BUDGET_OVERDUE_P95_MS = 500.0
BUDGET_LIST_P95_MS = 300.0
BUDGET_INBOX_P95_MS = 150.0
BUDGET_SWEEP_S = 120.0

PUBLISHED = "Bench publishing"  # and of the alerts published (and removed) while timing
RECIPIENTS = "@alerts.bench.example"
# Of each kind of organisation, the share with a deputy MSO (MSOs and board directors are
# shared as demo.national.organisations.seed_register shares them).
DEPUTY_SHARE = {"nhs-trust": 0.6, "foundation-trust": 0.6, "ambulance-trust": 0.6, "icb": 0.6}
# ---------------------------------------------------------------------------------------------
# Data, in the child process.


def _recipients() -> int:
    """Accounts for the MSOs, deputy MSOs and board directors: who alerts are told to. Once."""
    from accounts.models import User
    from demo.national.organisations import MSO_SHARE, SINCE
    from organisations.choices import POST_KINDS, Post
    from organisations.models import Appointment, Organisation

    made = User.objects.filter(email__endswith=RECIPIENTS)
    if made.exists():
        return made.count()
    rng = random.Random(11)
    held = set(Appointment.objects.current().values_list("organisation_id", "post"))
    posts = []
    for pk, kind in Organisation.objects.open().values_list("pk", "kind").order_by("pk"):
        for post, share in (
            (Post.MSO, MSO_SHARE.get(kind, 0.93)),
            (Post.DEPUTY_MSO, DEPUTY_SHARE.get(kind, 0.0)),
            (Post.BOARD_DIRECTOR, 0.93),
        ):
            if kind in POST_KINDS[post] and (pk, post) not in held and rng.random() < share:
                posts.append((pk, post))
    users = User.objects.bulk_create(
        [User(email=f"{post}.{pk}{RECIPIENTS}", full_name=f"{post} {pk}") for pk, post in posts],
        batch_size=2000,
    )
    Appointment.objects.bulk_create(
        [
            Appointment(organisation_id=pk, post=post, user=user, start_on=SINCE)
            for (pk, post), user in zip(posts, users, strict=True)
        ],
        batch_size=2000,
    )
    return len(users)


def _load(total: int) -> float:
    """The published alerts and every organisation's response (demo/national/alerts.py), once a
    day. Returns the seconds it took (0 when loaded already)."""
    from demo.national.alerts import seed_alerts

    started = time.perf_counter()
    before = _loaded_today(total)
    seed_alerts(total)
    return 0.0 if before else time.perf_counter() - started


def _loaded_today(total: int) -> bool:
    from django.utils import timezone

    from alerts.models import Alert

    loaded = Alert.objects.filter(title__startswith=LOADED)
    return (
        loaded.count() == total
        and not loaded.exclude(created_at__date=timezone.localdate()).exists()
    )


def _counts() -> dict:
    from django.db.models import Sum
    from django.utils import timezone

    from alerts.models import Alert, AlertActionResponse, AlertResponse, AlertTally

    overdue = AlertResponse.objects.overdue(timezone.localdate())
    counts = {
        "alerts": Alert.objects.count(),
        "responses": AlertResponse.objects.count(),
        "action answers": AlertActionResponse.objects.count(),
        "tallies": AlertTally.objects.count(),
        "open": AlertResponse.objects.open().count(),
        "overdue": overdue.count(),
        "organisations overdue": overdue.values("organisation_id").distinct().count(),
    }
    tallied = AlertTally.objects.aggregate(n=Sum("count"))["n"]
    assert tallied == counts["responses"], (tallied, counts["responses"])
    return counts


# ---------------------------------------------------------------------------------------------
# Measuring.


class _Statements:
    """Counts the SQL statements Django sends (connection.execute_wrapper), by their verb. The
    fetches of a server-side cursor (``.iterator()``) are the database's, not counted."""

    def __init__(self):
        self.verbs = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.verbs[sql.lstrip().split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.verbs.values())


def _counted(work):
    """What ``work()`` returns, the seconds it took, and the statements it sent."""
    from django.db import connection

    statements = _Statements()
    with connection.execute_wrapper(statements):
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    return result, seconds, statements


class _HandedOn:
    """Counts the batches of notifications the engine hands to the broker."""

    def __init__(self):
        from notifications import services

        self.tasks = self.notifications = 0
        self.original = services.hand_to_worker
        services.hand_to_worker = self

    def __call__(self, *pks):
        self.tasks += 1
        self.notifications += len(pks)
        return self.original(*pks)


def _remove(alert_id: int) -> None:
    """An alert published while timing, and all it wrote (raw deletes: the ORM's would audit
    each of 80,000 rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM notifications_notification WHERE subject IN (SELECT 'alert-response:' "
            "|| id FROM alerts_alertresponse WHERE alert_id = %s)",
            [alert_id],
        )
        cursor.execute(
            "DELETE FROM alerts_alertactionresponse WHERE response_id IN "
            "(SELECT id FROM alerts_alertresponse WHERE alert_id = %s)",
            [alert_id],
        )
        cursor.execute(
            "DELETE FROM alerts_alertresponseevent WHERE response_id IN "
            "(SELECT id FROM alerts_alertresponse WHERE alert_id = %s)",
            [alert_id],
        )
        for table in ("alerttally", "alertresponse", "alertaction", "alertmedicine"):
            cursor.execute(f"DELETE FROM alerts_{table} WHERE alert_id = %s", [alert_id])  # noqa: S608
        cursor.execute("DELETE FROM alerts_alert WHERE id = %s", [alert_id])


def draft_for_everyone(lead, number: int):
    """A draft NatPSA with 3 actions (28, 90 and 180 days) for every kind of organisation: the
    alert the benchmarks publish."""
    from django.utils import timezone

    from alerts import services
    from alerts.models import Alert
    from organisations.choices import OrganisationKind

    today = timezone.localdate()
    return services.alert_save(
        by=lead,
        alert=Alert(
            reference=f"NatPSA/{today.year}/{900 + number}/NHSPS",
            title=f"{PUBLISHED} {number}: oral methotrexate",
            issuer="nhs-england",
            alert_type="natpsa",
            issued_on=today,
            summary="Prescribe, dispense and give oral methotrexate once a week only.",
            applicable_kinds=list(OrganisationKind.values),
        ),
        medicines=[{"name": "Methotrexate 2.5 mg tablets"}],
        actions=[
            {"description": f"Action {n}: review the weekly-dosing checks.", "due_on": due}
            for n, due in enumerate((today + timedelta(days=d) for d in (28, 90, 180)), start=1)
        ],
    )


def _publish(lead, number: int, handed: _HandedOn) -> dict:
    """Write a NatPSA with 3 actions for every kind of organisation; time its publishing and
    its fan-out; then remove it."""
    from alerts import services
    from alerts.models import AlertActionResponse, AlertResponse, AlertTally

    alert = draft_for_everyone(lead, number)
    try:
        reached, seconds, statements = _counted(
            lambda: services.alert_publish(by=lead, alert=alert)
        )
        result = {
            "reached": reached,
            "seconds": seconds,
            "statements": statements.total,
            "verbs": dict(statements.verbs),
            "responses": AlertResponse.objects.filter(alert=alert).count(),
            "action answers": AlertActionResponse.objects.filter(response__alert=alert).count(),
            "tallies": AlertTally.objects.filter(alert=alert).count(),
        }
        alert.refresh_from_db()
        tasks, notified = handed.tasks, handed.notifications
        written, seconds, statements = _counted(lambda: services.fan_out(alert))
        result["fan_out"] = {
            "written": written,
            "seconds": seconds,
            "statements": statements.total,
            "verbs": dict(statements.verbs),
            "tasks": handed.tasks - tasks,
            "handed on": handed.notifications - notified,
        }
    finally:
        _remove(alert.pk)
    return result


def _sweep(handed: _HandedOn) -> list[dict]:
    """The alert providers of the daily sweep, each written through ``notify``: once into a
    ledger without their reminders, then again the same day."""
    from django.db import connection
    from django.utils import timezone

    from alerts import reminders
    from notifications.services import notify

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")
    today = timezone.localdate()
    found = []
    for label, provider in (
        ("Not acknowledged after 2 working days", reminders.not_acknowledged),
        ("Action deadlines (14, 7, 1 days; passed; 3 days past)", reminders.action_deadlines),
    ):
        row = {"label": label}
        for run in ("first", "again"):
            tasks = handed.tasks
            written, seconds, statements = _counted(lambda p=provider: notify(p(today)))
            row[run] = {
                "written": written,
                "seconds": seconds,
                "statements": statements.total,
                "tasks": handed.tasks - tasks,
            }
        found.append(row)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification")
    return found


def measure(runs: int, total: int, publishes: int) -> dict:
    from tests.bench.scoping import _people, _setup

    counts = _setup(1.0)
    _people()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from alerts.models import Alert
    from mso_portal.celery import app

    # Tasks go to a broker (Celery's in-memory one, standing in for Redis), not run here.
    app.conf.task_always_eager = False
    counts["accounts told of alerts"] = _recipients()
    for alert in Alert.objects.filter(title__startswith=PUBLISHED):  # left by a stopped run
        _remove(alert.pk)
    load_seconds = _load(total)
    counts |= _counts()
    lead = User.objects.get(email="national.lead@bench.example")
    mso = User.objects.get(email="trust.mso@bench.example")
    handed = _HandedOn()
    published = [_publish(lead, n, handed) for n in range(publishes)]

    widest = (  # an alert to every kind of organisation, some weeks old: varied states
        Alert.objects.filter(title__startswith=LOADED)
        .filter(applicable_kinds__contains=["nhs-trust", "pcn", "community-pharmacy"])
        .filter(published_at__lt=timezone.now() - timedelta(days=14))
        .order_by("-published_at")
        .first()
    )
    pages = []
    for label, user, url in (
        ("One alert's compliance page", lead, f"/alerts/{widest.pk}/responses/"),
        (
            "The same, organisations past a deadline",
            lead,
            f"/alerts/{widest.pk}/responses/?state=overdue",
        ),
        ("Past deadline, every alert", lead, "/alerts/past-deadline/"),
        ("The national list of alerts", lead, "/alerts/national/"),
        ("A trust MSO's inbox", mso, "/alerts/"),
    ):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages.append(
            {
                "label": label,
                "url": url,
                "statements": len(queries),
                "timing": _time(lambda c=client, u=url: c.get(u), runs),
            }
        )
    sweeps = _sweep(handed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgresql = cursor.fetchone()[0].split(" on ")[0]
    counts["widest alert reaches"] = widest.responses.count()
    counts["inbox responses"] = mso.appointments.get().organisation.alert_responses.count()
    return {
        "counts": counts,
        "load_seconds": load_seconds,
        "published": published,
        "pages": pages,
        "sweeps": sweeps,
        "postgresql": postgresql,
    }


# ---------------------------------------------------------------------------------------------
# The parent: the database, the child, the report.


def _child(runs: int, total: int, publishes: int) -> dict:
    import subprocess

    from tests.bench.scoping import ROOT

    environment = {
        **os.environ,
        "DATABASE_URL": _database(DATABASE),
        "DEBUG": "1",
        "MFA_REQUIRED": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    environment.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "tests.bench.alerts", "--measure", "--runs", str(runs)]
    output = subprocess.run(  # noqa: S603
        [*command, "--alerts", str(total), "--publishes", str(publishes)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode:
        sys.stderr.write(output.stderr)
        raise SystemExit(output.returncode)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _verbs(verbs: dict) -> str:
    return ", ".join(f"{n} {verb}" for verb, n in sorted(verbs.items(), key=lambda v: -v[1]))


def report(results: dict, runs: int) -> tuple[str, list[str]]:
    import django

    missed = []
    counts = results["counts"]
    published = results["published"]
    worst = max(published, key=lambda p: p["seconds"])
    worst_fan = max(published, key=lambda p: p["fan_out"]["seconds"])["fan_out"]
    loaded = (
        f"loaded by set-based SQL in {results['load_seconds']:.0f} s"
        if results["load_seconds"]
        else "loaded earlier today"
    )
    lines = [
        "## National patient safety alerts",
        "",
        f"Measured {date.today():%-d %B %Y} by `make bench` (tests/bench/alerts.py) on "
        f"{platform.node() or 'this machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"{results['postgresql']}. In a national database of its own: "
        f"{counts['organisations']:,} organisations, {counts['accounts told of alerts']:,} MSOs, "
        "deputy MSOs and board directors with accounts.",
        "",
        f"Publishing a NatPSA with 3 required actions to every kind of organisation "
        f"({len(published)} times; statements are those Django sent, a server-side cursor's "
        "fetches not counted):",
        "",
        "| step | organisations | rows written | time (median / worst) | SQL statements |",
        "|---|---:|---|---:|---|",
        f"| `alert_publish` | {worst['reached']:,} | {worst['responses']:,} responses, "
        f"{worst['action answers']:,} action answers, {worst['tallies']:,} tallies | "
        f"{statistics.median(p['seconds'] for p in published):.2f} s / {worst['seconds']:.2f} s "
        f"| {worst['statements']} ({_verbs(worst['verbs'])}) |",
        f"| `fan_out` (the MSOs told) | {worst['reached']:,} | {worst_fan['written']:,} "
        f"notices, handed to the broker in {worst_fan['tasks']:,} tasks | "
        f"{statistics.median(p['fan_out']['seconds'] for p in published):.2f} s / "
        f"{worst_fan['seconds']:.2f} s | {worst_fan['statements']} "
        f"({_verbs(worst_fan['verbs'])}) |",
        "",
        f"With {counts['alerts']:,} published alerts over three years ({loaded}): "
        f"{counts['responses']:,} responses ({counts['open']:,} open, {counts['overdue']:,} past "
        f"a deadline in {counts['organisations overdue']:,} organisations), "
        f"{counts['action answers']:,} action answers, {counts['tallies']:,} tally rows. Whole "
        f"requests through Django, p50 / p95 in milliseconds over {runs} runs:",
        "",
        "| page | who | p50 / p95 | SQL statements | budget (p95) |",
        "|---|---|---:|---:|---:|",
    ]
    budgets = {
        "One alert's compliance page": BUDGET_COMPLIANCE_P95_MS,
        "The same, organisations past a deadline": BUDGET_COMPLIANCE_P95_MS,
        "Past deadline, every alert": BUDGET_OVERDUE_P95_MS,
        "The national list of alerts": BUDGET_LIST_P95_MS,
        "A trust MSO's inbox": BUDGET_INBOX_P95_MS,
    }
    for page in results["pages"]:
        budget = budgets[page["label"]]
        who = "trust MSO" if page["url"] == "/alerts/" else "national lead"
        lines.append(
            f"| {page['label']} (`{page['url']}`) | {who} | {_ms(page['timing'])} | "
            f"{page['statements']} | {budget:g} ms |"
        )
        if page["timing"]["p95"] > budget:
            missed.append(f"{page['label']}: {page['timing']['p95']:.0f} ms at p95")
    lines += [
        "",
        f"The compliance pages are of an alert reaching {counts['widest alert reaches']:,} "
        f"organisations; the trust's inbox holds {counts['inbox responses']:,} responses.",
        "",
        "The daily sweep's alert providers, each written through `notify`: first into a ledger "
        "without their reminders (the backlog, the worst case), then again the same day (each "
        "one found in the ledger):",
        "",
        "| provider | written | time | SQL statements | tasks to the broker | again: time | "
        "again: statements |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    first = again = 0.0
    for row in results["sweeps"]:
        first += row["first"]["seconds"]
        again += row["again"]["seconds"]
        lines.append(
            f"| {row['label']} | {row['first']['written']:,} | {row['first']['seconds']:.1f} s | "
            f"{row['first']['statements']:,} | {row['first']['tasks']:,} | "
            f"{row['again']['seconds']:.1f} s | {row['again']['statements']:,} |"
        )
    lines += ["", f"All three: {first:.1f} s, and {again:.1f} s again."]
    for p in published:
        if p["statements"] > BUDGET_PUBLISH_STATEMENTS:
            missed.append(f"publishing sent {p['statements']} statements")
        if p["fan_out"]["statements"] > BUDGET_FAN_OUT_STATEMENTS:
            missed.append(f"the fan-out sent {p['fan_out']['statements']} statements")
    if worst["seconds"] > BUDGET_PUBLISH_S:
        missed.append(f"publishing took {worst['seconds']:.1f} s")
    if worst_fan["seconds"] > BUDGET_FAN_OUT_S:
        missed.append(f"the fan-out took {worst_fan['seconds']:.1f} s")
    if first > BUDGET_SWEEP_S:
        missed.append(f"the sweep's alert providers took {first:.0f} s")
    lines += [
        "",
        f"Budgets: publishing at most {BUDGET_PUBLISH_S:g} s and {BUDGET_PUBLISH_STATEMENTS} "
        f"statements, its fan-out at most {BUDGET_FAN_OUT_S:g} s and "
        f"{BUDGET_FAN_OUT_STATEMENTS} statements (every run); the pages as above; the sweep's "
        f"alert providers, from an empty ledger, at most {BUDGET_SWEEP_S:g} s. "
        + ("Missed: " + "; ".join(missed) if missed else "All met."),
        "",
    ]
    return "\n".join(lines), missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--alerts", type=int, default=300)
    parser.add_argument("--publishes", type=int, default=3)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")
        print(json.dumps(measure(args.runs, args.alerts, args.publishes), default=str))
        return 0
    started = time.monotonic()
    results = _child(args.runs, args.alerts, args.publishes)
    section, missed = report(results, args.runs)
    write_report(section)
    print(section)
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
