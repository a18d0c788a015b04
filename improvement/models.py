import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from improvement.permissions import Perm
from organisations.models import Organisation
from organisations.scoping import ScopedQuerySet


class Frequency(models.TextChoices):
    """How often a project's measure is taken: each point stands for a week or a month."""

    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Better(models.TextChoices):
    """Which way the measure moves when things improve."""

    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class ProjectQuerySet(ScopedQuerySet):
    def started_between(self, start: datetime.date, end: datetime.date):
        return self.filter(started_on__gte=start, started_on__lte=end)

    def finished_between(self, start: datetime.date, end: datetime.date):
        return self.filter(finished_on__gte=start, finished_on__lte=end)


class Project(models.Model):
    """A safety improvement project (the Model for Improvement): what it aims to achieve, how
    it will know a change is an improvement (a measure taken over time, read as a run chart),
    and the changes it tests in PDSA cycles; the incidents and national alerts it responds to;
    how patients or lived-experience partners shaped it. Finished with its results."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        FINISHED = "finished", "Finished"
        STOPPED = "stopped", "Stopped"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    aim = models.TextField(
        max_length=2000, help_text="What it will achieve, for whom, by how much and by when"
    )
    medicines = models.CharField("medicines it is about", max_length=300, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects_led"
    )
    started_on = models.DateField("started")
    measure = models.CharField("what it measures", max_length=200)
    measure_unit = models.CharField(
        "unit", max_length=60, help_text="For example: %, doses, per 1,000 bed days"
    )
    frequency = models.CharField(
        "measured", max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    better = models.CharField(
        "improvement is", max_length=8, choices=Better.choices, default=Better.HIGHER
    )
    co_production = models.TextField(
        "co-production",
        max_length=2000,
        blank=True,
        help_text="How patients, carers or lived-experience partners shaped it",
    )
    incidents = models.ManyToManyField(
        "incidents.Incident", blank=True, related_name="projects", verbose_name="incidents"
    )
    alerts = models.ManyToManyField(
        "alerts.Alert", blank=True, related_name="projects", verbose_name="alerts"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    finished_on = models.DateField("finished", null=True, blank=True)
    results = models.TextField(
        max_length=3000, blank=True, help_text="What changed, and what the measure showed"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.PROJECTS_VIEW

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "started_on"], name="project_by_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", finished_on__isnull=True)
                | (~Q(status="active") & Q(finished_on__gte=F("started_on"))),
                name="project_finished_after_it_started",
                violation_error_message="A project ends on or after the day it started",
            ),
            models.CheckConstraint(
                condition=~Q(status="finished") | ~Q(results=""),
                name="project_finished_with_results",
                violation_error_message="Say what the project's results were",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "improvement:project", kwargs={"ods_code": self.organisation.ods_code, "pk": self.pk}
        )

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_co_produced(self) -> bool:
        return bool(self.co_production.strip())


class MeasurePoint(models.Model):
    """One value of a project's measure, for the week (from its Monday) or the month (from its
    first day) it stands for."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="points")
    period_start = models.DateField("week or month")
    value = models.DecimalField(max_digits=10, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_path = "project__organisation"
    view_permission = Perm.PROJECTS_VIEW

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_start"],
                name="measure_point_once_a_period",
                violation_error_message="There is already a value for this week or month",
            )
        ]

    def __str__(self):
        return f"{self.value:g} from {self.period_start}"


class PdsaCycle(models.Model):
    """A Plan-Do-Study-Act cycle: a change tested on a small scale, what was planned and
    predicted, what happened, what the team learnt, and whether it adopts, adapts or abandons
    the change."""

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt: make the change part of practice"
        ADAPT = "adapt", "Adapt: change it and test again"
        ABANDON = "abandon", "Abandon: stop testing it"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(editable=False)
    change = models.CharField("change tested", max_length=200)
    plan = models.TextField(max_length=2000, help_text="What you will do, and what you predict")
    starts_on = models.DateField("starts")
    do = models.TextField(
        "do", max_length=2000, blank=True, help_text="What happened when you tried it"
    )
    study = models.TextField(
        "study",
        max_length=2000,
        blank=True,
        help_text="What the measure and the team found, against the prediction",
    )
    act = models.TextField("act", max_length=2000, blank=True, help_text="What happens next")
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    ends_on = models.DateField("ended", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "project__organisation"
    view_permission = Perm.PROJECTS_VIEW

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="pdsa_cycle_numbered_once"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pdsa_cycle_ends_after_it_starts",
                violation_error_message="A cycle ends on or after the day it starts",
            ),
            models.CheckConstraint(
                condition=Q(decision="", ends_on__isnull=True)
                | (~Q(decision="") & Q(ends_on__isnull=False)),
                name="pdsa_cycle_ends_with_a_decision",
                violation_error_message="A cycle ends with a decision, and a decision ends it",
            ),
        ]

    def __str__(self):
        return f"Cycle {self.number}: {self.change}"

    @property
    def is_open(self) -> bool:
        return not self.decision


def protocol_path(instance, filename) -> str:
    """Stored under a random name, like the network library's files."""
    return f"protocols/{uuid.uuid4().hex}"


class ProtocolQuerySet(ScopedQuerySet):
    def due_for_review(self, on: datetime.date):
        return self.filter(retired_on__isnull=True, review_on__lte=on)


class Protocol(models.Model):
    """A standard protocol for a high-risk medicine (insulin, anticoagulants, opioids): the
    organisation's approved document, its version, who keeps it and when it is next reviewed.
    Staff read the current ones; the safety team keeps them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    medicines = models.CharField("medicines it covers", max_length=300)
    summary = models.TextField(max_length=2000, blank=True)
    version = models.CharField(max_length=20)
    approved_on = models.DateField("approved")
    review_on = models.DateField("next review")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="protocols_kept"
    )
    file = models.FileField(upload_to=protocol_path)
    filename = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    retired_on = models.DateField("retired", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProtocolQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.PROTOCOLS_VIEW

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["organisation", "review_on"], name="protocol_by_review")]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gt=F("approved_on")),
                name="protocol_reviewed_after_approval",
                violation_error_message="The next review is after the date it was approved",
            )
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self):
        return reverse(
            "improvement:protocol",
            kwargs={"ods_code": self.organisation.ods_code, "pk": self.pk},
        )

    def review_overdue(self, on: datetime.date) -> bool:
        """Past its review date (on the date itself it is due, not yet overdue)."""
        return self.retired_on is None and self.review_on < on
