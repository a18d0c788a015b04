"""Faults of the reminder engine's workers, through real Celery workers on the real Redis broker
and PostgreSQL (tests/celery_worker.py): a worker killed in the middle of a batch of emails or
of the reminder sweep, and two beats sending the sweep and the pending pass at once to two
workers. The ledger's rows, the emails and their Message-IDs are counted exactly: each
notification is written once and reaches the mail server under one Message-ID; an email the
mail server took from a worker killed before it recorded so is sent again under the same one.

The workers' claims last a second, and the broker hands a task whose worker died to another
after two (the fixture's environment), so each test takes seconds."""

from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from incidents.models import IncidentAction
from notifications import services
from notifications.models import Notification
from notifications.services import CHUNK
from notifications.tasks import deliver_notifications, deliver_pending, sweep_reminders
from tests.celery_worker import WAIT, idle, message_ids, queued, settle, wait_until
from tests.factories import UserFactory
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db(transaction=True)

SENT = Notification.State.SENT


def reminder_id(notification) -> str:
    notification.refresh_from_db()
    return services.message_id("reminder", [notification])


def all_sent(notifications) -> bool:
    return not notifications.exclude(state=SENT).exists()


def mail(mailbox) -> Counter:
    """How many times each Message-ID reached the mail server."""
    return Counter(message_ids(mailbox.glob("*.eml")))


def test_a_worker_killed_mid_batch_after_the_mail_server_took_one_sends_it_again_as_itself(
    workers, broker, mailbox
):
    person = UserFactory()
    batch = [queued(person, title=f"Batch {i}") for i in range(5)]
    (mailbox / "hold-after").write_text("")  # the server takes the first; the worker hangs
    first = workers()
    deliver_notifications.delay([n.pk for n in batch])
    wait_until(lambda: (mailbox / "started").exists())
    first.kill()
    first.wait(WAIT)
    (mailbox / "hold-after").unlink()
    assert mail(mailbox) == {reminder_id(batch[0]): 1}
    assert not Notification.objects.filter(state=SENT).exists()  # taken, not recorded sent
    assert not idle(broker)  # the batch is taken and not acknowledged: it will be handed on

    workers(ping=False), workers(ping=False)
    ledger = Notification.objects.filter(pk__in=[n.pk for n in batch])

    def pass_again():
        deliver_pending.delay()  # the beat's pass, every 5 minutes in production
        return all_sent(ledger)

    wait_until(pass_again, every=1.0)  # the broker hands the batch on again, too
    settle(broker)
    # The first twice under its one Message-ID (the mail server can tell it is a resend), the
    # others once: six emails, five Message-IDs.
    assert mail(mailbox) == {reminder_id(batch[0]): 2} | {reminder_id(n): 1 for n in batch[1:]}
    assert ledger.count() == 5
    assert Notification.objects.get(pk=batch[0].pk).attempts == 2


@pytest.fixture
def actions_due(trust, staff):
    """``n`` incident actions due tomorrow, for three owners; none of the incident's own
    notices in the ledger (only the sweep's reminders are counted)."""

    def make(n: int):
        incident = report(trust, staff)
        owners = [UserFactory() for _ in range(3)]
        IncidentAction.objects.bulk_create(
            IncidentAction(
                incident=incident,
                description=f"Check ward {i}'s insulin charts",
                owner=owners[i % 3],
                due_on=timezone.localdate() + timedelta(days=1),
                state=IncidentAction.State.OPEN,
            )
            for i in range(n)
        )
        Notification.objects.all().delete()
        return list(IncidentAction.objects.order_by("pk"))

    return make


def reminders():
    return Notification.objects.filter(subject__startswith="incident-action:")


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_sweep_leaves_each_reminder_written_and_emailed_once(
    workers, broker, mailbox, actions_due
):
    actions = actions_due(CHUNK + 10)
    # Another connection holds, uncommitted, the reminder of an action in the sweep's second
    # chunk: the worker writes the first chunk (and hands it on), then waits on that row's
    # key, and is killed there.
    held = actions[CHUNK + 5]
    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    ) as blocker:
        blocker.execute(
            "INSERT INTO notifications_notification (recipient_id, subject, topic, kind, due_on,"
            " title, body, url, state, created_at, attempts, last_error)"
            " VALUES (%s, %s, 'incident-action', 'due-tomorrow', %s, 'Held', '', '/', 'held',"
            " now(), 0, '')",
            [held.owner_id, f"incident-action:{held.pk}", held.due_on],
        )
        first = workers()
        sweep_reminders.delay()
        wait_until(lambda: reminders().count() == CHUNK and waiting_on_a_lock())
        first.kill()
        first.wait(WAIT)
        blocker.rollback()
    assert reminders().count() == CHUNK  # the second chunk never got in
    assert not list(mailbox.glob("*.eml"))  # the first chunk's emails wait in the queue

    # The broker hands the unacknowledged sweep to one of them.
    workers(ping=False), workers(ping=False)
    wait_until(lambda: reminders().count() == CHUNK + 10 and all_sent(reminders()))
    settle(broker)
    assert reminders().count() == len(actions)
    assert mail(mailbox) == {reminder_id(n): 1 for n in reminders()}


def test_two_beats_sending_everything_twice_to_two_workers_email_each_reminder_once(
    workers, broker, mailbox, actions_due
):
    """Two beats (or a beat restarted) send the sweep and the pending pass twice at once; two
    workers run them side by side, and hand the same notifications on twice."""
    actions_due(40)
    for i in range(20):  # written a while ago, for the pending passes to hand on
        queued(UserFactory(), title=f"Earlier {i}")
    # No worker dies here: claims outlast any send; a task running over two seconds is still
    # handed to the other worker as well (the broker's visibility timeout), as a third beat.
    workers(NOTIFICATIONS_CLAIM_SECONDS="60")
    workers(NOTIFICATIONS_CLAIM_SECONDS="60")
    for _ in range(2):
        sweep_reminders.delay()
        deliver_pending.delay()
    ledger = Notification.objects.all()
    wait_until(lambda: ledger.count() == 40 + 20 and all_sent(ledger))
    settle(broker)
    assert reminders().count() == 40
    assert mail(mailbox) == {reminder_id(n): 1 for n in ledger}
