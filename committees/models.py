"""Medication safety committees: their terms of reference, seats, meetings and actions.

A ``Committee`` belongs to one organisation and says how it is quorate (how many members
present, which disciplines among them, and whether its patient or lived-experience partner must
be there). Its terms of reference are kept as numbered versions, each approved on a date; the
latest approved one is in force. ``CommitteeMember`` is a seat, held from a date to a date by a
person with an account or by name only (a patient partner often has none); the chair and
secretary are the seats of that kind held today. A ``Meeting`` has its agenda (suggested from
the organisation's data, then edited), who attended, whether it was quorate (worked out from the
attendance by services.py, never typed), its minutes, decisions and actions.

Who reads and changes these is the organisation's rule set (organisations/permissions.py): the
committee roles of its members, its MSO and its board director. Only services.py writes them;
auditlog keeps who changed what (apps.py).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alerts.permissions import Perm as AlertPerm
from committees.permissions import Perm
from core.actions import OwnedAction, OwnedActionQuerySet
from organisations.models import Organisation
from organisations.scoping import ScopedQuerySet

from .choices import (
    ActionState,
    AgendaSource,
    AlertOutcome,
    Attendance,
    Discipline,
    Frequency,
    PdfState,
    ReportState,
    Seat,
)


class Committee(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="committees"
    )
    name = models.CharField(max_length=200)
    reports_to = models.CharField(
        "reports to", max_length=200, help_text="For example, the Quality and Safety Committee"
    )
    frequency = models.CharField("meets", max_length=20, choices=Frequency.choices)
    quorum_members = models.PositiveSmallIntegerField("members present at least", default=3)
    quorum_disciplines = models.JSONField("disciplines present", default=list, blank=True)
    quorum_patient_representative = models.BooleanField(
        "patient or lived-experience partner present", default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.COMMITTEES_VIEW

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_committee_a_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committees:detail", args=[self.organisation.ods_code, self.pk])

    def open_actions(self):
        """The open actions of the committee's meetings: whoever may see the committee sees
        them (the same permission in the same organisation)."""
        return MeetingAction.objects.filter(meeting__committee_id=self.pk).open()

    @property
    def quorum_discipline_labels(self) -> list[str]:
        labels = dict(Discipline.choices)
        return [str(labels.get(d, d)) for d in self.quorum_disciplines]


class TermsOfReference(models.Model):
    """One version of a committee's terms of reference, approved on a date."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=20000)
    approved_on = models.DateField("approved on")
    approved_by = models.CharField(
        "approved by", max_length=200, help_text="For example, the Quality and Safety Committee"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "committee__organisation"
    view_permission = Perm.COMMITTEES_VIEW

    class Meta:
        ordering = ["committee_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "version"], name="one_terms_a_version")
        ]

    def __str__(self):
        return f"{self.committee}: version {self.version}"


class CommitteeMemberQuerySet(ScopedQuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))


class CommitteeMember(models.Model):
    """A seat on a committee, from a date to a date (open-ended while it is held)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
    )
    name = models.CharField(max_length=200, blank=True, help_text="When they have no account")
    seat = models.CharField(max_length=30, choices=Seat.choices, default=Seat.MEMBER)
    discipline = models.CharField(max_length=30, choices=Discipline.choices)
    start_on = models.DateField("from")
    end_on = models.DateField("until", null=True, blank=True)

    objects = CommitteeMemberQuerySet.as_manager()
    scope_path = "committee__organisation"
    view_permission = Perm.COMMITTEES_VIEW

    class Meta:
        ordering = ["committee_id", "seat", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="a_seat_names_someone"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="a_seat_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.holder_name}, {self.get_seat_display()}"

    @property
    def holder_name(self) -> str:
        if self.user_id:
            return self.user.full_name or self.user.email
        return self.name

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_on <= on and (self.end_on is None or self.end_on >= on)


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField("date and time")
    ends_at = models.DateTimeField("ends")
    location = models.CharField(max_length=200, blank=True, help_text="A room, or Microsoft Teams")
    # Worked out from the attendance by services.py; None until the attendance is recorded.
    quorate = models.BooleanField(null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(max_length=50000, blank=True)
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "committee__organisation"
    view_permission = Perm.COMMITTEES_VIEW

    class Meta:
        ordering = ["committee_id", "-starts_at"]
        indexes = [models.Index(fields=["committee", "starts_at"], name="meeting_by_date")]

    def __str__(self):
        return f"{self.committee}, {timezone.localtime(self.starts_at):%d %B %Y}"

    def get_absolute_url(self):
        return reverse(
            "committees:meeting",
            args=[self.committee.organisation.ods_code, self.committee_id, self.pk],
        )

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    notes = models.TextField(max_length=3000, blank=True)
    # What suggested it, and the record it is about (its reference or alert), for the papers.
    source = models.CharField(max_length=20, choices=AgendaSource.choices, blank=True)
    about = models.CharField(max_length=60, blank=True)
    # The alert it tables: the one whose reference its title names, among the alerts that
    # reached the meeting's organisation (chain.alerts_named; set by services.py whenever the
    # agenda is written, suggested or typed). The alert's chain reads it.
    alert = models.ForeignKey(
        "alerts.Alert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read through agenda_item_alert
    )

    class Meta:
        ordering = ["meeting_id", "position", "pk"]
        indexes = [
            # The meetings that tabled an alert, from the few items that table one.
            models.Index(
                fields=["alert", "meeting"],
                condition=Q(alert__isnull=False),
                name="agenda_item_alert",
            )
        ]

    def __str__(self):
        return self.title


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Attendance.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attended_once")]

    def __str__(self):
        return f"{self.member}: {self.get_status_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(max_length=3000)

    class Meta:
        ordering = ["meeting_id", "position", "pk"]

    def __str__(self):
        return self.text[:80]


class MeetingActionQuerySet(OwnedActionQuerySet, ScopedQuerySet):
    pass


class MeetingAction(OwnedAction):
    """An action a meeting gave one of the committee's members (core.actions)."""

    State = ActionState
    OPEN_STATES = (ActionState.OPEN,)
    NOT_DONE_STATES = (ActionState.DROPPED,)
    why_not_done = "Say why it is no longer needed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(max_length=3000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_actions"
    )
    state = models.CharField(max_length=20, choices=ActionState.choices, default=ActionState.OPEN)

    objects = MeetingActionQuerySet.as_manager()
    scope_path = "meeting__committee__organisation"
    view_permission = Perm.COMMITTEES_VIEW

    class Meta(OwnedAction.Meta):
        indexes = [models.Index(fields=["owner", "state"], name="committee_action_owner")]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        committee = self.meeting.committee
        return reverse(
            "committees:action",
            args=[committee.organisation.ods_code, committee.pk, self.meeting_id, self.pk],
        )


def report_path(report, filename):
    """Approved reports' PDFs, under random names, outside any served folder."""
    return f"committees/reports/{uuid.uuid4().hex}.pdf"


class AssuranceReport(models.Model):
    """The committee's assurance report to the board for a period: figures worked out from the
    data (committees/figures.py) with the chair's narrative on each section. A draft shows the
    figures as they are now; approving it keeps them (``snapshot``), so an approved report
    never changes; it is then submitted to the board."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField("first day")
    period_end = models.DateField("last day")
    state = models.CharField(max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    narratives = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The approved report as a PDF, made by a task once it is approved, then never again.
    pdf = models.FileField(upload_to=report_path, blank=True)
    pdf_state = models.CharField(
        "PDF", max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True
    )
    # When the PDF was last asked for (waiting to be made) or its making began: one on its way
    # for longer than a PDF may take could not be made (``pdf_progress``).
    pdf_state_since = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_path = "committee__organisation"
    view_permission = Perm.COMMITTEES_VIEW

    class Meta:
        ordering = ["committee_id", "-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="a_report_period_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(state=ReportState.DRAFT) | Q(snapshot__isnull=False),
                name="an_approved_report_keeps_its_figures",
            ),
            # One draft of a committee's report for a period: preparing it again opens it.
            models.UniqueConstraint(
                fields=["committee", "period_start", "period_end"],
                condition=Q(state=ReportState.DRAFT),
                name="one_draft_report_a_period",
                violation_error_message="A draft report for this period is being prepared",
            ),
        ]

    def __str__(self):
        return f"{self.committee}: {self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y}"

    @property
    def is_draft(self) -> bool:
        return self.state == ReportState.DRAFT

    @property
    def pdf_progress(self) -> PdfState:
        """How far the PDF has got, as its page says: one waiting to be made, or being made,
        for longer than a PDF may take could not be made, and may be asked for again."""
        state = PdfState(self.pdf_state)
        if state in PDF_ON_ITS_WAY and not (
            self.pdf_state_since and self.pdf_state_since >= pdf_lost_before()
        ):
            return PdfState.FAILED
        return state


# A PDF asked for, or being made, is on its way for REPORT_PDF_SECONDS at most: that is the
# making task's hard time limit (settings.CELERY_TASK_ANNOTATIONS), so no worker is still
# making it after that. One older was lost: a worker killed while making it, or the task lost
# before a worker took it (Redis returns an unfinished task only after its visibility timeout).
PDF_ON_ITS_WAY = (PdfState.QUEUED, PdfState.MAKING)


def pdf_lost_before():
    """The PDFs asked for or begun before this moment, and not made, were lost."""
    return timezone.now() - timedelta(seconds=settings.REPORT_PDF_SECONDS)


def pdf_being_made() -> Q:
    """The reports whose PDF a live attempt is making (begun within the time a PDF may take)."""
    return Q(pdf_state=PdfState.MAKING, pdf_state_since__gte=pdf_lost_before())


class ReportedAlert(models.Model):
    """An organisation's response to an alert that an approved assurance report carried to the
    board: one for each response its kept figures list (``snapshot["alerts"]["responses"]``),
    with how it stood then, written by services.py in the transaction that approves the report
    and never changed. The alert's chain reads these, not every approved report's figures."""

    report = models.ForeignKey(
        AssuranceReport,
        on_delete=models.CASCADE,
        related_name="reported_alerts",
        db_index=False,  # a_response_reported_once starts with it
    )
    # Read by the alert, through the reported_alert index.
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Whose response it was: the committee's organisation, or one its report covers (a
    # primary care network's practices, an organisation it took over).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # How it stood at the end of the report's period, as the report has it.
    outcome = models.CharField(max_length=10, choices=AlertOutcome.choices)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = AlertPerm.ALERTS_VIEW

    class Meta:
        ordering = ["report_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "alert", "organisation"], name="a_response_reported_once"
            )
        ]
        indexes = [models.Index(fields=["alert", "organisation"], name="reported_alert")]

    def __str__(self):
        return f"{self.report_id}: {self.alert_id} of {self.organisation_id}"
