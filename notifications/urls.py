from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_all_read, name="all_read"),
    path("read/group/", views.notifications_group_read, name="group_read"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:pk>/open/", views.notification_read, name="read"),
]
