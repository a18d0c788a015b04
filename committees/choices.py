"""The value lists of medication safety committees."""

from django.db import models


class Seat(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice-chair", "Vice chair"
    SECRETARY = "secretary", "Secretary"
    MEMBER = "member", "Member"
    PATIENT_REPRESENTATIVE = "patient-representative", "Patient or lived-experience partner"


class Discipline(models.TextChoices):
    PHARMACY = "pharmacy", "Pharmacy"
    NURSING = "nursing", "Nursing"
    MEDICAL = "medical", "Medical"
    GOVERNANCE = "governance", "Governance and risk"
    PATIENT_SAFETY_SPECIALIST = "patient-safety-specialist", "Patient Safety Specialist"
    MDSO = "mdso", "Medical Devices Safety Officer"
    OTHER = "other", "Other"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every 2 months"
    QUARTERLY = "quarterly", "Quarterly"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


class AgendaSource(models.TextChoices):
    """Where a suggested agenda item comes from; "" for one the secretary wrote."""

    INCIDENT = "incident", "Incident of moderate harm or worse"
    NEVER_EVENT = "never-event", "Never event"
    ALERT = "alert", "Alert open or past a deadline"
    ACTION = "action", "Action past its date"
    REVIEW = "review", "Thematic review"
    PROJECT = "project", "Improvement project started or finished"


class ReportState(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUBMITTED = "submitted", "Submitted to the board"


class AlertOutcome(models.TextChoices):
    """How an alert response stood at the end of a report's period (committees/figures.py)."""

    ON_TIME = "on_time", "Completed on time"
    LATE = "late", "Completed late"
    OVERDUE = "overdue", "Past its deadline"
    OPEN = "open", "Open, not yet due"


class PdfState(models.TextChoices):
    """How far the PDF of an approved report has got."""

    NONE = "", "Not asked for"
    QUEUED = "queued", "Waiting to be made"
    MAKING = "making", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"
