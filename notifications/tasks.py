"""Thin Celery tasks: ids in, a service call. The beat schedule is in settings, and each task's
queue (the reminders queue) in settings.CELERY_TASK_ROUTES.

Every one is acknowledged once it has run (``acks_late``), so a task whose worker died is run
again by another (after the broker's visibility timeout). Each is safe to run again, or twice
at once: the ledger writes a reminder once (``sweep``), and a notification or a daily email's
reminders are claimed before they are emailed and marked sent as soon as they are (``deliver``,
``send_digests``); one emailed by the worker that died is emailed again under the same
Message-ID."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def deliver_notification(pk: int) -> bool:
    return services.deliver(pk)


@shared_task(acks_late=True)
def deliver_notifications(pks: list[int]) -> int:
    return sum(services.deliver(pk) for pk in pks)


@shared_task(acks_late=True)
def sweep_reminders() -> int:
    return services.sweep()


@shared_task(acks_late=True)
def deliver_pending() -> int:
    return services.deliver_pending()


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    return services.send_digests()
