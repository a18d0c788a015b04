"""The alerts' section of the quarterly national learning summary (incidents/learning.py):
the National Patient Safety Alerts issued in the quarter and how the organisations a lead
sees have answered them, from the kept tallies."""

import datetime

from django.db.models import Q, Sum

from . import choices
from .models import Alert, AlertTally


def issued(quarter, regions, on: datetime.date) -> tuple[str, dict]:
    """The alerts issued in the quarter, each with how the organisations answered (counts of
    organisations, not of incidents: no small-number rule applies), from the kept tallies."""
    issued = list(
        Alert.objects.published()
        .filter(issued_on__gte=quarter.start, issued_on__lte=quarter.end)
        .order_by("issued_on", "reference")
    )
    tallies = AlertTally.objects.filter(alert__in=issued)
    if regions is not None:
        tallies = tallies.filter(region__in=regions)
    open_states = list(choices.OPEN_STATES)
    figures = {
        row["alert_id"]: row
        for row in tallies.values("alert_id")
        .annotate(
            total=Sum("count"),
            completed=Sum(
                "count",
                filter=Q(
                    state__in=(
                        choices.ResponseState.COMPLETED,
                        choices.ResponseState.NOT_APPLICABLE,
                    )
                ),
                default=0,
            ),
            overdue=Sum("count", filter=Q(state__in=open_states, next_due_on__lt=on), default=0),
        )
        .order_by()
    }
    rows = [{"alert": alert, **figures.get(alert.pk, {"total": 0})} for alert in issued]
    return "alerts/includes/learning_alerts.html", {"alerts": rows, "quarter": quarter}
