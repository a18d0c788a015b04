"""National patient safety alerts and each organisation's response.

An ``Alert`` is national: recorded (or imported) from CAS by the national patient safety team
or a site administrator, with the medicines it covers and its required actions, each with a
deadline; publishing it makes one
``AlertResponse`` for every open organisation of the kinds it applies to, and one
``AlertActionResponse`` in it for each required action. Responses are the organisations' own
(scoped by organisation: permissions.py says who sees and does what).

Built for 300 alerts to 20,000 organisations: a response keeps the earliest deadline of its
unfinished actions (``next_due_on``), so "overdue" is an indexed comparison, and ``AlertTally``
counts responses by alert, region, kind, state and that deadline, kept current by the services
that write responses, so the national view reads a few hundred rows, not two million. Only
services.py writes these rows; auditlog keeps who changed what (apps.py).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alerts.permissions import Perm
from core.actions import OwnedAction, OwnedActionQuerySet
from core.models import StoredFile, TimelineEvent
from organisations.choices import OrganisationKind, Region
from organisations.models import Organisation
from organisations.scoping import ScopedQuerySet

from . import choices
from .choices import ActionState, ResponseState

# The deadline of a response with nothing left to do by a date (finished, or no deadlines):
# a date rather than NULL, so that the tally's key is unique on every database.
NO_DEADLINE = datetime.date(9999, 12, 31)


class AlertQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)


class Alert(models.Model):
    reference = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    issuer = models.CharField(max_length=20, choices=choices.Issuer.choices)
    alert_type = models.CharField("type", max_length=20, choices=choices.AlertType.choices)
    issued_on = models.DateField()
    summary = models.TextField(max_length=10000)
    link = models.URLField("link to the alert", max_length=500, blank=True)
    applicable_kinds = models.JSONField("applies to", default=list)
    # Whether each organisation's response needs senior sign-off before it is complete: by the
    # alert's own terms (some recalls ask only that the stock is checked and returned).
    needs_sign_off = models.BooleanField("needs senior sign-off", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the publishing notices to the organisations' MSOs were all written (the fan-out).
    notified_at = models.DateTimeField(null=True, blank=True)
    # The entry of an alert feed it was drafted from (its Atom id or RSS guid), if it was
    # (alerts/feeds.py): the next read of the feed finds it there.
    feed_entry = models.CharField(max_length=500, blank=True, editable=False)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["-published_at"], name="alert_published")]
        constraints = [
            models.UniqueConstraint(
                fields=["feed_entry"], condition=~Q(feed_entry=""), name="alert_one_per_feed_entry"
            )
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("alerts:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_recall(self) -> bool:
        return self.alert_type in choices.RECALL_DEADLINE

    def applicable_kind_labels(self) -> list[str]:
        labels = dict(OrganisationKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.applicable_kinds]


class FeedRead(models.Model):
    """One reading of an alert feed (alerts/feeds.py): when, whether it could be read, and what
    it drafted; the import page shows the latest of each feed, so a feed that stops answering
    is seen."""

    url = models.URLField(max_length=500)
    read_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    drafted = models.PositiveIntegerField(default=0)
    known = models.PositiveIntegerField(default=0)
    # Entries passed over (no CAS reference, not an alert), and why; or why it failed.
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-read_at", "-pk"]
        indexes = [models.Index(fields=["url", "-read_at"], name="feed_read_latest")]

    def __str__(self):
        return f"{self.url} at {self.read_at:%Y-%m-%d %H:%M}"


class AlertMedicine(models.Model):
    """A medicine the alert covers: how incidents are matched to it ("is the alert working?")."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="medicines")
    name = models.CharField("medicine", max_length=200)
    dmd_code = models.CharField("dm+d code", max_length=18, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class AlertAction(models.Model):
    """A required action of an alert, with its deadline: the same for every organisation."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(max_length=3000)
    due_on = models.DateField("deadline")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.description[:80]


class AlertResponseQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(state__in=choices.OPEN_STATES)

    def overdue(self, on=None):
        """Open responses with an unfinished action past its deadline."""
        return self.open().filter(next_due_on__lt=on or timezone.localdate())

    def waiting_for_sign_off(self):
        """In progress, every action finished (done or not needed), not signed off yet, to an
        alert whose terms need senior sign-off, and not sent back (it waits again once the
        responders ask)."""
        unfinished = AlertActionResponse.objects.filter(
            response=models.OuterRef("pk"), state__in=AlertActionResponse.OPEN_STATES
        )
        return self.filter(
            state=ResponseState.IN_PROGRESS,
            signed_off_at__isnull=True,
            sent_back_at__isnull=True,
            alert__needs_sign_off=True,
        ).exclude(models.Exists(unfinished))

    def sent_back(self):
        """Open, sent back by whoever signs it off, not asked for sign-off again yet."""
        return self.filter(state=ResponseState.IN_PROGRESS, sent_back_at__isnull=False)


class AlertResponse(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="responses")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="alert_responses"
    )
    # Where the organisation was when the alert reached it: the national view counts by these.
    region = models.CharField(max_length=32, choices=Region.choices, blank=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    state = models.CharField(max_length=20, choices=ResponseState.choices, default="new")
    next_due_on = models.DateField("next deadline", default=NO_DEADLINE)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField("why it does not apply", max_length=3000, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sign_off_note = models.TextField(max_length=2000, blank=True)
    # Sent back by whoever signs it off, not assured, saying what is needed: until the
    # responders ask for sign-off again (the timeline keeps each time). The note has a default
    # in the database too, for the national seed's bulk insert.
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_back_note = models.TextField(max_length=2000, blank=True, default="", db_default="")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The response here is the organisation's own loop behind the Central Alerting System,
    # where it still answers: the day it closed the alert in CAS, as it recorded here.
    cas_closed_on = models.DateField("closed in CAS on", null=True, blank=True)
    cas_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AlertResponseQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.ALERTS_VIEW

    class Meta:
        ordering = ["alert", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "organisation"], name="one_response_each"),
            models.CheckConstraint(
                condition=~Q(state=ResponseState.NOT_APPLICABLE) | ~Q(rationale=""),
                name="not_applicable_has_a_rationale",
            ),
            # Senior sign-off is by someone other than whoever leads the response it signs.
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True)
                | Q(lead__isnull=True)
                | ~Q(signed_off_by=models.F("lead")),
                name="sign_off_not_by_the_lead",
            ),
        ]
        indexes = [
            # An organisation's inbox.
            models.Index(fields=["organisation", "state"], name="alert_response_inbox"),
            # Past deadline: an organisation's open alerts, and every organisation's.
            models.Index(
                fields=["organisation", "next_due_on"],
                condition=Q(state__in=choices.OPEN_STATES),
                name="alert_response_overdue",
            ),
            models.Index(
                fields=["next_due_on", "organisation"],
                condition=Q(state__in=choices.OPEN_STATES),
                name="alert_response_due",
            ),
            # One alert's responses, by state (the national drill-down, the reminders).
            models.Index(fields=["alert", "state"], name="alert_response_state"),
            # One alert's responses closed in CAS, as organisations recorded (the national view).
            models.Index(
                fields=["alert"],
                condition=Q(cas_closed_on__isnull=False),
                name="alert_response_cas_closed",
            ),
        ]

    def __str__(self):
        return f"{self.alert.reference}: {self.organisation_id}"

    def get_absolute_url(self):
        return reverse(
            "alerts:response",
            kwargs={"alert_id": self.alert_id, "ods_code": self.organisation.ods_code},
        )

    @property
    def is_open(self) -> bool:
        return self.state in choices.OPEN_STATES

    def is_overdue(self, on=None) -> bool:
        return self.is_open and self.next_due_on < (on or timezone.localdate())


class AlertActionResponseQuerySet(OwnedActionQuerySet, ScopedQuerySet):
    pass


class AlertActionResponse(OwnedAction):
    """What one organisation does about one required action: who, how far, the evidence
    (core.actions). Its due date is the action's deadline, the same for every organisation."""

    State = ActionState
    OPEN_STATES = (ActionState.TO_DO, ActionState.IN_PROGRESS)
    NOT_DONE_STATES = (ActionState.NOT_NEEDED,)
    why_not_done = "Say why the action is not needed here"
    due_path = "action__due_on"

    response = models.ForeignKey(
        AlertResponse, on_delete=models.CASCADE, related_name="action_responses"
    )
    action = models.ForeignKey(AlertAction, on_delete=models.PROTECT, related_name="+")
    due_on = None
    state = models.CharField(max_length=20, choices=ActionState.choices, default="to-do")
    evidence = models.TextField(max_length=5000, blank=True)

    objects = AlertActionResponseQuerySet.as_manager()
    scope_path = "response__organisation"
    view_permission = Perm.ALERTS_VIEW

    class Meta:
        ordering = ["action__position", "action_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "action"], name="one_answer_an_action"),
        ]
        indexes = [models.Index(fields=["owner", "state"], name="alert_action_owner")]

    def __str__(self):
        return f"{self.response_id}: {self.action_id}"

    def is_overdue(self, on=None) -> bool:
        return self.is_open and self.action.due_on < (on or timezone.localdate())


def evidence_path(instance, filename) -> str:
    """Stored under a random name, outside the static and public folders."""
    return f"alert-evidence/{uuid.uuid4().hex}"


class AlertEvidence(StoredFile):
    """A file that shows an action was done: checked by content and size, kept privately, sent
    only to those who see the organisation's response (never to network leads)."""

    action_response = models.ForeignKey(
        AlertActionResponse, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(upload_to=evidence_path)

    objects = ScopedQuerySet.as_manager()
    scope_path = "action_response__response__organisation"
    view_permission = Perm.ALERTS_VIEW


class AlertResponseEvent(TimelineEvent):
    """One step of an organisation's response: its timeline."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        APPLIES = "applies", "Decided it applies"
        NOT_APPLICABLE = "not-applicable", "Decided it does not apply"
        LEAD = "lead", "Lead named"
        ACTION = "action", "Action updated"
        EVIDENCE = "evidence", "Evidence added"
        SIGNED_OFF = "signed-off", "Signed off"
        SENT_BACK = "sent-back", "Sent back, not signed off"
        SIGN_OFF_ASKED = "sign-off-asked", "Sign-off asked for again"
        COMPLETED = "completed", "Declared complete"
        REOPENED = "reopened", "Reopened"
        CAS_CLOSED = "cas-closed", "Recorded as closed in CAS"
        INCIDENT = "incident", "Incident linked"

    response = models.ForeignKey(AlertResponse, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)


class AlertIncident(models.Model):
    """An incident of the organisation that the MSO links to the alert (it happened although
    the alert was out, or it shows why the alert matters)."""

    response = models.ForeignKey(
        AlertResponse, on_delete=models.CASCADE, related_name="linked_incidents"
    )
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "incident"], name="an_incident_once")
        ]

    def __str__(self):
        return f"{self.response_id}: {self.incident_id}"


class OrganisationDeadline(models.Model):
    """The earliest deadline of an organisation's open alert responses (``NO_DEADLINE`` when it
    has none): the organisations past a deadline are those whose earliest is before today, read
    from here rather than by grouping every open response in the country. Kept by services.py in
    each response's transaction (under a lock on this row) and when an alert is published;
    proved equal to a live minimum in the tests."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    next_due_on = models.DateField("earliest deadline")

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.ALERTS_COMPLIANCE

    class Meta:
        indexes = [models.Index(fields=["next_due_on"], name="alert_deadline_due")]

    def __str__(self):
        return f"{self.organisation_id}: {self.next_due_on}"


class AlertTally(models.Model):
    """How many of an alert's responses are in each region, kind, state and next deadline:
    the national view's figures, kept current by services.py and proved equal to a live count
    in the tests."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="tallies")
    region = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=32)
    state = models.CharField(max_length=20)
    next_due_on = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "region", "kind", "state", "next_due_on"], name="one_tally_a_key"
            )
        ]

    def __str__(self):
        return f"{self.alert_id} {self.region} {self.kind} {self.state}: {self.count}"
