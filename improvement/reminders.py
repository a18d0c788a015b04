"""What improvement has due, for the reminder engine: whoever keeps a protocol is reminded a
month before its review date, and once it is overdue."""

from datetime import timedelta

from notifications.registry import Reminder

from .models import Protocol

REVIEW_NOTICE_DAYS = 30


def protocol_reviews(on):
    protocols = Protocol.objects.due_for_review(on + timedelta(days=REVIEW_NOTICE_DAYS))
    for protocol in protocols.select_related("organisation"):
        late = protocol.review_overdue(on)  # as its page and the list say
        yield Reminder(
            subject=f"protocol:{protocol.pk}",
            kind="overdue" if late else f"review-in-{REVIEW_NOTICE_DAYS}-days",
            due_on=protocol.review_on,
            recipient_id=protocol.owner_id,
            title=f"{'Review overdue' if late else 'Review due'}: {protocol.title}"[:200],
            body=(
                f"The protocol {protocol} of {protocol.organisation.name} "
                f"{'was' if late else 'is'} due for review on {protocol.review_on:%-d %B %Y}. "
                "Review it, then record the new version and its next review date."
            ),
            url=protocol.get_absolute_url(),
        )


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
PROVIDERS = [protocol_reviews]
