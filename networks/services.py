"""Writes for MSO networks: who is in them (a network's lead holds cross-organisation
permissions, so who leads is audited), their events and library, the buddy scheme and the
getting-started ticks. Atomic and audited; whoever is paired with a buddy is told.

What a person sends twice (a second press of a button, a reload that sends the form again,
another tab) is written once: a new event, library resource, workplan item or offer to present
is looked for under the network's lock, and the one the first sending wrote is given back."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_as
from core.tasks import after_commit
from notifications.registry import Reminder
from notifications.services import notify

from .access import forget_network_access
from .models import BuddyOffer, BuddyRequest, GettingStartedTick, Network, NetworkMembership, Tag


def _lock(network_id: int) -> None:
    """One new row of a network's at a time: a second sending waits, then finds the first's."""
    Network.objects.select_for_update().filter(pk=network_id).first()


def network_save(*, by, network) -> None:
    with transaction.atomic(), audit_as(by):
        network.full_clean()
        network.save()


def network_membership_save(*, by, membership) -> None:
    with transaction.atomic(), audit_as(by):
        membership.full_clean()
        membership.save()


def network_membership_delete(*, by, membership) -> None:
    with transaction.atomic(), audit_as(by):
        membership.delete()


def join(*, by, network) -> NetworkMembership:
    """Join a network as a member (leads are named in the administration site)."""
    with transaction.atomic(), audit_as(by):
        membership, _ = NetworkMembership.objects.get_or_create(network=network, user=by)
    forget_network_access(by)
    return membership


def leave(*, by, network) -> None:
    """Leave a network. A lead is not removed this way: another lead is named first."""
    with transaction.atomic(), audit_as(by):
        membership = NetworkMembership.objects.filter(network=network, user=by).first()
        if membership is None:
            return
        if membership.role == NetworkMembership.Role.LEAD:
            raise ValidationError(
                "You lead this network. Ask the site administrator to name another lead first",
                code="lead",
            )
        membership.delete()
    forget_network_access(by)


# Events ---------------------------------------------------------------------------------


def event_save(*, by, event):
    """Add an event to the network's calendar, or change it; the event kept."""
    with transaction.atomic(), audit_as(by):
        if event.created_by_id is None:
            event.created_by = by
        event.full_clean()
        if event.pk is None:
            _lock(event.network_id)
            same = event.network.events.filter(
                title=event.title, starts_at=event.starts_at, ends_at=event.ends_at
            ).first()
            if same is not None:  # the same event again: a second press
                return same
        event.save()
    return event


def event_delete(*, by, event) -> None:
    with transaction.atomic(), audit_as(by):
        event.delete()


# The library ----------------------------------------------------------------------------


def tag_names(text: str) -> list[str]:
    """Tags typed as "insulin, opioids; handover": trimmed, lower case, each once."""
    names = (name.strip().lower()[:50] for name in text.replace(";", ",").split(","))
    return list(dict.fromkeys(name for name in names if name))


def resource_share(*, by, resource, tags: list[str]):
    """Add a document or a link to a network's library; the resource kept. A file was checked
    by the form (uploads.identify); here it is stored under its random name, in the same
    transaction. The same title and link, or file, shared again by the same person (a second
    press) is the one in the library."""
    with transaction.atomic(), audit_as(by):
        resource.shared_by = by
        resource.full_clean()
        _lock(resource.network_id)
        same = _shared_already(resource)
        if same is not None:
            return same
        resource.save()
        resource.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    return resource


def _shared_already(resource):
    from .models import Resource

    for kept in Resource.objects.filter(
        network_id=resource.network_id,
        shared_by=resource.shared_by,
        title=resource.title,
        link=resource.link,
        filename=resource.filename,
        size=resource.size,
    ):
        if not resource.file or _same_bytes(kept.file, resource.file):
            return kept
    return None


def _same_bytes(kept, sent) -> bool:
    """Whether the file ``kept`` holds what ``sent`` does: an upload not stored yet, or a copy
    stored already (improvement's shares store theirs first)."""
    if sent._committed:
        with sent.storage.open(sent.name, "rb") as stored:
            content = stored.read()
    else:
        sent.seek(0)
        content = sent.read()
        sent.seek(0)
    with kept.storage.open(kept.name, "rb") as stored:
        return stored.read() == content


def resource_remove(*, by, resource) -> None:
    """Remove a resource from the library, and its file once the removal is committed."""
    with transaction.atomic(), audit_as(by):
        file = resource.file
        resource.delete()
        if file:
            after_commit(lambda: file.storage.delete(file.name))


# The buddy scheme -----------------------------------------------------------------------


def buddy_offer_save(*, by, offer) -> BuddyOffer:
    with transaction.atomic(), audit_as(by):
        offer.user = by
        offer.full_clean(exclude=["user"])
        offer.save()
    return offer


def buddy_request(*, by, request) -> BuddyRequest:
    with transaction.atomic(), audit_as(by):
        request.user = by
        request.status = BuddyRequest.Status.WAITING
        request.full_clean(exclude=["user"], validate_constraints=False)
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            waiting = BuddyRequest.objects.filter(
                user=by, status=BuddyRequest.Status.WAITING
            ).first()
            same = ("organisation_id", "note")
            if waiting and all(getattr(waiting, f) == getattr(request, f) for f in same):
                return waiting  # the same ask again: a second press
            raise ValidationError(
                {"note": "You have already asked for a buddy"}, code="waiting"
            ) from None
    return request


def buddy_request_withdraw(*, by, request) -> None:
    with transaction.atomic(), audit_as(by):
        request = BuddyRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == BuddyRequest.Status.WAITING:
            request.status = BuddyRequest.Status.WITHDRAWN
            request.save(update_fields=["status"])


def buddy_pair(*, by, request, offer) -> BuddyRequest:
    """Pair a new MSO with a buddy who has room and is not leaving an MSO post; both are
    told."""
    from .buddies import free_places, leaving

    with transaction.atomic(), audit_as(by):
        request = BuddyRequest.objects.select_for_update().get(pk=request.pk)
        offer = BuddyOffer.objects.select_for_update().get(pk=offer.pk)
        if request.status != BuddyRequest.Status.WAITING:
            raise ValidationError(
                f"This request is {request.get_status_display().lower()}", code="not_waiting"
            )
        if not offer.active or free_places(offer) < 1 or offer.user_id == request.user_id:
            raise ValidationError(
                f"{offer.user.full_name} has no room for another new MSO", code="full"
            )
        if BuddyOffer.objects.filter(leaving(), pk=offer.pk).exists():
            raise ValidationError(
                f"{offer.user.full_name} is leaving their MSO post, so is not a buddy to a new "
                "MSO now",
                code="leaving",
            )
        request.buddy, request.paired_by, request.paired_at = offer, by, timezone.now()
        request.status = BuddyRequest.Status.PAIRED
        request.save(update_fields=["buddy", "paired_by", "paired_at", "status"])
        notify(_paired(request))
    return request


def _paired(request) -> list[Reminder]:
    from django.urls import reverse

    mentor, new = request.buddy.user, request.user
    common = {
        "subject": f"buddy:{request.pk}",
        "kind": "paired",
        "due_on": timezone.localdate(),
        "url": reverse("networks:buddies"),
    }
    return [
        Reminder(
            **common,
            recipient_id=new.pk,
            title=f"Your buddy is {mentor.full_name}",
            body=f"{mentor.full_name} ({mentor.email}) will be your buddy as a new MSO. "
            "Get in touch to arrange a first conversation.",
        ),
        Reminder(
            **common,
            recipient_id=mentor.pk,
            title=f"You are {new.full_name}'s buddy",
            body=f"{new.full_name} ({new.email}), new MSO of {request.organisation.name}, "
            "would value your help. Get in touch to arrange a first conversation.",
        ),
    ]


# Getting started ------------------------------------------------------------------------


def getting_started_tick(*, by, organisation, item: str, done: bool) -> None:
    with transaction.atomic():
        ticks = GettingStartedTick.objects.filter(user=by, organisation=organisation, item=item)
        if done:  # ticked once, however often (two at once: the second finds the first's)
            GettingStartedTick.objects.get_or_create(user=by, organisation=organisation, item=item)
        else:
            ticks.delete()


# Workplans and webinar offers --------------------------------------------------------------


def workplan_item_save(*, by, item, organisations=None):
    """Add or change an item of a regional or specialised network's workplan: its owner is a
    member of the network; ``organisations`` (when given) are those involved."""
    from .models import Network

    if item.network.kind == Network.Kind.NATIONAL:
        raise ValidationError(
            "A workplan is kept by a regional or specialised network", code="national"
        )
    if (
        item.owner_id
        and not NetworkMembership.objects.filter(
            network=item.network, user_id=item.owner_id
        ).exists()
    ):
        raise ValidationError(
            {"owner": f"The owner must be a member of {item.network.name}"}, code="not_a_member"
        )
    with transaction.atomic(), audit_as(by):
        if item.created_by_id is None:
            item.created_by = by
        item.full_clean()
        if item.pk is None:
            _lock(item.network_id)
            same = _workplan_item_there(item, organisations)
            if same is not None:  # the same item again: a second press
                return same
        item.save()
        if organisations is not None:
            item.organisations.set(organisations)
    return item


def _workplan_item_there(item, organisations):
    """An item of the network the same in everything the form gives (next year's "Annual CD
    audit" is due on another day; one done already is not the open one being added)."""
    same = item.network.workplan.filter(
        priority=item.priority,
        title=item.title,
        description=item.description,
        owner_id=item.owner_id,
        due_on=item.due_on,
        state=item.state,
    ).prefetch_related("organisations")
    return next(
        (
            there
            for there in same
            if organisations is None or set(there.organisations.all()) == set(organisations)
        ),
        None,
    )


def workplan_state_set(*, by, item, state: str) -> None:
    """The owner (or a lead) moves an item on: planned, in progress, done or stopped."""
    item.state = state
    with transaction.atomic(), audit_as(by):
        item.full_clean()
        item.save(update_fields=["state", "updated_at"])


def webinar_offer(*, by, offer):
    """A member offers to present at the network's webinar, in the month they would like (this
    month or later)."""
    offer.offered_by = by
    offer.preferred_month = offer.preferred_month.replace(day=1)
    if offer.preferred_month < timezone.localdate().replace(day=1):
        raise ValidationError({"preferred_month": "Choose this month or a later one"}, code="past")
    if not NetworkMembership.objects.filter(network=offer.network, user=by).exists():
        raise ValidationError(f"Join {offer.network.name} to offer a talk", code="not_a_member")
    with transaction.atomic(), audit_as(by):
        offer.full_clean()
        _lock(offer.network_id)
        same = offer.network.webinar_offers.filter(
            offered_by=by, topic=offer.topic, status=offer.Status.OFFERED
        ).first()
        if same is not None:  # the same offer again: a second press
            return same
        offer.save()
    return offer


def webinar_decide(*, by, offer, accept: bool, event=None, reason: str = ""):
    """A lead accepts an offer for one of the network's coming events (whose agenda then shows
    it), or declines it with a reason. The member is told either way."""
    from .models import WebinarOffer

    reason = reason.strip()
    with transaction.atomic(), audit_as(by):
        offer = WebinarOffer.objects.select_for_update().get(pk=offer.pk)
        if offer.status != WebinarOffer.Status.OFFERED:
            raise ValidationError(
                f"This offer was {offer.get_status_display().lower()} already", code="decided"
            )
        if accept:
            if event is None or event.network_id != offer.network_id:
                raise ValidationError(
                    {"event": "Select one of the network's coming events"}, code="event"
                )
            if event.starts_at < timezone.now():
                raise ValidationError({"event": "This event has taken place"}, code="past")
            offer.event = event
        elif not reason:
            raise ValidationError({"reason": "Give the reason for declining it"}, code="required")
        offer.status = WebinarOffer.Status.ACCEPTED if accept else WebinarOffer.Status.DECLINED
        offer.reason, offer.decided_by = reason, by
        offer.save(update_fields=["status", "event", "reason", "decided_by"])
        notify([_offer_decided(offer)])
    return offer


def _offer_decided(offer) -> Reminder:
    accepted = offer.event_id is not None
    when = timezone.localtime(offer.event.starts_at) if accepted else None
    return Reminder(
        subject=f"webinar-offer:{offer.pk}",
        kind=offer.status,
        due_on=timezone.localdate(),
        recipient_id=offer.offered_by_id,
        title=f"{'Accepted' if accepted else 'Declined'}: your talk, {offer.topic}"[:200],
        body=(
            f"You present at {offer.event.title} on {when:%-d %B %Y at %H:%M}."
            if accepted
            else f"The network lead gave this reason: {offer.reason}"
        ),
        url=offer.event.get_absolute_url() if accepted else offer.network.get_absolute_url(),
    )
