"""The shared cache, kept working while Redis does not answer (ADR 35).

``FallbackCache`` is the ``default`` cache when there is a Redis: every call goes to the
``PRIMARY`` cache (Redis) unless Redis has failed within the last ``RETRY_SECONDS``, and then
to the ``FALLBACK`` cache (the database's cache table, shared by every process as Redis is).
A page, a rate limit or a count of unread notifications is never an error because Redis is
down; it is read from the database, a little slower, until Redis answers again.

What each process last saw is kept in the process: after a failure it tries Redis again once
``RETRY_SECONDS`` have passed, so a dead Redis costs one short connection timeout that often,
not one on every call. What was written to the fallback while Redis was down is not copied
back: every use of the cache here is a cache (its value can be made again), or a mark that
something changed with a lifetime of its own.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError, ReadOnlyError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "does not answer" means: a refused or dropped connection, no answer in time, or a Redis
# that refuses to write (out of memory, a replica now, or MISCONF: it could not write its
# append-only file, its disk full).
UNAVAILABLE = (
    RedisConnectionError,
    RedisTimeoutError,
    ReadOnlyError,
    OutOfMemoryError,
    ConnectionError,
    TimeoutError,
)


def _unavailable(error: Exception) -> bool:
    if isinstance(error, UNAVAILABLE):
        return True
    return isinstance(error, ResponseError) and str(error).startswith("MISCONF")


_down_until: dict[str, float] = {}


def primary_down(alias: str) -> bool:
    """Whether this process is using the fallback for ``alias`` now."""
    return _down_until.get(alias, 0.0) > time.monotonic()


class FallbackCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.primary_alias = options["PRIMARY"]
        self.fallback_alias = options["FALLBACK"]
        self.retry_seconds = float(options.get("RETRY_SECONDS", 15))

    @property
    def primary(self):
        return caches[self.primary_alias]

    @property
    def fallback(self):
        return caches[self.fallback_alias]

    def _call(self, method: str, *args, **kwargs):
        if not primary_down(self.primary_alias):
            try:
                return getattr(self.primary, method)(*args, **kwargs)
            except Exception as error:
                if not _unavailable(error):
                    raise
                logger.warning(
                    "The cache %r did not answer; using %r for %s seconds",
                    self.primary_alias,
                    self.fallback_alias,
                    self.retry_seconds,
                )
                _down_until[self.primary_alias] = time.monotonic() + self.retry_seconds
        return getattr(self.fallback, method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default=default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta=delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta=delta, version=version)

    def clear(self):
        return self._call("clear")

    def close(self, **kwargs):
        for alias in (self.primary_alias, self.fallback_alias):
            caches[alias].close(**kwargs)
