"""What is due: each domain app registers a provider of reminders; the engine asks them all.

A provider is a function ``(on: date) -> Iterable[Reminder]`` that returns every reminder due on
that day (for example, "this handover item is due in 7 days" for each recipient). It may return
the same reminder on later days too: the ledger sends each (subject, kind, due date, recipient)
once. Providers register in their app's ``AppConfig.ready()``, so the engine imports no domain.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from core.actions import DUE_SOON_DAYS


@dataclass(frozen=True)
class Reminder:
    subject: str  # what it is about, stable across sweeps: "handover-item:12"
    kind: str  # which reminder about it: "due-in-7-days", "overdue"
    due_on: date  # the date it is about (a deadline, an end date)
    recipient_id: int
    title: str  # the email's subject line and the notification's heading
    body: str  # a short paragraph, plain text
    url: str  # the path of the page concerned


PROVIDERS: list[Callable[[date], Iterable[Reminder]]] = []


def reminder_provider(provider: Callable[[date], Iterable[Reminder]]):
    """Register a provider of reminders (see above)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def due_reminders(on: date) -> Iterable[Reminder]:
    for provider in PROVIDERS:
        yield from provider(on)


WHEN = "{when}"  # where a reminder's body says when it is (was) due: see falling_due


def due_kinds(days_left: int) -> list[str]:
    """Which reminders something owned is due, by the days left: once in the week before, once
    the day before ("due-tomorrow", or on the day itself for one first seen then: the message
    says the date), once when overdue (the engine sends each once, whatever day the sweep
    runs)."""
    if days_left < 0:
        return ["overdue"]
    if days_left <= 1:
        return ["due-tomorrow"]
    if days_left <= DUE_SOON_DAYS:
        return ["due-in-7-days"]
    return []


def falling_due(
    on: date,
    *,
    subject: str,
    due_on: date,
    recipients: Sequence[int] | Callable[[str], Sequence[int]],
    title: str,
    body: str,
    url: str,
    kinds: Callable[[int], list[str]] = due_kinds,
) -> Iterable[Reminder]:
    """The reminders of something someone owns that falls due (an action, an item of a
    handover or of a workplan): those ``kinds`` gives for the days left, each to every
    recipient once (``recipients`` may depend on the kind). Once it is late the title starts
    "Overdue: "; in ``body``, ``{when}`` becomes "is due on 3 May 2027" or "was due on …" (it is
    replaced, never formatted: what people typed goes in as it is)."""
    for kind in kinds((due_on - on).days):
        late = kind.startswith("overdue")
        told = recipients(kind) if callable(recipients) else recipients
        for recipient in dict.fromkeys(told):
            yield Reminder(
                subject=subject,
                kind=kind,
                due_on=due_on,
                recipient_id=recipient,
                title=f"{'Overdue: ' if late else ''}{title}"[:200],
                body=body.replace(WHEN, f"{'was' if late else 'is'} due on {due_on:%-d %B %Y}"),
                url=url,
            )
