"""Benchmark: the pages people use, over the real stack, at national scale and on the demo data.

    make bench            (or: python -m tests.bench.pages [--scale 1.0] [--runs 40])

For each database (the national one, loaded by ``seed_national --scale S`` if it is not there
yet, and the demo's, which stands in for an empty one: 8 organisations and a few hundred
incidents), it starts gunicorn with 2 workers on loopback with production settings (DEBUG off,
PostgreSQL, Redis for the cache and the broker, MFA on) and signs the cast in (a session each,
as the sign-in page leaves it). It times each page over HTTP with kept-alive connections: p50
and p95 over ``--runs`` requests after warming up, with a bare signed-in response (a view that
does nothing, behind every middleware) as the floor. A page is timed side by side with itself
on the other database and with the floor on each, by the same person, a request of each in
turn: its growth over the demo data and its multiple of the floor are set against figures of
the same moments, whatever else the machine was doing. It samples the workers' resident memory
throughout.

The cast, found in each database the same way: the MSO of the largest trust (the trust that
holds the most incidents), the MSO of a primary care network, a national network lead, the
largest trust's committee chair, its CDAO and its board director for medication safety, the
CDAO of its NHS England region, a member of staff who reports incidents, a lead of the national
Patient Safety Specialist network (the national patient safety team), and a deputy MSO of the
largest trusts at once whose export of their incidents holds 100,000 rows.

Then every page each person of the cast reaches from the home page by following its links
(tests/bench/crawl.py), each timed at national scale beside the floor over ``--crawl-runs``
requests after two.

Then, on the national database: a 60-second load test (locust: readers and reporters at once),
publishing an alert to every organisation with its MSOs told, and a full reminder sweep (both
rolled back afterwards, so the data stays as loaded), and checks that the summaries the pages
read (monthly incident counts, alert tallies, earliest alert deadlines) equal a live count.

It adds its section to docs/benchmarks.md and exits non-zero when a budget is missed or
something is broken (``--correctness-only``: when something is broken, and without warming the
workers up, which only the timings need; the small run the test suite makes,
tests/test_bench_small.py).
"""

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from tests.bench import crawl
from tests.bench.scoping import _database, write_report

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = "mso_portal_bench_national"
DEMO = "mso_portal_bench_demo"
WORKERS = 2
REPORTER = "reporter@bench.example"  # reports the incidents the benchmark submits
LEAD = "national.lead@bench.example"
SECRET_KEY = "bench-only-secret-key-bench-only-secret-key-bench-only"  # signs the sessions
BUDGET_PAGE_P95_MS = 150.0
BUDGET_VIEW_P95_MS = 300.0  # dashboards and the national views
BUDGET_SUBMIT_P95_MS = 300.0
BUDGET_CRAWLED_P95_MS = 300.0  # every page a person reaches, found by crawling (crawl.py)
BUDGET_GROWTH = 2.0  # a page at national scale, against the same page on the demo data
BUDGET_FLOOR_MULTIPLE = 4.0  # a page on the demo data, against the bare signed-in response
BUDGET_WORKER_MB = 300.0
BUDGET_PUBLISH_S = 10.0  # one alert to every organisation it applies to, its MSOs told
BUDGET_SWEEP_S = 60.0  # one full reminder sweep
BUDGET_SWEEP_MB = 500.0
EXPORT_ROWS = 100_000  # the large export: a streamed CSV of this many incidents
FLOOR = "/__floor__/"  # the bare signed-in response (tests/bench/urls.py)
DRAFT_REPORT = "assurance report, a draft (its figures kept)"
REFIGURED = "assurance report, its figures worked out again (the chair asks, then reads)"
# Work rather than reading: held to its national budget, not to the page-cost multiple (the
# report's figures are a quarter's data worked out; reading the report after is the page).
WORK = {REFIGURED}
# Pages given the wider budget: summaries over many organisations or a whole trust's figures.
WIDE = {
    "controlled drugs, the region's quarter",  # every designated body of a region
    "quarterly occurrence report (CSV)",  # an export: a body's quarter, as long as it is
    "dashboard",
    "pcn dashboard",
    "register",
    "register filtered",
    "register, those covered",
    "national incident statistics",
    "national incident trends",
    "national trends by medicine",
    "national learning summary",
    "reporting rates against peers (funnel)",
    "an alert and its effect across England",
    "an alert's chain to the board",
    "compliance",
    "national alert list",
    "alerts past a deadline",
    DRAFT_REPORT,
    REFIGURED,
}


# ---------------------------------------------------------------------------------------------
# In a child process, against one database: load it, and find the cast and their pages.


def _django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")
    import django

    django.setup()


def _load(kind: str, scale: float, runs: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if kind == "national":
        call_command("seed_national", scale=scale, force=True, verbosity=0)
    else:
        from demo.seed import seed_demo

        seed_demo("bench-demo-password")
    return _cast(runs)


def _signed_in(user) -> str:
    """A session as the sign-in page leaves it, with the second step done: its key."""
    import time as clock

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": clock.time(), "email": user.email},
        {"method": "mfa", "at": clock.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.create()
    return session.session_key


def _holder(organisation, post, email):
    """The person holding ``post`` in the organisation with an account, or a bench one."""
    from accounts.models import User
    from organisations.choices import Role
    from organisations.models import Appointment, Membership

    held = (
        Appointment.objects.current()
        .filter(organisation=organisation, post=post, user__isnull=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    if held:
        return held.user
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": "Bench Person"})
    Membership.objects.get_or_create(user=user, organisation=organisation, role=Role.SAFETY_TEAM)
    Appointment.objects.filter(organisation=organisation, post=post, end_on__isnull=True).update(
        end_on=date.today().replace(year=date.today().year - 1)
    )
    Appointment.objects.create(
        organisation=organisation, post=post, user=user, start_on=date(2024, 1, 1)
    )
    return user


def _cast(runs: int) -> dict:
    from django.db.models import Count

    from accounts.models import User
    from alerts.models import Alert, AlertResponse
    from committees.models import Committee
    from incidents.models import Incident
    from networks.models import Network, NetworkMembership
    from organisations.choices import OrganisationKind, Post, Role
    from organisations.models import Membership, Organisation

    largest = _largest()
    mso = _holder(largest, Post.MSO, "largest.mso@bench.example")
    pcn = (
        Organisation.objects.filter(kind=OrganisationKind.PCN)
        .annotate(n=Count("id"))
        .order_by("pk")
        .first()
    )
    pcn_mso = _holder(pcn, Post.MSO, "pcn.mso@bench.example")
    network = Network.objects.filter(kind=Network.Kind.NATIONAL).order_by("pk").first()
    if network is None:
        network = Network.objects.create(
            name="National MSO network", slug="national-mso-network", kind=Network.Kind.NATIONAL
        )
    lead, _ = User.objects.get_or_create(email=LEAD, defaults={"full_name": "Bench Lead"})
    NetworkMembership.objects.get_or_create(
        network=network, user=lead, defaults={"role": NetworkMembership.Role.LEAD}
    )
    chair_membership = (
        Membership.objects.filter(organisation=largest, role=Role.COMMITTEE_CHAIR)
        .select_related("user")
        .first()
    )
    chair = chair_membership.user if chair_membership else mso
    incident = Incident.objects.filter(organisation=largest).order_by("-occurred_on", "-pk").first()
    widest = AlertResponse.objects.values("alert").annotate(n=Count("id")).order_by("-n").first()
    committee = Committee.objects.filter(organisation=largest).order_by("pk").first()
    ods = largest.ods_code
    deep = _deep_cursor(mso)
    pages = [
        ("incident list", "mso", "/incidents/"),
        ("incident list, 1,000 rows in", "mso", "/incidents/?" + urlencode({"after": deep})),
        ("incident list filtered", "mso", "/incidents/?" + urlencode({"harm": "3"})),
        ("incident detail", "mso", f"/incidents/{incident.reference}/"),
        ("dashboard", "mso", f"/incidents/dashboard/{ods}/"),
        ("pcn dashboard", "pcn_mso", f"/incidents/dashboard/{pcn.ods_code}/"),
        ("members", "mso", f"/organisations/{ods}/members/"),
        ("alert inbox", "mso", "/alerts/"),
        ("compliance", "lead", f"/alerts/{widest['alert']}/responses/"),
        ("register", "lead", "/register/"),
        ("register filtered", "lead", "/register/?" + urlencode({"state": "vacant"})),
        ("register, those covered", "lead", "/register/?" + urlencode({"state": "covered"})),
        ("national incident statistics", "lead", "/incidents/statistics/"),
        ("national incident trends", "lead", "/incidents/statistics/trends/"),
        (
            "national trends by medicine",
            "lead",
            "/incidents/statistics/trends/?" + urlencode({"dimension": "substance"}),
        ),
        ("national learning summary", "lead", "/incidents/statistics/learning/"),
        ("reporting rates against peers (funnel)", "lead", "/incidents/statistics/funnel/"),
    ]
    pages += [
        ("national alert list", "lead", "/alerts/national/"),
        ("alerts past a deadline", "lead", "/alerts/past-deadline/"),
    ]
    # An alert about how a coded medicine is used: its effect across England, and its chain.
    from demo.national.incidents import CODED

    about_use = (
        Alert.objects.filter(alert_type="natpsa", medicines__name__in=list(CODED))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    ) or widest["alert"]
    pages += [
        ("an alert and its effect across England", "lead", f"/alerts/{about_use}/"),
        ("an alert's chain to the board", "lead", f"/alerts/{about_use}/alert-chain/"),
    ]
    report_pdf, refigure = None, None
    if committee is not None:
        pages.append(("committee", "chair", f"/committees/{ods}/{committee.pk}/"))
        draft, approved, report_pdf = _assurance_report(committee, chair, min(runs, 5))
        reports = f"/committees/{ods}/{committee.pk}/reports"
        pages += [
            (DRAFT_REPORT, "chair", f"{reports}/{draft.pk}/"),
            ("assurance report PDF (the download)", "chair", f"{reports}/{approved.pk}/report.pdf"),
        ]
        # The chair asks for a draft's figures to be worked out again, then reads it.
        refigure = (f"{reports}/{draft.pk}/figures/", f"{reports}/{draft.pk}/")
    reporter, _ = User.objects.get_or_create(
        email=REPORTER, defaults={"full_name": "Bench Reporter"}
    )
    Membership.objects.get_or_create(user=reporter, organisation=largest, role=Role.STAFF)
    cdao, region_cdao, controlled = _controlled_drugs(largest)
    pages += controlled
    pages += _medicines(largest)
    group_mso, exported = _group_mso()
    people = {
        "cdao": cdao,
        "region_cdao": region_cdao,
        "mso": mso,
        "pcn_mso": pcn_mso,
        "lead": lead,
        "chair": chair,
        "reporter": reporter,
        "group_mso": group_mso,
        "director": _holder(largest, Post.BOARD_DIRECTOR, "board.director@bench.example"),
        "safety_team": _patient_safety_team(),
    }
    return {
        "pages": pages,
        "report_pdf": report_pdf,
        "refigure": refigure,
        "exported": exported,
        "sessions": {name: _signed_in(user) for name, user in people.items()},
        "counts": {
            "organisations": Organisation.objects.count(),
            "users": User.objects.count(),
            "incidents": Incident.objects.count(),
            "incidents of the largest trust": Incident.objects.filter(organisation=largest).count(),
            "members of the largest trust": Membership.objects.filter(organisation=largest)
            .values("user")
            .distinct()
            .count(),
            "alerts": Alert.objects.count(),
            "alert responses": AlertResponse.objects.count(),
        },
    }


def _patient_safety_team():
    """A lead of the national Patient Safety Specialist network: the national patient safety
    team (a network made for the benchmark when the data has none)."""
    from accounts.models import User
    from networks.models import Network, NetworkMembership

    specialists = Network.Community.SPECIALISTS
    network = (
        Network.objects.filter(kind=Network.Kind.NATIONAL, community=specialists)
        .order_by("pk")
        .first()
    ) or Network.objects.create(
        name="National Patient Safety Specialist network (bench)",
        slug="national-pss-network-bench",
        kind=Network.Kind.NATIONAL,
        community=specialists,
    )
    user, _ = User.objects.get_or_create(
        email="safety.team@bench.example", defaults={"full_name": "Bench Safety Team"}
    )
    NetworkMembership.objects.get_or_create(
        network=network, user=user, defaults={"role": NetworkMembership.Role.LEAD}
    )
    return user


def _controlled_drugs(largest):
    """The largest trust's CDAO and NHS England's regional CDAO for its region (a regional team
    made for the benchmark when the data has none), and their pages: the quarter's occurrences
    (the region's hold every trust's, practice's and pharmacy's), one occurrence, the trust's
    quarterly occurrence report and its concerns."""
    from controlled_drugs.occurrences import Quarter
    from incidents.models import Incident
    from organisations.choices import OrganisationKind, Post
    from organisations.models import Organisation

    team, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.NHS_ENGLAND_REGION,
        region=largest.region,
        defaults={"ods_code": "Y99", "name": "NHS England (bench region)"},
    )
    cdao = _holder(largest, Post.CDAO, "trust.cdao@bench.example")
    region_cdao = _holder(team, Post.CDAO, "region.cdao@bench.example")
    occurrence = (
        Incident.objects.filter(organisation=largest, controlled_drug=True)
        .order_by("-occurred_on", "-pk")
        .first()
    )
    quarter = Quarter.containing(occurrence.occurred_on).key
    ods = largest.ods_code
    return (
        cdao,
        region_cdao,
        [
            (
                "controlled drugs, the region's quarter",
                "region_cdao",
                f"/controlled-drugs/?quarter={quarter}",
            ),
            (
                "controlled drugs, the trust's quarter",
                "cdao",
                f"/controlled-drugs/?quarter={quarter}",
            ),
            (
                "controlled-drug occurrence",
                "region_cdao",
                f"/controlled-drugs/occurrences/{occurrence.reference}/",
            ),
            (
                "quarterly occurrence report (CSV)",
                "region_cdao",
                f"/controlled-drugs/{ods}/reports/{quarter}/",
            ),
            ("concerns about individuals", "cdao", f"/controlled-drugs/{ods}/concerns/"),
        ],
    )


def _medicines(largest):
    """The medicine pages: the high-risk list, an incident's medicine to code, the incidents
    with a medicine not coded, and finding a medicine in the dm+d (the sample release, loaded
    when the data has no dm+d)."""
    from incidents.models import Incident
    from medicines.dmd import SAMPLE_RELEASE, import_release
    from medicines.models import Vmp

    if not Vmp.objects.exists():
        import_release(SAMPLE_RELEASE)
    incident = Incident.objects.filter(organisation=largest).order_by("-occurred_on", "-pk").first()
    medicine = incident.medicines.order_by("pk").first()
    ods = largest.ods_code
    return [
        ("high-risk medicines", "mso", f"/incidents/high-risk/{ods}/"),
        (
            "a medicine to code",
            "mso",
            f"/incidents/{incident.reference}/medicines/{medicine.pk}/code/",
        ),
        ("incident list, medicines not coded", "mso", "/incidents/?flags=not-coded"),
        ("find a medicine", "reporter", "/medicines/?q=morphine"),
        ("medicine suggestions", "reporter", "/medicines/search/?q=morph"),
    ]


def _assurance_report(committee, chair, renders: int):
    """A draft report of the last quarter (its page reads its kept figures, worked out again
    when asked), an approved one of the quarter before with its PDF made and stored (its page
    serves the file), and how long making that PDF takes in the worker (p50 and p95 of
    ``renders``, at most 5)."""
    from django.core.files.base import ContentFile

    from committees import figures, pdf, services
    from committees.models import AssuranceReport

    start, end = figures.last_quarter(date.today())
    draft = AssuranceReport.objects.filter(
        committee=committee, period_start=start, period_end=end, state="draft"
    ).first() or services.report_create(
        by=chair, committee=committee, period_start=start, period_end=end
    )
    before_start, before_end = figures.previous_period(start, end)
    approved = AssuranceReport.objects.filter(
        committee=committee, period_start=before_start, period_end=before_end
    ).first() or AssuranceReport.objects.create(
        committee=committee,
        period_start=before_start,
        period_end=before_end,
        state="approved",
        snapshot=figures.report_figures(committee, before_start, before_end),
        approved_by=chair,
        created_by=chair,
    )
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        made = pdf.render(approved)
        times.append((time.perf_counter() - started) * 1000)
    # A database loaded earlier may name a file this checkout's file store does not hold.
    if not approved.pdf or not approved.pdf.storage.exists(approved.pdf.name):
        approved.pdf.save("report.pdf", ContentFile(made), save=False)
        approved.pdf_state = "ready"
        approved.save(update_fields=["pdf", "pdf_state"])
    return draft, approved, _percentiles(times)


def _group_mso():
    """A person who is deputy MSO of the largest trusts at once (a group of trusts sharing its
    medication safety team), as many as hold 100,000 incidents between them (every trust, at
    a smaller scale): their export of the incidents is the benchmark's large export. Returns
    them and how many rows it holds."""
    from django.db.models import Count

    from accounts.models import User
    from incidents.models import Incident
    from organisations.choices import OrganisationKind, Post
    from organisations.models import Appointment

    user, _ = User.objects.get_or_create(
        email="group.mso@bench.example", defaults={"full_name": "Bench Group MSO"}
    )
    trusts = (
        Incident.objects.filter(
            organisation__kind__in=[OrganisationKind.NHS_TRUST, OrganisationKind.FOUNDATION_TRUST]
        )
        .values_list("organisation")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    held = 0
    for organisation_id, n in trusts:
        if held >= EXPORT_ROWS:
            break
        Appointment.objects.get_or_create(
            organisation_id=organisation_id,
            post=Post.DEPUTY_MSO,
            user=user,
            defaults={"start_on": date(2024, 1, 1)},
        )
        held += n
    return user, held


def _checks() -> list[str]:
    """That the summaries the measured pages read equal a live count of the data: the largest
    trust's monthly incident counts, every alert's tallies, every organisation's earliest alert
    deadline. Returns what does not agree."""
    from django.db.models import Count, Min, Sum

    from alerts.models import AlertResponse, AlertTally, OrganisationDeadline
    from incidents.models import Incident, IncidentMonth
    from incidents.summary import compute

    wrong = []
    largest = _largest()
    for row in IncidentMonth.objects.filter(organisation=largest).order_by("-month")[:24]:
        live, kept = compute(row.organisation_id, row.month), dict(row.counts)
        same_days = sorted(kept.pop("closure_days")) == sorted(live.pop("closure_days"))
        if kept != live or not same_days:
            wrong.append(f"the monthly counts of {row.month:%B %Y}")
    counted = Incident.objects.filter(organisation=largest).exclude(status="duplicate").count()
    kept = sum(row.counts["total"] for row in IncidentMonth.objects.filter(organisation=largest))
    if kept != counted:
        wrong.append(f"the largest trust's incidents: {kept} counted monthly, {counted} live")
    tallied = dict(AlertTally.objects.values_list("alert_id").annotate(n=Sum("count")).order_by())
    live = dict(AlertResponse.objects.values_list("alert_id").annotate(n=Count("id")).order_by())
    if {k: v for k, v in tallied.items() if v} != live:
        wrong.append("the alert tallies")
    earliest = dict(
        AlertResponse.objects.open()
        .values_list("organisation_id")
        .annotate(due=Min("next_due_on"))
        .order_by()
    )
    if dict(OrganisationDeadline.objects.values_list("organisation_id", "next_due_on")) != (
        earliest
    ):
        wrong.append("the organisations' earliest alert deadlines")
    return wrong


def _largest():
    """The organisation that holds the most incidents (the largest trust)."""
    from django.db.models import Count

    from incidents.models import Incident
    from organisations.models import Organisation

    return Organisation.objects.get(
        pk=Incident.objects.values("organisation")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values("organisation")[:1]
    )


class _RolledBack(Exception):
    pass


def _rolled_back(work):
    """``work()`` timed, in a transaction then rolled back, so that the data stays as loaded:
    (its result, seconds)."""
    from django.db import transaction

    found = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            found["result"] = work()
            found["seconds"] = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    return found["result"], found["seconds"]


def _jobs() -> dict:
    """Publishing one alert to every organisation (its MSOs told), and one full reminder sweep
    from the ledger as loaded, each rolled back afterwards; the process's peak memory; and the
    checks that the summaries equal a live count."""
    import resource

    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from alerts import services
    from notifications.models import Notification
    from notifications.services import sweep
    from tests.bench.alerts import draft_for_everyone

    lead = User.objects.get(email=LEAD)
    today = timezone.localdate()

    def publish():
        alert = draft_for_everyone(lead, 99)
        reached = services.alert_publish(by=lead, alert=alert)
        return reached, services.fan_out(alert)

    (reached, told), published_s = _rolled_back(publish)
    # The rows a rolled-back publishing, and the rolled-back sweeps of earlier runs on this
    # database, leave dead are cleared as autovacuum clears them between sweeps: the sweep is
    # timed on the ledger as loaded (1.5 million dead ledger rows after a few runs made it
    # half as slow again).
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE notifications_notification, alerts_alertresponse, "
            "alerts_alertactionresponse"
        )
    before = Notification.objects.count()

    def sweep_twice():
        started = time.perf_counter()
        written = sweep(today)
        seconds = time.perf_counter() - started
        added = Notification.objects.count() - before
        started = time.perf_counter()
        return written, seconds, added, sweep(today), time.perf_counter() - started

    (written, sweep_s, added, again, again_s), _ = _rolled_back(sweep_twice)
    return {
        "publish": {"reached": reached, "told": told, "seconds": published_s},
        "sweep": {
            "written": written,
            "added": added,
            "again": again,
            "again_seconds": again_s,
            "seconds": sweep_s,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        "wrong": _checks(),
    }


def _clean() -> dict:
    """Take out what the benchmark wrote (its reports and their drafts), so that the national
    data stays as seeded."""
    from incidents.models import Draft, Incident

    removed, _ = Incident.objects.filter(reporter__email=REPORTER).delete()
    Draft.objects.filter(user__email=REPORTER).delete()
    return {"removed": removed}


def _deep_cursor(user, pages: int = 40) -> str:
    """The cursor of the incident list's page 1,000 rows in (40 pages of 25), newest first."""
    from incidents import queries
    from incidents.models import Incident

    cursor = ""
    for _ in range(pages):
        page = queries.page_of(
            queries.filtered(Incident.objects.visible_to(user), queries.Filters()),
            "newest",
            after=cursor,
        )
        if not page.older:
            break
        cursor = page.older
    return cursor


# ---------------------------------------------------------------------------------------------
# The parent: databases, the server, the clock.


def _child(kind: str, database_url: str, scale: float, runs: int) -> dict:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "SECRET_KEY": SECRET_KEY,
    }
    output = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "tests.bench.pages",
            "--prepare",
            kind,
            "--scale",
            str(scale),
            "--runs",
            str(runs),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(f"preparing the {kind} database failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on loopback, production settings, against one database. ``environment`` adds
    to (or, with None values, takes from) the settings' environment; ``arguments`` go to
    gunicorn (its access log, say); ``collect_static``: build the hashed static files production
    serves first (not needed where the environment keeps the test settings' finders, nor by a
    second server of the same checkout)."""

    def __init__(
        self,
        database_url: str,
        *,
        environment: dict | None = None,
        arguments=(),
        workers: int = WORKERS,
        collect_static: bool = True,
    ):
        self.port = _free_port()
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "SITE_URL": "https://mso-portal.bench.example",
            "EMAIL_HOST": "127.0.0.1",
            "MFA_REQUIRED": "1",
            "SECURE_COOKIES": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "CACHE_KEY_PREFIX": "mso-bench",  # apart from anything else on the same Redis
            **(environment or {}),
        }
        environment = {key: value for key, value in environment.items() if value is not None}
        if collect_static:
            subprocess.run(  # noqa: S603 (the hashed static files production serves)
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env={**environment, "DJANGO_SETTINGS_MODULE": "tests.bench.static_settings"},
                check=True,
            )
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tests.bench.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",  # as in production (Dockerfile): a long export must finish in it
                "60",
                *arguments,
            ],
            cwd=ROOT,
            env=environment,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if _get(self.port, "/healthz", None)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_rss_mb(self) -> float:
        largest = 0.0
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                found = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
                if found:
                    largest = max(largest, int(found.group(1)) / 1024)
        return largest

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def _get(port, path, session, connection=None):
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = _headers(session) if session else {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status, connection


def _form(connection, path, session) -> tuple[str, str]:
    """GET a form: its CSRF token (the hidden field) and the CSRF cookie."""
    connection.request("GET", path, headers=_headers(session))
    response = connection.getresponse()
    body = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return token.group(1), cookie.group(1) if cookie else ""


def _headers(session, csrf_cookie="") -> dict:
    cookies = [f"sessionid={session}"] + ([f"csrftoken={csrf_cookie}"] if csrf_cookie else [])
    return {
        "X-Forwarded-Proto": "https",
        "Host": "127.0.0.1",
        "Origin": "https://127.0.0.1",
        "Cookie": "; ".join(cookies),
    }


def _post(connection, path, session, csrf, data, *, page=False):
    """POST a form: the status and where it redirects to (``page``: and the page answered)."""
    token, cookie = csrf
    body = urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
    headers = {**_headers(session, cookie), "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    location = response.getheader("Location") or ""
    return (response.status, location, text) if page else (response.status, location)


STEP_1 = {
    "time_bracket": "2",
    "location": "4",
    "service_area": "Ward 7",
    "what_happened": "Two doses of morphine signed for; only one was due.",
    "immediate_actions": "Patient observed; naloxone ready.",
    "reached_patient": "y",
    "physical_harm": "4",
    "psychological_harm": "4",
    "age_bracket": "11",
    "gender": "2",
    "medicines-TOTAL_FORMS": "1",
    "medicines-INITIAL_FORMS": "0",
    "medicines-MIN_NUM_FORMS": "1",
    "medicines-MAX_NUM_FORMS": "10",
    "medicines-0-name": "Morphine sulfate 10 mg in 1 ml injection",
    "medicines-0-route": "subcutaneous",
    "medicines-0-dose": "5 mg",
    "medicines-0-dmd_code": "",
    "action": "continue",
}


def _submit(server, session, runs) -> dict:
    """Report an incident in its two steps (two POSTs), as a member of staff does."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    today = date.today()
    step_1 = {
        **STEP_1,
        "occurred_on_day": str(today.day),
        "occurred_on_month": str(today.month),
        "occurred_on_year": str(today.year),
    }
    times, status = [], None
    for n in range(runs + 3):
        csrf = _form(connection, "/incidents/report/", session)
        started = time.perf_counter()
        status, location = _post(connection, "/incidents/report/", session, csrf, step_1)
        if status == 302 and location.endswith("/send/"):
            status, _location, page = _post(
                connection,
                location,
                session,
                csrf,
                {"anonymous": "no", "action": "send"},
                page=True,
            )
            # Sent: the confirmation, answered in place (a form again, with errors, if not).
            status = status if "Report sent" in page else 422
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return {**_percentiles(times), "status": status, "rss_mb": server.worker_rss_mb()}


def _time_after(server, asked: str, read: str, session, runs) -> dict:
    """Each time: ask (a POST, not timed), then read the page it leads to (timed)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    times, status = [], None
    for n in range(runs + 3):
        _post(connection, asked, session, _form(connection, read, session), {})
        started = time.perf_counter()
        connection.request("GET", read, headers=_headers(session))
        response = connection.getresponse()
        response.read()
        status = response.status
        if n >= 3:
            times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return {**_percentiles(times), "status": status, "rss_mb": server.worker_rss_mb()}


def _export(server, path, session) -> dict:
    """A streamed export read to its end: how long, how big, and the workers' memory."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers=_headers(session))
    response = connection.getresponse()
    size, memory = 0, 0.0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        memory = max(memory, server.worker_rss_mb())
    connection.close()
    return {
        "seconds": time.perf_counter() - started,
        "bytes": size,
        "status": response.status,
        "rss_mb": memory,
    }


def _load_test(server, cast, seconds: int, users: int = 20) -> dict:
    """Readers and reporters at once for ``seconds`` (locust, headless): requests, failures,
    throughput and the p95 of every request, with the workers' memory."""
    import csv
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        prefix = f"{folder}/load"
        environment = {
            **os.environ,
            "BENCH_CAST": json.dumps(cast),
            "BENCH_STEP_1": json.dumps(STEP_1),
        }
        locust = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "tests/bench/locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{server.port}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        memory = 0.0
        while locust.poll() is None:
            memory = max(memory, server.worker_rss_mb())
            time.sleep(1)
        with open(f"{prefix}_stats.csv", newline="") as file:
            rows = {row["Name"]: row for row in csv.DictReader(file)}
        with open(f"{prefix}_failures.csv", newline="") as file:
            errors = [
                f"{row['Name']}: {row['Error']} ({row['Occurrences']})"
                for row in csv.DictReader(file)
            ]
    total = rows["Aggregated"]
    return {
        "seconds": seconds,
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "per_second": float(total["Requests/s"]),
        "p95": float(total["95%"]),
        "reports": int(rows.get("report step 2", {}).get("Request Count", 0)),
        "errors": errors,
        "rss_mb": memory,
    }


def _percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    }


class _Timer:
    """Requests to one page of one server over a kept connection, timed, with the workers'
    memory read now and then."""

    def __init__(self, server, path, session):
        self.server, self.path, self.session = server, path, session
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self.times, self.memory, self.status = [], 0.0, None

    def get(self, timed=True):
        started = time.perf_counter()
        self.status, self.connection = _get(
            self.server.port, self.path, self.session, self.connection
        )
        if timed:
            self.times.append((time.perf_counter() - started) * 1000)
            if len(self.times) % 10 == 1:
                self.memory = max(self.memory, self.server.worker_rss_mb())

    def result(self) -> dict:
        self.connection.close()
        return {**_percentiles(self.times), "status": self.status, "rss_mb": self.memory}


def _side_by_side(targets, runs, warm=3) -> list[dict]:
    """Each (server, path, session) of ``targets`` timed over ``runs`` requests, taken in turn
    (one of each, then again): what is compared was measured in the same moments, whatever else
    the machine was doing meanwhile. ``warm`` requests of each first, not timed."""
    timers = [_Timer(*target) for target in targets]
    for n in range(warm + runs):
        for timer in timers:
            timer.get(timed=n >= warm)
    return [timer.result() for timer in timers]


def _time_pages(servers, casts, runs) -> dict:
    """Each page, at national scale and on the demo data, with the floor on each, side by side:
    a page's multiple of the floor and its growth over the demo data both set against figures
    of the same moments."""
    timed = {kind: {} for kind in servers}
    for label, _who, _path in casts["national"]["pages"]:
        targets, kinds = [], []
        for kind, cast in casts.items():
            page = {page_label: (who, path) for page_label, who, path in cast["pages"]}
            if label not in page:
                continue
            who, path = page[label]
            session = cast["sessions"][who]
            targets += [(servers[kind], FLOOR, session), (servers[kind], path, session)]
            kinds.append((kind, path))
        results = _side_by_side(targets, runs)
        for index, (kind, path) in enumerate(kinds):
            floor, page = results[2 * index], results[2 * index + 1]
            timed[kind][label] = {
                "path": path,
                **page,
                "floor_multiple": page["p50"] / floor["p50"],
            }
    return timed


KEEP_AWAKE_SECONDS = 5 * 60


def _time_crawled(server, found, sessions, runs) -> list[dict]:
    """Every page the crawl found (crawl.py), as the person who found it, at the address it
    answered at, beside the floor: ``runs`` requests after two."""
    timed = []
    awake = time.monotonic()
    for who, crawled in found["people"].items():
        for page in crawled["pages"]:
            # Timing everyone's pages takes longer than a session may sit idle (30 minutes,
            # SESSION_IDLE_SECONDS): every person asks for a page every few minutes meanwhile.
            if time.monotonic() - awake > KEEP_AWAKE_SECONDS:
                for session in sessions.values():
                    _get(server.port, FLOOR, session)[1].close()
                awake = time.monotonic()
            floor, result = _side_by_side(
                [(server, FLOOR, sessions[who]), (server, page["answered"], sessions[who])],
                runs,
                warm=2,
            )
            timed.append(
                {"who": who, **page, **result, "floor_multiple": result["p50"] / floor["p50"]}
            )
    return timed


def _time(server, path, session, runs) -> dict:
    return _side_by_side([(server, path, session)], runs)[0]


def _rest(kind, server, cast, runs, load_seconds) -> dict:
    """What is measured on one server alone: the report worked out again, a submission, the
    exports and the load test."""
    results = {}
    if cast.get("refigure"):
        asked, read = cast["refigure"]
        results[REFIGURED] = {
            "path": read,
            **_time_after(server, asked, read, cast["sessions"]["chair"], runs),
        }
    results["submit"] = _submit(server, cast["sessions"]["reporter"], runs)
    results["export"] = _export(server, "/register/export.csv", cast["sessions"]["lead"])
    results["large_export"] = {
        "rows": cast["exported"],
        **_export(server, "/incidents/export.csv", cast["sessions"]["group_mso"]),
    }
    if load_seconds:
        results["load"] = _load_test(server, cast, load_seconds)
    return results


def measure(
    databases: dict,
    scale: float,
    runs: int,
    load_seconds: int = 0,
    *,
    warm: bool = True,
    crawl_runs: int = 10,
) -> dict:
    """Both databases (``{"national": url, "demo": url}``), each behind a server of its own:
    the pages and the floors side by side, every page the cast reaches on the national one
    (crawled, each timed over ``crawl_runs``), then the rest on each, then the national jobs.
    ``warm``: every page asked for on every worker first (for timings; a run that judges only
    what is broken leaves it out)."""
    casts = {kind: _child(kind, url, scale, runs) for kind, url in databases.items()}
    servers = {}
    try:
        for kind, url in databases.items():
            # Both serve the static files of this checkout: built once.
            servers[kind] = Server(url, collect_static=not servers)
        # Every worker warm (any worker may answer): each page a few times before any is timed.
        for _ in range(3 * WORKERS if warm else 0):
            for kind, cast in casts.items():
                for _label, who, path in cast["pages"]:
                    _get(servers[kind].port, path, cast["sessions"][who])
        floors = _side_by_side(
            [(servers[kind], FLOOR, cast["sessions"]["mso"]) for kind, cast in casts.items()],
            runs,
        )
        pages = _time_pages(servers, casts, runs)
        national = casts["national"]
        found = crawl.every_page(
            servers["national"].port,
            national["sessions"],
            national["pages"],
            {
                **os.environ,
                "DATABASE_URL": databases["national"],
                "DEBUG": "1",
                "SECRET_KEY": SECRET_KEY,
            },
        )
        crawled = {
            "found": found,
            "timed": _time_crawled(servers["national"], found, national["sessions"], crawl_runs),
            "runs": crawl_runs,
        }
        results = {}
        for (kind, cast), floor in zip(casts.items(), floors, strict=True):
            results[kind] = {
                "report_pdf": cast.get("report_pdf"),
                "counts": cast["counts"],
                "floor": floor,
                "pages": pages[kind],
                "chosen": cast["pages"],
            }
        for kind, cast in casts.items():
            rest = _rest(kind, servers[kind], cast, runs, load_seconds if kind == "national" else 0)
            if REFIGURED in rest:
                results[kind]["pages"][REFIGURED] = rest.pop(REFIGURED)
            results[kind] |= rest
            results[kind]["rss_mb"] = max(
                [servers[kind].worker_rss_mb(), rest["submit"]["rss_mb"], rest["export"]["rss_mb"]]
                + [rest["large_export"]["rss_mb"]]
                + ([rest["load"]["rss_mb"]] if "load" in rest else [])
                + [p["rss_mb"] for p in results[kind]["pages"].values()]
                + ([p["rss_mb"] for p in crawled["timed"]] if kind == "national" else [])
            )
        results["national"]["crawl"] = crawled
    finally:
        for server in servers.values():
            server.stop()
        for url in databases.values():
            _child("clean", url, scale, runs)
    results["national"]["jobs"] = _child("jobs", databases["national"], scale, runs)
    return results


def _versions() -> str:
    import django
    import psycopg

    with psycopg.connect(_database("postgres")) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
    return (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {server}, gunicorn with {WORKERS} workers"
    )


def report(national: dict, demo: dict, scale: float, runs: int) -> tuple[str, list, list]:
    """The section of docs/benchmarks.md, the budgets missed, and what is broken (a page that
    did not answer, a failed request, a summary unlike a live count, a reminder sent twice)."""
    missed, broken = [], []
    floor = demo["floor"]["p50"]
    lines = [
        "## Pages over the real stack",
        "",
        f"Measured {date.today():%-d %B %Y} by `make bench` (tests/bench/pages.py) on "
        f"{_versions()}, Redis. Times are p50 / p95 in milliseconds over {runs} requests "
        "through gunicorn on loopback, each after three to warm up; a page at national scale, "
        "on the demo data and the floor on each taken in turn, a request of each.",
        "",
        f"At scale {scale}: "
        + ", ".join(f"{n:,} {label}" for label, n in national["counts"].items())
        + ". The demo data: "
        + ", ".join(f"{n:,} {label}" for label, n in demo["counts"].items())
        + ".",
        "",
        "| page | national | demo data | national ÷ demo (p95) | demo p50 ÷ floor |",
        "|---|---:|---:|---:|---:|",
    ]
    for source, target in ((national, "national"), (demo, "demo")):
        if source["floor"]["status"] != 200:
            broken.append(f"the floor answered {source['floor']['status']} ({target})")
    lines.append(
        f"| bare signed-in response (the floor) | {_ms(national['floor'])} | "
        f"{_ms(demo['floor'])} | | 1.0 |"
    )
    for label, page in national["pages"].items():
        small = demo["pages"].get(label)
        growth = page["p95"] / small["p95"] if small else None
        multiple = small.get("floor_multiple", small["p50"] / floor) if small else None
        lines.append(
            f"| {label} | {_ms(page)} | {_ms(small) if small else '—'} | "
            f"{f'{growth:.1f}×' if growth else '—'} | {f'{multiple:.1f}×' if multiple else '—'} |"
        )
        budget = BUDGET_VIEW_P95_MS if label in WIDE else BUDGET_PAGE_P95_MS
        for source, name in ((page, "national"), (small, "demo")):
            if source and source["status"] != 200:
                broken.append(f"{label} answered {source['status']} ({name})")
        if page["p95"] > budget:
            missed.append(f"{label}: p95 {page['p95']:.0f} ms at national scale > {budget:.0f}")
        if growth and growth > BUDGET_GROWTH and label not in WIDE:
            missed.append(f"{label}: {growth:.1f}× its time on the demo data > {BUDGET_GROWTH}×")
        if multiple and multiple > BUDGET_FLOOR_MULTIPLE and label not in WORK:
            missed.append(f"{label}: {multiple:.1f}× the floor > {BUDGET_FLOOR_MULTIPLE}×")
    if national.get("report_pdf") and demo.get("report_pdf"):
        lines.append(
            f"| assurance report PDF, made in the worker | {_ms(national['report_pdf'])} | "
            f"{_ms(demo['report_pdf'])} | | |"
        )
    submit = national["submit"]
    lines.append(
        f"| incident submission (two steps) | {_ms(submit)} | {_ms(demo['submit'])} | "
        f"{submit['p95'] / demo['submit']['p95']:.1f}× | |"
    )
    if submit["status"] != 200:
        broken.append(f"an incident submission answered {submit['status']}")
    if submit["p95"] > BUDGET_SUBMIT_P95_MS:
        missed.append(f"incident submission: p95 {submit['p95']:.0f} ms > {BUDGET_SUBMIT_P95_MS}")
    export = national["export"]
    if export["status"] != 200:
        broken.append(f"the register export answered {export['status']}")
    rss = max(national["rss_mb"], demo["rss_mb"])
    load = national.get("load")
    if load:
        lines += [
            "",
            f"Load test at scale {scale} ({load['seconds']} s, locust with {load['users']} "
            "simulated people: four in five reading the pages above in turn, one in five "
            f"reporting incidents): {load['requests']:,} requests, {load['per_second']:.1f} a "
            f"second, {load['reports']:,} incidents reported, p95 {load['p95']:.0f} ms, "
            f"{load['failures']} failed.",
        ]
        if load["failures"]:
            broken.append(
                f"the load test had {load['failures']} failed requests: "
                + "; ".join(load["errors"][:5])
            )
    large = national["large_export"]
    if large["status"] != 200:
        broken.append(f"the large export answered {large['status']}")
    lines += [
        "",
        f"Exports, streamed: the register's CSV for a national lead, {export['bytes'] / 1e6:.1f} "
        f"MB in {export['seconds']:.1f} s; the incidents of a deputy MSO of the largest trusts "
        f"({large['rows']:,} rows), {large['bytes'] / 1e6:.1f} MB in {large['seconds']:.1f} s. "
        f"The workers at most {max(export['rss_mb'], large['rss_mb']):.0f} MB meanwhile.",
    ]
    jobs = national.get("jobs")
    if jobs:
        publish, sweep = jobs["publish"], jobs["sweep"]
        lines += [
            "",
            f"Publishing a National Patient Safety Alert with three actions to every kind of "
            f"organisation: {publish['reached']:,} organisations reached and {publish['told']:,} "
            f"MSOs, deputies and Patient Safety Specialists told in {publish['seconds']:.1f} s. "
            "One full reminder sweep from the ledger as loaded (every provider: handovers, "
            "vacancies, changes waiting, incident reviews and actions, alerts, committees): "
            f"{sweep['written']:,} reminders "
            f"in {sweep['seconds']:.1f} s, the process at most {sweep['rss_mb']:.0f} MB; the "
            f"same sweep again the same day wrote {sweep['again']:,} in "
            f"{sweep['again_seconds']:.1f} s. Both were rolled back, so the data stays as loaded.",
        ]
        if publish["seconds"] > BUDGET_PUBLISH_S:
            missed.append(f"publishing took {publish['seconds']:.1f} s > {BUDGET_PUBLISH_S:.0f}")
        if sweep["seconds"] > BUDGET_SWEEP_S:
            missed.append(f"the sweep took {sweep['seconds']:.0f} s > {BUDGET_SWEEP_S:.0f}")
        if sweep["rss_mb"] > BUDGET_SWEEP_MB:
            missed.append(f"the sweep reached {sweep['rss_mb']:.0f} MB > {BUDGET_SWEEP_MB:.0f}")
        if sweep["again"] or sweep["added"] != sweep["written"]:
            broken.append(
                f"the sweep is not exact: {sweep['written']} written, {sweep['added']} added to "
                f"the ledger, {sweep['again']} written again"
            )
        broken += [f"{what} differ from a live count" for what in jobs["wrong"]]
        lines += [
            "",
            "The summaries these pages read equal a live count of the data: "
            + (
                "the largest trust's monthly incident counts, every alert's tallies and every "
                "organisation's earliest alert deadline."
                if not jobs["wrong"]
                else "not " + "; ".join(jobs["wrong"]) + "."
            ),
        ]
    if rss > BUDGET_WORKER_MB:
        missed.append(f"a worker reached {rss:.0f} MB")
    crawled = national["crawl"]
    every_page, crawl_missed, crawl_broken, _unreached = crawl.report(
        crawled["found"],
        crawled["timed"],
        national["chosen"],
        crawled["runs"],
        BUDGET_CRAWLED_P95_MS,
    )
    missed += crawl_missed
    broken += crawl_broken
    lines += [
        "",
        f"A web worker's resident memory, at most: {rss:.0f} MB.",
        "",
        f"Budgets: p95 ≤ {BUDGET_PAGE_P95_MS:.0f} ms at national scale ({BUDGET_VIEW_P95_MS:.0f} "
        f"ms for the dashboards and national views) and ≤ {BUDGET_GROWTH:.0f}× the page on the "
        f"demo data (the national views apart); on the demo data a page's p50 ≤ "
        f"{BUDGET_FLOOR_MULTIPLE:.0f}× the floor (a report's generation apart); incident "
        f"submission p95 ≤ {BUDGET_SUBMIT_P95_MS:.0f} ms; every page a person reaches (below) "
        f"p95 ≤ {BUDGET_CRAWLED_P95_MS:.0f} ms at national scale, answering; a load test "
        "without failures; "
        f"publishing ≤ {BUDGET_PUBLISH_S:.0f} s; a sweep ≤ {BUDGET_SWEEP_S:.0f} s and ≤ "
        f"{BUDGET_SWEEP_MB:.0f} MB, sending each reminder once; a worker under "
        f"{BUDGET_WORKER_MB:.0f} MB, exports included. "
        + ("All met." if not missed + broken else "Missed: " + "; ".join(missed + broken) + "."),
        *every_page,
        "",
    ]
    return "\n".join(lines), missed, broken


def _ms(timing) -> str:
    return f"{timing['p50']:.1f} / {timing['p95']:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument(
        "--crawl-runs", type=int, default=10, help="timed requests of each page found by crawling"
    )
    parser.add_argument("--load", type=int, default=60, help="seconds of load test (0: none)")
    parser.add_argument("--no-report", action="store_true", help="print, do not write the docs")
    parser.add_argument(
        "--correctness-only",
        action="store_true",
        help="fail only on what is broken, not on a budget (the small run in CI)",
    )
    args = parser.parse_args()
    if args.prepare:
        _django(os.environ["DATABASE_URL"])
        work = {"clean": _clean, "jobs": _jobs}.get(args.prepare)
        made = work() if work else _load(args.prepare, args.scale, args.runs)
        print(json.dumps(made, default=str))
        return 0
    national_db = (
        NATIONAL if args.scale == 1.0 else f"{NATIONAL}_{str(args.scale).replace('.', '_')}"
    )
    measured = measure(
        {"national": _database(national_db), "demo": _database(DEMO)},
        args.scale,
        args.runs,
        args.load,
        warm=not args.correctness_only,
        crawl_runs=args.crawl_runs,
    )
    national, demo = measured["national"], measured["demo"]
    section, missed, broken = report(national, demo, args.scale, args.runs)
    if not args.no_report:
        write_report(section)
    print(section)
    if args.correctness_only:  # CI: its timings are its machine's, its checks are the code's
        return 1 if broken else 0
    return 1 if missed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
