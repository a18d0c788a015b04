from django.urls import path

from organisations.urls import ODSCodeConverter  # noqa: F401 (registers "ods")

from . import views

app_name = "networks"

urlpatterns = [
    path("", views.network_list, name="list"),
    path("buddies/", views.buddy_scheme, name="buddies"),
    path("buddies/offer/", views.buddy_offer, name="buddy_offer"),
    path("buddies/ask/", views.buddy_request, name="buddy_request"),
    path(
        "buddies/requests/<int:pk>/withdraw/",
        views.buddy_request_withdraw,
        name="buddy_request_withdraw",
    ),
    path("buddies/requests/<int:pk>/pair/<int:offer_pk>/", views.buddy_pair, name="buddy_pair"),
    path(
        "getting-started/<ods:ods_code>/<slug:item>/",
        views.getting_started_tick,
        name="getting_started_tick",
    ),
    path("workplans/", views.workplans, name="workplans"),
    path("<slug:slug>/", views.network_detail, name="detail"),
    path("<slug:slug>/join/", views.network_join, name="join"),
    path("<slug:slug>/leave/", views.network_leave, name="leave"),
    path("<slug:slug>/members/", views.network_members, name="members"),
    path("<slug:slug>/events/", views.event_list, name="events"),
    path("<slug:slug>/events/new/", views.event_create, name="event_create"),
    path("<slug:slug>/events/<int:pk>/", views.event_detail, name="event"),
    path("<slug:slug>/events/<int:pk>/change/", views.event_update, name="event_update"),
    path("<slug:slug>/events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("<slug:slug>/events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("<slug:slug>/calendar/<str:token>/events.ics", views.calendar_feed, name="calendar"),
    path("<slug:slug>/library/", views.resource_list, name="resources"),
    path("<slug:slug>/library/new/", views.resource_create, name="resource_create"),
    path(
        "<slug:slug>/library/<int:pk>/download/",
        views.resource_download,
        name="resource_download",
    ),
    path("<slug:slug>/library/<int:pk>/remove/", views.resource_remove, name="resource_remove"),
    path("<slug:slug>/workplan/new/", views.workplan_item_create, name="workplan_item_create"),
    path("<slug:slug>/workplan/<int:pk>/", views.workplan_item, name="workplan_item"),
    path(
        "<slug:slug>/workplan/<int:pk>/change/",
        views.workplan_item_update,
        name="workplan_item_update",
    ),
    path("<slug:slug>/webinar-offers/", views.webinar_offers, name="webinar_offers"),
    path("<slug:slug>/webinar-offers/new/", views.webinar_offer_create, name="webinar_offer"),
    path(
        "<slug:slug>/webinar-offers/<int:pk>/",
        views.webinar_offer_decide,
        name="webinar_offer_decide",
    ),
]
