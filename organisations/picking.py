"""Choosing a member of an organisation on a form (an action's owner, a response's lead, a
committee seat, a post holder) when it has too many to list: the text box of PickedFrom
(core/nhsuk_forms/fields.py) asks ``member_suggestions`` for the members whose name or email
address matches what is typed.

Who may ask is declared once: the permissions whose forms offer the choice. Each app names
them beside its ``Perm``, as ``PICKS_MEMBERS`` in its permissions.py; a person holding one of
them in the organisation may look its members up, and no one else (their names and email
addresses are not the whole staff's to browse)."""

from functools import cache
from importlib import import_module

from django.db.models import Q
from django.urls import reverse

from .services import members_of


@cache
def pickers() -> frozenset:
    """Every app's ``PICKS_MEMBERS``."""
    from .permissions import PERMISSIONS

    return frozenset(
        perm
        for perms in PERMISSIONS
        for perm in getattr(import_module(perms.__module__), "PICKS_MEMBERS", ())
    )


def offer_members(field, organisation) -> None:
    """Offer the active members of ``organisation`` on ``field`` (a PickedFrom). They are
    counted once for the organisation's copy in hand: a page of several forms (an alert
    response's actions) counts them once."""
    members = members_of(organisation)
    if getattr(organisation, "_members_counted", None) is None:
        organisation._members_counted = members.count()
    field.offer(
        members,
        suggestions=reverse("organisations:member_suggestions", args=[organisation.ods_code]),
        count=organisation._members_counted,
    )


SUGGESTIONS = 20
MIN_LENGTH = 2
MAX_LENGTH = 254


def suggested_members(organisation, typed: str):
    """Up to ``SUGGESTIONS`` members whose name has, or whose email address starts with,
    what was typed (at least ``MIN_LENGTH`` characters; NUL characters, which PostgreSQL
    refuses, dropped, and no more than a name's length kept)."""
    typed = typed.replace("\x00", "").strip()[:MAX_LENGTH]
    if len(typed) < MIN_LENGTH:
        return []
    return list(
        members_of(organisation)
        .filter(Q(full_name__icontains=typed) | Q(email__istartswith=typed))
        .only("full_name", "email")[:SUGGESTIONS]
    )
