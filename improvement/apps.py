from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = "Safety improvement"

    def ready(self):
        from core.audit import register
        from notifications.registry import reminder_provider

        from . import models, reminders

        for model in (models.Project, models.MeasurePoint, models.PdsaCycle, models.Protocol):
            register(model)
        register(models.Project.incidents.through)
        reminder_provider(reminders.protocol_reviews)
