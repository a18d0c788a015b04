from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "improvement"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"improvement/": "improvement.urls"}
    verbose_name = "Safety improvement"

    def ready(self):
        from organisations import permissions as rule_set

        from . import permissions

        # Its permissions, and the rules that give them, join the rule set.
        rule_set.register(permissions.Perm, permissions.RULES)

        from organisations.navigation import MenuEntry, holds_here, menu_entry

        from .permissions import Perm

        menu_entry(
            MenuEntry(
                60, "Improvement", "improvement:projects", holds_here(Perm.PROJECTS_VIEW), True
            )
        )

        from core.audit import register
        from notifications.registry import reminder_provider

        from . import models, reminders

        for model in (models.Project, models.MeasurePoint, models.PdsaCycle, models.Protocol):
            register(model)
        register(models.Project.incidents.through)
        reminder_provider(reminders.protocol_reviews)
