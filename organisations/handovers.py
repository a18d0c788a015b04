"""A handover's checklist and its people: what the outgoing MSO, their successor and the board
director each do, when, and where in MSO Portal it is done; and who is told of it.

An MSO's end date opens a handover (services._follow_end_date). Each kind of item (``STEPS``)
is meant for one of its people and falls due some days before or after the last day in post
(never before the day the handover opens). An item meant for someone without an account (a
successor not named yet, or named without one; a board director not named) falls to the
outgoing MSO while they are in post, else to the board director, and the handover's page
says so (``rows``); it passes to the successor once they are named with an account.

Where an item is done is a page named by its kind, never an address typed in: the pages of
the ground floor are named here, a feature names its own (``handover_page``, from its
AppConfig.ready), and a step whose page nobody named links to the page of the new MSO's work
of the same key (organisations.getting_started), which the features name already. The
region's network leads are told of a handover too: those who decide its changes to the register
(access.register_keepers).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils import timezone

from .choices import ChangeKind, Post
from .getting_started import WORK_ITEMS
from .models import Appointment, Handover, HandoverItem


class Side(models.TextChoices):
    OUTGOING = "outgoing", "the outgoing MSO"
    SUCCESSOR = "successor", "the successor"
    DIRECTOR = "director", "the board director"


@dataclass(frozen=True)
class Step:
    side: str  # whom it is meant for (Side)
    days: int  # when it falls due, from the last day in post: -28 is four weeks before it
    page: str  # where it is done: a key of PAGES, or of the new MSO's work items


Task = HandoverItem.Task
STEPS: dict[str, Step] = {
    Task.REGISTER: Step(Side.OUTGOING, -28, "register"),
    Task.INCIDENTS: Step(Side.OUTGOING, -14, "incidents"),
    Task.ALERTS: Step(Side.OUTGOING, -14, "alerts"),
    Task.COMMITTEE: Step(Side.OUTGOING, -7, "committee"),
    Task.ALERT_ACCESS: Step(Side.SUCCESSOR, -7, "alerts"),
    Task.MAILBOX: Step(Side.OUTGOING, 0, "mailbox"),
    Task.CONFIRM: Step(Side.DIRECTOR, 7, "named-posts"),
    Task.BUDDY: Step(Side.SUCCESSOR, 28, "buddy"),
}


@dataclass(frozen=True)
class Page:
    url_name: str
    text: str  # the link's words
    in_organisation: bool = False  # its address takes the organisation's ODS code
    # The query string, from the organisation (a form started with its answers).
    query: Callable | None = None

    def url(self, organisation) -> str:
        args = [organisation.ods_code] if self.in_organisation else []
        url = reverse(self.url_name, args=args)
        return f"{url}?{urlencode(self.query(organisation))}" if self.query else url


PAGES: dict[str, Page] = {}


def handover_page(key: str, page: Page) -> Page:
    """Name the page where the steps of ``key`` are done (a feature, for its own pages)."""
    if PAGES.get(key, page) != page:
        raise ValueError(f"{key}: two pages are named for these handover items")
    PAGES[key] = page
    return page


def _change(kind):
    return lambda organisation: {"ods_code": organisation.ods_code, "kind": kind}


for _key, _page in (
    (
        "register",
        Page("register:change_start", "Ask for the new MSO", query=_change(ChangeKind.NEW_MSO)),
    ),
    (
        "mailbox",
        Page(
            "register:change_start",
            "Change the mailbox on the register",
            query=_change(ChangeKind.CONTACT),
        ),
    ),
    ("named-posts", Page("organisations:detail", "See the named posts", in_organisation=True)),
):
    handover_page(_key, _page)


def link(task: str, organisation) -> tuple[str, str] | None:
    """(address, words) of the page where an item of ``task`` is done, or None."""
    step = STEPS.get(task)
    if step is None:
        return None
    if page := PAGES.get(step.page):
        return page.url(organisation), page.text
    for work in WORK_ITEMS:
        if work.key == step.page and work.url_name:
            return reverse(work.url_name), work.link_text
    return None


@dataclass(frozen=True)
class People:
    """The people of a handover on a day: the outgoing MSO's appointment, the successor's (the
    next MSO appointment, if any) and the board directors' in post."""

    outgoing: Appointment
    successor: Appointment | None
    directors: tuple[Appointment, ...]

    def account(self, side: str) -> int | None:
        """The user id of whom ``side`` names, if they have an account."""
        if side == Side.OUTGOING:
            return self.outgoing.user_id
        if side == Side.SUCCESSOR:
            return self.successor.user_id if self.successor else None
        return next((d.user_id for d in self.directors if d.user_id), None)

    def why_not(self, side: str) -> str:
        """Why nobody of ``side`` has the item: "is not named yet", or has no account."""
        if side == Side.SUCCESSOR and self.successor is None:
            return "is not named yet"
        if side == Side.DIRECTOR and not self.directors:
            return "is not named"
        return "has no MSO Portal account"


def people(handover: Handover, on: date | None = None) -> People:
    """The handover's people on ``on`` (today). Two queries."""
    on = on or timezone.localdate()
    directors = tuple(
        Appointment.objects.filter(
            organisation_id=handover.organisation_id, post=Post.BOARD_DIRECTOR
        )
        .current(on)
        .select_related("user")
        .order_by("start_on", "pk")
    )
    return People(handover.appointment, handover.successor(), directors)


def falls_to(step: Step) -> list[str]:
    """Whose an item of ``step`` is, in order: whom it is meant for, then the outgoing MSO
    while they are in post (the board director after)."""
    after = [Side.DIRECTOR, Side.OUTGOING] if step.days > 0 else [Side.OUTGOING, Side.DIRECTOR]
    return [step.side, *(side for side in after if side != step.side)]


def owner(step: Step, who: People) -> int | None:
    """The user id of whom an item of ``step`` is given to (``falls_to``), or None."""
    return next((pk for side in falls_to(step) if (pk := who.account(side)) is not None), None)


def due_on(step: Step, leaves_on: date, opened_on: date) -> date:
    """When an item of ``step`` falls due: some days from the last day, but never before the
    handover opened (a short notice does not start with items overdue)."""
    return max(leaves_on + timedelta(days=step.days), opened_on)


def checklist(handover: Handover, who: People, on: date) -> list[HandoverItem]:
    """The items of a handover opening on ``on``, not saved."""
    return [
        HandoverItem(
            handover=handover,
            task=task,
            owner_id=owner(step, who),
            due_on=due_on(step, handover.leaves_on, on),
        )
        for task, step in STEPS.items()
    ]


@dataclass(frozen=True)
class Row:
    item: HandoverItem
    link: tuple[str, str] | None  # where it is done
    meant_for: str  # "the successor"
    note: str  # why it falls to its owner, when it is not whom it is meant for


def rows(handover: Handover, items, who: People) -> list[Row]:
    """The handover's items as its page shows them."""
    found = []
    for item in items:
        step = STEPS.get(item.task)
        note = ""
        if step is not None and who.account(step.side) is None and item.owner_id:
            meant = Side(step.side).label
            name = item.owner.full_name or item.owner.email
            note = f"{meant[0].upper()}{meant[1:]} {who.why_not(step.side)}, so it falls to {name}"
        found.append(
            Row(
                item,
                link(item.task, handover.organisation),
                Side(step.side).label if step else "",
                note,
            )
        )
    return found
