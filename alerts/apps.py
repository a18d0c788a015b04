"""National patient safety alerts and each organisation's response."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"alerts/": "alerts.urls"}

    def ready(self):
        from organisations import permissions as rule_set

        from . import permissions

        # Its permissions, and the rules that give them, join the rule set.
        rule_set.register(
            permissions.Perm, permissions.RULES, second_factor=permissions.SECOND_FACTOR
        )

        from organisations.navigation import MenuEntry, holds, menu_entry

        from .permissions import Perm

        menu_entry(
            MenuEntry(
                40,
                "Alerts",
                "alerts:inbox",
                holds(Perm.ALERTS_VIEW, Perm.ALERTS_COMPLIANCE, Perm.ALERTS_PUBLISH),
            )
        )

        from core.audit import register

        from . import models

        register(models.Alert)
        register(models.AlertAction)
        register(models.AlertMedicine)
        register(models.AlertResponse)
        register(models.AlertActionResponse)
        register(models.AlertEvidence, exclude_fields=["file"])
        register(models.AlertIncident)

        from notifications.registry import reminder_provider

        from . import reminders

        reminder_provider(reminders.unfinished_fan_outs)
        reminder_provider(reminders.not_acknowledged)
        reminder_provider(reminders.class_1_not_acknowledged)
        reminder_provider(reminders.action_deadlines)

        from organisations.getting_started import WorkItem, work_item

        work_item(
            WorkItem(
                10,
                "alerts",
                "Review the open National Patient Safety Alerts and their actions",
                done_if=_acknowledged_by,
                url_name="alerts:inbox",
                link_text="Go to the alerts",
                note="Ticks itself when you acknowledge an alert",
            )
        )


def _acknowledged_by(user, organisation):
    from django.db.models import Exists

    from .models import AlertResponse

    return Exists(AlertResponse.objects.filter(organisation=organisation, acknowledged_by=user))
