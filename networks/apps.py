from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "networks"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Network)
        auditlog.register(models.NetworkMembership)
