"""How API tokens' notices are named (notifications.topics). A token made on someone's account
is a security notice: emailed at once, whatever they chose for their reminders, so that one
they did not make is noticed."""

from notifications.topics import Topic

NOTICES = {
    "api-token": Topic("API token", "API tokens", {"made": "made on your account"}, security=True),
}
