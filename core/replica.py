"""The national views read from a read replica of the database, when there is one
(DATABASE_REPLICA_URL: a streaming replica of PostgreSQL), so the heaviest reads (the
register, statistics, trends, reporting rates against peers, the national view of alert
responses) do not load the primary that everyone writes to. Everything else reads the primary.

The choice is narrow and explicit: a view reads the replica only if it is decorated
``@replica_reads`` (or its code runs ``with reading_from_replica():``), and even then
- every write goes to the primary, and so does every read inside a transaction on the primary
  (a transaction that may write: select_for_update and the rows it reads see what it wrote);
- sessions and the database's cache table are always read from the primary;
- a browser that has just changed something (any request other than GET, HEAD or OPTIONS that
  did not fail) reads the primary for REPLICA_PIN_SECONDS after it (``PinToPrimaryMiddleware``
  sets a cookie saying so), so replication lag never shows someone their own saved work as
  missing;
- a replica that does not answer costs only speed: the view is read again from the primary,
  and the replica is not tried again for ``RETRY_SECONDS``; so is one that lacks what the code
  reads (during a deploy, a migration it has not replayed yet).

The router does nothing unless REPLICA_READS is on (settings: on when DATABASE_REPLICA_URL is
set, except under the tests, which turn it on where they show it: tests/test_replica.py)."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from time import monotonic

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import StreamingHttpResponse

REPLICA = "replica"
# Always read from the primary: a person's session, and the cache's table (core/cache.py).
PRIMARY_ONLY = {"sessions", "django_cache"}
PIN_COOKIE = "mso_wrote"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
RETRY_SECONDS = 30

logger = logging.getLogger(__name__)
_reading = ContextVar("reading_from_replica", default=False)
_down_until = 0.0  # this process gave up on the replica until then (monotonic)


def replica_in_use() -> bool:
    return settings.REPLICA_READS and REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica(on: bool = True):
    """Reads in this block come from the replica (when there is one), as the router allows."""
    token = _reading.set(on)
    try:
        yield
    finally:
        _reading.reset(token)


def _pinned(request) -> bool:
    return PIN_COOKIE in request.COOKIES


def _streamed(content):
    """A streamed response's rows read from the replica as they are sent (after the view has
    returned), and nothing else between its parts."""
    parts = iter(content)
    while True:
        with reading_from_replica():
            try:
                part = next(parts)
            except StopIteration:
                return
        yield part


def replica_reads(view):
    """A national view: its reads come from the replica, unless this browser has just changed
    something (``PinToPrimaryMiddleware``). A database error is logged and the view read again
    from the primary (it only reads, so reading twice changes nothing): an error of the primary's
    own then reaches the person as it would have."""

    @wraps(view)
    def reading(request, *args, **kwargs):
        global _down_until
        if not replica_in_use() or _pinned(request) or monotonic() < _down_until:
            return view(request, *args, **kwargs)
        try:
            with reading_from_replica():
                response = view(request, *args, **kwargs)
        except DatabaseError:
            if _replica_down():
                _down_until = monotonic() + RETRY_SECONDS
            logger.warning("The replica failed: %s read from the primary", request.path)
            return view(request, *args, **kwargs)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _streamed(response.streaming_content)
        return response

    reading.reads_replica = True
    return reading


def _replica_down() -> bool:
    connection = connections[REPLICA]
    try:
        connection.close()
        connection.ensure_connection()
    except (OperationalError, InterfaceError):
        connection.close()
        return True
    return False


class ReplicaRouter:
    """Reads in a ``reading_from_replica`` block go to the replica, apart from those above;
    every other read, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        if (
            _reading.get()
            and replica_in_use()
            and model._meta.app_label not in PRIMARY_ONLY
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: a row read from either may refer to the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None


class PinToPrimaryMiddleware:
    """After a browser changes something, its national views read the primary for
    REPLICA_PIN_SECONDS (longer than the replica lags behind), so what it saved is there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if replica_in_use() and request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
