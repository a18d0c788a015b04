"""What committees have due, for the reminder engine (notifications.registry): meeting actions
due and overdue, to their owners; and minutes not recorded 14 days after a meeting, to the
committee's secretary (or its chair, when it has no secretary with an account). Registered in
apps.py."""

from datetime import timedelta

from django.utils import timezone

from notifications.registry import WHEN, Reminder, falling_due

from .choices import Seat
from .models import CommitteeMember, Meeting, MeetingAction

MINUTES_WITHIN_DAYS = 14
# A meeting whose minutes are this late is not reminded any more (the sweep that first runs
# after a long gap does not dig up years of meetings).
MINUTES_FORGOTTEN_AFTER = timedelta(days=90)


def action_reminders(on):
    actions = MeetingAction.objects.falling_due(on)
    for action in actions.select_related("meeting__committee__organisation"):
        committee = action.meeting.committee
        yield from falling_due(
            on,
            subject=f"committee-action:{action.pk}",
            due_on=action.due_on,
            recipients=[action.owner_id],
            title=f"an action of the {committee.name}",
            body=f"The action you own from the {committee.name}'s meeting {WHEN}: "
            f"{action.description[:200]}",
            url=action.get_absolute_url(),  # its owner may see nothing else of the committee
        )


def _keepers(committee_ids, on) -> dict[int, list[int]]:
    """committee id -> the user ids of its secretary, or else its chair, today."""
    seats = (
        CommitteeMember.objects.filter(
            committee_id__in=committee_ids,
            seat__in=[Seat.SECRETARY, Seat.CHAIR],
            user__isnull=False,
        )
        .current(on)
        .values_list("committee_id", "seat", "user_id")
    )
    by_committee: dict[int, dict[str, list[int]]] = {}
    for committee_id, seat, user_id in seats:
        by_committee.setdefault(committee_id, {}).setdefault(seat, []).append(user_id)
    return {
        committee_id: found.get(Seat.SECRETARY) or found.get(Seat.CHAIR, [])
        for committee_id, found in by_committee.items()
    }


def minutes_missing(on):
    """Meetings that took place 14 days or more before ``on`` with no minutes recorded."""
    day = timezone.make_aware(timezone.datetime.combine(on, timezone.datetime.min.time()))
    meetings = list(
        Meeting.objects.filter(
            minutes_recorded_at__isnull=True,
            starts_at__lt=day - timedelta(days=MINUTES_WITHIN_DAYS - 1),
            starts_at__gte=day - MINUTES_FORGOTTEN_AFTER,
        ).select_related("committee__organisation")
    )
    keepers = _keepers({meeting.committee_id for meeting in meetings}, on)
    for meeting in meetings:
        held_on = timezone.localtime(meeting.starts_at).date()
        for recipient in keepers.get(meeting.committee_id, []):
            yield Reminder(
                subject=f"committee-meeting:{meeting.pk}",
                kind="minutes-missing",
                due_on=held_on + timedelta(days=MINUTES_WITHIN_DAYS),
                recipient_id=recipient,
                title=f"Minutes not recorded: the {meeting.committee.name}, {held_on:%-d %B}",
                body=(
                    f"The {meeting.committee.name} met on {held_on:%-d %B %Y}, and its minutes "
                    "are not recorded yet."
                ),
                url=meeting.get_absolute_url(),
            )


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
PROVIDERS = [action_reminders, minutes_missing]
