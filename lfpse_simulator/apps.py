from django.apps import AppConfig
from django.conf import settings


class LfpseSimulatorConfig(AppConfig):
    name = "lfpse_simulator"
    verbose_name = "LFPSE simulator"

    @property
    def routes(self) -> dict:
        """Its addresses, included by mso_portal/urls.py only while the simulator is on."""
        return {"lfpse-simulator/": "lfpse_simulator.urls"} if settings.LFPSE_SIMULATOR else {}
