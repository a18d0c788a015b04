"""Thin Celery tasks: ids in, a service call."""

from celery import shared_task

from .models import Alert
from .services import fan_out as tell


@shared_task(acks_late=True)
def fan_out(alert_id: int) -> int:
    """Tell the MSOs of every organisation a published alert reached (services.fan_out): a
    retry, or a worker killed part way, tells nobody twice (the reminder ledger)."""
    alert = Alert.objects.filter(pk=alert_id).first()
    return tell(alert) if alert is not None else 0


@shared_task
def read_alert_feeds() -> int:
    """Read the alert feeds (settings.ALERT_FEEDS): each new entry naming a CAS reference
    becomes a draft for the national patient safety team (alerts/feeds.py). Returns how many
    were drafted."""
    from .feeds import read_feeds

    return sum(len(reading.drafted) for reading in read_feeds())
