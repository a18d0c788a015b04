from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "networks"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"networks/": "networks.urls"}

    def ready(self):
        from organisations import permissions as rule_set

        from . import permissions

        # Its permissions, and the rules that give them, join the rule set.
        rule_set.register(permissions.Perm, permissions.RULES)

        from organisations.navigation import MenuEntry, holds, menu_entry

        from .permissions import Perm

        menu_entry(
            MenuEntry(
                130,
                "Networks",
                "networks:list",
                holds(Perm.NETWORKS_JOIN, Perm.SPECIALIST_NETWORKS_JOIN),
            )
        )

        from core.audit import register
        from organisations.access import grant_source

        from . import models
        from .models import lead_grants

        for model in (
            models.Network,
            models.NetworkMembership,
            models.Event,
            models.BuddyOffer,
            models.BuddyRequest,
            models.WebinarOffer,
        ):
            register(model)
        register(models.Resource, exclude_fields=["file"])
        register(models.WorkplanItem, m2m_fields={"organisations"})
        # Network leads hold their cross-organisation permissions through the rule set.
        grant_source(lead_grants)

        from notifications.registry import reminder_provider

        from . import reminders

        reminder_provider(reminders.vacancy_reminders)
        reminder_provider(reminders.change_request_reminders)
        reminder_provider(reminders.workplan_reminders)
