"""What the long-running processes check before they start.

Without DEBUG, the web server (WSGI and ASGI), the Celery worker and beat refuse to start
unless production is configured: a SECRET_KEY, the public SITE_URL (https) that emailed links
point to, an EMAIL_HOST to send them, and a REDIS_URL (shared sign-in throttling and cache,
tasks run by the worker, not inside requests); and unless the second sign-in step and secure
cookies are on (MFA_REQUIRED, SECURE_COOKIES); and, when incidents are submitted to LFPSE
(LFPSE_SUBMISSION), unless its address and key are given (LFPSE_BASE_URL, LFPSE_API_KEY).
Offline commands such as migrate still run.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def production_problems() -> list[str]:
    if settings.DEBUG:
        return []
    problems = []
    try:
        settings.SECRET_KEY  # noqa: B018  (Django raises when it is empty)
    except ImproperlyConfigured:
        problems.append("SECRET_KEY must be set unless DEBUG is on.")
    if not os.environ.get("SITE_URL", "").startswith("https://"):
        problems.append("SITE_URL must be set to the service's https:// address.")
    if not settings.EMAIL_HOST:
        problems.append("EMAIL_HOST must be set, or invitation and reset emails are not sent.")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must be set for shared throttling, the cache and the worker.")
    if not settings.MFA_REQUIRED:
        problems.append("MFA_REQUIRED must be on: MFA_REQUIRED=0 is for the demo only.")
    if not settings.SESSION_COOKIE_SECURE:
        problems.append("SECURE_COOKIES must be on: cookies go over https only.")
    if settings.LFPSE_SUBMISSION:
        if not settings.LFPSE_BASE_URL.startswith("https://"):
            problems.append(
                "LFPSE_BASE_URL must be LFPSE's https:// submission address while "
                "LFPSE_SUBMISSION is on."
            )
        if not settings.LFPSE_API_KEY:
            problems.append("LFPSE_API_KEY must be set while LFPSE_SUBMISSION is on.")
    return problems


def require_production_settings() -> None:
    """Refuse to serve or run tasks with a production configuration that fails open."""
    if problems := production_problems():
        raise ImproperlyConfigured("MSO Portal will not start: " + " ".join(problems))
