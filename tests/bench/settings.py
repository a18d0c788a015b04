"""The service's own settings, with the benchmark's floor: a view that does nothing behind
every middleware (tests/bench/urls.py)."""

from mso_portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
