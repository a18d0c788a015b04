"""Two workers sending two notifications of one person at the same moment, on PostgreSQL where
each claims in its own transaction: both are sent now. A claim once locked the person's row
too, and the second worker, finding it locked, left its notification for the next pending pass
(up to five minutes later, or 170 reminders in one fault run)."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from notifications import services
from notifications.models import Notification
from tests.celery_worker import queued
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


def test_two_notifications_of_one_person_are_claimed_at_once():
    person = UserFactory()
    first, second = queued(person, title="First"), queued(person, title="Second")
    claimed, finish = threading.Event(), threading.Event()
    results = {}

    def worker():
        # The first worker's claim, and the locks it takes, held open while the second claims.
        try:
            with transaction.atomic():
                results["first"] = services.deliver(first.pk)
                claimed.set()
                finish.wait(timeout=30)
        finally:
            claimed.set()
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert claimed.wait(timeout=30)
        results["second"] = services.deliver(second.pk)
    finally:
        finish.set()
        thread.join(timeout=30)
    assert results == {"first": True, "second": True}
    assert sorted(email.subject for email in mail.outbox) == [
        "[MSO Portal] First",
        "[MSO Portal] Second",
    ]
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
