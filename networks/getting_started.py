"""A new MSO's getting-started checklist, on their home page for their first 180 days in post,
from their first day (the start of their MSO appointment); before it, once they are named,
their home page says when it starts (``for_home``).

Items tick themselves where the product can tell (a network joined, a buddy asked for, and
the MSO's own work the apps add, organisations/getting_started.py: a review started, say) and
by hand otherwise (``GettingStartedTick``). The people to meet are named from the organisation's
posts, or shown as not yet named; a post the organisation's kind does not have is left out.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from organisations.choices import POST_KINDS, Post
from organisations.getting_started import WORK_ITEMS
from organisations.models import Appointment

from .models import BuddyRequest, Event, GettingStartedTick, Network, NetworkMembership

NEW_FOR_DAYS = 180
# The people a new MSO meets first, named from the organisation's posts.
PEOPLE = {
    Post.BOARD_DIRECTOR: "Meet the board director for medication safety",
    Post.CHIEF_PHARMACIST: "Meet the chief pharmacist",
    Post.PATIENT_SAFETY_SPECIALIST: "Meet the Patient Safety Specialists",
    Post.MDSO: "Meet the Medical Devices Safety Officer (MDSO)",
    Post.GOVERNANCE_LEAD: "Meet the clinical governance lead",
    Post.MEDICINES_ADVICE: "Meet the medicines advice team",
}


@dataclass
class Item:
    key: str
    text: str
    done: bool = False
    ticks_itself: bool = False  # the product can tell; no box to tick
    url: str = ""
    link_text: str = ""
    names: list[str] = field(default_factory=list)  # for the people to meet
    note: str = ""


def _mso_posts(user, organisation, on):
    """The person's MSO appointments in the organisation that have not ended by ``on``."""
    return Appointment.objects.filter(organisation=organisation, user=user, post=Post.MSO).exclude(
        end_on__lt=on
    )


def new_mso_post(user, organisation, on=None):
    """The person's MSO appointment in the organisation if they are in their first
    NEW_FOR_DAYS days in it, else None (also before it starts)."""
    on = on or timezone.localdate()
    return (
        _mso_posts(user, organisation, on)
        .filter(start_on__lte=on, start_on__gte=on - timedelta(days=NEW_FOR_DAYS))
        .first()
    )


def starts_on(user, organisation, on=None):
    """The first day of the person's MSO post in the organisation when it starts after ``on``
    (today) and they hold none there now: the day their checklist starts. Else None."""
    on = on or timezone.localdate()
    posts = _mso_posts(user, organisation, on)
    if posts.filter(start_on__lte=on).exists():
        return None
    later = posts.filter(start_on__gt=on).order_by("start_on").first()
    return later.start_on if later else None


def for_home(user, organisation, on=None) -> dict:
    """What the home page shows of it (templates/networks/includes/getting_started.html): the
    checklist and how much of it is done, from the person's first day as MSO; before that day,
    the day it starts."""
    on = on or timezone.localdate()
    items = checklist(user, organisation, on)
    return {
        "checklist": items,
        "checklist_done": sum(item.done for item in items or []),
        "checklist_starts_on": starts_on(user, organisation, on) if items is None else None,
    }


def checklist(user, organisation, on=None) -> list[Item] | None:
    """The checklist of a new MSO of the organisation, or None for anyone else."""
    on = on or timezone.localdate()
    if new_mso_post(user, organisation, on) is None:
        return None
    ticked = set(
        GettingStartedTick.objects.filter(user=user, organisation=organisation).values_list(
            "item", flat=True
        )
    )
    networks = {}
    for kind, region, slug, joined in _networks(user):  # the first of each, or a joined one
        if (kind, region) not in networks or joined:
            networks[(kind, region)] = (slug, joined)
    holders: dict[str, list[str]] = {}
    for appointment in (
        Appointment.objects.filter(organisation=organisation, post__in=PEOPLE)
        .current(on)
        .select_related("user")
    ):
        holders.setdefault(appointment.post, []).append(appointment.holder_name)
    ticking = [item for item in WORK_ITEMS if item.done_if is not None]
    asked = BuddyRequest.objects.filter(user=user).exclude(status=BuddyRequest.Status.WITHDRAWN)
    # What the person has done, in one query.
    done = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            asked=Exists(asked),
            **{f"done_{item.key}": item.done_if(user, organisation) for item in ticking},
        )
        .values("asked", *(f"done_{item.key}" for item in ticking))
        .get()
    )
    facts = {
        "ticked": ticked,
        "asked_for_buddy": done["asked"],
        "work": {item.key: done[f"done_{item.key}"] for item in ticking},
    }
    return _items(organisation, networks, holders, facts)


def _networks(user):
    """(kind, region, slug, joined) of the national and regional MSO networks, in one query."""
    return (
        Network.objects.filter(
            kind__in=[Network.Kind.NATIONAL, Network.Kind.REGIONAL],
            community=Network.Community.MSO,
        )
        .annotate(
            joined=Exists(NetworkMembership.objects.filter(network=OuterRef("pk"), user=user))
        )
        .order_by("pk")
        .values_list("kind", "region", "slug", "joined")
    )


def _items(organisation, networks, holders, facts) -> list[Item]:
    ticked = facts["ticked"]
    items = [
        Item(
            "mailbox",
            "Get access to the generic MSO mailbox",
            note=organisation.mso_mailbox
            or "No generic MSO mailbox is on the register yet: ask for one to be added",
            url="" if organisation.mso_mailbox else reverse("register:change_start"),
            link_text="" if organisation.mso_mailbox else "Ask for a change to the register",
        )
    ]
    for kind, region, text in (
        (Network.Kind.NATIONAL, "", "Join the national MSO network"),
        (
            Network.Kind.REGIONAL,
            organisation.region,
            f"Join the MSO network of {organisation.get_region_display()}",
        ),
    ):
        slug, joined = networks.get((kind, region), ("", False))
        items.append(
            Item(
                f"network-{kind}",
                text,
                done=joined,
                ticks_itself=True,
                url=reverse("networks:detail", kwargs={"slug": slug}) if slug else "",
                link_text="Go to the network" if slug else "",
            )
        )
    webinar = _next_webinar(networks)
    items.append(
        Item(
            "webinar",
            "Put the next monthly MSO webinar in your calendar",
            url=webinar.get_absolute_url() if webinar else "",
            link_text=f"{webinar.title}, {timezone.localtime(webinar.starts_at):%-d %B %Y}"
            if webinar
            else "",
            note="" if webinar else "The next one is not planned yet",
        )
    )
    items.append(
        Item(
            "buddy",
            "Ask for a buddy: an experienced MSO to talk to",
            done=facts["asked_for_buddy"],
            ticks_itself=True,
            url=reverse(
                "networks:buddies" if facts["asked_for_buddy"] else "networks:buddy_request"
            ),
            link_text="See the buddy scheme" if facts["asked_for_buddy"] else "Ask for a buddy",
        )
    )
    for post, text in PEOPLE.items():
        if organisation.kind in POST_KINDS[post]:
            items.append(Item(f"meet-{post}", text, names=holders.get(post, [])))
    for work in WORK_ITEMS:
        if work.done_if is None:
            items.append(Item(work.key, work.text))
            continue
        done = facts["work"][work.key]
        items.append(
            Item(
                work.key,
                work.text,
                done=done,
                ticks_itself=True,
                url=reverse(work.url_name),
                link_text=work.link_text,
                note="" if done else work.note,
            )
        )
    for item in items:
        if not item.ticks_itself:
            item.done = item.key in ticked
    return items


def _next_webinar(networks):
    national = [slug for (kind, _region), (slug, _joined) in networks.items() if kind == "national"]
    return (
        Event.objects.filter(network__slug__in=national, starts_at__gte=timezone.now())
        .select_related("network")
        .order_by("starts_at")
        .first()
    )
