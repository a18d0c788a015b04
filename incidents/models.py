"""Medication incidents: reported by any member of staff, reviewed by the organisation's
medication safety team and MSO, learned from and acted on; aligned with the LFPSE taxonomy
(choices.py) so that each one exports as an LFPSE AdverseEvent.

Built for a national deployment: every list filter has an index that starts with the
organisation, references are numbered per organisation and year from a counter row (never a
COUNT), and nothing derived from other rows is computed on a list page. Only services.py
writes these rows; auditlog keeps who changed what, before and after (apps.py).
"""

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone

from core.actions import OwnedAction, OwnedActionQuerySet
from core.models import StoredFile, TimelineEvent
from incidents.permissions import Perm
from organisations.models import Organisation
from organisations.scoping import ScopedQuerySet

from . import choices


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in-review", "In review"
    AWAITING_ACTIONS = "awaiting-actions", "Awaiting actions"
    CLOSED = "closed", "Closed"
    DUPLICATE = "duplicate", "Rejected as a duplicate"


OPEN_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_ACTIONS)


class ExportState(models.TextChoices):
    """Where an incident is with LFPSE (incidents/lfpse/submission.py)."""

    NOT_SENT = "not-sent", "Not sent"
    WAITING = "waiting", "Waiting to be sent"
    SENT = "sent", "Sent, no answer yet"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class Theme(models.Model):
    """A theme an organisation's team tags its incidents with ("insulin", "discharge")."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), "organisation", name="theme_unique_per_organisation"
            )
        ]

    def __str__(self):
        return self.name


def new_tiebreak() -> int:
    """An incident's place among those a list shows alike (the same day, the same harm): a
    random number, never the order incidents were reported in."""
    return secrets.randbits(63)


def unordered_id() -> int:
    """An id below zero, picked at random, for the rows an anonymous report writes: ids from
    the table's sequence count up from 1 and never reach it, so the row's id says nothing of
    when it was written beside the named reports'. Two picks alike are as likely as two
    guesses of a 63-bit number."""
    return -1 - secrets.randbits(63)


class IncidentQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_list(self):
        """What a list of incidents shows (and sorts by), and nothing more: its medicines read
        from the names kept on the incident's own row (``listed_medicines``), and what happened
        cut to a line (``summary``: the database sends no more of it)."""
        return (
            self.select_related("organisation")
            .annotate(summary=Left("what_happened", SUMMARY_LENGTH + 1))
            .only(
                "organisation__name",
                "reference",
                "occurred_on",
                "reported_at",
                "physical_harm",
                "status",
                "high_risk",
                "controlled_drug",
                "medicine_names",
                "tiebreak",
            )
        )


SUMMARY_LENGTH = 140  # what a list shows of what happened


class Incident(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=40, unique=True)
    # Nobody, when reported anonymously: nothing about the reporter is kept.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_incidents",
    )
    anonymous = models.BooleanField(default=False)
    # A hash of the receipt code an anonymous reporter is given to follow their report.
    receipt_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Anonymous reports keep the day only, so the time cannot be matched to anyone's session.
    reported_at = models.DateTimeField(default=timezone.now)
    # Orders incidents a list shows alike (after the fields it shows): random, so that no list
    # places an anonymous report by when it was sent among named ones, whose times are kept.
    tiebreak = models.BigIntegerField(default=new_tiebreak, editable=False)

    # Step 1: when, where, what.
    occurred_on = models.DateField("date of the incident")
    occurred_time = models.TimeField("time of the incident", null=True, blank=True)
    time_bracket = models.CharField(
        "time or shift", max_length=2, choices=choices.TIME_BRACKETS.choices, blank=True
    )
    location = models.CharField(max_length=3, choices=choices.LOCATIONS.choices)
    service_area = models.CharField("ward, department or service", max_length=200, blank=True)
    what_happened = models.TextField(max_length=5000)
    immediate_actions = models.TextField("actions taken straight away", max_length=3000)
    reached_patient = models.CharField(
        "did the medicine reach the patient?", max_length=1, choices=choices.YES_NO_UNKNOWN.choices
    )
    physical_harm = models.CharField(max_length=1, choices=choices.PHYSICAL_HARM.choices)
    psychological_harm = models.CharField(max_length=1, choices=choices.PSYCHOLOGICAL_HARM.choices)
    age_bracket = models.CharField(
        "patient's age", max_length=2, choices=choices.AGE_BRACKETS.choices
    )
    gender = models.CharField("patient's gender", max_length=1, choices=choices.GENDERS.choices)

    # Step 2: the medication problem (LFPSE), optional for the reporter.
    service_type = models.CharField(max_length=2, choices=choices.SERVICE_TYPES.choices, blank=True)
    process = models.CharField(
        "what was happening", max_length=2, choices=choices.HEALTHCARE_PROCESSES.choices, blank=True
    )
    drugs_involved = models.JSONField(default=list, blank=True)
    too_much = models.JSONField(default=list, blank=True)
    too_little = models.JSONField(default=list, blank=True)
    administered_incorrectly = models.JSONField(default=list, blank=True)
    packaging_problem = models.JSONField(default=list, blank=True)
    processes = models.JSONField(default=list, blank=True)
    yellow_card = models.JSONField(default=list, blank=True)
    detection_point = models.CharField(
        max_length=2, choices=choices.DETECTION_POINTS.choices, blank=True
    )
    identified_through = models.CharField(
        "how it was identified",
        max_length=20,
        choices=choices.IdentifiedThrough.choices,
        blank=True,
    )
    ncc_merp = models.CharField(
        "NCC MERP category", max_length=1, choices=choices.NccMerp.choices, blank=True
    )
    nrls_harm = models.CharField(
        "NRLS degree of harm", max_length=20, choices=choices.NrlsHarm.choices, blank=True
    )
    # Governance.
    duty_of_candour = models.CharField(
        max_length=1, choices=choices.YES_NO_UNKNOWN.choices, blank=True
    )
    # None: the question was not answered (the page says so; it is never read as "No").
    never_event = models.BooleanField(null=True, blank=True, default=None)
    never_event_type = models.CharField(
        max_length=2, choices=choices.NEVER_EVENT_TYPES.choices, blank=True
    )
    cqc_notification = models.BooleanField(
        "CQC to be notified", null=True, blank=True, default=None
    )
    cqc_criteria = models.JSONField(default=list, blank=True)

    # From the medicines, set by the service that records them: the flags, and their names
    # (what the list's medicine filter reads, on the incident's own row).
    high_risk = models.BooleanField(default=False)
    controlled_drug = models.BooleanField(default=False)
    medicine_names = models.TextField(blank=True, editable=False)

    # Review and learning.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    review_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    learning_response = models.CharField(
        max_length=12, choices=choices.LearningResponse.choices, blank=True
    )
    learning_summary = models.TextField(max_length=5000, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="incidents")
    related = models.ManyToManyField("self", blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    feedback = models.TextField("feedback to the reporter", max_length=3000, blank=True)
    # Where it arose, when another organisation than the one that received the report (a
    # discharge, a dispensing from a hospital letter): shared with that organisation's MSO.
    arose_in = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation where it arose",
    )

    # Submitted to LFPSE (incidents/lfpse/submission.py): where it is, LFPSE's reference
    # number and record id once it is accepted, and when LFPSE last answered.
    lfpse_state = models.CharField(
        "LFPSE", max_length=16, choices=ExportState.choices, default=ExportState.NOT_SENT
    )
    lfpse_reference = models.CharField("LFPSE reference", max_length=60, blank=True)
    lfpse_id = models.CharField("LFPSE record id", max_length=64, blank=True)
    lfpse_exported_at = models.DateTimeField(null=True, blank=True)

    objects = IncidentQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.INCIDENTS_VIEW

    class Meta:
        ordering = ["-occurred_on", "-tiebreak"]
        indexes = [
            # The medicines advice team's part on the dashboard: its incidents of a year.
            models.Index(
                fields=["organisation", "occurred_on"],
                condition=Q(identified_through="medicines-advice"),
                name="incident_medicines_advice",
            ),
            # The list: an organisation's incidents, newest first, and its filters.
            models.Index(
                fields=["organisation", "-occurred_on", "-tiebreak"], name="incident_list"
            ),
            # Newest first across many organisations (an ICB's area, a trust with those it
            # took over): read in order until the page is full.
            models.Index(fields=["-occurred_on", "-tiebreak"], name="incident_newest"),
            models.Index(fields=["organisation", "status", "-occurred_on"], name="incident_status"),
            # The list filtered by where incidents are with LFPSE (the refused, the waiting).
            models.Index(
                fields=["organisation", "lfpse_state", "-occurred_on"], name="incident_lfpse"
            ),
            models.Index(
                fields=["organisation", "physical_harm", "-occurred_on"], name="incident_harm"
            ),
            models.Index(
                fields=["organisation", "-occurred_on"],
                condition=Q(controlled_drug=True),
                name="incident_controlled_drug",
            ),
            # A quarter's controlled-drug occurrences across a region (controlled_drugs): the
            # count and the count by organisation read from the index alone.
            models.Index(
                fields=["occurred_on", "organisation"],
                condition=Q(controlled_drug=True) & ~Q(status="duplicate"),
                name="incident_cd_occurrences",
            ),
            models.Index(
                fields=["organisation", "-occurred_on"],
                condition=Q(high_risk=True),
                name="incident_high_risk",
            ),
            models.Index(
                fields=["organisation", "location", "-occurred_on"], name="incident_location"
            ),
            models.Index(fields=["reporter", "-reported_at"], name="incident_reporter"),
            # The daily sweep for the CDAO's notices of anonymous reports.
            models.Index(
                fields=["reported_at"],
                condition=Q(anonymous=True, controlled_drug=True),
                name="incident_anonymous_cd",
            ),
            # The daily sweep for reviews not started.
            models.Index(
                fields=["reported_at"],
                condition=Q(status="submitted"),
                name="incident_awaiting_review",
            ),
            # An assurance report's learning responses: those closed in its period.
            models.Index(
                fields=["organisation", "closed_at"],
                condition=Q(status="closed"),
                name="incident_closed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter__isnull=True),
                name="incident_anonymous_has_no_reporter",
            ),
            models.CheckConstraint(
                condition=~Q(time_bracket="") | Q(occurred_time__isnull=False),
                name="incident_has_a_time_or_a_bracket",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("incidents:detail", kwargs={"reference": self.reference})

    def get_shared_url(self):
        """The page the two organisations share: what happened, and their thread."""
        return reverse("incidents:shared", kwargs={"reference": self.reference})

    @property
    def listed_medicines(self) -> str:
        """The medicines' names, in the order recorded, from the names kept on the row."""
        return self.medicine_names.replace(" | ", ", ")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def harm_with_equivalents(self) -> str:
        return choices.harm_with_equivalents(self.physical_harm)

    @property
    def moderate_or_worse(self) -> bool:
        return self.physical_harm in choices.MODERATE_OR_WORSE

    def when(self) -> str:
        time = self.occurred_time.strftime("%H:%M") if self.occurred_time else ""
        bracket = choices.TIME_BRACKETS.label(self.time_bracket) if self.time_bracket else ""
        return ", ".join(part for part in (time, bracket) if part)

    @staticmethod
    def new_receipt() -> tuple[str, str]:
        """A receipt code for an anonymous reporter, and the hash that is kept."""
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        return code, hash_receipt(code)


def hash_receipt(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code.strip().upper()}".encode()).hexdigest()


class ReferenceCounter(models.Model):
    """The last reference number given in an organisation in a year: read under a row lock,
    so two reports at once never share a number. Anonymous reports are numbered in a series
    of their own (RZA-2026-A00012): a number between two named reports, whose times are kept,
    would tell when an anonymous one was sent."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    anonymous = models.BooleanField(default=False)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "anonymous"], name="one_counter_a_year_a_series"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.year}: {self.last}"


class IncidentMedicine(models.Model):
    """A medicine involved in an incident. Flags are set from the medicine when it is recorded
    (medicines.py): what the reporter and reviewer saw is what is kept."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="medicines")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("medicine", max_length=200)
    dmd_code = models.CharField("dm+d code", max_length=20, blank=True)
    route = models.CharField(max_length=16, choices=choices.Route.choices, blank=True)
    dose = models.CharField(max_length=100, blank=True)
    high_risk_group = models.CharField("high-risk medicine group", max_length=60, blank=True)
    cd_schedule = models.CharField(
        "controlled drug schedule", max_length=1, choices=choices.CdSchedule.choices, blank=True
    )
    # The dm+d substance it is counted under nationally (medicines.lookup.Coded.substance): "" for
    # a medicine not coded.
    substance = models.CharField("dm+d substance", max_length=20, blank=True)
    # And the product (VMP) it is or is a brand of: "" for a substance alone, or not coded.
    product = models.CharField("dm+d product", max_length=20, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [
            models.Index(fields=["name"], name="incident_medicine_name"),
            # The incidents of an alert's medicines, by dm+d code (alerts.effect).
            models.Index(fields=["dmd_code"], name="incident_medicine_code"),
        ]

    def __str__(self):
        return self.name

    def get_additional_data(self):
        """Kept with each audit entry (django-auditlog), so that the incident's history finds
        its medicines' changes, those of medicines since removed included."""
        return {"incident": self.incident_id}


class IncidentEvent(TimelineEvent):
    """One step of an incident's workflow: who moved it, when, and why."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Reported"
        REVIEW_STARTED = "review-started", "Review started"
        AWAITING_ACTIONS = "awaiting-actions", "Waiting for actions"
        BACK_IN_REVIEW = "back-in-review", "Back in review"
        CLOSED = "closed", "Closed, with feedback to the reporter"
        DUPLICATE = "duplicate", "Rejected as a duplicate"
        REOPENED = "reopened", "Reopened"
        CORRECTED = "corrected", "Details corrected"
        EXPORTED = "exported", "Exported to LFPSE"
        LFPSE_READY = "lfpse-ready", "Marked ready for LFPSE"
        LFPSE_ACCEPTED = "lfpse-accepted", "Accepted by LFPSE"
        LFPSE_REFUSED = "lfpse-refused", "Refused by LFPSE"
        SHARED = "shared", "Shared with the organisation where it arose"
        UNSHARED = "unshared", "No longer shared with another organisation"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)


class IncidentAction(OwnedAction):
    """An action of the incident's review (core.actions: owner, due date, state, evidence)."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATES = (State.OPEN,)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedActionQuerySet.as_manager()

    class Meta(OwnedAction.Meta):
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(state="open"), name="incident_action_open_due"
            )
        ]

    def __str__(self):
        return self.description[:60]


class IncidentComment(models.Model):
    """The review thread: for the team that reviews the incident, not the reporter."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment on {self.incident_id}"


class SharedNote(models.Model):
    """The thread between the organisation that received an incident and the one where it
    arose: a comment, a learning or an action of either side. Both sides read all of it; it
    never names the reporter."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "A comment"
        LEARNING = "learning", "Our learning"
        ACTION = "action", "Our action"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shared_notes")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="side"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(max_length=3000)
    due_on = models.DateField("due", null=True, blank=True)  # an action's
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.incident_id}"


def attachment_path(instance, filename) -> str:
    """Stored under a random name, outside the static and public folders."""
    return f"incident-attachments/{uuid.uuid4().hex}"


class IncidentAttachment(StoredFile):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)


# The hidden counts of a formset's rows, posted with every step, that nobody types.
FORMSET_COUNTS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
DRAFTS_EMPTY_KEPT_DAYS = 30  # an empty draft is removed after this long untouched


class Draft(models.Model):
    """A report in progress, kept for the person writing it until they send it: not an
    incident, not audited, and removed when the report is sent (so an anonymous report leaves
    nothing of its reporter behind)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Draft {self.pk}"

    @property
    def is_empty(self) -> bool:
        """Nothing typed yet: every answer blank (the medicines' row counts are not answers)."""
        return not any(
            value.strip()
            for step in self.data.values()
            for name, values in step.items()
            if not name.endswith(FORMSET_COUNTS)
            for value in values
        )

    @property
    def summary(self) -> str:
        typed = (self.data.get("step1", {}).get("what_happened") or [""])[0]
        text = " ".join(str(typed).split())
        if not text:
            return "No description yet"
        return text[:80] + ("…" if len(text) > 80 else "")


class SentDraft(models.Model):
    """What is left of a draft once it is sent, so that sending it again (a second press, a
    reload, another tab) is answered "sent already" and sends nothing twice.

    A named report's is kept under a keyed hash of the person and the draft (``key_for``) and
    leads to the incident. An anonymous one's is kept under a hash of the token of the page that
    sent it (``incidents.receipt_again.sent_key``), which the service never keeps, and leads to
    nothing: nothing kept, with the service's secret or without, names its reporter (ADR 18).
    Neither holds any time."""

    key = models.CharField(max_length=64, primary_key=True)
    incident = models.ForeignKey("Incident", null=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return "A sent draft"

    @staticmethod
    def key_for(user_id: int, draft_pk: int) -> str:
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "incidents.SentDraft", f"{user_id}:{draft_pk}", algorithm="sha256"
        ).hexdigest()


class HospitalNumber(models.Model):
    """The shape of an organisation's hospital (local patient) numbers, given by an example
    ("RX1234567": its letters as they are, any digit for each digit). Text of that shape is
    refused in the organisation's reports and their review, as an NHS number is
    (core.identifiers, incidents.privacy)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="hospital_numbers"
    )
    example = models.CharField(max_length=15)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["example"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "example"], name="one_hospital_number_shape_each"
            )
        ]

    def __str__(self):
        return self.example


class HighRiskMedicine(models.Model):
    """A dm+d medicine that marks a reported medicine high-risk: a VTM (every product of the
    substance) or a VMP (that product and its brands). Those with no organisation are the
    national list, keyed to the dm+d loaded (medicines.refresh_national); an organisation adds
    its own and switches national ones off for itself (``excluded``). An organisation's medicine
    that the dm+d did not know when the list moved to codes keeps its name and no code: it flags
    nothing until it is added again from the dm+d."""

    class Level(models.TextChoices):
        VTM = "VTM", "Substance (VTM)"
        VMP = "VMP", "Product (VMP)"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dmd_code = models.CharField("dm+d code", max_length=20, blank=True)
    level = models.CharField(max_length=3, choices=Level.choices, blank=True)
    name = models.CharField("dm+d name", max_length=255)
    group = models.CharField(max_length=60)
    excluded = models.BooleanField(default=False)

    class Meta:
        ordering = ["group", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                "dmd_code",
                condition=~Q(dmd_code=""),
                name="high_risk_code_once_per_list",
            ),
            models.UniqueConstraint(
                "dmd_code",
                condition=Q(organisation__isnull=True),
                name="high_risk_code_once_nationally",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.group})"


class IncidentMonth(models.Model):
    """An organisation's incidents of one month (by the day they happened, duplicates left
    out), counted: what its dashboard reads instead of counting thousands of incidents on every
    view. Kept by incidents/summary.py from every write of an incident or its medicines, in
    the writing transaction's wake, and never edited otherwise."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    counts = models.JSONField(default=dict)
    # Its counts' total again, beside them: what reporting rates sum over thousands of
    # organisations, read from the index alone (incidents/peers.py).
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="one_summary_a_month")
        ]
        indexes = [
            models.Index(
                fields=["organisation", "month"], include=["total"], name="incident_month_total"
            )
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.month:%Y-%m}: {self.counts.get('total', 0)}"


class ProcessChange(models.Model):
    """A change of process the organisation's safety team records (a new electronic
    prescribing system, a new way to report): its incident chart starts again from the first
    whole month after it, with a new mean and limits (Making Data Count's rebasing,
    core/spc.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField("when it changed")
    what = models.CharField("what changed", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.INCIDENTS_FIGURES

    class Meta:
        ordering = ["changed_on", "pk"]
        indexes = [models.Index(fields=["organisation", "changed_on"], name="process_change_on")]

    def __str__(self):
        return f"{self.organisation_id} {self.changed_on}: {self.what}"

    @property
    def first_month(self) -> datetime.date:
        """The first whole month of the new process: the month it changed on its first day,
        else the next."""
        if self.changed_on.day == 1:
            return self.changed_on
        return (self.changed_on.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


class IncidentTally(models.Model):
    """Incidents counted by region, kind of organisation and month (by the day they happened,
    duplicates left out): what the national statistics read, a few hundred rows whatever the
    number of incidents. Kept by incidents/summary.py with each organisation's month, by the
    difference each recount makes, and rebuilt with them."""

    region = models.CharField(max_length=32)
    kind = models.CharField(max_length=32)
    month = models.DateField()  # its first day
    total = models.IntegerField(default=0)
    moderate_or_worse = models.IntegerField(default=0)
    controlled_drug = models.IntegerField(default=0)
    open = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "month"], name="one_tally_a_month")
        ]

    def __str__(self):
        return f"{self.region} {self.kind} {self.month:%Y-%m}: {self.total}"


# What a tally counts, of each organisation's month's counts.
TALLIED = ("total", "moderate_or_worse", "controlled_drug", "open")


class Dimension(models.TextChoices):
    """What national trends break incidents down by: coded values only, never an
    organisation's own words (its theme tags are its own)."""

    ALL = "all", "All incidents"  # one value, ""
    HARM = "harm", "Physical harm"
    STAGE = "stage", "Stage of the medicines process"
    GROUP = "group", "High-risk medicine group"
    THEME = "theme", "What went wrong"
    SUBSTANCE = "substance", "Medicine (dm+d substance)"
    PRODUCT = "product", "Medicine (dm+d product)"


# Where each dimension's counts are in an organisation's month (IncidentMonth.counts); all
# incidents are its total.
DIMENSION_COUNTS = {
    Dimension.ALL: "total",
    Dimension.HARM: "harm",
    Dimension.STAGE: "stages",
    Dimension.GROUP: "groups",
    Dimension.THEME: "themes",
    Dimension.SUBSTANCE: "substances",
    Dimension.PRODUCT: "products",
}


class IncidentTrend(models.Model):
    """Incidents counted by region, month and one coded value of a dimension (a harm level, a
    stage, a high-risk group, a theme, a dm+d substance): what the national trends read, kept
    with the tallies from each organisation's month. An incident with several stages, themes
    or medicines counts once under each."""

    region = models.CharField(max_length=32)
    month = models.DateField()  # its first day
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=60)
    count = models.IntegerField(default=0)
    # How many organisations the count is drawn from (core/disclosure.py: fewer than 3 and
    # the count is not shown).
    organisations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "value", "region", "month"], name="one_trend_a_month"
            )
        ]
        indexes = [models.Index(fields=["dimension", "month"], name="trend_by_month")]

    def __str__(self):
        return f"{self.region} {self.month:%Y-%m} {self.dimension} {self.value}: {self.count}"


class PatientFeedback(models.Model):
    """What a patient or carer said about their medicines, logged by the safety team as a
    source of learning beside incidents: no patient identifiers, themed like incidents, and
    counted in the committee's assurance report."""

    class Source(models.TextChoices):
        PATIENT = "patient", "A patient"
        CARER = "carer", "A carer or relative"
        ADVOCATE = "advocate", "An advocate or a patient group"
        LIVED_EXPERIENCE = "lived-experience", "A lived-experience partner"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("date received")
    source = models.CharField("from", max_length=20, choices=Source.choices)
    medicines = models.CharField("medicines it is about", max_length=300, blank=True)
    summary = models.TextField("what they said", max_length=3000)
    themes = models.ManyToManyField(Theme, blank=True, related_name="feedback")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.INCIDENTS_REVIEW

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "received_on"], name="feedback_by_day")]

    def __str__(self):
        return f"Feedback from {self.get_source_display().lower()}, {self.received_on}"


class LfpseSubmission(models.Model):
    """One version of an incident to send to LFPSE: the outbox row written in the same
    transaction as what needs it (marked ready, reported, changed once sent). A worker claims it
    under a row lock with a lease, sends the incident as it is then, and records LFPSE's answer;
    a row still waiting is handed on again by the sweep (incidents/lfpse/submission.py). One
    version is queued once (the unique key); the record carries the incident's reference as
    its identifier, and LFPSE takes a second create of it as the same record."""

    class Kind(models.TextChoices):
        CREATE = "create", "New record"
        UPDATE = "update", "Update"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"
        SUPERSEDED = "superseded", "Overtaken by a later version"

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="lfpse_submissions"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # LFPSE's issues with a refused version: [{"severity", "code", "text", "where"}].
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "version"], name="lfpse_version_once")
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="lfpse_waiting")]

    def __str__(self):
        return f"{self.incident_id} v{self.version} ({self.state})"


class LfpseChoice(models.Model):
    """When an organisation's incidents go to LFPSE: when its safety team marks each ready (the
    default, without a row), or as soon as each is reported."""

    class When(models.TextChoices):
        READY = "ready", "When the medication safety team marks it ready"
        AT_ONCE = "at-once", "As soon as it is reported"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    when = models.CharField(max_length=8, choices=When.choices, default=When.READY)

    def __str__(self):
        return f"{self.organisation_id}: {self.when}"

    @classmethod
    def for_organisation(cls, organisation_id) -> str:
        return (
            cls.objects.filter(organisation_id=organisation_id)
            .values_list("when", flat=True)
            .first()
            or cls.When.READY
        )
