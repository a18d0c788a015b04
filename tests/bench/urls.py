"""The service's pages, and the benchmark's floor: a signed-in request answered by a view that
does nothing, so that what the middleware costs is not counted against a page."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__floor__/", floor),
    path("", include("mso_portal.urls")),
]
