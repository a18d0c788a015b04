from django.urls import path

import incidents.urls  # noqa: F401 (registers the "reference" and "ods" path converters)

from . import views

app_name = "controlled_drugs"

urlpatterns = [
    path("", views.occurrences, name="occurrences"),
    path("occurrences/<reference:reference>/", views.occurrence, name="occurrence"),
    path(
        "<ods:ods_code>/reports/<str:quarter>/",
        views.occurrence_report,
        name="occurrence_report",
    ),
    path("<ods:ods_code>/concerns/", views.concerns, name="concerns"),
    path("<ods:ods_code>/concerns/raise/", views.concern_raise, name="concern_raise"),
    path("<ods:ods_code>/concerns/<int:pk>/", views.concern, name="concern"),
]
