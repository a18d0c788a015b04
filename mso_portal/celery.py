"""The Celery application. Tasks live in each app's tasks.py; settings come from Django."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")

app = Celery("mso_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
