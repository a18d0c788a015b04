"""How networks' notifications are named when they are grouped (notifications.topics)."""

from notifications.topics import DUE, Topic

NOTICES = {
    "workplan-item": Topic("workplan item", "workplan items", DUE),
    "webinar-offer": Topic(
        "offer of a talk",
        "offers of talks",
        {"accepted": "accepted", "declined": "declined"},
    ),
    "buddy": Topic("buddy pairing", "buddy pairings", {"paired": "made"}),
}
