from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One reminder to one person: the ledger that makes it be sent once, the outbox it is sent
    from, and the entry in the person's notifications list.

    The unique key (recipient, subject, kind, due date) is what "once" means: a sweep that runs
    twice, or two sweeps at once, find the row already there. The row is written in the same
    transaction as it is queued; a worker claims it under a row lock with a lease before it
    sends, and marks it sent after. A row still queued after a failure or a lost task is picked
    up again by the next pass (notifications/services.py). A row for someone who wants no
    email is written "in MSO Portal only": nothing that sends picks it up.

    Its ``topic`` is the start of its subject (notifications.topics.topic_of), kept so that a
    person's notifications are grouped by topic, kind and day in the database."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be emailed"
        HELD = "held", "Waiting for the daily email"
        SENT = "sent", "Emailed"
        PORTAL = "portal", "In MSO Portal only: not emailed, as the person chose"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    topic = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=60)
    due_on = models.DateField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=500)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject", "kind", "due_on"], name="notification_once"
            ),
            models.CheckConstraint(
                condition=Q(state="sent") | Q(sent_at__isnull=True),
                name="notification_sent_when_sent",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["state", "created_at"]),
        ]

    def __str__(self):
        return f"{self.title} ({self.recipient})"


class Preference(models.Model):
    """How a person wants their reminders emailed."""

    class Delivery(models.TextChoices):
        EACH = "each", "An email for each reminder, when it is due"
        DAILY = "daily", "One email a day with all my reminders"
        NONE = "none", "No email: I read my reminders in MSO Portal"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.EACH)

    def __str__(self):
        return f"{self.user}: {self.get_delivery_display()}"
