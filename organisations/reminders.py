"""What organisations has due, for the reminder engine (notifications.registry): handover
items, and an MSO's last day passed (the post covered, or vacant); and the notices that a
handover is open, which the named-post services send. Registered in apps.py."""

from datetime import timedelta

from core.actions import DUE_SOON_DAYS
from notifications.registry import WHEN, Reminder, falling_due

from .access import register_keepers
from .choices import MANAGING_POSTS, MSO_REQUIRED, Post
from .models import Appointment, HandoverItem, covering_msos


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


def opened(handover, who) -> list[Reminder]:
    """The notices that a handover is open (or its last day moved): to the successor if they
    have an account, the board director and the region's network leads (the register entry
    for them, who do not see handovers). One each for each last day."""
    organisation, outgoing = handover.organisation, handover.appointment.holder_name
    leaves = f"{handover.leaves_on:%-d %B %Y}"
    successor = who.successor
    if successor is not None:
        takes_over = (
            f"{successor.holder_name} takes over as MSO from {successor.start_on:%-d %B %Y}."
        )
    else:
        takes_over = (
            "No successor is named yet: the MSO or the board director asks for one through a "
            "change to the national MSO register."
        )

    def notice(recipient, body, url) -> Reminder:
        return Reminder(
            subject=f"handover:{handover.pk}",
            kind="opened",
            due_on=handover.leaves_on,
            recipient_id=recipient,
            title=f"{outgoing} leaves the MSO post of {organisation.name} on {leaves}",
            body=body,
            url=url,
        )

    told = {}
    if successor is not None and successor.user_id:
        told[successor.user_id] = notice(
            successor.user_id,
            f"You take over as MSO of {organisation.name} from "
            f"{successor.start_on:%-d %B %Y}. The handover shows what {outgoing} passes on to "
            "you, and the items that are yours to do.",
            handover.get_absolute_url(),
        )
    for director in who.directors:
        if director.user_id and director.user_id not in told:
            told[director.user_id] = notice(
                director.user_id,
                f"A handover is open. {takes_over} Its checklist gives each item an owner and "
                "a due date, some of them yours.",
                handover.get_absolute_url(),
            )
    for lead in register_keepers(organisation.region):
        if lead not in told:
            told[lead] = notice(
                lead,
                f"{takes_over} The register entry shows the post.",
                organisation.get_absolute_url(),
            )
    return list(told.values())


LEFT_WITHIN_DAYS = 7  # a sweep this many days late still tells of a last day passed


def left_reminders(on):
    """The day after an MSO's last day: the successor, the board director and the region's
    network leads are told whether the post is covered (by the successor, or by the MSO who
    covers the organisation) or has fallen vacant, once, even by a sweep a few days late."""
    ended = list(
        Appointment.objects.filter(
            post=Post.MSO,
            end_on__lt=on,
            end_on__gte=on - timedelta(days=LEFT_WITHIN_DAYS),
        ).select_related("organisation", "user")
    )
    if not ended:
        return
    organisations = {appointment.organisation_id for appointment in ended}
    in_post, later = {}, {}
    for appointment in (
        Appointment.objects.filter(organisation_id__in=organisations, post=Post.MSO)
        .exclude(end_on__lt=on)
        .select_related("user")
        .order_by("start_on", "pk")
    ):
        if appointment.start_on <= on:
            in_post.setdefault(appointment.organisation_id, appointment)
        else:
            later.setdefault(appointment.organisation_id, appointment)
    covers = covering_msos(
        {
            appointment.organisation_id: appointment.organisation.kind
            for appointment in ended
            if appointment.organisation_id not in in_post
        },
        on,
    )
    directors = holders(organisations, [Post.BOARD_DIRECTOR], on)
    keepers = {}
    for appointment in ended:
        organisation = appointment.organisation
        if organisation.region not in keepers:
            keepers[organisation.region] = register_keepers(organisation.region)
        successor = in_post.get(organisation.pk) or later.get(organisation.pk)
        recipients = [
            *([successor.user_id] if successor and successor.user_id else []),
            *directors.get(organisation.pk, []),
            *keepers[organisation.region],
        ]
        notice = left_notice(
            appointment, in_post.get(organisation.pk), later.get(organisation.pk), covers
        )
        for recipient in dict.fromkeys(recipients):
            yield Reminder(**notice, recipient_id=recipient)


def left_notice(appointment, in_post, later, covers) -> dict:
    """What is said of an MSO's last day passed, by how the post stands now."""
    organisation = appointment.organisation
    left = (
        f"{appointment.holder_name}'s last day as MSO of {organisation.name} was "
        f"{appointment.end_on:%-d %B %Y}."
    )
    common = {
        "due_on": appointment.end_on + timedelta(days=1),
        "url": organisation.get_absolute_url(),
    }
    if in_post is not None:
        return {
            **common,
            "subject": f"mso-left:{appointment.pk}",
            "kind": "covered",
            "title": f"{in_post.holder_name} is now the MSO of {organisation.name}",
            "body": f"{left} The post is now covered by {in_post.holder_name}, MSO from "
            f"{in_post.start_on:%-d %B %Y}.",
        }
    cover = covers.get(organisation.pk)
    if cover is not None:
        return {
            **common,
            "subject": f"mso-left:{appointment.pk}",
            "kind": "covered",
            "title": f"{organisation.name} is covered by the MSO of {cover.organisation.name}",
            "body": f"{left} The post is now covered by {cover.holder_name}, MSO of "
            f"{cover.organisation.name}.",
        }
    starts = f" {later.holder_name} starts as MSO on {later.start_on:%-d %B %Y}." if later else ""
    if organisation.kind in MSO_REQUIRED:
        return {
            **common,
            "subject": f"vacancy:{appointment.pk}",
            "kind": "vacant",
            "title": f"{organisation.name} has no MSO",
            "body": f"{left} The post is now vacant: nobody is in it.{starts} Name who takes "
            "over, from today, through a change to the national MSO register.",
        }
    return {
        **common,
        "subject": f"mso-left:{appointment.pk}",
        "kind": "no-cover",
        "title": f"{organisation.name} has no MSO cover",
        "body": f"{left} Nobody covers the post now.{starts}",
    }


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
PROVIDERS = [handover_reminders, left_reminders]
