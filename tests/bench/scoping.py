"""Benchmark: scoping a queryset to what one person may see, at national scale.

    make bench            (or: python -m tests.bench.scoping [--runs N])

On PostgreSQL (BENCH_DATABASE_URL, by default the local server), in two databases: the national
hierarchy at scale 0.1 (about 1,900 organisations) and 1.0 (20,000), each loaded by
``seed_national`` if it is not there. For each kind of person it times, over the real database:

- the scoping of Organisation (a count) and of a page of Membership (50 rows), with the reach
  table (OrganisationClosure, what the service uses) and with a recursive query over the links
  (the alternative it was chosen against);
- reading the person's grants (the one query per request);
- keeping the reach table: a full rebuild, and one practice moving to another PCN.

It writes docs/benchmarks.md and exits non-zero when a budget is missed: a member's scoping
must take under 5 ms at p95 at 20,000 organisations, and no more than 1.5 times its time at
1,900 organisations at the median (its cost must not grow with the number of organisations).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "benchmarks.md"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
SCALES = {"small": 0.1, "national": 1.0}
BUDGET_P95_MS = 5.0
BUDGET_GROWTH = 1.5  # on the median, steadier than p95 on a busy machine


# ---------------------------------------------------------------------------------------------
# Run in a child process, against one database.


def _setup(scale):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from demo.national.organisations import seed_organisations

    return seed_organisations(scale)


def _people():
    """One person of each kind, made once: an MSO of a trust that took over another, the MSO
    of a PCN, a CDAO of an ICB (with a rule reaching the ICB's area), a regional lead, a
    national lead. And members in every organisation, 5,000 of them in one trust."""
    from django.db.models import Q

    from accounts.models import User
    from networks.models import Network, NetworkMembership
    from organisations.choices import OrganisationKind, Post, Region, RelationshipKind, Role
    from organisations.models import Appointment, Membership, Organisation
    from organisations.permissions import RULES, Perm, Reach, Rule

    def person(email):
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": email})
        return user

    trust = Organisation.objects.filter(
        kind=OrganisationKind.NHS_TRUST,
        child_links__kind=RelationshipKind.SUCCESSOR,
    ).order_by("pk")[0]
    pcn = Organisation.objects.filter(kind=OrganisationKind.PCN).order_by("pk")[0]
    icb = Organisation.objects.filter(kind=OrganisationKind.ICB).order_by("pk")[0]
    if not Membership.objects.filter(organisation=trust).exists():
        users = User.objects.bulk_create(
            [User(email=f"member{n}@bench.example", full_name=f"Member {n}") for n in range(5000)]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=trust, role=Role.STAFF) for u in users]
        )
        others = Organisation.objects.exclude(pk=trust.pk).values_list("pk", flat=True)
        users = User.objects.bulk_create(
            [User(email=f"staff{pk}@bench.example", full_name=f"Staff {pk}") for pk in others]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, organisation_id=pk, role=Role.STAFF)
                for u, pk in zip(users, others, strict=True)
            ]
        )
    for email, organisation, post in (
        ("trust.mso@bench.example", trust, Post.MSO),
        ("pcn.mso@bench.example", pcn, Post.MSO),
        ("icb.cdao@bench.example", icb, Post.CDAO),
    ):
        user = person(email)
        if not Appointment.objects.filter(user=user).exists():
            Membership.objects.get_or_create(user=user, organisation=organisation, role=Role.STAFF)
            Appointment.objects.filter(organisation=organisation, post=post).filter(
                Q(end_on__isnull=True)
            ).delete()
            Appointment.objects.create(
                organisation=organisation, post=post, user=user, start_on=date(2024, 4, 1)
            )
    for email, kind, region in (
        ("regional.lead@bench.example", Network.Kind.REGIONAL, Region.LONDON),
        ("national.lead@bench.example", Network.Kind.NATIONAL, ""),
    ):
        network, _ = Network.objects.get_or_create(
            name=f"Bench {kind} network", defaults={"kind": kind, "region": region}
        )
        NetworkMembership.objects.get_or_create(
            network=network, user=person(email), defaults={"role": NetworkMembership.Role.LEAD}
        )
    area_rules = (*RULES, Rule(Post.CDAO, {Perm.ORGANISATION_VIEW}, reach=Reach.AREA))
    from demo.national.organisations import _analyse

    _analyse()
    return [
        ("MSO of a trust (and of the trust it took over)", "trust.mso@bench.example", RULES),
        ("MSO of a PCN (covers its practices)", "pcn.mso@bench.example", RULES),
        ("CDAO of an ICB, reaching its area", "icb.cdao@bench.example", area_rules),
        ("Regional network lead", "regional.lead@bench.example", RULES),
        ("National network lead", "national.lead@bench.example", RULES),
    ]


CTE = """
WITH RECURSIVE reach(id, follows_part_of) AS (
    SELECT id, false FROM organisations_organisation WHERE id = ANY(%s)
    UNION
    SELECT id, true FROM organisations_organisation WHERE id = ANY(%s)
    UNION
    SELECT link.child_id, reach.follows_part_of
    FROM organisations_organisationrelationship link JOIN reach ON link.parent_id = reach.id
    WHERE link.start_on <= %s AND (link.end_on IS NULL OR link.end_on >= %s)
      AND (reach.follows_part_of OR link.kind = 'successor')
)
SELECT id FROM reach
"""


def _recursive_filter(access, perm, model):
    """The same scope as Access.filter, reached by a recursive query over the links."""
    from django.db.models import Q
    from django.db.models.expressions import RawSQL

    [scope] = access.scopes(perm, model._meta.label)
    if scope.everywhere:
        return Q(pk__isnull=False)
    id_field = f"{model.scope_path}_id" if model.scope_path else "pk"
    q = Q(pk__in=[])
    if scope.own or scope.area:
        params = (list(scope.own), list(scope.area), access.on, access.on)
        q |= Q(**{f"{id_field}__in": RawSQL(CTE, params)})  # noqa: S611 (parameters bound)
    if scope.regions:
        path = f"{model.scope_path}__region__in" if model.scope_path else "region__in"
        q |= Q(**{path: scope.regions})
    return q


def _time(work, runs):
    for _ in range(max(5, runs // 10)):
        work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
    }


def measure(scale, runs):
    counts = _setup(scale)
    from django.db import connection

    from accounts.models import User
    from organisations import closure
    from organisations.access import Access, load_grants
    from organisations.models import Membership, Organisation, OrganisationRelationship
    from organisations.permissions import Perm

    results = {"counts": counts, "people": []}
    for label, email, rules in _people():
        user = User.objects.get(email=email)
        access = Access(user, rules=rules)
        access.grants  # noqa: B018 (read once, as once per request)
        org_q = access.filter(Perm.ORGANISATION_VIEW, Organisation)
        org_cte = _recursive_filter(access, Perm.ORGANISATION_VIEW, Organisation)
        member_q = access.filter(Perm.ORGANISATION_VIEW, Membership)
        member_cte = _recursive_filter(access, Perm.ORGANISATION_VIEW, Membership)
        reach = Organisation.objects.filter(org_q).count()
        assert reach == Organisation.objects.filter(org_cte).count(), label

        def page(q):
            return lambda: list(Membership.objects.filter(q).order_by("organisation_id", "pk")[:50])

        results["people"].append(
            {
                "label": label,
                "reach": reach,
                "organisations": _time(
                    lambda q=org_q: Organisation.objects.filter(q).count(), runs
                ),
                "organisations_recursive": _time(
                    lambda q=org_cte: Organisation.objects.filter(q).count(), runs
                ),
                "members_page": _time(page(member_q), runs),
                "members_page_recursive": _time(page(member_cte), runs),
                "grants": _time(lambda u=user, on=access.on: load_grants(u, on), runs),
            }
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        results["postgresql"] = cursor.fetchone()[0].split(" on ")[0]

    started = time.perf_counter()
    closure.rebuild()
    results["rebuild_s"] = time.perf_counter() - started
    practice_link = (
        OrganisationRelationship.objects.filter(child__kind="gp-practice", end_on__isnull=True)
        .order_by("pk")
        .first()
    )
    other_pcn = Organisation.objects.filter(kind="pcn").exclude(pk=practice_link.parent_id)[0]
    started = time.perf_counter()
    closure.refresh([practice_link.child_id, other_pcn.pk])
    results["refresh_ms"] = (time.perf_counter() - started) * 1000
    return results


# ---------------------------------------------------------------------------------------------
# The parent: databases, children, report.


def _database(name):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def _child(scale, runs):
    name = f"mso_portal_bench_{str(scale).replace('.', '_')}"
    environment = {
        **os.environ,
        "DATABASE_URL": _database(name),
        "DEBUG": "1",
        "MFA_REQUIRED": "1",
    }
    environment.pop("REDIS_URL", None)
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.bench.scoping", "--measure", str(scale), "--runs", str(runs)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def _ms(timing):
    return f"{timing['p50']:.2f} / {timing['p95']:.2f}"


def report(small, national, runs) -> tuple[str, list[str]]:
    import django

    missed = []
    lines = [
        "## Scoping a queryset to what a person may see",
        "",
        f"Measured {date.today():%-d %B %Y} by `make bench` (tests/bench/scoping.py) on "
        f"{platform.node() or 'this machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"{national['postgresql']}. Times are p50 / p95 in milliseconds over {runs} runs, "
        "from Python through psycopg to the database.",
        "",
        f"At national scale: {national['counts']['organisations']:,} organisations, "
        f"{national['counts']['links']:,} dated links, {national['counts']['reach rows']:,} rows "
        f"in the reach table, 25,000 memberships. The small database: "
        f"{small['counts']['organisations']:,} organisations.",
        "",
        "| person | organisations reached | organisations, reach table | organisations, "
        "recursive query | 50 members, reach table | 50 members, recursive query | "
        "same at 1,900 organisations (reach table) | grants (1 query) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for big, little in zip(national["people"], small["people"], strict=True):
        lines.append(
            f"| {big['label']} | {big['reach']:,} | {_ms(big['organisations'])} | "
            f"{_ms(big['organisations_recursive'])} | {_ms(big['members_page'])} | "
            f"{_ms(big['members_page_recursive'])} | {_ms(little['organisations'])} | "
            f"{_ms(big['grants'])} |"
        )
        if big["label"].startswith("MSO"):
            p95 = big["organisations"]["p95"]
            if p95 > BUDGET_P95_MS:
                missed.append(f"{big['label']}: {p95:.2f} ms at p95 (budget {BUDGET_P95_MS} ms)")
            growth = big["organisations"]["p50"] / max(little["organisations"]["p50"], 0.01)
            if growth > BUDGET_GROWTH:
                missed.append(f"{big['label']}: {growth:.1f} times slower at 20,000 organisations")
    lines += [
        "",
        f"Keeping the reach table: rebuilding all of it takes {national['rebuild_s']:.2f} s at "
        f"national scale (after a bulk load only); a practice moving to another PCN refreshes "
        f"its rows in {national['refresh_ms']:.1f} ms, inside the link's own transaction.",
        "",
        "Budgets: a member's scoping under "
        f"{BUDGET_P95_MS:g} ms at p95 at national scale, and a median at most "
        f"{BUDGET_GROWTH:g} times its median at 1,900 organisations. "
        + ("Missed: " + "; ".join(missed) if missed else "All met."),
        "",
    ]
    return "\n".join(lines), missed


def write_report(section: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md, keeping the others."""
    title = section.splitlines()[0]
    header = (
        "# Benchmarks\n\nFigures from `make bench` on the development machine. Rerun it after "
        "a change\nthat touches a measured path.\n\n"
    )
    text = REPORT.read_text() if REPORT.exists() else header
    if title in text:
        start = text.index(title)
        end = text.find("\n## ", start + len(title))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--measure", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return 0
    small = _child(SCALES["small"], args.runs)
    national = _child(SCALES["national"], args.runs)
    section, missed = report(small, national, args.runs)
    write_report(section)
    print(section)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
