"""Queueing a Celery task by its name. A service queues the task that will call it back (the
task module imports the service) without importing the task module: no import circle. When
tasks run in-process (CELERY_TASK_ALWAYS_EAGER), the task runs there and then, as ``delay``
does."""

from importlib import import_module

from celery import current_app
from django.conf import settings
from django.db import transaction


def queue(name: str, *args):
    # The web process has not necessarily loaded the task's module (workers load every app's
    # tasks at start-up); loading it registers the task.
    import_module(name.rpartition(".")[0])
    return current_app.tasks[name].delay(*args)


def after_commit(work) -> None:
    """Do ``work`` once the surrounding transaction has committed (at once outside one), and
    never let it turn a committed request into an error page: what was saved is saved, and the
    person is told so (ADR 35). Each such work is also done again later by something that does
    not depend on it: the notifications' and LFPSE's outboxes hand on what is still waiting
    every five minutes, and a PDF not made can be asked for again. Its failure is logged.
    Tests raise it (``AFTER_COMMIT_RAISES``), so a fault in the work itself fails the test."""
    transaction.on_commit(work, robust=not settings.AFTER_COMMIT_RAISES)
