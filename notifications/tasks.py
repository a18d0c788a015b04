"""Thin Celery tasks: ids in, a service call. The beat schedule is in settings."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def deliver_notification(pk: int) -> bool:
    return services.deliver(pk)


@shared_task(acks_late=True)
def deliver_notifications(pks: list[int]) -> int:
    return sum(services.deliver(pk) for pk in pks)


@shared_task
def sweep_reminders() -> int:
    return services.sweep()


@shared_task
def deliver_pending() -> int:
    return services.deliver_pending()


@shared_task
def send_daily_digests() -> int:
    return services.send_digests()
