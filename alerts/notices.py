"""How alerts' notifications are named when they are grouped (notifications.topics)."""

from notifications.topics import DUE, Topic

from .reminders import ACKNOWLEDGE_WITHIN_WORKING_DAYS

NOTICES = {
    "alert-response": Topic(
        "alert response",
        "alert responses",
        {
            "published": ("new alert", "new alerts"),
            "not-acknowledged": (
                f"alert not acknowledged within {ACKNOWLEDGE_WITHIN_WORKING_DAYS} working days",
                f"alerts not acknowledged within {ACKNOWLEDGE_WITHIN_WORKING_DAYS} working days",
            ),
            "waiting-for-sign-off": "waiting for your sign-off",
            "sign-off-asked-*": "waiting for your sign-off again",
            "sent-back-*": "sent back, not signed off",
            "signed-off": "signed off",
            "cas-closure-due": "to close in CAS",
        },
    ),
    "alert-action": Topic("alert action", "alert actions", DUE),
    "alert": Topic(
        "alert",
        "alerts",
        {"drafted-from-feed": "from the alert feed to check and publish"},
    ),
}
