"""What incidents has due, for the reminder engine (notifications.registry): actions due and
overdue, to their owners; reviews not started within 7 days of the report, to the MSO and
deputy MSO (for one without its own, the nearest MSO who covers it); and the CDAO's
notice of an anonymous controlled-drug report, and the MSO's notice of an anonymous report
shared with their organisation as where it arose, on the day after it was sent (a named one is
told at once). Registered in apps.py. Reminders name the incident's reference, never what
happened."""

from datetime import timedelta

from django.utils import timezone

from notifications.registry import WHEN, Reminder, falling_due
from organisations.reminders import managers

from .models import Incident, IncidentAction, Status

REVIEW_WITHIN_DAYS = 7


def action_reminders(on):
    actions = IncidentAction.objects.falling_due(on).select_related("incident")
    for action in actions:
        incident = action.incident
        yield from falling_due(
            on,
            subject=f"incident-action:{action.pk}",
            due_on=action.due_on,
            recipients=[action.owner_id],
            title=f"an action from {incident.reference}",
            body=f"The action you own from incident {incident.reference} {WHEN}: "
            f"{action.description[:200]}",
            url=incident.get_absolute_url(),
        )


def review_reminders(on):
    """Incidents still waiting for their review a week after they were reported."""
    cutoff = timezone.make_aware(
        timezone.datetime.combine(
            on - timedelta(days=REVIEW_WITHIN_DAYS), timezone.datetime.min.time()
        )
    ) + timedelta(days=1)
    waiting = list(
        Incident.objects.filter(status=Status.SUBMITTED, reported_at__lt=cutoff).only(
            "pk", "reference", "organisation_id", "reported_at"
        )
    )
    told = managers({incident.organisation_id for incident in waiting}, on)
    for incident in waiting:
        reported_on = timezone.localtime(incident.reported_at).date()
        due_on = reported_on + timedelta(days=REVIEW_WITHIN_DAYS)
        for recipient in told.get(incident.organisation_id, []):
            yield Reminder(
                subject=f"incident:{incident.pk}",
                kind="review-not-started",
                due_on=due_on,
                recipient_id=recipient,
                title=f"Review not started: {incident.reference}",
                body=(
                    f"Incident {incident.reference} was reported on {reported_on:%-d %B %Y} "
                    "and its review has not started."
                ),
                url=incident.get_absolute_url(),
            )


def anonymous_controlled_drug_notices(on):
    """Anonymous controlled-drug reports sent in the week before ``on``: their notices, given
    in the sweep rather than when they were sent, so that none keeps the time it was sent
    (the report itself keeps the day only)."""
    from .services import controlled_drug_notices

    since = timezone.make_aware(
        timezone.datetime.combine(on - timedelta(days=7), timezone.datetime.min.time())
    )
    today = timezone.make_aware(timezone.datetime.combine(on, timezone.datetime.min.time()))
    for incident in Incident.objects.filter(
        anonymous=True, controlled_drug=True, reported_at__gte=since, reported_at__lt=today
    ).select_related("organisation"):
        yield from controlled_drug_notices(incident, on)


def anonymous_shared_notices(on):
    """Anonymous reports sent in the week before ``on`` that their reporters shared with the
    organisation where they arose: that organisation's notices, given in the sweep (as for
    controlled drugs, above)."""
    from .services import shared_notices

    since = timezone.make_aware(
        timezone.datetime.combine(on - timedelta(days=7), timezone.datetime.min.time())
    )
    today = timezone.make_aware(timezone.datetime.combine(on, timezone.datetime.min.time()))
    for incident in Incident.objects.filter(
        anonymous=True, arose_in__isnull=False, reported_at__gte=since, reported_at__lt=today
    ).select_related("organisation", "arose_in"):
        yield from shared_notices(incident, incident.arose_in)


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
PROVIDERS = [
    action_reminders,
    review_reminders,
    anonymous_controlled_drug_notices,
    anonymous_shared_notices,
]
