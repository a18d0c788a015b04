"""The reminder engine: ask the providers what is due, write each reminder into the ledger once,
and email it once (or in the person's daily email).

- ``sweep(on)`` writes every due reminder (``Notification``, unique per recipient, subject,
  kind and due date) and hands each new one to a worker after the transaction commits. A sweep
  run twice, or two at once, writes nothing twice. ``notify(reminders)`` does the same for what
  a domain app tells someone at once, inside the transaction that made it so.
- ``deliver(pk)`` claims a queued notification under a row lock with a lease, emails it, and
  marks it sent. A claimed one is not sent by anyone else until its lease runs out.
- ``deliver_pending()`` hands on every notification still queued a while after it was written:
  a lost task, a Redis or mail outage, or a worker killed mid-send only delay it.
- ``send_digests()`` sends each person who asked for one a daily email of their held reminders.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification, Preference
from .registry import Reminder, due_reminders

logger = logging.getLogger(__name__)
State = Notification.State


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)


def sweep(on=None) -> int:
    """Write every reminder due on ``on`` (today) that is not in the ledger yet. Returns how
    many were written."""
    return notify(due_reminders(on or timezone.localdate()))


def notify(reminders: Iterable[Reminder]) -> int:
    """Write each reminder into the ledger unless it is there already, and email it (or hold it
    for the person's daily email) once the surrounding transaction commits: a domain app tells
    someone something now (a decision, a pairing) in the transaction that made it so. Returns
    how many were written."""
    reminders = list(reminders)
    daily = set(
        Preference.objects.filter(
            delivery=Preference.Delivery.DAILY,
            user_id__in={reminder.recipient_id for reminder in reminders},
        ).values_list("user_id", flat=True)
    )
    written = 0
    for reminder in reminders:
        state = State.HELD if reminder.recipient_id in daily else State.QUEUED
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                recipient_id=reminder.recipient_id,
                subject=reminder.subject,
                kind=reminder.kind,
                due_on=reminder.due_on,
                defaults={
                    "title": reminder.title[:200],
                    "body": reminder.body,
                    "url": reminder.url,
                    "state": state,
                },
            )
            if created and state == State.QUEUED:
                pk = notification.pk
                transaction.on_commit(lambda pk=pk: hand_to_worker(pk))
        written += created
    return written


def hand_to_worker(pk: int) -> None:
    """Queue the email of one notification. If the broker cannot take it, the notification
    stays queued in the ledger and ``deliver_pending`` hands it on later."""
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(pk)
    except Exception:
        logger.warning("Notification %s could not be queued now; it will be later", pk)


def _claim(queryset, now):
    """Lock and lease the rows of ``queryset`` that nobody is sending now."""
    with transaction.atomic():
        rows = list(
            queryset.select_for_update(skip_locked=True).filter(
                Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
            )
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                claimed_until=now + _lease()
            )
            for row in rows:
                row.attempts += 1
                Notification.objects.filter(pk=row.pk).update(attempts=row.attempts)
    return rows


def _email(recipient, subject: str, template: str, context: dict) -> None:
    context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=f"[MSO Portal] {subject}",
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    message.send()


def deliver(pk: int) -> bool:
    """Email one queued notification, once. Returns whether it was sent now."""
    claimed = _claim(
        Notification.objects.filter(pk=pk, state=State.QUEUED).select_related("recipient"),
        timezone.now(),
    )
    if not claimed:
        return False  # sent already, kept for the daily email, or being sent by another worker
    notification = claimed[0]
    try:
        _email(
            notification.recipient,
            notification.title,
            "reminder",
            {"notification": notification},
        )
    except Exception as error:
        Notification.objects.filter(pk=pk, state=State.QUEUED).update(
            claimed_until=None, last_error=str(error)[:500]
        )
        logger.exception("Notification %s could not be emailed; it will be tried again", pk)
        return False
    Notification.objects.filter(pk=pk).update(
        state=State.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def deliver_pending(*, inline: bool = False, older_than=timedelta(minutes=1)) -> int:
    """Hand on every notification still queued ``older_than`` after it was written and not
    being sent now; with ``inline``, send them here. Returns how many."""
    now = timezone.now()
    pending = list(
        Notification.objects.filter(state=State.QUEUED, created_at__lte=now - older_than)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)
    )
    for pk in pending:
        deliver(pk) if inline else hand_to_worker(pk)
    return len(pending)


def send_digests() -> int:
    """Send each person their held reminders in one email. Returns how many emails."""
    from django.contrib.auth import get_user_model

    sent = 0
    recipients = (
        Notification.objects.filter(state=State.HELD).values_list("recipient_id", flat=True)
    ).distinct()
    for recipient in get_user_model().objects.filter(pk__in=recipients):
        held = _claim(
            Notification.objects.filter(recipient=recipient, state=State.HELD), timezone.now()
        )
        if not held:
            continue
        try:
            _email(
                recipient,
                f"Your reminders: {len(held)} {'thing' if len(held) == 1 else 'things'} to do",
                "digest",
                {"notifications": held},
            )
        except Exception:
            Notification.objects.filter(pk__in=[n.pk for n in held]).update(claimed_until=None)
            logger.exception("The daily email to %s could not be sent", recipient.pk)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in held]).update(
            state=State.SENT, sent_at=timezone.now(), claimed_until=None
        )
        sent += 1
    return sent


def mark_read(*, user, notifications) -> int:
    return notifications.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user, delivery: str) -> Preference:
    preference, _ = Preference.objects.update_or_create(user=user, defaults={"delivery": delivery})
    return preference
