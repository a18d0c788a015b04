"""Publishing through a real Celery worker and the real Redis broker: the fan-out runs after the
publishing commits, and a worker killed part way through it leaves no MSO told twice or not at
all (the broker hands the task on again; the reminder ledger writes each notice once). Needs
PostgreSQL and Redis (tests/celery_worker.py)."""

import datetime
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from alerts import services
from alerts.models import Alert, AlertResponse
from notifications.models import Notification
from notifications.services import CHUNK
from notifications.tasks import deliver_pending
from organisations.choices import Post, Role
from organisations.models import Appointment, Membership, Organisation
from tests.alerts.conftest import draft
from tests.celery_worker import drain, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def trusts_with_msos(n: int) -> list[int]:
    """``n`` open trusts, each with its MSO, written in bulk: MSO ids in the trusts' order."""
    organisations = Organisation.objects.bulk_create(
        Organisation(ods_code=f"W{i:04d}", name=f"Trust {i:04d}", kind="nhs-trust", region="london")
        for i in range(n)
    )
    people = User.objects.bulk_create(
        User(email=f"mso{i}@trust.example", full_name=f"MSO {i:04d}") for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=person, organisation=organisation, role=Role.STAFF)
        for person, organisation in zip(people, organisations, strict=True)
    )
    Appointment.objects.bulk_create(
        Appointment(
            organisation=organisation,
            user=person,
            post=Post.MSO,
            start_on=datetime.date(2024, 1, 1),
        )
        for person, organisation in zip(people, organisations, strict=True)
    )
    return [person.pk for person in people]


def notices(alert):
    subjects = [f"alert-response:{pk}" for pk in alert.responses.values_list("pk", flat=True)]
    return Notification.objects.filter(kind="published", subject__in=subjects)


def test_publishing_fans_out_through_the_worker(workers, mailbox, lead):
    msos = trusts_with_msos(3)
    workers()
    alert = draft(lead)
    assert services.alert_publish(by=lead, alert=alert) == 3
    wait_until(lambda: Alert.objects.get(pk=alert.pk).notified_at is not None)
    drain()
    assert sorted(notices(alert).values_list("recipient_id", flat=True)) == sorted(msos)
    wait_until(lambda: not notices(alert).exclude(state=Notification.State.SENT).exists())
    assert len(list(mailbox.glob("*.eml"))) == 3 + 1  # the three MSOs, and drain's barrier


def test_a_worker_killed_mid_fan_out_leaves_nobody_told_twice_or_not_at_all(workers, mailbox, lead):
    msos = trusts_with_msos(CHUNK + 60)
    alert = draft(lead)
    services.alert_publish(by=lead, alert=alert)  # the fan-out waits in the broker's queue
    # Another connection holds, uncommitted, the notice of an MSO in the fan-out's second
    # chunk: the worker writes the first chunk, then waits on that row's key, and is killed.
    held = AlertResponse.objects.get(alert=alert, organisation__ods_code=f"W{CHUNK + 30:04d}")
    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    ) as blocker:
        blocker.execute(
            "INSERT INTO notifications_notification (recipient_id, subject, topic, kind, due_on,"
            " title, body, url, state, created_at, attempts, last_error)"
            " VALUES (%s, %s, 'alert-response', 'published', %s, 'Held', '', '/', 'held', now(),"
            " 0, '')",
            [msos[CHUNK + 30], f"alert-response:{held.pk}", alert.issued_on],
        )
        first = workers(ping=False)  # it takes the fan-out at once, so does not answer
        wait_until(lambda: notices(alert).count() >= CHUNK)
        first.kill()
        first.wait(60)
        assert notices(alert).count() == CHUNK  # the second chunk never got in
        blocker.rollback()
    assert Alert.objects.get(pk=alert.pk).notified_at is None

    workers(ping=False)  # the broker hands the unacknowledged fan-out to the next worker
    wait_until(lambda: Alert.objects.get(pk=alert.pk).notified_at is not None)
    assert sorted(notices(alert).values_list("recipient_id", flat=True)) == sorted(msos)
    # The first chunk's emails may not have been handed on before the kill: a minute on, the
    # beat's pending pass hands on whatever is still queued.
    notices(alert).update(created_at=timezone.now() - timedelta(minutes=5))
    deliver_pending.delay()
    wait_until(lambda: not notices(alert).exclude(state=Notification.State.SENT).exists())
    drain()
    emailed = [
        line.removeprefix("To: ")
        for message in mailbox.glob("*.eml")
        for line in message.read_text().splitlines()
        if line.startswith("To: mso")
    ]
    assert len(emailed) == len(set(emailed)) == len(msos)
