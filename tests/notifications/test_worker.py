"""The reminder engine through a real Celery worker and the real Redis broker (as in
production): a notification handed on twice, and by the pending pass too, is emailed once; a
worker killed in the middle of a send leaves it to be sent once by the next worker. Needs
PostgreSQL (the worker is another process) and Redis: CI has both."""

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

from mso_portal.celery import app
from notifications.models import Notification
from notifications.tasks import deliver_notification, deliver_pending, sweep_reminders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds: a bound on waiting for the worker, not a sleep


@pytest.fixture(autouse=True)
def _services():
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
def broker():
    """Tasks go through Redis, to a queue of this test's own."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    before = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = before


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
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "EMAIL_BACKEND": "tests.notifications.mailbox.Mailbox",
        "MAILBOX_DIR": str(mailbox),
        "NOTIFICATIONS_CLAIM_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_QUEUE": broker,
        "PYTHONPATH": str(ROOT),
    }
    started = []

    def start():
        name = f"{broker}-{len(started)}@{socket.gethostname()}"
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mso_portal",
                "worker",
                "-Q",
                broker,
                "-n",
                name,
                "--pool",
                "solo",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        deadline = time.monotonic() + WAIT
        while not app.control.ping(destination=[name], timeout=0.5):
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


def sent(notification):
    notification.refresh_from_db()
    return notification.state == Notification.State.SENT


def test_handed_on_three_times_it_is_emailed_once(workers, mailbox):
    workers()
    notification = queued(UserFactory())
    deliver_notification.delay(notification.pk)
    deliver_notification.delay(notification.pk)  # a retry, a double hand-on
    deliver_pending.delay()  # and the pending pass
    drain()
    assert sent(notification)
    assert len(emails(mailbox, notification.title)) == 1


def test_a_worker_killed_mid_send_leaves_it_to_be_sent_once(workers, mailbox):
    first = workers()
    notification = queued(UserFactory(), title="Killed mid-send")
    (mailbox / "hold").write_text("")
    deliver_notification.delay(notification.pk)
    wait_until(lambda: (mailbox / "started").exists())  # the send has begun
    first.kill()
    first.wait(WAIT)
    (mailbox / "hold").unlink()
    assert not emails(mailbox, notification.title)
    assert not sent(notification)  # not recorded as sent

    workers()

    def pass_again():
        deliver_pending.delay()  # once its claim has run out, the next pass hands it on
        return sent(notification)

    wait_until(pass_again, every=1.0)
    for _ in range(3):  # more passes, and the broker's redelivery of the killed task
        deliver_pending.delay()
        deliver_notification.delay(notification.pk)
    drain()
    assert len(emails(mailbox, notification.title)) == 1


def test_the_sweep_run_twice_through_the_worker_emails_each_reminder_once(
    workers, mailbox, trust, staff, mso
):
    """Two beats that both fire (or a sweep retried) write each due reminder once, and the
    worker emails it once."""
    from incidents import services as incidents
    from tests.incidents.conftest import report

    incident = report(trust, staff)
    incidents.action_add(
        by=mso,
        incident=incident,
        description="Check the insulin charts on ward 12",
        owner=mso,
        due_on=timezone.localdate() + timedelta(days=1),
    )
    workers()
    sweep_reminders.delay()
    sweep_reminders.delay()
    drain()
    reminder = Notification.objects.get(subject__startswith="incident-action:")
    wait_until(lambda: sent(reminder))
    drain()
    assert len(emails(mailbox, reminder.title)) == 1
