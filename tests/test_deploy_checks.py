"""The production settings pass Django's deployment checks with no warning, and refuse to start
without a secret key. They run in a fresh process, as a deployment would, not under pytest."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_IN_PRODUCTION = {
    "PYTEST_VERSION",
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests
}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-production-like-secret-key-with-many-different-characters-0123456789",
        ALLOWED_HOSTS="mso.example.nhs.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "mso_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "start",
    [
        "import mso_portal.wsgi",
        "import mso_portal.asgi",
        "import django; django.setup(); "
        "from mso_portal.celery import _require_secret_key; _require_secret_key()",
    ],
    ids=["web", "asgi", "celery"],
)
def test_the_service_refuses_to_start_without_a_secret_key(start):
    result = python(start)
    assert result.returncode != 0
    assert "SECRET_KEY must be set unless DEBUG is on" in result.stderr
    assert python(start, SECRET_KEY="a-key-for-this-test-only-0123456789").returncode == 0


def test_offline_commands_run_without_a_secret_key():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
