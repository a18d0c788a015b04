"""A read replica for the national views (DATABASE_REPLICA_URL, core/replica.py): the register,
the statistics, trends and reporting rates against peers, and the national view of alert
responses read from the replica; every other page, every write and every read in a
transaction from the primary; a browser that has just saved something reads the primary.

CI sets DATABASE_REPLICA_URL to a second database on the same server, so these tests have one
of their own (test_<name>): they copy the primary's rows into it, as streaming replication
would, then change a row in the replica only, and see which pages show the change."""

from time import monotonic

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections, router, transaction
from django.urls import reverse

from core import replica as replica_module
from core.replica import PIN_COOKIE, RETRY_SECONDS, reading_from_replica
from organisations.models import Organisation
from tests.access import methods_of, routes
from tests.factories import OrganisationFactory, network_lead
from tests.required import required
from tests.test_storage import configured

HAS_REPLICA = "replica" in settings.DATABASES
pytestmark = pytest.mark.django_db(
    transaction=True, databases=["default", "replica"] if HAS_REPLICA else ["default"]
)
ON_REPLICA = "Seen Only On The Replica NHS Trust"
ON_PRIMARY = "Ashby General Hospitals NHS Trust"

# The national views: each reads the replica (core.replica.replica_reads).
NATIONAL = [
    "register:list",
    "register:export",
    "register:specialists",
    "register:specialists_export",
    "incidents:statistics",
    "incidents:trends",
    "incidents:funnel",
    "incidents:learning",
    "incidents:learning_pdf",
    "alerts:compliance",
    "alerts:compliance_export",
    "alerts:overdue",
    "alerts:overdue_export",
]


@pytest.fixture(autouse=True)
def replica(settings, monkeypatch):
    """The replica in use, as production's is when DATABASE_REPLICA_URL is set."""
    if not HAS_REPLICA or connections["default"].vendor != "postgresql":
        required("DATABASE_REPLICA_URL, a second PostgreSQL database", by="the replica's tests")
    settings.REPLICA_READS = True
    monkeypatch.setattr(replica_module, "_down_until", 0.0)


def replicate():
    """Every row of the primary copied into the replica, as streaming replication would."""
    primary, replica = connections["default"], connections["replica"]
    with (
        primary.cursor() as source,
        transaction.atomic(using="replica"),
        replica.cursor() as target,
    ):
        tables = [
            table
            for table in primary.introspection.table_names(source)
            if table != "django_migrations"
        ]
        target.execute(f"TRUNCATE {', '.join(replica.ops.quote_name(t) for t in tables)} CASCADE")
        for table in tables:
            columns = ", ".join(
                primary.ops.quote_name(column.name)
                for column in primary.introspection.get_table_description(source, table)
            )
            name = f"{primary.ops.quote_name(table)} ({columns})"
            with source.copy(f"COPY {name} TO STDOUT") as rows:
                copied = b"".join(bytes(block) for block in rows)
            with target.copy(f"COPY {name} FROM STDIN") as rows:
                rows.write(copied)


@pytest.fixture
def world(client_for):
    """A national lead signed in, and a trust named one thing on the primary and another on
    the replica (as if replication had not caught up, or the other way round)."""
    trust = OrganisationFactory(name=ON_PRIMARY)
    client = client_for(network_lead(full_name="Nadia Osei"))
    replicate()
    Organisation.objects.using("replica").filter(pk=trust.pk).update(name=ON_REPLICA)
    return client, trust


def test_the_register_reads_the_replica(world):
    client, _trust = world
    page = client.get(reverse("register:list"))
    assert page.status_code == 200
    assert ON_REPLICA in page.text
    assert ON_PRIMARY not in page.text


def test_a_streamed_export_reads_the_replica_as_it_is_sent(world):
    client, _trust = world
    sent = client.get(reverse("register:export", args=["csv"]))
    text = b"".join(sent.streaming_content).decode("utf-8-sig")
    assert ON_REPLICA in text
    assert ON_PRIMARY not in text


def test_a_page_that_is_not_national_reads_the_primary(world):
    client, trust = world
    page = client.get(reverse("organisations:detail", args=[trust.ods_code]))
    assert page.status_code == 200
    assert ON_PRIMARY in page.text
    assert ON_REPLICA not in page.text


def test_a_browser_that_has_just_saved_something_reads_the_primary_for_a_while(world):
    client, _trust = world
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False) as clock:
        saved = client.post(reverse("notifications:all_read"))
        assert saved.status_code == 302
        pin = saved.cookies[PIN_COOKIE]
        assert pin["max-age"] == settings.REPLICA_PIN_SECONDS
        assert pin["httponly"]
        page = client.get(reverse("register:list"))
        assert ON_PRIMARY in page.text
        assert ON_REPLICA not in page.text
        assert PIN_COOKIE not in page.cookies  # reading sets nothing
        clock.shift(settings.REPLICA_PIN_SECONDS + 1)
        client.cookies.pop(PIN_COOKIE)  # the browser lets it expire
        assert ON_REPLICA in client.get(reverse("register:list")).text


def test_a_refused_change_pins_nothing(world, client_for):
    client, trust = world
    refused = client_for(network_lead()).post(reverse("register:list"))
    assert refused.status_code == 405
    assert PIN_COOKIE not in refused.cookies


def test_writes_reads_in_a_transaction_and_sessions_use_the_primary(world):
    _client, trust = world
    with reading_from_replica():
        assert Organisation.objects.get(pk=trust.pk).name == ON_REPLICA
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Organisation) == "default"
        with transaction.atomic():
            assert Organisation.objects.get(pk=trust.pk).name == ON_PRIMARY
        read = Organisation.objects.get(pk=trust.pk)
        read.save(update_fields=["name"])  # what was read from the replica is saved to the primary
    assert Organisation.objects.get(pk=trust.pk).name == ON_REPLICA
    assert Organisation.objects.get(pk=trust.pk).name == ON_REPLICA  # outside: the primary


def test_a_replica_that_does_not_answer_is_read_around_and_left_alone_a_while(world):
    client, _trust = world
    register = reverse("register:list")
    replica = connections["replica"]
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        page = client.get(register)
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
    assert page.status_code == 200
    assert ON_PRIMARY in page.text
    # Answering again, it is not asked until RETRY_SECONDS have passed.
    assert ON_PRIMARY in client.get(register).text
    later = monotonic() + RETRY_SECONDS + 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(replica_module, "monotonic", lambda: later)
        assert ON_REPLICA in client.get(register).text


def test_a_replica_without_what_the_code_reads_is_read_around(world):
    # During a deploy: the primary migrated, the replica not yet.
    client, _trust = world
    with connections["replica"].cursor() as cursor:
        cursor.execute("ALTER TABLE organisations_organisation RENAME COLUMN name TO old_name")
    try:
        page = client.get(reverse("register:list"))
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("ALTER TABLE organisations_organisation RENAME COLUMN old_name TO name")
    assert page.status_code == 200
    assert ON_PRIMARY in page.text


def test_the_national_views_and_only_they_read_the_replica_and_they_only_read():
    marked = {
        name: methods_of(pattern.callback)
        for _route, name, pattern in routes()
        if getattr(pattern.callback, "reads_replica", False)
    }
    assert marked == {name: {"GET"} for name in NATIONAL}


def test_without_a_replica_nothing_changes(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    made = configured(monkeypatch)
    assert set(made["DATABASES"]) == {"default"}
    assert "DATABASE_ROUTERS" not in made
    assert "core.replica.PinToPrimaryMiddleware" not in made["MIDDLEWARE"]
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica:5432/mso_portal")
    made = configured(monkeypatch)
    assert made["DATABASES"]["replica"]["HOST"] == "replica"
    assert made["DATABASE_ROUTERS"] == ["core.replica.ReplicaRouter"]
    assert made["MIDDLEWARE"][-1] == "core.replica.PinToPrimaryMiddleware"
