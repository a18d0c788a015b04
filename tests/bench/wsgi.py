"""The service's WSGI application with the benchmark's settings (tests/bench/settings.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")

from mso_portal.wsgi import application  # noqa: E402, F401
