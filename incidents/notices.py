"""How incidents' notifications are named when they are grouped (notifications.topics)."""

from notifications.topics import DUE, Topic

from .lfpse.submission import REFUSAL_NOTICE

NOTICES = {
    "incident-action": Topic("incident action", "incident actions", DUE),
    "incident": Topic(
        "incident",
        "incidents",
        {
            "review-not-started": "waiting a week or more for a review to start",
            "controlled-drug-reported": (
                "controlled-drug incident reported",
                "controlled-drug incidents reported",
            ),
            "feedback-*": ("report of yours with feedback", "reports of yours with feedback"),
            f"{REFUSAL_NOTICE}-*": "refused by LFPSE",
        },
    ),
    "incident-shared": Topic(
        "incident",
        "incidents",
        {"shared": "shared with you as where it arose"},
    ),
    "shared-note": Topic(
        "note",
        "notes",
        {"added": "added to the thread of a shared incident"},
    ),
}
