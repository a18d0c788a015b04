"""Queueing a Celery task by its name. A service queues the task that will call it back (the
task module imports the service) without importing the task module: no import circle. When
tasks run in-process (CELERY_TASK_ALWAYS_EAGER), the task runs there and then, as ``delay``
does."""

from importlib import import_module

from celery import current_app


def queue(name: str, *args):
    # The web process has not necessarily loaded the task's module (workers load every app's
    # tasks at start-up); loading it registers the task.
    import_module(name.rpartition(".")[0])
    return current_app.tasks[name].delay(*args)
