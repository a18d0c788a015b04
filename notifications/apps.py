from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"notifications/": "notifications.urls"}
    verbose_name = "Notifications"
