"""The buddy scheme's matching: for each new MSO waiting for a buddy, the offers with room,
best first: the same sector (kind of organisation), then the same region, then the longer
experience as an MSO. An MSO who is leaving is never offered (``leaving``). A network lead
confirms a pairing (services.buddy_pair)."""

from datetime import date

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from networks.permissions import Perm
from organisations.choices import Post
from organisations.models import Appointment, Handover, Organisation

from .models import BuddyOffer, BuddyRequest


def free_places(offer: BuddyOffer) -> int:
    paired = offer.pairings.filter(status=BuddyRequest.Status.PAIRED).count()
    return offer.capacity - paired


def leaving(user_path: str = "user", on: date | None = None) -> Q:
    """Whether the person at ``user_path`` is leaving an MSO post: their MSO appointment has a
    last day, today or later, or a handover of theirs as the outgoing MSO is still open. A
    buddy supports a new MSO through their first months, so someone leaving is not offered."""
    on = on or timezone.localdate()
    person = OuterRef(user_path)
    last_day_set = Appointment.objects.filter(user=person, post=Post.MSO, end_on__gte=on)
    handing_over = Handover.objects.open().filter(appointment__user=person)
    return Q(Exists(last_day_set)) | Q(Exists(handing_over))


def offers_with_room():
    """Active offers with room from people who are not leaving an MSO post, each with
    ``places`` left and ``mso_since`` (the start of the person's first MSO post, for their
    experience)."""
    first_post = (
        Appointment.objects.filter(user=OuterRef("user"), post=Post.MSO)
        .order_by()
        .values("user")
        .annotate(first=Min("start_on"))
        .values("first")
    )
    return (
        BuddyOffer.objects.filter(active=True)
        .annotate(
            paired=Count("pairings", filter=Q(pairings__status=BuddyRequest.Status.PAIRED)),
            mso_since=Subquery(first_post),
        )
        .filter(paired__lt=F("capacity"))
        .exclude(leaving())
        .select_related("user")
    )


def waiting_for(lead):
    """The requests waiting for a buddy from the organisations this lead pairs for."""
    reach = Organisation.objects.visible_to(lead, Perm.BUDDIES_PAIR)
    return (
        BuddyRequest.objects.filter(status=BuddyRequest.Status.WAITING, organisation__in=reach)
        .select_related("user", "organisation")
        .order_by("created_at", "pk")
    )


def ranked(request: BuddyRequest, offers, today: date | None = None) -> list[dict]:
    """``offers`` (from offers_with_room) as suggestions for ``request``, best first, each
    with the reasons it fits."""
    today = today or timezone.localdate()
    organisation = request.organisation
    suggestions = []
    for offer in offers:
        if offer.user_id == request.user_id:
            continue
        same_sector = organisation.kind in offer.sectors
        same_region = offer.region == organisation.region
        years = (today - offer.mso_since).days // 365 if offer.mso_since else 0
        reasons = []
        if same_sector:
            reasons.append("knows this kind of organisation")
        if same_region:
            reasons.append(f"also in {organisation.get_region_display()}")
        reasons.append(f"{years} year{'s' if years != 1 else ''} as an MSO")
        suggestions.append(
            {
                "offer": offer,
                "places": offer.capacity - offer.paired,
                "reasons": reasons,
                "rank": (not same_sector, not same_region, -years, offer.pk),
            }
        )
    return sorted(suggestions, key=lambda suggestion: suggestion["rank"])
