"""The header's menu, filled by the apps at start-up: each adds its entries (``menu_entry``, in
its AppConfig.ready) with where they stand and who sees them; the context processor shows the
entries this person may open."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .access import Access
from .current import can_switch_organisation
from .permissions import Perm


@dataclass(frozen=True)
class MenuEntry:
    position: int  # where it stands in the menu, left to right
    text: str
    url_name: str
    # (request, access, organisation) -> whether this person sees it; ``organisation`` is the one
    # they are working in, or None.
    shown: Callable[..., bool]
    # The address names the organisation worked in (and the entry needs one).
    in_organisation: bool = False

    def link(self, request, access: Access, organisation) -> tuple[str, str] | None:
        if self.in_organisation and organisation is None:
            return None
        if not self.shown(request, access, organisation):
            return None
        args = [organisation.ods_code] if self.in_organisation else []
        return reverse(self.url_name, args=args), self.text


MENU: list[MenuEntry] = []


def menu_entry(entry: MenuEntry) -> MenuEntry:
    if entry not in MENU:
        MENU.append(entry)
        MENU.sort(key=lambda kept: kept.position)
    return entry


def _always(request, access, organisation) -> bool:
    return True


def holds(*perms):
    """Shown to whoever holds one of ``perms`` anywhere."""

    def shown(request, access, organisation) -> bool:
        return any(access.has(perm) for perm in perms)

    return shown


def holds_here(perm):
    """Shown to whoever holds ``perm`` in the organisation they are working in."""

    def shown(request, access, organisation) -> bool:
        return organisation is not None and access.has(perm, organisation)

    return shown


def _can_switch(request, access, organisation) -> bool:
    return can_switch_organisation(request)


for _entry in (
    MenuEntry(0, "Home", "home", _always),
    MenuEntry(10, "Your organisation", "organisations:detail", _always, in_organisation=True),
    MenuEntry(20, "Members", "organisations:members", holds_here(Perm.MEMBERS_VIEW), True),
    MenuEntry(90, "Switch organisation", "organisations:switch", _can_switch),
    MenuEntry(100, "MSO register", "register:list", holds(Perm.REGISTER_VIEW)),
    MenuEntry(
        110, "Patient Safety Specialists", "register:specialists", holds(Perm.SPECIALISTS_VIEW)
    ),
    MenuEntry(120, "Organisations", "organisations:list", holds(Perm.ORGANISATIONS_DIRECTORY)),
    MenuEntry(140, "Administration", "admin:index", holds(Perm.SERVICE_ADMIN)),
):
    menu_entry(_entry)
