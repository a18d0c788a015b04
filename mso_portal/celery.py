"""The Celery application. Tasks live in each app's tasks.py; settings come from Django."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")

app = Celery("mso_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _require_production_settings(**kwargs):
    from mso_portal.startup import require_production_settings

    require_production_settings()
