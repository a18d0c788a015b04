"""The reminder engine through a real Celery worker and the real Redis broker (as in
production): a notification handed on twice, and by the pending pass too, is emailed once; a
worker killed in the middle of a send leaves it to be sent once by the next worker. Needs
PostgreSQL (the worker is another process) and Redis: tests/celery_worker.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.tasks import deliver_notification, deliver_pending, sweep_reminders
from tests.celery_worker import WAIT, drain, emails, message_ids, queued, sent, wait_until
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


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
    [email] = emails(mailbox, notification.title)
    assert message_ids([email]) == [services.message_id("reminder", [notification])]


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
