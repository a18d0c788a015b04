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
    "SITE_URL",
    "EMAIL_HOST",
    "REDIS_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "MFA_REQUIRED",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests
    "LFPSE_SUBMISSION",
    "LFPSE_BASE_URL",
    "LFPSE_API_KEY",
    "LFPSE_SIMULATOR",
}
PRODUCTION = {
    "SECRET_KEY": "a-key-for-this-test-only-0123456789",
    "SITE_URL": "https://mso.example.nhs.uk",
    "EMAIL_HOST": "smtp.example.nhs.uk",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
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


STARTS = pytest.mark.parametrize(
    "start",
    [
        "import mso_portal.wsgi",
        "import mso_portal.asgi",
        "import django; django.setup(); "
        "from mso_portal.celery import _require_production_settings as check; check()",
    ],
    ids=["web", "asgi", "celery"],
)


@STARTS
def test_the_service_starts_with_a_production_configuration(start):
    result = python(start, **PRODUCTION)
    assert result.returncode == 0, result.stderr


@STARTS
@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set unless DEBUG is on"),
        ("SITE_URL", "SITE_URL must be set to the service's https:// address"),
        ("EMAIL_HOST", "EMAIL_HOST must be set"),
        ("REDIS_URL", "REDIS_URL must be set"),
    ],
)
def test_the_service_refuses_to_start_when_it_would_fail_open(start, missing, message):
    """Found on review: without these, links went to the log or to localhost, throttling was
    per worker and tasks ran inside requests."""
    environment = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = python(start, **environment)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [("MFA_REQUIRED", "MFA_REQUIRED must be on"), ("SECURE_COOKIES", "SECURE_COOKIES must be on")],
)
def test_the_service_refuses_to_start_with_mfa_or_secure_cookies_off(setting, message):
    """Found on review: production started with the second sign-in step switched off."""
    result = python(STARTS.args[1][0], **{**PRODUCTION, setting: "0"})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_plain_http_site_url_is_refused():
    result = python(STARTS.args[1][0], **{**PRODUCTION, "SITE_URL": "http://mso.example"})
    assert result.returncode != 0
    assert "https://" in result.stderr


def test_offline_commands_run_without_a_secret_key():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_submitting_to_lfpse_needs_its_address_and_key():
    """Switched on, submission to LFPSE starts only with LFPSE's https address and the key; the
    local simulator is never what production sends to."""
    web = STARTS.args[1][0]
    result = python(web, **PRODUCTION, LFPSE_SUBMISSION="1")
    assert result.returncode != 0
    assert "LFPSE_BASE_URL must be LFPSE's https:// submission address" in result.stderr
    assert "LFPSE_API_KEY must be set" in result.stderr
    plain = python(
        web, **PRODUCTION, LFPSE_SUBMISSION="1", LFPSE_BASE_URL="http://x", LFPSE_API_KEY="k"
    )
    assert plain.returncode != 0 and "LFPSE_BASE_URL" in plain.stderr
    configured = python(
        web,
        **PRODUCTION,
        LFPSE_SUBMISSION="1",
        LFPSE_BASE_URL="https://lfpse.example.nhs.uk/adverse-event/fhir",
        LFPSE_API_KEY="a-subscription-key",
    )
    assert configured.returncode == 0, configured.stderr
