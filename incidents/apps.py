"""Medication incident reporting and learning (LFPSE-aligned)."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"incidents/": "incidents.urls"}

    def ready(self):
        from organisations import permissions as rule_set

        from . import permissions

        # Its permissions, and the rules that give them, join the rule set.
        rule_set.register(
            permissions.Perm, permissions.RULES, second_factor=permissions.SECOND_FACTOR
        )

        from organisations.navigation import MenuEntry, holds, menu_entry

        from .permissions import Perm

        menu_entry(MenuEntry(30, "Incidents", "incidents:list", holds(Perm.INCIDENTS_LIST)))
        # Whoever may not list incidents but sees the counts (the network leads).
        menu_entry(
            MenuEntry(
                31,
                "Incident statistics",
                "incidents:statistics",
                lambda request, access, organisation: (
                    not access.has(Perm.INCIDENTS_LIST) and access.has(Perm.INCIDENTS_STATISTICS)
                ),
            )
        )
        menu_entry(MenuEntry(80, "My reports", "incidents:mine", holds(Perm.INCIDENTS_REPORT)))

        from core.audit import register

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
        register(models.SharedNote, clinical=True)
        register(models.IncidentAttachment, clinical=True, exclude_fields=["file"])
        register(models.HighRiskMedicine)

        from django.db.models.signals import post_delete, post_init, post_save

        from . import summary

        post_init.connect(summary.remember_on_load, sender=models.Incident)
        post_save.connect(summary.incident_saved, sender=models.Incident)
        post_delete.connect(summary.incident_deleted, sender=models.Incident)

        from notifications.registry import reminder_provider

        from . import reminders

        reminder_provider(reminders.action_reminders)
        reminder_provider(reminders.review_reminders)
        reminder_provider(reminders.anonymous_controlled_drug_notices)
        reminder_provider(reminders.anonymous_shared_notices)

        from organisations.getting_started import WorkItem, work_item

        work_item(
            WorkItem(
                20,
                "incidents",
                "Review the open medication incidents and their actions",
                done_if=_reviewed_by,
                url_name="incidents:list",
                link_text="Go to the incidents",
                note="Ticks itself when you start a review",
            )
        )


def _reviewed_by(user, organisation):
    """A new MSO has started on the incidents once they start or close a review."""
    from django.db.models import Exists

    from .models import IncidentEvent

    return Exists(
        IncidentEvent.objects.filter(
            by=user,
            incident__organisation=organisation,
            kind__in=(IncidentEvent.Kind.REVIEW_STARTED, IncidentEvent.Kind.CLOSED),
        )
    )
