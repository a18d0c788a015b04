"""A concern about an individual and controlled drugs (The Controlled Drugs (Supervision of
Management and Use) Regulations 2013, regulation 11: the CDAO's arrangements for recording
concerns about relevant individuals). Kept apart from medication incidents, which are about
what went wrong, not who: only the CDAO of the designated body that holds it reads it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from organisations.models import Organisation
from organisations.scoping import ScopedQuerySet

from .permissions import Perm


class Concern(models.Model):
    class Source(models.TextChoices):
        STAFF = "staff", "A member of staff"
        PATIENT = "patient", "A patient, carer or member of the public"
        INCIDENT = "incident", "A medication incident's review"
        AUDIT = "audit", "An audit or stock check"
        POLICE = "police", "The police"
        REGULATOR = "regulator", "A regulator or professional body"
        LIN = "lin", "Another body through the Local Intelligence Network"
        OTHER = "other", "Somewhere else"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="controlled_drug_concerns"
    )
    received_on = models.DateField("date received")
    source = models.CharField("raised by", max_length=12, choices=Source.choices)
    about = models.CharField("who the concern is about", max_length=200)
    works_at = models.CharField("where they work", max_length=200, blank=True)
    concern = models.TextField("the concern", max_length=5000)
    medicines = models.CharField("controlled drugs involved", max_length=300, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    action_taken = models.TextField("action taken", max_length=5000, blank=True)
    shared_with_lin_on = models.DateField(
        "shared with the Local Intelligence Network on", null=True, blank=True
    )
    closed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.CONCERNS_KEEP

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "-received_on"], name="cd_concern_by_date")]

    def __str__(self):
        return f"Concern {self.pk} about {self.about}"
