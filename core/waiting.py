"""What waits for a person: the counts their home page leads with, each linking to the list
where it is done, filtered to exactly what was counted; and the actions they own, which their
actions page lists.

The apps fill both at start-up from ``<app>/waiting.py`` (organisations.features reads it):

- ``PROVIDERS``: functions ``(user, organisation) -> Iterable[Counted | Waiting]``
  (``organisation`` is the one the person works in, or None for someone who works in none: a
  network lead). A provider gives the queryset, with the filters, of the list it links to,
  starting from what the person may see (``Counted``), so the count is what the link shows;
  every ``Counted`` of every app is counted in one statement (``waiting_for``), each part of it
  by an index, whatever the size of the country. What cannot be counted so is a ``Waiting``.
- ``ACTIONS``: an ``ActionKind`` for each model of something a named person is to do by a date
  (core.actions.OwnedAction) whose owner does it in MSO Portal.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, QuerySet, Value


@dataclass(frozen=True)
class Waiting:
    label: str  # what waits, after its count: "incidents waiting for their review to start"
    count: int
    url: str  # the list where it is done, showing exactly these


def waiting(count: int, one: str, many: str, url: str) -> list[Waiting]:
    """``count`` things called ``one`` or ``many``, or nothing when there are none."""
    return [Waiting(one if count == 1 else many, count, url)] if count else []


@dataclass(frozen=True)
class Counted:
    """What waits, to be counted: the rows the list at ``url`` shows, named one or many."""

    one: str
    many: str
    rows: QuerySet
    url: str


PROVIDERS: list[Callable[..., Iterable[Counted | Waiting]]] = []


def waiting_provider(provider: Callable[..., Iterable[Counted | Waiting]]):
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def waiting_for(user, organisation, *, also: Iterable[Counted | Waiting] = ()) -> list[Waiting]:
    """Everything that waits for the person (and ``also``), in the order the apps stand in the
    settings, leaving out what has none."""
    items = [item for provider in PROVIDERS for item in provider(user, organisation)]
    items += list(also)
    counts = iter(count_each([item.rows for item in items if isinstance(item, Counted)]))
    found = []
    for item in items:
        if isinstance(item, Counted):
            count = next(counts)
            item = Waiting(item.one if count == 1 else item.many, count, item.url)
        if item.count:
            found.append(item)
    return found


def count_each(querysets: list[QuerySet]) -> list[int]:
    """How many rows each queryset has, in one statement: a COUNT of each, put together with
    UNION ALL (the count of a queryset with no rows gives no row, so 0)."""
    parts = [
        rows.order_by()
        .annotate(waiting_part=Value(n, output_field=IntegerField()))
        .values("waiting_part")
        .annotate(waiting_count=Count("pk"))
        .values_list("waiting_part", "waiting_count")
        for n, rows in enumerate(querysets)
    ]
    if not parts:
        return []
    counted = dict(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    return [counted.get(n, 0) for n in range(len(parts))]


@dataclass(frozen=True)
class Owned:
    """One owned action as a person's actions page lists it."""

    what: str  # the action: "Pass on access to the generic MSO mailbox"
    of: str  # what it belongs to: "Incident RX1-2026-000123"
    due_on: object  # a date
    url: str  # where it is done


@dataclass(frozen=True)
class ActionKind:
    key: str  # the actions page's filter: "incident"
    one: str  # "incident action"
    many: str  # "incident actions"
    # user -> the open actions the person owns of this kind, as they may see them (an
    # OwnedActionQuerySet: ``falling_due`` and ``overdue`` apply), with what ``describe`` reads.
    mine: Callable[..., QuerySet]
    describe: Callable[..., Owned]


ACTIONS: list[ActionKind] = []


def action_kind(kind: ActionKind) -> ActionKind:
    if all(kept.key != kind.key for kept in ACTIONS):
        ACTIONS.append(kind)
    return kind
