"""How improvement's notifications are named when they are grouped (notifications.topics)."""

from notifications.topics import Topic

from .reminders import REVIEW_NOTICE_DAYS

NOTICES = {
    "protocol": Topic(
        "protocol",
        "protocols",
        {
            f"review-in-{REVIEW_NOTICE_DAYS}-days": (
                f"due for review within {REVIEW_NOTICE_DAYS} days"
            ),
            "overdue": "overdue for review",
        },
    ),
}
