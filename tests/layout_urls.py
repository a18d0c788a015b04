"""The service's URLs plus a page that is the page layout alone, to measure what the layout
itself costs on every page."""

from django.template.response import TemplateResponse
from django.urls import include, path

from core.http import allow


@allow("GET")
def layout(request):
    return TemplateResponse(request, "base.html", {})


urlpatterns = [path("__layout__/", layout), path("", include("mso_portal.urls"))]
