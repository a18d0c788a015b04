"""How committees' notifications are named when they are grouped (notifications.topics)."""

from notifications.topics import DUE, Topic

NOTICES = {
    "committee-action": Topic("committee action", "committee actions", DUE),
    "assurance-report": Topic(
        "assurance report", "assurance reports", {"approved": "approved, to table at the board"}
    ),
    "committee-meeting": Topic(
        "meeting", "meetings", {"minutes-missing": "without minutes after 14 days"}
    ),
}
