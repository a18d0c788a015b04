"""What is due: each domain app registers a provider of reminders; the engine asks them all.

A provider is a function ``(on: date) -> Iterable[Reminder]`` that returns every reminder due on
that day (for example, "this handover item is due in 7 days" for each recipient). It may return
the same reminder on later days too: the ledger sends each (subject, kind, due date, recipient)
once. Providers register in their app's ``AppConfig.ready()``, so the engine imports no domain.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


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
