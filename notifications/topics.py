"""How notifications are named when they are grouped, and which are never held back.

A notification's **topic** is what it is about, the start of its subject ("alert-action" of
"alert-action:12"); its **kind** is which notice about it ("due-tomorrow"). The list and the
daily email show one line for each topic, kind and day ("12 alert actions due tomorrow"). Each
app names its own topics in ``<app>/notices.py`` (``NOTICES``: topic -> ``Topic``), which
``organisations.features`` reads at start-up, so this module names no domain.

A topic marked ``security`` (an API token made on someone's account) is emailed at once,
whatever the person chose for their reminders: it is how they notice what they did not do.
"""

from dataclasses import dataclass, field

# What is said of something owned as it falls due (notifications.registry.due_kinds and the
# apps' own deadlines).
DUE = {
    "due-in-14-days": "due within 14 days",
    "due-in-7-days": "due within 7 days",
    "due-tomorrow": "due tomorrow",
    "overdue": "overdue",
    "overdue-3-days": "overdue for 3 days or more",
}


@dataclass(frozen=True)
class Topic:
    one: str  # "alert action"
    many: str  # "alert actions"
    # kind -> what is said of them after the count and the name ("due tomorrow"), or the whole
    # phrase after the count, one and many (("new alert", "new alerts")). A kind ending "*"
    # stands for every kind that starts so ("feedback-*": "feedback-1", "feedback-2").
    kinds: dict[str, str | tuple[str, str]] = field(default_factory=dict)
    security: bool = False


TOPICS: dict[str, Topic] = {}


def notice_topics(topics: dict[str, Topic]) -> None:
    """Name an app's topics (its ``notices.NOTICES``)."""
    TOPICS.update(topics)


def topic_of(subject: str) -> str:
    """The topic of a notification's subject: its start, up to the first colon."""
    return subject.partition(":")[0][:60]


def _said(topic: Topic, kind: str):
    if kind in topic.kinds:
        return topic.kinds[kind]
    for key, said in topic.kinds.items():
        if key.endswith("*") and kind.startswith(key[:-1]):
            return said
    return None


def label(topic: str, kind: str, count: int, title: str = "") -> str:
    """The line for ``count`` notifications of a topic and kind: "3 alert actions due
    tomorrow". One of a topic or kind nobody named is called by its title."""
    named = TOPICS.get(topic)
    said = _said(named, kind) if named else None
    if said is None:
        if count == 1 and title:
            return title
        return f"{count} {named.many if named else 'notifications'}"
    if isinstance(said, tuple):
        return f"{count} {said[0] if count == 1 else said[1]}"
    return f"{count} {named.one if count == 1 else named.many} {said}"


def security_topics() -> set[str]:
    return {name for name, topic in TOPICS.items() if topic.security}


def is_security(topic: str) -> bool:
    return topic in security_topics()
