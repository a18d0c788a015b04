"""Events as iCalendar (RFC 5545), written with the icalendar library: one event to add to a
calendar, or a network's feed that a calendar subscribes to. A feed's address carries a signed
token naming the person, the network and their membership of it, because calendar programs send
no session cookie; it stops working when they leave the network (a membership taken up again is
a new one, so an old address stays dead) or their post no longer lets them join networks
(views.calendar_feed)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.ical import Entry, ical

SALT = "networks.calendar"


def feed_token(user, network) -> str:
    membership = network.memberships.get(user=user)
    return signing.dumps([user.pk, network.pk, membership.pk], salt=SALT, compress=True)


def feed_url(user, network) -> str:
    path = reverse(
        "networks:calendar", kwargs={"slug": network.slug, "token": feed_token(user, network)}
    )
    return settings.SITE_URL.rstrip("/") + path


def read_token(token: str):
    """(user id, network id, membership id) of a feed token, or None."""
    try:
        user_id, network_id, membership_id = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return user_id, network_id, membership_id


def calendar(network, events) -> bytes:
    def entry(event):
        description = event.agenda
        if event.joining_link:
            description = f"Join: {event.joining_link}\n\n{description}".strip()
        return Entry(
            uid=str(event.uid),
            summary=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            stamp=event.updated_at,
            location=event.joining_link,
            description=description,
            url=event.joining_link,
        )

    return ical(network.name, (entry(event) for event in events))
