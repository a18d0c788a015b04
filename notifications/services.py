"""The reminder engine: ask the providers what is due, write each reminder into the ledger once,
and email it once (or in the person's daily email).

- ``sweep(on)`` writes every due reminder (``Notification``, unique per recipient, subject,
  kind and due date) and hands each new one to a worker after the transaction commits. A sweep
  run twice, or two at once, writes nothing twice. ``notify(reminders)`` does the same for what
  a domain app tells someone at once, inside the transaction that made it so.
- ``deliver(pk)`` claims a queued notification under a row lock with a lease, emails it, and
  marks it sent. A claimed one is not sent by anyone else until its lease runs out. The
  message is made before the claim and marked sent the moment the mail server has taken it;
  a worker killed between the two sends it again once the lease runs out, under the same
  Message-ID (``message_id``), so the mail server, and whoever reads its log, sees a resend.
- ``deliver_pending()`` hands on every notification still queued a while after it was written:
  a lost task, a Redis or mail outage, or a worker killed mid-send only delay it.
- ``send_digests()`` sends each person who asked for one a daily email of their held reminders,
  grouped as their list groups them (by topic and kind: notifications.topics).
- Someone who asked for no email has their reminders written "in MSO Portal only"
  (``State.PORTAL``): neither a worker, ``deliver_pending`` nor ``send_digests`` picks one up.
  A security notice (a topic marked so) is emailed at once whatever the person chose.
"""

import contextlib
import datetime
import hashlib
import itertools
import logging
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone

from core.tasks import after_commit, queue

from .models import Notification, Preference
from .registry import Reminder, due_reminders
from .topics import is_security, label, security_topics, topic_of

logger = logging.getLogger(__name__)
State = Notification.State


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)


def unclaimed(now) -> Q:
    """An outbox row nobody is sending now: never claimed, or its claim's lease ran out (the
    notifications here, the LFPSE submissions in incidents/lfpse/submission.py)."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def sweep(on=None) -> int:
    """Write every reminder due on ``on`` (today) that is not in the ledger yet. Returns how
    many were written."""
    return notify(due_reminders(on or timezone.localdate()))


# Reminders are written, and handed to workers, this many at a time: publishing an alert to
# 20,000 organisations writes its notices in a few dozen statements, not 20,000.
CHUNK = 500
HAND_ON = 100


def batched(iterable, size: int):
    """Lists of ``size`` items of ``iterable`` (the last shorter), read as they are needed."""
    items = iter(iterable)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _key(reminder_or_row) -> tuple:
    return (
        reminder_or_row.recipient_id,
        reminder_or_row.subject,
        reminder_or_row.kind,
        reminder_or_row.due_on,
    )


def notify(reminders: Iterable[Reminder]) -> int:
    """Write each reminder into the ledger unless it is there already, and email it (or hold it
    for the person's daily email) once the surrounding transaction commits: a domain app tells
    someone something now (a decision, a pairing) in the transaction that made it so. Written
    a chunk at a time, whatever how many. Returns how many were written."""
    written = 0
    for chunk in batched(reminders, CHUNK):
        written += _write(list(dict.fromkeys(chunk)))
    return written


def _write(chunk: list[Reminder]) -> int:
    recipients = {reminder.recipient_id for reminder in chunk}
    subjects = {reminder.subject for reminder in chunk}
    kept = Notification.objects.filter(recipient_id__in=recipients, subject__in=subjects)
    existing = set(kept.values_list("recipient_id", "subject", "kind", "due_on"))
    new = [reminder for reminder in chunk if _key(reminder) not in existing]
    if not new:
        return 0
    chosen = dict(
        Preference.objects.filter(user_id__in=recipients)
        .exclude(delivery=Preference.Delivery.EACH)
        .values_list("user_id", "delivery")
    )
    rows = [
        Notification(
            recipient_id=reminder.recipient_id,
            subject=reminder.subject,
            topic=topic_of(reminder.subject),
            kind=reminder.kind,
            due_on=reminder.due_on,
            title=reminder.title[:200],
            body=reminder.body,
            url=reminder.url,
            state=first_state(reminder, chosen.get(reminder.recipient_id)),
        )
        for reminder in new
    ]
    with transaction.atomic():
        # Another sweep may write the same rows at once: the ledger's key keeps one of each.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    written_to = {reminder.recipient_id for reminder in new}
    after_commit(lambda: forget_unread(written_to))
    wanted = {_key(row) for row in rows if row.state == State.QUEUED}
    if wanted:
        after_commit(lambda: _hand_on_written(recipients, subjects, wanted))
    return len(new)


# How a new notification waits, by what its recipient chose (no choice: an email each).
_WAITS = {Preference.Delivery.DAILY: State.HELD, Preference.Delivery.NONE: State.PORTAL}


def first_state(reminder: Reminder, delivery: str | None) -> str:
    """Queued to be emailed now, held for the daily email, or kept in MSO Portal only, as the
    person chose; a security notice is emailed now whatever they chose."""
    if is_security(topic_of(reminder.subject)):
        return State.QUEUED
    return _WAITS.get(delivery, State.QUEUED)


def _hand_on_written(recipients, subjects, wanted) -> None:
    """Hand the queued rows just written to workers, a batch a task. A row handed on twice
    (by a sweep running at the same moment) is still sent once: ``deliver`` claims it."""
    pks = [
        row.pk
        for row in Notification.objects.filter(
            recipient_id__in=recipients, subject__in=subjects, state=State.QUEUED
        ).only("pk", "recipient_id", "subject", "kind", "due_on")
        if _key(row) in wanted
    ]
    for batch in batched(pks, HAND_ON):
        hand_to_worker(*batch)


def hand_to_worker(*pks: int) -> None:
    """Queue the emails of some notifications. If the broker cannot take them, they stay queued
    in the ledger and ``deliver_pending`` hands them on later."""
    try:
        if len(pks) == 1:
            queue("notifications.tasks.deliver_notification", pks[0])
        else:
            queue("notifications.tasks.deliver_notifications", list(pks))
    except Exception:
        logger.warning("Notifications %s could not be queued now; they will be later", pks)


def _claim(queryset, now):
    """Lock and lease the rows of ``queryset`` that nobody is sending now. Only the
    notifications are locked (``of``): a lock on the recipient's row too (taken by a join)
    made a second worker, sending another notification to the same person at that moment,
    skip it as if it were being sent, and it waited for the next pending pass."""
    with transaction.atomic():
        rows = list(
            queryset.select_for_update(skip_locked=True, of=("self",)).filter(unclaimed(now))
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                claimed_until=now + _lease(), attempts=F("attempts") + 1
            )
            for row in rows:
                row.attempts += 1
    return rows


def message_id(template: str, notifications) -> str:
    """The Message-ID of the email ``template`` makes of these notifications (a reminder's
    own, or a daily email's), the same each time that email is sent: a resend after a worker
    died mid-send is the same message to the mail server (RFC 5322, 3.6.4), and can be told
    from a second email. Made from the rows and when they were written, never the attempt."""
    rows = sorted(notifications, key=lambda row: row.pk)
    keys = ",".join(f"{row.pk}.{row.created_at:%Y%m%d%H%M%S%f}" for row in rows)
    if len(rows) > 1:
        keys = f"{rows[0].recipient_id}.{hashlib.sha256(keys.encode()).hexdigest()[:20]}"
    domain = urlsplit(settings.SITE_URL).hostname or "mso-portal"
    return f"<{template}-{keys}@{domain}>"


def _email(recipient, subject: str, template: str, context: dict, *, notifications):
    """The email of some notifications to their recipient, made and not sent."""
    context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=f"[MSO Portal] {subject}",
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[recipient.email],
        headers={"Message-ID": message_id(template, notifications)},
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    return message


def _send(message, notifications) -> None:
    """Email ``message`` and mark ``notifications`` sent as soon as the mail server has taken
    it, before the goodbye to the server (QUIT waits for its reply). Raises if it was not sent."""
    if any(row.attempts > 1 for row in notifications):
        logger.info(
            "Sending %s again: a resend if an earlier try reached the mail server",
            message.extra_headers["Message-ID"],
        )
    connection = get_connection()
    try:
        connection.open()
        connection.send_messages([message])
        Notification.objects.filter(pk__in=[row.pk for row in notifications]).update(
            state=State.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
        )
    finally:
        with contextlib.suppress(Exception):  # sent is sent, whatever the goodbye
            connection.close()


def deliver(pk: int) -> bool:
    """Email one queued notification, once. Returns whether it was sent now."""
    waiting = (
        Notification.objects.filter(pk=pk, state=State.QUEUED)
        .filter(unclaimed(timezone.now()))
        .select_related("recipient")
        .first()
    )
    if waiting is None:
        return False  # sent already, kept for the daily email, or being sent by another worker
    message = _email(
        waiting.recipient,
        waiting.title,
        "reminder",
        {"notification": waiting, "security": is_security(waiting.topic)},
        notifications=[waiting],
    )
    claimed = _claim(Notification.objects.filter(pk=pk, state=State.QUEUED), timezone.now())
    if not claimed:
        return False  # another worker claimed it a moment ago
    try:
        _send(message, claimed)
    except Exception as error:
        Notification.objects.filter(pk=pk, state=State.QUEUED).update(
            claimed_until=None, last_error=str(error)[:500]
        )
        logger.exception("Notification %s could not be emailed; it will be tried again", pk)
        if isinstance(error, SoftTimeLimitExceeded):
            raise  # the task's time is up: the rest of its batch waits for the next pass
        return False
    return True


def deliver_pending(*, inline: bool = False, older_than=datetime.timedelta(minutes=1)) -> int:
    """Hand on every notification still queued ``older_than`` after it was written and not
    being sent now; with ``inline``, send them here. Returns how many."""
    now = timezone.now()
    pending = list(
        Notification.objects.filter(state=State.QUEUED, created_at__lte=now - older_than)
        .filter(unclaimed(now))
        .values_list("pk", flat=True)
    )
    if inline:
        for pk in pending:
            deliver(pk)
    else:
        for batch in batched(pending, HAND_ON):
            hand_to_worker(*batch)
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
            _send(
                _email(
                    recipient,
                    f"Your reminders: {len(held)} {'thing' if len(held) == 1 else 'things'} to do",
                    "digest",
                    {"groups": grouped(held)},
                    notifications=held,
                ),
                held,
            )
        except Exception as error:
            Notification.objects.filter(pk__in=[n.pk for n in held], state=State.HELD).update(
                claimed_until=None
            )
            logger.exception("The daily email to %s could not be sent", recipient.pk)
            if isinstance(error, SoftTimeLimitExceeded):
                raise  # the task's time is up: the rest have theirs from the next run (08:00)
            continue
        sent += 1
    return sent


def grouped(notifications) -> list[dict]:
    """Notifications (of one person) in groups of one topic and kind, as the daily email shows
    them: each ``{"label", "notifications"}``, the largest group first."""
    groups: dict[tuple, list] = {}
    for notification in notifications:
        groups.setdefault((notification.topic, notification.kind), []).append(notification)
    return [
        {"label": label(topic, kind, len(rows), rows[0].title), "notifications": rows}
        for (topic, kind), rows in sorted(groups.items(), key=lambda item: -len(item[1]))
    ]


# A person's notifications in groups of one topic, kind and day (the day each was written, in
# the service's time zone), as their list shows them: one GROUP BY over their own rows.
def groups_of(notifications):
    return (
        notifications.annotate(day=TruncDate("created_at"))
        .values("topic", "kind", "day")
        .annotate(
            count=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
            latest=Max("created_at"),
        )
        .order_by("-day", "-latest", "topic", "kind")
    )


def in_days(notifications, first, last):
    """The notifications written from the day ``first`` to the day ``last``, in the service's
    time zone (as ``groups_of`` gives their days)."""
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
    return notifications.filter(created_at__gte=start, created_at__lt=end)


def in_group(notifications, *, topic: str, kind: str, day):
    """The notifications of one group: a topic and kind, written on ``day``."""
    return in_days(notifications.filter(topic=topic, kind=kind), day, day)


def mark_read(*, user, notifications) -> int:
    read = notifications.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    after_commit(lambda: forget_unread([user.pk]))
    return read


# How many lines of a person's notifications are unread, for the header of every page: kept in the
# cache with when it was counted; the writes above mark when they changed a person's
# notifications, and a count made before that is counted again. At most this old otherwise.
UNREAD_SECONDS = 300


def _unread_keys(user_id: int) -> tuple[str, str]:
    return f"notifications:unread:{user_id}", f"notifications:unread-changed:{user_id}"


def unread_count(user) -> int:
    """How many of the lines of the person's notifications list are unread (a group of one
    topic, kind and day with one unread or more): from the cache (one read), counted again
    when it has not got it or the services above have written to them since it was."""
    counted_key, changed_key = _unread_keys(user.pk)
    kept = cache.get_many([counted_key, changed_key])
    counted, changed = kept.get(counted_key), kept.get(changed_key, 0.0)
    if counted is not None and counted[0] > changed:
        return counted[1]
    at = time.time()  # before counting: a write after this makes the count stale
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    count = groups_of(unread).count()
    cache.set(counted_key, (at, count), UNREAD_SECONDS)
    return count


def forget_unread(user_ids) -> None:
    """Mark these people's notifications changed now: a count made before is counted again."""
    now = time.time()
    cache.set_many({_unread_keys(pk)[1]: now for pk in user_ids}, 2 * UNREAD_SECONDS)


@transaction.atomic
def preference_set(*, user, delivery: str) -> Preference:
    """Keep how the person wants their reminders emailed. Choosing no email keeps those not
    yet sent in MSO Portal only (held for the daily email, or queued and not being sent now),
    security notices aside; choosing again later emails only what comes after."""
    preference, _ = Preference.objects.update_or_create(user=user, defaults={"delivery": delivery})
    if delivery == Preference.Delivery.NONE:
        Notification.objects.filter(recipient=user).filter(
            Q(state=State.HELD) | (Q(state=State.QUEUED) & unclaimed(timezone.now()))
        ).exclude(topic__in=security_topics()).update(state=State.PORTAL)
    return preference
