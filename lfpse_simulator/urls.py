from django.urls import path

from . import views

app_name = "lfpse_simulator"

urlpatterns = [
    path("AdverseEvent", views.adverse_event_create, name="create"),
    path("AdverseEvent/<str:record_id>", views.adverse_event_update, name="update"),
]
