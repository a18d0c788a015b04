"""Queueing a Celery task by its name. A service queues the task that will call it back (the
task module imports the service) without importing the task module: no import circle. When
tasks run in-process (CELERY_TASK_ALWAYS_EAGER), the task runs there and then, as ``delay``
does.

A broker that does not answer is given up on at once for ``BROKER_RETRY_SECONDS`` after it
failed: every caller keeps what it queues in an outbox that is handed on again later, so a
request need not wait for a dead Redis once per task (ADR 35)."""

import time
from importlib import import_module

from celery import current_app
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

BROKER_RETRY_SECONDS = 15
_broker_down_until = 0.0


def queue(name: str, *args):
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        raise OperationalError("The broker did not answer a moment ago; not tried again yet")
    # The web process has not necessarily loaded the task's module (workers load every app's
    # tasks at start-up); loading it registers the task.
    import_module(name.rpartition(".")[0])
    try:
        return current_app.tasks[name].delay(*args)
    except OperationalError:
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        raise


def after_commit(work) -> None:
    """Do ``work`` once the surrounding transaction has committed (at once outside one), and
    never let it turn a committed request into an error page: what was saved is saved, and the
    person is told so (ADR 35). Each such work is also done again later by something that does
    not depend on it: the notifications' and LFPSE's outboxes hand on what is still waiting
    every five minutes, and a PDF not made can be asked for again. Its failure is logged.
    Tests raise it (``AFTER_COMMIT_RAISES``), so a fault in the work itself fails the test."""
    transaction.on_commit(work, robust=not settings.AFTER_COMMIT_RAISES)
