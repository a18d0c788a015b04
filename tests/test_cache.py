"""The shared cache keeps working while Redis does not answer (core/cache.py, ADR 35)."""

import pytest
from django.core.cache import caches

from core import cache as fallback

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 15},
        },
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS},
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",
        },
    }
    return caches["default"]


def test_with_redis_down_it_reads_and_writes_the_database(redis_down):
    redis_down.set("counted", 3, 60)
    redis_down.set_many({"a": 1, "b": 2}, 60)
    assert redis_down.get("counted") == 3
    assert redis_down.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert redis_down.get_or_set("made", lambda: "once", 60) == "once"
    assert caches["database"].get("counted") == 3
    assert redis_down.incr("counted") == 4
    redis_down.delete("counted")
    assert redis_down.get("counted") is None


def test_it_gives_up_on_redis_for_a_while_then_tries_again(redis_down, monkeypatch):
    tried = []
    dead = caches["redis"]
    original = dead.get

    def counting_get(*args, **kwargs):
        tried.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(dead, "get", counting_get)
    clock = [1000.0]
    monkeypatch.setattr(fallback.time, "monotonic", lambda: clock[0])
    for _ in range(5):
        redis_down.get("x")
    assert len(tried) == 1  # one failure, then the database for RETRY_SECONDS
    assert fallback.primary_down("redis")
    clock[0] += 16
    redis_down.get("x")
    assert len(tried) == 2


def test_an_error_that_is_not_an_outage_is_not_hidden(redis_down, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(caches["redis"], "get", broken)
    with pytest.raises(ValueError):
        redis_down.get("x")


def test_a_redis_that_refuses_to_write_is_an_outage(redis_down, monkeypatch):
    """MISCONF: Redis could not write its append-only file (its disk full), and refuses writes."""
    from redis.exceptions import ResponseError

    def refused(*args, **kwargs):
        raise ResponseError("MISCONF Errors writing to the AOF file: No space left on device")

    monkeypatch.setattr(caches["redis"], "set", refused)
    monkeypatch.setattr(fallback, "primary_down", lambda alias: False)
    redis_down.set("counted", 1, 60)
    assert caches["database"].get("counted") == 1
