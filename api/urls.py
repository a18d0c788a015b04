"""The API's addresses: version 1 of each resource, the OpenAPI 3 schema and its docs. A new
version is a new prefix beside ``v1/``; a version once published keeps its shape."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.http import allow

from .views import alerts, base, incidents, organisations, reports
from .views.base import endpoint

app_name = "api"

# The schema and its docs are open to everyone: they say what the API is, never what it holds.
PUBLIC = [
    path(
        "schema/",
        login_not_required(allow("GET")(SpectacularAPIView.as_view())),
        name="schema",
    ),
    path(
        "docs/",
        login_not_required(
            allow("GET")(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
        ),
        name="docs",
    ),
]

v1 = [
    path("v1/register/", endpoint(organisations.RegisterList), name="register"),
    path("v1/organisations/", endpoint(organisations.OrganisationList), name="organisations"),
    path(
        "v1/organisations/<ods:ods_code>/",
        endpoint(organisations.OrganisationDetail),
        name="organisation",
    ),
    path("v1/incidents/", endpoint(incidents.IncidentList), name="incidents"),
    path(
        "v1/incidents/<reference:reference>/",
        endpoint(incidents.IncidentDetail),
        name="incident",
    ),
    path("v1/alert-responses/", endpoint(alerts.ResponseList), name="alert_responses"),
    path("v1/alert-responses/<int:pk>/", endpoint(alerts.ResponseDetail), name="alert_response"),
    path("v1/alert-actions/<int:pk>/", endpoint(alerts.ActionAnswerDetail), name="alert_action"),
    path("v1/reports/", endpoint(reports.ReportList), name="reports"),
    path("v1/reports/<int:pk>/", endpoint(reports.ReportDetail), name="report"),
]

urlpatterns = [
    *PUBLIC,
    *v1,
    path("<path:anything>", endpoint(base.NoSuchCall), name="no_such_call"),
]
