from django.urls import include, path

from organisations.urls import ODSCodeConverter  # noqa: F401 (registers "ods")

from . import views

app_name = "networks"

buddies = [
    path("", views.buddy_scheme, name="buddies"),
    path("offer/", views.buddy_offer, name="buddy_offer"),
    path("ask/", views.buddy_request, name="buddy_request"),
    path(
        "requests/<int:pk>/withdraw/", views.buddy_request_withdraw, name="buddy_request_withdraw"
    ),
    path("requests/<int:pk>/pair/<int:offer_pk>/", views.buddy_pair, name="buddy_pair"),
]

events = [
    path("", views.event_list, name="events"),
    path("new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>/change/", views.event_update, name="event_update"),
    path("<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/event.ics", views.event_ics, name="event_ics"),
]

library = [
    path("", views.resource_list, name="resources"),
    path("new/", views.resource_create, name="resource_create"),
    path("<int:pk>/download/", views.resource_download, name="resource_download"),
    path("<int:pk>/remove/", views.resource_remove, name="resource_remove"),
]

workplan = [
    path("new/", views.workplan_item_create, name="workplan_item_create"),
    path("<int:pk>/", views.workplan_item, name="workplan_item"),
    path("<int:pk>/change/", views.workplan_item_update, name="workplan_item_update"),
]

webinar_offers = [
    path("", views.webinar_offers, name="webinar_offers"),
    path("new/", views.webinar_offer_create, name="webinar_offer"),
    path("<int:pk>/", views.webinar_offer_decide, name="webinar_offer_decide"),
]

# A network's own pages, below its slug.
network = [
    path("", views.network_detail, name="detail"),
    path("join/", views.network_join, name="join"),
    path("leave/", views.network_leave, name="leave"),
    path("members/", views.network_members, name="members"),
    path("events/", include(events)),
    path("calendar/<str:token>/events.ics", views.calendar_feed, name="calendar"),
    path("library/", include(library)),
    path("workplan/", include(workplan)),
    path("webinar-offers/", include(webinar_offers)),
]

urlpatterns = [
    path("", views.network_list, name="list"),
    path("buddies/", include(buddies)),
    path(
        "getting-started/<ods:ods_code>/<slug:item>/",
        views.getting_started_tick,
        name="getting_started_tick",
    ),
    path("workplans/", views.workplans, name="workplans"),
    path("<slug:slug>/", include(network)),
]
