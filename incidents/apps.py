"""Medication incident reporting and learning (LFPSE-aligned)."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # Every change to a clinical record, with before and after. The receipt hash of an
        # anonymous report is not history anyone needs.
        auditlog.register(
            models.Incident, exclude_fields=["receipt_hash"], m2m_fields={"themes", "related"}
        )
        auditlog.register(models.IncidentMedicine)
        auditlog.register(models.IncidentAction)
        auditlog.register(models.IncidentComment)
        auditlog.register(models.IncidentAttachment, exclude_fields=["file"])
        auditlog.register(models.HighRiskMedicine)

        from notifications.registry import reminder_provider

        from . import reminders

        reminder_provider(reminders.action_reminders)
        reminder_provider(reminders.review_reminders)
