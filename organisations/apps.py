from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Organisation)
        auditlog.register(models.OrganisationRelationship)
        auditlog.register(models.Membership)
        auditlog.register(models.Appointment)
        auditlog.register(models.Invitation, exclude_fields=["token_hash"])
