"""Medication incident reporting and learning (LFPSE-aligned)."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self):
        from mso_portal.audit import register

        from . import models

        # Every change to a clinical record, with before and after, read on the incident's
        # page by its reviewers (never in the admin). The receipt hash of an anonymous report
        # is not history anyone needs.
        register(
            models.Incident,
            clinical=True,
            exclude_fields=["receipt_hash"],
            m2m_fields={"themes", "related"},
        )
        register(models.IncidentMedicine, clinical=True)
        register(models.IncidentAction, clinical=True)
        register(models.IncidentComment, clinical=True)
        register(models.IncidentAttachment, clinical=True, exclude_fields=["file"])
        register(models.HighRiskMedicine)

        from notifications.registry import reminder_provider

        from . import reminders

        reminder_provider(reminders.action_reminders)
        reminder_provider(reminders.review_reminders)
        reminder_provider(reminders.anonymous_controlled_drug_notices)
