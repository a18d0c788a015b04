"""What a test needs that a machine may not have (PostgreSQL's row locks, Redis, a replica, a
server binary): CI has everything and fails rather than skips without it; elsewhere the test
is skipped, saying what to set up."""

import os

import pytest
from django.db import connection


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def required(what: str, *, by: str) -> None:
    """``what`` is missing for the tests of ``by``: fail in CI, skip elsewhere."""
    if in_ci():
        pytest.fail(f"CI runs {by}: {what} is missing")
    pytest.skip(f"{by} need {what}")


@pytest.fixture
def postgresql():
    """Row locks, and connections of their own for threads: PostgreSQL."""
    if connection.vendor != "postgresql":
        required("PostgreSQL (DATABASE_URL)", by="the tests of things done at once")
