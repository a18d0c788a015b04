"""What organisations has due, for the reminder engine (notifications.registry): handover
items and vacant MSO posts. Registered in apps.py."""

from datetime import timedelta

from core.actions import DUE_SOON_DAYS
from notifications.registry import WHEN, Reminder, falling_due

from .choices import MANAGING_POSTS, Post
from .models import Appointment, HandoverItem


def holders(organisation_ids, posts, on):
    """organisation id -> user ids of the current holders of ``posts``, in one query."""
    found: dict[int, list[int]] = {}
    for organisation_id, user_id in (
        Appointment.objects.current(on)
        .filter(organisation_id__in=organisation_ids, post__in=posts, user__isnull=False)
        .values_list("organisation_id", "user_id")
    ):
        found.setdefault(organisation_id, []).append(user_id)
    return found


def managers(organisation_ids, on) -> dict[int, list[int]]:
    """organisation id -> user ids of its MSO and deputy MSO today or, for an organisation
    without either, of the nearest who cover it (models.covering_links: the MSO of a practice's
    PCN, else of its ICB): who is told what an organisation has to do. ``organisation_ids``:
    ids, or a subquery of them. At most four queries, whatever their number."""
    from .choices import MSO_COVERED_BY
    from .models import Organisation, covering_links

    found = holders(organisation_ids, MANAGING_POSTS, on)
    kinds = dict(
        Organisation.objects.filter(pk__in=organisation_ids, kind__in=list(MSO_COVERED_BY))
        .exclude(pk__in=list(found))
        .values_list("pk", "kind")
    )
    links = covering_links(kinds, on)
    # Those who cover are the MSOs above (the covering rules are the MSO's, not the deputy's).
    above = holders({ancestor for _, ancestor in links}, [Post.MSO], on) if links else {}
    for descendant, ancestor in links:
        if descendant not in found and above.get(ancestor):
            found[descendant] = list(above[ancestor])
    return found


def handover_reminders(on):
    items = list(
        HandoverItem.objects.open()
        .filter(
            handover__completed_at__isnull=True,
            handover__cancelled_at__isnull=True,
            due_on__lte=on + timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("handover__organisation", "handover__appointment")
    )
    organisations = {item.handover.organisation_id for item in items}
    directors = holders(organisations, [Post.BOARD_DIRECTOR], on)
    managers = holders(organisations, MANAGING_POSTS, on)
    for item in items:
        handover, organisation = item.handover, item.handover.organisation
        owners = [item.owner_id] if item.owner_id else managers.get(organisation.pk, [])
        # Once it is overdue the board director is told too.
        overdue = [*owners, *directors.get(organisation.pk, [])]
        yield from falling_due(
            on,
            subject=f"handover-item:{item.pk}",
            due_on=item.due_on,
            recipients=lambda kind, owners=owners, overdue=overdue: (
                overdue if kind == "overdue" else owners
            ),
            title=item.get_task_display(),
            body=f"In the handover of {handover.appointment.holder_name} as MSO of "
            f"{organisation.name}: this {WHEN}.",
            url=handover.get_absolute_url(),
        )


def vacancy_reminders(on):
    """The board director is told the day the MSO post falls vacant."""
    vacated = list(Appointment.objects.vacated(on).select_related("organisation"))
    directors = holders({a.organisation_id for a in vacated}, [Post.BOARD_DIRECTOR], on)
    for appointment in vacated:
        organisation = appointment.organisation
        for director in directors.get(organisation.pk, []):
            yield vacancy_reminder(appointment, director)


def vacancy_reminder(appointment, recipient_id) -> Reminder:
    organisation = appointment.organisation
    return Reminder(
        subject=f"vacancy:{appointment.pk}",
        kind="vacant",
        due_on=appointment.end_on + timedelta(days=1),
        recipient_id=recipient_id,
        title=f"{organisation.name} has no MSO",
        body=(
            f"{appointment.holder_name} left the MSO post on {appointment.end_on:%-d %B %Y} and "
            "nobody is in post now. Name who takes over, from today, on the organisation's "
            "page or through a change to the national MSO register."
        ),
        url=organisation.get_absolute_url(),
    )


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
PROVIDERS = [handover_reminders, vacancy_reminders]
