"""A real Celery worker on the real Redis broker, for the tests that need one (registered in
tests/conftest.py): ``workers()`` starts a worker process on a queue of the test's own and its
database, emailing into ``mailbox`` (tests/notifications/mailbox.py). Needs PostgreSQL (the
worker is another process) and Redis: CI has both, and fails rather than skips without them."""

import email
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from redis import Redis

from mso_portal.celery import app
from notifications.models import Notification
from notifications.tasks import deliver_notification
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60  # seconds: a bound on waiting for the worker, not a sleep


@pytest.fixture
def worker_services():
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if missing:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI runs the worker tests: {', '.join(missing)} missing")
        pytest.skip(f"the worker tests need {' and '.join(missing)}")


@pytest.fixture
def broker(worker_services):
    """Tasks go through Redis, to a queue of this test's own."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    names = ("task_always_eager", "task_default_queue", "task_routes")
    before = {name: app.conf[name] for name in names}
    # Through update(), not by setting each: Celery keeps the router it made from the routes
    # first seen, and only a change made by update() has it made again. Set one by one, the
    # second test of a run would hand its tasks on to the first test's queues.
    app.conf.update(
        task_always_eager=False,
        task_default_queue=queue,
        task_routes={
            task: {"queue": own_queue(route["queue"], queue)}
            for task, route in settings.CELERY_TASK_ROUTES.items()
        },
    )
    try:
        yield queue
    finally:
        app.conf.update(before)


def own_queue(name: str, broker: str) -> str:
    """The test's own copy of one of the deployment's queues (settings.CELERY_WORK_QUEUES)."""
    return broker + name.removeprefix(settings.CELERY_QUEUE)


def queues(broker: str) -> str:
    """Every queue a worker of the test reads, as ``-Q`` names them."""
    return ",".join(own_queue(q.name, broker) for q in settings.CELERY_TASK_QUEUES)


@pytest.fixture
def mailbox(tmp_path):
    return tmp_path


@pytest.fixture
def workers(broker, mailbox):
    """Start (and stop) worker processes on this test's queue and database."""
    database = settings.DATABASES["default"]
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION"}},
        "DEBUG": "1",
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "SITE_URL": settings.SITE_URL,  # the test's: the emails' links and Message-IDs
        "EMAIL_BACKEND": "tests.notifications.mailbox.Mailbox",
        "MAILBOX_DIR": str(mailbox),
        "NOTIFICATIONS_CLAIM_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_QUEUE": broker,
        "PYTHONPATH": str(ROOT),
    }
    started = []

    def start(*, ping=True, **settings_environment):
        """A worker; with ``ping``, once it answers (a worker busy on a task does not). Keyword
        arguments set its environment (``NOTIFICATIONS_CLAIM_SECONDS="60"``)."""
        name = f"{broker}-{len(started)}@{socket.gethostname()}"
        log = open(mailbox / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mso_portal",
                "worker",
                "-Q",
                queues(broker),
                "-n",
                name,
                "--pool",
                "solo",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env={**environment, **settings_environment},
            stdout=log,
            stderr=log,
        )
        log.close()  # the worker has its own copy
        started.append(process)
        deadline = time.monotonic() + WAIT
        while ping and not app.control.ping(destination=[name], timeout=0.5):
            assert process.poll() is None, "the worker did not start"
            assert time.monotonic() < deadline, "the worker did not answer"
        return process

    yield start
    for process in started:
        process.kill()
        process.wait(WAIT)


def queued(person, title="Pass on the generic MSO mailbox"):
    """A notification written a while ago and waiting in the ledger."""
    notification = Notification.objects.create(
        recipient=person,
        subject=f"test:{uuid.uuid4().hex}",
        kind="due",
        due_on=timezone.localdate(),
        title=title,
        body="Due soon.",
        url="/",
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    notification.refresh_from_db()
    return notification


def wait_until(check, every=0.1):
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, "the worker did not get there"
        time.sleep(every)


def drain():
    """Wait until the worker has run every task queued so far: it takes them in order, so once
    a last notification handed on after them is sent, they have all run."""
    barrier = queued(UserFactory(), title=f"Barrier {uuid.uuid4().hex}")
    deliver_notification.delay(barrier.pk)
    wait_until(lambda: sent(barrier))


def emails(mailbox, title):
    return [f for f in mailbox.glob("*.eml") if title in f.read_text()]


def message_ids(files) -> list[str]:
    """The Message-ID of each email (a file of the mailbox)."""
    return [email.message_from_string(f.read_text())["Message-ID"] for f in files]


def idle(broker: str) -> bool:
    """Whether no task of the test is waiting in its queues or running on a worker (taken
    and not yet acknowledged: the tasks are acknowledged once they have run)."""
    with Redis.from_url(settings.REDIS_URL) as redis:
        waiting = sum(
            redis.llen(key) for key in redis.scan_iter(f"{broker}*") if redis.type(key) == b"list"
        )
        running = sum(
            1 for entry in redis.hvals("unacked") if json.loads(entry)[2].startswith(broker)
        )
    return waiting + running == 0


def settle(broker: str) -> None:
    """Wait until every task queued so far has run, whichever worker took it: idle three looks
    in a row (a worker takes a task off its queue a moment before it records it as running)."""
    looks = []
    wait_until(lambda: looks.append(idle(broker)) or looks[-3:] == [True] * 3)


def sent(notification):
    notification.refresh_from_db()
    return notification.state == Notification.State.SENT
