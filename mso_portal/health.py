"""GET /healthz: is each part of the service answering? For uptime checks and people.
GET /readyz: may this process take traffic? For load balancers and the container's health
check.

The two differ on purpose (ADR 35). With Redis down the site keeps working, on the database's
cache and with tasks waiting in their outboxes: /healthz says "degraded" and names the part,
and /readyz still says ready. Only a database that does not answer, or one whose migrations
this code has not seen applied, makes a process not ready."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.cache import FallbackCache, primary_down
from core.http import allow

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return "error"
    return "ok"


def check_cache() -> str:
    """ "ok"; "database" while Redis does not answer and the database's cache stands in; or
    "error" when neither does."""
    cache = caches["default"]
    try:
        cache.set("healthz", "ok", timeout=10)
        answered = cache.get("healthz") == "ok"
    except Exception:
        logger.exception("Health check: the cache did not answer")
        return "error"
    if not answered:
        return "error"
    if isinstance(cache, FallbackCache) and primary_down(cache.primary_alias):
        return "database"
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from mso_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: the Celery broker did not answer")
        return "error"
    return "ok"


_migrated = False


def check_migrations() -> str:
    """ "ok" once every migration this code knows is applied (then not asked again by this
    process); "pending" before."""
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if _migrated else "pending"


@login_not_required
@never_cache
@allow("GET")
def healthz(request):
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    if checks["database"] != "ok":
        status = "error"
    elif checks["cache"] != "ok" or checks["broker"] == "error":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "error" else 200
    )


@login_not_required
@never_cache
@allow("GET")
def readyz(request):
    checks = {"database": check_database()}
    if checks["database"] == "ok":
        try:
            checks["migrations"] = check_migrations()
        except Exception:
            logger.exception("Readiness check: the migrations could not be read")
            checks["migrations"] = "error"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
