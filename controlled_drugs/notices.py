"""How controlled drugs' notifications are named when they are grouped
(notifications.topics)."""

from notifications.topics import Topic

NOTICES = {
    "cd-concern": Topic(
        "concern about controlled drugs",
        "concerns about controlled drugs",
        {"cd-concern-raised": "raised with you"},
    ),
}
