"""The reminder engine: every due reminder written once, emailed once, whatever happens twice
or fails midway; daily emails for those who asked; working days in England."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import IntegrityError, transaction

from core.working_days import is_working_day, working_days_after
from notifications import registry, services, tasks
from notifications.models import Notification, Preference
from notifications.registry import Reminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def due(monkeypatch):
    """A provider whose reminders the test sets: ``due.append(Reminder(...))``."""
    reminders: list[Reminder] = []
    monkeypatch.setattr(registry, "PROVIDERS", [lambda on: list(reminders)])
    return reminders


def reminder(recipient, subject="handover-item:1", kind="due-in-7-days", due_on=MONDAY):
    return Reminder(
        subject=subject,
        kind=kind,
        due_on=due_on,
        recipient_id=recipient.pk,
        title="Pass on the generic MSO mailbox",
        body="Due on 30 November 2026 in the handover of Ashby General Hospitals NHS Trust.",
        url="/organisations/RZA/",
    )


def sweep(django_capture_on_commit_callbacks, on=MONDAY):
    with django_capture_on_commit_callbacks(execute=True):
        return services.sweep(on)


def test_a_due_reminder_is_written_and_emailed_once(due, django_capture_on_commit_callbacks):
    person = UserFactory()
    due.append(reminder(person))
    assert sweep(django_capture_on_commit_callbacks) == 1
    assert sweep(django_capture_on_commit_callbacks) == 0  # the beat fired twice
    assert call_command("send_reminders") is None
    [email] = mail.outbox
    assert email.to == [person.email]
    assert email.subject == "[MSO Portal] Pass on the generic MSO mailbox"
    assert "http://testserver/organisations/RZA/" in email.body
    assert email.alternatives[0][1] == "text/html"
    notification = Notification.objects.get()
    assert notification.state == Notification.State.SENT and notification.sent_at


def test_the_ledger_refuses_a_second_copy():
    person = UserFactory()
    fields = {"recipient": person, "subject": "s", "kind": "k", "due_on": MONDAY}
    Notification.objects.create(**fields, title="t", body="b", url="/")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(**fields, title="t", body="b", url="/")


def test_each_kind_of_reminder_about_a_thing_is_its_own(due, django_capture_on_commit_callbacks):
    person, director = UserFactory(), UserFactory()
    due += [reminder(person), reminder(person, kind="overdue"), reminder(director, kind="overdue")]
    assert sweep(django_capture_on_commit_callbacks) == 3
    assert len(mail.outbox) == 3


def test_a_mail_outage_only_delays(due, monkeypatch, django_capture_on_commit_callbacks):
    person = UserFactory()
    due.append(reminder(person))

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    sweep(django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    assert notification.state == Notification.State.QUEUED
    assert "mail server down" in notification.last_error
    monkeypatch.undo()
    assert services.deliver_pending(inline=True, older_than=datetime.timedelta(0)) == 1
    assert len(mail.outbox) == 1
    assert services.deliver_pending(inline=True, older_than=datetime.timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_an_email_is_named_by_its_notification_however_often_it_is_tried(
    due, monkeypatch, django_capture_on_commit_callbacks
):
    """The Message-ID is made from the notification, not the attempt: a mail server (or its
    log) sees a resend after a worker died mid-send as the same message."""
    person = UserFactory()
    due += [reminder(person), reminder(person, subject="handover-item:2")]

    def down(self, messages):
        tried.extend(message.message()["Message-ID"] for message in messages)
        raise ConnectionRefusedError("mail server down")

    tried = []
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    sweep(django_capture_on_commit_callbacks)
    monkeypatch.undo()
    services.deliver_pending(inline=True, older_than=datetime.timedelta(0))
    first, second = Notification.objects.order_by("pk")
    sent = [email.message()["Message-ID"] for email in mail.outbox]
    assert sorted(tried) == sorted(sent)  # tried twice, the same two Message-IDs
    assert sorted(sent) == sorted(
        [
            f"<reminder-{first.pk}.{first.created_at:%Y%m%d%H%M%S%f}@testserver>",
            f"<reminder-{second.pk}.{second.created_at:%Y%m%d%H%M%S%f}@testserver>",
        ]
    )
    assert first.attempts == second.attempts == 2


class GoodbyeChecked(locmem.EmailBackend):
    """A mail server that notes, as it is said goodbye to, whether its notifications were
    already recorded as sent. As Django's SMTP backend does, sending on a connection not
    opened first opens it and says goodbye after."""

    opened = False

    def open(self):
        if self.opened:
            return False
        self.opened = True
        return True

    def close(self):
        said.append(set(Notification.objects.values_list("state", flat=True)))
        self.opened = False

    def send_messages(self, messages):
        opened_here = self.open()
        try:
            return super().send_messages(messages)
        finally:
            if opened_here:
                self.close()


said: list[set] = []


def test_a_notification_is_recorded_as_sent_before_the_goodbye_to_the_mail_server(
    due, settings, django_capture_on_commit_callbacks
):
    """The window in which a worker killed would leave an email sent and not recorded so is
    the mail server's answer to the message itself, not the goodbye after it."""
    settings.EMAIL_BACKEND = f"{__name__}.GoodbyeChecked"
    said.clear()
    due.append(reminder(UserFactory()))
    sweep(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert said == [{Notification.State.SENT}]


def test_a_broker_outage_only_delays(due, monkeypatch, django_capture_on_commit_callbacks):
    person = UserFactory()
    due.append(reminder(person))

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("notifications.tasks.deliver_notification.delay", broker_down)
    sweep(django_capture_on_commit_callbacks)  # the reminder is written; handing on fails
    assert Notification.objects.get().state == Notification.State.QUEUED
    assert not mail.outbox
    monkeypatch.undo()
    services.deliver_pending(inline=True, older_than=datetime.timedelta(0))
    assert len(mail.outbox) == 1


def test_a_notification_being_sent_is_not_sent_by_another(due, django_capture_on_commit_callbacks):
    person = UserFactory()
    due.append(reminder(person))
    with django_capture_on_commit_callbacks(execute=False):
        services.sweep(MONDAY)
    notification = Notification.objects.get()
    claimed = services._claim(Notification.objects.filter(pk=notification.pk), _now())
    assert claimed  # one worker has it (and then dies without finishing)
    assert services.deliver(notification.pk) is False  # a second worker leaves it alone
    assert not mail.outbox
    with time_machine.travel(_now() + datetime.timedelta(minutes=6)):  # the lease ran out
        assert services.deliver(notification.pk) is True
    assert len(mail.outbox) == 1
    assert services.deliver(notification.pk) is False


def _now():
    from django.utils import timezone

    return timezone.now()


def test_a_daily_email_gathers_the_days_reminders(due, django_capture_on_commit_callbacks):
    person = UserFactory()
    Preference.objects.create(user=person, delivery=Preference.Delivery.DAILY)
    due += [reminder(person), reminder(person, subject="handover-item:2")]
    sweep(django_capture_on_commit_callbacks)
    assert not mail.outbox
    assert services.send_digests() == 1
    [email] = mail.outbox
    assert "2 things to do" in email.subject
    assert email.body.count("Pass on the generic MSO mailbox") == 2
    assert services.send_digests() == 0
    assert len(mail.outbox) == 1


def test_a_daily_email_sent_again_is_named_as_before(
    due, monkeypatch, django_capture_on_commit_callbacks
):
    person = UserFactory()
    Preference.objects.create(user=person, delivery=Preference.Delivery.DAILY)
    due += [reminder(person), reminder(person, subject="handover-item:2")]
    sweep(django_capture_on_commit_callbacks)

    def down(self, messages):
        tried.extend(message.message()["Message-ID"] for message in messages)
        raise ConnectionRefusedError("mail server down")

    tried = []
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    assert services.send_digests() == 0
    monkeypatch.undo()
    assert services.send_digests() == 1
    [email] = mail.outbox
    assert tried == [email.message()["Message-ID"]]
    assert email.message()["Message-ID"].startswith(f"<digest-{person.pk}.")


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (datetime.date(2026, 11, 20), 5, datetime.date(2026, 11, 27)),  # Friday: over a weekend
        (datetime.date(2026, 12, 23), 3, datetime.date(2026, 12, 30)),  # Christmas, Boxing Day
        (datetime.date(2026, 4, 2), 1, datetime.date(2026, 4, 7)),  # Good Friday, Easter Monday
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(start, days, expected):
    assert working_days_after(start, days) == expected
    assert not is_working_day(datetime.date(2026, 12, 28))  # Boxing Day (substitute)


def test_a_batch_whose_time_is_up_stops_and_leaves_the_rest_queued(db, monkeypatch):
    """A task's soft time limit met while it sends: the notification being sent is released for
    the next pass and the batch stops there, rather than sending on until the hard limit."""
    from celery.exceptions import SoftTimeLimitExceeded

    from tests.celery_worker import queued

    first, second = queued(UserFactory()), queued(UserFactory())

    def time_is_up(message, claimed):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_send", time_is_up)
    with pytest.raises(SoftTimeLimitExceeded):
        tasks.deliver_notifications([first.pk, second.pk])
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.state == Notification.State.QUEUED
        assert notification.claimed_until is None
    assert second.attempts == 0  # never tried


def test_daily_emails_whose_time_is_up_stop_and_leave_the_rest_held(db, monkeypatch):
    """The daily emails' task meets its soft time limit: it stops there, and whoever it had not
    reached keeps their reminders held for the next run (08:00), none lost."""
    from celery.exceptions import SoftTimeLimitExceeded

    from tests.celery_worker import queued

    held = [queued(UserFactory()) for _ in range(2)]
    Notification.objects.filter(pk__in=[n.pk for n in held]).update(state=Notification.State.HELD)

    def time_is_up(message, claimed):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_send", time_is_up)
    with pytest.raises(SoftTimeLimitExceeded):
        tasks.send_daily_digests()
    assert (
        list(Notification.objects.values_list("state", "claimed_until"))
        == [(Notification.State.HELD, None)] * 2
    )
    assert "daily-emails-again" in settings.CELERY_BEAT_SCHEDULE


def test_every_task_route_names_its_queue_and_limits_are_annotations():
    """A route is where a task waits; how long it may run is an annotation."""
    assert all(set(route) == {"queue"} for route in settings.CELERY_TASK_ROUTES.values())
    limits = settings.CELERY_TASK_ANNOTATIONS["notifications.tasks.send_daily_digests"]
    assert limits["time_limit"] > settings.CELERY_TASK_TIME_LIMIT
    assert limits["time_limit"] < settings.CELERY_VISIBILITY_TIMEOUT
