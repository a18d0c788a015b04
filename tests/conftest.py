"""Fixtures shared by every test: organisations, people in each role, signed-in clients, and
``assert_access``, the check every protected view gets (anonymous, other organisation, wrong
role, right role)."""

import fcntl
import io
import os
import pickle
import shutil
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from organisations.choices import Post, Role
from tests.access import prove
from tests.factories import OrganisationFactory, UserFactory, member, network_lead, post_holder

pytest_plugins = [
    "tests.required",
    "tests.access_check",
    "tests.celery_worker",
    "tests.faults.own_redis",
]


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """An empty cache, and Redis and the broker taken as answering (core/cache.py and
    core/tasks.py give up on them for a while after a failure, in the process)."""
    from django.core.cache import cache

    from core import cache as fallback
    from core import tasks

    fallback._down_until.clear()
    tasks._broker_down_until = 0.0
    cache.clear()
    yield
    fallback._down_until.clear()
    tasks._broker_down_until = 0.0
    cache.clear()


@pytest.fixture
def dmd(db):
    """The sample dm+d release loaded (and with it the national high-risk list keyed to it)."""
    from medicines.dmd import SAMPLE_RELEASE, import_release

    return import_release(SAMPLE_RELEASE)


@pytest.fixture
def trust(db):
    return OrganisationFactory(name="Ashby General Hospitals NHS Trust")


@pytest.fixture
def other_trust(db):
    return OrganisationFactory(name="Elsewhere Hospitals NHS Trust")


@pytest.fixture
def staff(trust):
    return member(trust, Role.STAFF, full_name="Rosa Reid")


@pytest.fixture
def mso(trust):
    """The trust's MSO: a member who holds the MSO post (which gives its permissions)."""
    return post_holder(trust, Post.MSO, full_name="Amir Shah")


@pytest.fixture
def director(trust):
    return post_holder(trust, Post.BOARD_DIRECTOR, full_name="Helen Carter")


@pytest.fixture
def other_mso(other_trust):
    return post_holder(other_trust, Post.MSO, full_name="Priya Nair")


@pytest.fixture
def lead(db):
    return network_lead(full_name="Nadia Osei")


@pytest.fixture
def patient_safety_team(db):
    """The national patient safety team: the lead of the national Patient Safety Specialist
    network, who records the alerts CAS issues."""
    from networks.models import Network

    return network_lead(community=Network.Community.SPECIALISTS, full_name="Pat Safety")


@pytest.fixture
def site_admin(db):
    return UserFactory(is_staff=True, full_name="Site Administrator")


def _client_for(user, *, mfa=True):
    """A client signed in as ``user`` just now with a password, as the sign-in page records it;
    with ``mfa`` (the default) they also entered a code from an authenticator app (MFA_REQUIRED
    is on in tests)."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if mfa:
        records.append({"method": "mfa", "at": time.time(), "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture
def mso_client(mso):
    return _client_for(mso)


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def other_org_client(other_mso):
    return _client_for(other_mso)


def assert_redirects_to_login(response):
    assert response.status_code == 302, response.status_code
    assert urlparse(response["Location"]).path == reverse(settings.LOGIN_URL)


@pytest.fixture
def assert_access():
    """Prove a view's scoping: anonymous → sign in; another organisation → 404;
    same organisation, wrong role → 403; right role → ``ok`` (200).

    ``assert_access(url, allowed=mso, wrong_role=staff, other_organisation=other_mso)``;
    pass ``method="post", data={...}`` for a form (the allowed request runs last). For a page
    of one's own (the account page) leave out ``other_organisation`` and ``wrong_role``.
    """

    def check(
        url,
        *,
        allowed,
        other_organisation=None,
        wrong_role=None,
        method="get",
        data=None,
        ok=200,
    ):
        def request(client):
            return _settled(getattr(client, method)(url, data or {}))

        assert_redirects_to_login(request(Client()))
        outcomes = {"anonymous"}
        if other_organisation is not None:
            response = request(_client_for(other_organisation))
            assert response.status_code == 404, f"other organisation got {response.status_code}"
            outcomes.add("other organisation")
        if wrong_role is not None:
            response = request(_client_for(wrong_role))
            assert response.status_code == 403, f"wrong role got {response.status_code}"
            outcomes.add("wrong role")
        response = request(_client_for(allowed))
        assert response.status_code == ok, f"right role got {response.status_code}"
        prove(url, method, *outcomes, "allowed")
        return response

    return check


def _settled(response):
    """A streamed response (a download, an export) read to its end, which closes its file, and
    kept readable by the test."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        response.streaming_content = [body]
    return response


def api_token(user, *scopes: str, **fields):
    """A token of ``user`` holding ``scopes`` (all of them when none are named), written as the
    service writes one, and its secret. Written directly, so that a token can hold a scope its
    person's roles no longer give (a role taken away after the token was made)."""
    import datetime

    from django.utils import timezone

    from api.models import ApiToken, digest
    from api.scopes import Scope

    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=fields.pop("name", "Test token"),
        digest=digest(secret),
        hint=secret[:10],
        scopes=list(scopes or [scope.value for scope in Scope]),
        expires_at=fields.pop("expires_at", timezone.now() + datetime.timedelta(days=30)),
        **fields,
    )
    return token, secret


def api_client(user=None, *scopes: str):
    """A client calling the API with a token of ``user`` holding ``scopes`` (none: no token)."""
    client = Client(headers={"accept": "application/json"})
    if user is not None:
        _token, secret = api_token(user, *scopes)
        client = Client(headers={"authorization": f"Bearer {secret}", "accept": "application/json"})
    return client


@pytest.fixture
def assert_api_access():
    """Prove an API call's scoping, as ``assert_access`` proves a page's: no token → 401; a
    token of another organisation's person → 404; of the same organisation, wrong role → 403;
    the right person's token without the call's scope → 403; with it → ``ok``."""

    def check(
        url,
        *,
        scope,
        allowed,
        other_organisation=None,
        wrong_role=None,
        method="get",
        data=None,
        ok=200,
    ):
        def request(client):
            call = getattr(client, method)
            if data is None:
                return call(url)
            return call(url, data, content_type="application/json")

        response = request(api_client())
        assert response.status_code == 401, f"no token got {response.status_code}"
        outcomes = {"anonymous"}
        if other_organisation is not None:
            response = request(api_client(other_organisation, scope))
            assert response.status_code == 404, f"other organisation got {response.status_code}"
            outcomes.add("other organisation")
        if wrong_role is not None:
            response = request(api_client(wrong_role, scope))
            assert response.status_code == 403, f"wrong role got {response.status_code}"
            outcomes.add("wrong role")
        others = [other for other in _all_scopes() if other != scope]
        response = request(api_client(allowed, *others))
        assert response.status_code == 403, f"a token without the scope got {response.status_code}"
        response = request(api_client(allowed, scope))
        assert response.status_code == ok, f"right role got {response.status_code}"
        prove(url, method, *outcomes, "scope", "allowed")
        return response

    return check


def _all_scopes():
    from api.scopes import Scope

    return [scope.value for scope in Scope]


@pytest.fixture
def assert_public():
    """Prove a view is open to everyone: an anonymous request gets ``ok``."""

    def check(url, *, method="get", data=None, ok=200):
        response = _settled(getattr(Client(), method)(url, data or {}))
        assert response.status_code == ok, f"{url} answered {response.status_code}"
        prove(url, method, "public")
        return response

    return check


@pytest.fixture
def page_queries():
    """How many SQL queries a page costs, read again after a first request has warmed it: the
    header's unread count, counted again now and then, is left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url) -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum("notifications_notification" not in q["sql"] for q in queries)

    return count


class DemoCopies:
    """The demo data (demo/seed.py), seeded once in a worker's test database and kept as rows
    and files: as seeding leaves it within a test's transaction (its on-commit work, such as
    sending notifications and making report PDFs, not done) and as it leaves it committed (that
    work done). Copying it back costs a few queries; seeding it costs some thousands."""

    # Made by the migrations and remade by every flush (transactional tests), never by seeding.
    KEPT = {"django_content_type", "auth_permission", "django_migrations"}

    def __init__(self, folder):
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test import TestCase, override_settings
        from django.utils import timezone

        self.day = timezone.localdate()
        media = folder / "seeding"
        demo = override_settings(DEBUG=True, MEDIA_ROOT=media, SITE_URL="http://testserver")
        with demo, transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=io.StringIO())
                self.in_transaction = self._read(connection, media, folder / "in-transaction")
            self.committed = self._read(connection, media, folder / "committed")
            transaction.set_rollback(True)

    def restore(self, media_root):
        """Put the demo in the database and its files in ``media_root``, as seeding it in this
        test would: the committed copy in a transactional test, the other within a test's
        transaction."""
        from django.db import connection, transaction
        from django.utils import timezone

        if timezone.localdate() != self.day:  # the demo's dates count from the day it is seeded
            from django.conf import settings

            from demo.seed import seed_demo

            seed_demo(settings.DEMO_PASSWORD)
            return
        copy = self.in_transaction if connection.in_atomic_block else self.committed
        with transaction.atomic(), connection.cursor() as cursor:
            for table, rows in copy["tables"].items():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
                _write_table(connection, cursor, table, rows)
            _write_sequences(connection, cursor, copy["sequences"])
            _renumber_content_types(connection, cursor, copy)
        if copy["media"].exists():
            shutil.copytree(copy["media"], media_root, dirs_exist_ok=True)

    def _read(self, connection, media, folder) -> dict:
        if media.exists():
            shutil.copytree(media, folder)
        tables = {}
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                if table in self.KEPT or table.startswith("sqlite_"):
                    continue
                rows = _read_table(connection, cursor, table)
                if rows:
                    tables[table] = rows
            return {
                "tables": tables,
                "sequences": _read_sequences(connection, cursor, tables),
                "content_types": _content_types(cursor),
                "media": folder,
            }


def _renumber_content_types(connection, cursor, copy):
    """Rows that name a content type (the audit log's) given its id today: a flush (after each
    transactional test) makes the content types again, with new ids."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    now = {(app, model): pk for pk, app, model in _content_types(cursor)}
    moved = {
        pk: now[app, model] for pk, app, model in copy["content_types"] if now[app, model] != pk
    }
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in copy["tables"]:
            continue
        for field in model._meta.concrete_fields:
            if field.related_model is Permission:
                raise RuntimeError(f"{model._meta.label} names permissions: copy them too")
            if field.related_model is not ContentType or not moved:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            cases = " ".join(["WHEN %s THEN %s"] * len(moved))
            cursor.execute(
                f"UPDATE {table} SET {column} = CASE {column} {cases} END "  # noqa: S608
                f"WHERE {column} IN ({', '.join(['%s'] * len(moved))})",
                [*[n for pair in moved.items() for n in pair], *moved],
            )


def _content_types(cursor):
    cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
    return cursor.fetchall()


def _read_table(connection, cursor, table):
    """A table's rows as the database holds them: PostgreSQL's COPY text, or SQLite's stored
    values (unary plus makes each an expression, which the converters Django registers for
    dates and booleans leave alone)."""
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {name} TO STDOUT") as copy:
            return b"".join(bytes(block) for block in copy)
    columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    listed = ", ".join(f"+{connection.ops.quote_name(column)}" for column in columns)
    cursor.execute(f"SELECT {listed} FROM {name}")  # noqa: S608 (names from introspection)
    rows = cursor.fetchall()
    return (columns, rows) if rows else None


def _write_table(connection, cursor, table, rows):
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {name} FROM STDIN") as copy:
            copy.write(rows)
        return
    columns, values = rows
    listed = ", ".join(connection.ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {name} ({listed}) VALUES ({marks})", values)  # noqa: S608


def _read_sequences(connection, cursor, tables):
    """Where each table's ids count from: the next row takes the id it would after seeding
    (the rows of anonymous reports take ids out of the sequence, so it is not the largest)."""
    if connection.vendor == "postgresql":
        found = []
        for table in tables:
            for sequence in connection.introspection.get_sequences(cursor, table):
                name = connection.ops.quote_name(sequence["name"])
                cursor.execute(f"SELECT last_value, is_called FROM {name}")  # noqa: S608
                found.append((sequence["name"], *cursor.fetchone()))
        return found
    cursor.execute("SELECT name, seq FROM sqlite_sequence")
    return [(name, seq) for name, seq in cursor.fetchall() if name in tables]


def _write_sequences(connection, cursor, sequences):
    if connection.vendor == "postgresql":
        for name, value, called in sequences:
            cursor.execute(
                "SELECT setval(%s, %s, %s)", [connection.ops.quote_name(name), value, called]
            )
        return
    for name, seq in sequences:
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [name])
        cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, seq])


@pytest.fixture(scope="session")
def _demo_copies(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's copies, seeded by the first worker of a parallel run to need them and read
    by the others from the run's temporary folder (every worker's database is made by the same
    migrations, so the copies fit each; the content types' ids are put right as they are
    written)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        with django_db_blocker.unblock():
            return DemoCopies(tmp_path_factory.mktemp("demo"))
    folder = tmp_path_factory.getbasetemp().parent / "demo"
    folder.mkdir(exist_ok=True)
    kept = folder / "copies.pickle"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # until the copies are written, by this worker or another
        if kept.exists():
            copies = DemoCopies.__new__(DemoCopies)
            copies.__dict__ = pickle.loads(kept.read_bytes())  # noqa: S301 (written by this run)
            return copies
        with django_db_blocker.unblock():
            copies = DemoCopies(folder)
        kept.write_bytes(pickle.dumps(copies.__dict__))
        return copies


@pytest.fixture
def seeded_demo(_demo_copies, settings):
    """The demo data in this test's database, as ``seed_demo`` would leave it here: within the
    test's transaction (the ``db`` fixture) or committed (``transactional_db``: the browser
    journeys). Seeded once in each worker and copied in; ask for the database fixture first."""
    _demo_copies.restore(settings.MEDIA_ROOT)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The order for a run across workers (pytest-xdist hands each worker a batch of the tests
    in order, and more when it runs short), once pytest-django has put them in Django's: those
    within a transaction, then those that commit, then those with no database.

    The small benchmark goes first: the longest test by far, it uses no test database, so it
    runs while the other workers begin on the rest, not at the end with them idle. The tests
    that commit (the browser journeys among them, ten seconds or more each) are spread through
    the first part of those with no database, which may run in any order around them: each
    batch then holds its share of journeys and the last batches only short tests, so no worker
    is left with a queue of journeys while the others have finished."""
    from pytest_django.plugin import validate_django_db

    def commits(item):
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (0, 0)
        fixtures = getattr(item, "fixturenames", ())
        return bool(
            transaction
            or reset_sequences
            or "transactional_db" in fixtures
            or "live_server" in fixtures
        )

    def databaseless(item):
        fixtures = getattr(item, "fixturenames", ())
        return item.get_closest_marker("django_db") is None and "db" not in fixtures

    first = [i for i in items if i.nodeid.split("::")[0] == "tests/test_bench_small.py"]
    rest = [i for i in items if i not in first]
    committing = [i for i in rest if commits(i)]
    free = [i for i in rest if not commits(i) and databaseless(i)]
    head = rest[: len(rest) - len(committing) - len(free)]
    if not committing or rest != head + committing + free:
        items[:] = first + rest  # not in pytest-django's order: left as it is
        return
    tail = len(committing) + len(free)
    span = max(len(committing), tail * 7 // 10)  # the last three tenths: short tests only
    slots = {n * span // len(committing) for n in range(len(committing))}
    journeys, others = iter(committing), iter(free)
    items[:] = first + head + [next(journeys if p in slots else others) for p in range(tail)]
