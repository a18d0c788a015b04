"""Redis stopped under load (issue 28, finding 2): every report sent while it is down is saved
and answered as saved, the anonymous receipt is shown, signed-in pages keep working on the
database's cache, and every notice is emailed once when Redis is back.

Against a Redis server of the test's own (tests/faults/own_redis.py), as the cache and the Celery
broker, stopped after the 10th of 50 sends and started again after the 40th."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from incidents.models import Draft, Incident, hash_receipt
from mso_portal.celery import app
from notifications import services as notifications
from notifications.models import Notification
from organisations.choices import Post
from tests.factories import post_holder
from tests.incidents.test_reporting import STEP_1

pytestmark = pytest.mark.django_db(transaction=True)

SENDS = 50


@pytest.fixture
def redis_as_cache_and_broker(own_redis, settings):
    settings.AFTER_COMMIT_RAISES = False  # as in production: the request answers as saved
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 2},
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",
        },
    }
    before = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, own_redis.url
    _connections_anew()
    try:
        yield own_redis
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
        _connections_anew()


def _connections_anew():
    """Celery keeps its connection pools once made: made again for the broker now set (kombu
    keeps one per broker, so the suite's own is found again afterwards, still open)."""
    app._pool = None
    app.amqp._producer_pool = None


def report_one(client, n: int):
    """One report through both steps: named, or every third anonymous."""
    anonymous = n % 3 == 0
    step1 = client.post(
        reverse("incidents:report"),
        {**STEP_1, "what_happened": f"Report {n}: two doses signed for.", "action": "continue"},
    )
    assert step1.status_code == 302, step1.status_code
    draft = Draft.objects.filter(data__step1__what_happened=[f"Report {n}: two doses signed for."])
    sent = client.post(
        reverse("incidents:report_send", args=[draft.get().pk]),
        {"anonymous": "yes" if anonymous else "no", "action": "send"},
    )
    return anonymous, sent


def test_reports_sent_while_redis_is_down_are_saved_answered_and_told_once(
    redis_as_cache_and_broker, client_for, staff, mso, trust
):
    redis = redis_as_cache_and_broker
    post_holder(trust, Post.CDAO)  # told at once of each named report of morphine, a CD
    reporter, msos_page = client_for(staff), client_for(mso)
    answers = []
    for n in range(SENDS):
        if n == 10:
            redis.stop()
        if n == 40:
            redis.start()
        anonymous, answer = report_one(reporter, n)
        answers.append((n, anonymous, answer))
        if 10 <= n < 40 and n % 10 == 5:  # signed-in pages while it is down
            assert msos_page.get(reverse("home")).status_code == 200
            assert msos_page.get(reverse("notifications:list")).status_code == 200

    assert [n for n, _, answer in answers if answer.status_code != 200] == []
    # Each anonymous reporter was shown the receipt code of their own report.
    receipts = [
        re.search(r"Your receipt code<br><strong>([0-9A-F-]+)</strong>", answer.text)
        for _, anonymous, answer in answers
        if anonymous
    ]
    assert all(receipts)
    assert {hash_receipt(found.group(1)) for found in receipts} == set(
        Incident.objects.filter(anonymous=True).values_list("receipt_hash", flat=True)
    )
    assert len(receipts) == SENDS // 3 + 1
    assert Incident.objects.count() == SENDS
    assert Draft.objects.count() == 0

    # Redis is back: whatever was not handed on while it was down is sent from the ledger,
    # each once, however often the outbox is swept.
    written = Notification.objects.count()
    assert written == SENDS - len(receipts)  # the anonymous ones are told in the next sweep
    for _ in range(3):
        notifications.deliver_pending(inline=True, older_than=datetime.timedelta(0))
    queued = Notification.objects.exclude(state=Notification.State.QUEUED)
    assert queued.count() == written
    emailed = Notification.objects.filter(state=Notification.State.SENT).count()
    assert len(mail.outbox) == emailed
    assert Notification.objects.count() == written
