"""National patient safety alerts and each organisation's response."""

from organisations import features


class AlertsConfig(features.FeatureConfig):
    name = "alerts"
    routes = {"alerts/": "alerts.urls"}
    audited = {
        **dict.fromkeys(
            [
                "Alert",
                "AlertAction",
                "AlertMedicine",
                "AlertResponse",
                "AlertActionResponse",
                "AlertIncident",
            ],
            {},
        ),
        "AlertEvidence": {"exclude_fields": ["file"]},
    }

    def plug_in(self):
        from incidents.learning import section
        from organisations.getting_started import WorkItem, work_item
        from organisations.navigation import MenuEntry, menu_entry

        from . import learning

        section(learning.issued)

        menu_entry(
            MenuEntry(
                40,
                "Alerts",
                "alerts:inbox",
                _sees_alerts,
            )
        )
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


def _sees_alerts(request, access, organisation) -> bool:
    """Whom the inbox lets in: who sees the alerts of the organisation they work in (not only
    the responses or actions that are theirs, which their reminders link to), or the national
    list."""
    from .permissions import Perm

    here = organisation is not None and Perm.ALERTS_VIEW in access.permissions(organisation)
    return here or access.has(Perm.ALERTS_COMPLIANCE) or access.has(Perm.ALERTS_PUBLISH)


def _acknowledged_by(user, organisation):
    from django.db.models import Exists

    from .models import AlertResponse

    return Exists(AlertResponse.objects.filter(organisation=organisation, acknowledged_by=user))
