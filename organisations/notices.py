"""How organisations' notifications are named when they are grouped (notifications.topics)."""

from notifications.topics import DUE, Topic

NOTICES = {
    "handover-item": Topic("handover item", "handover items", DUE),
    "vacancy": Topic("MSO post", "MSO posts", {"vacant": "fallen vacant"}),
    "handover": Topic("handover", "handovers", {"opened": ("MSO leaving", "MSOs leaving")}),
    "mso-left": Topic(
        "MSO post",
        "MSO posts",
        {"covered": "covered again", "no-cover": "left with no MSO cover"},
    ),
    "appointment": Topic(
        "named post",
        "named posts",
        {
            "post-recorded": "with a new holder recorded",
            "post-dates-*": "whose dates changed",
        },
    ),
    "change-request": Topic(
        "change to the register",
        "changes to the register",
        {
            "submitted": "to decide",
            "waiting": "still waiting for a decision",
            "approved": "approved",
            "rejected": "rejected",
            "withdrawn": "withdrawn",
        },
    ),
}
