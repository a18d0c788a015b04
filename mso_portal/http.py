"""Small helpers for views."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


class Refused(PermissionDenied):
    """A 403 whose message tells the person what to do instead ("Join the network to see its
    library"); any other PermissionDenied shows the general page."""

    def __init__(self, message: str, *, link: tuple[str, str] | None = None):
        super().__init__(message)
        self.message, self.link = message, link


def permission_denied(request, exception=None):
    """handler403: the general page, or a Refused's own message and way on."""
    context = {}
    if isinstance(exception, Refused):
        context = {"reason": exception.message, "link": exception.link}
    return render(request, "403.html", context, status=403)


def allow(*methods: str):
    """Declare the HTTP methods a view answers; any other gets 405. The URLconf test reads the
    declaration to prove each method of each view has an access test."""

    def decorator(view):
        wrapped = require_http_methods(list(methods))(view)
        wrapped.http_methods = frozenset(methods)
        return wrapped

    return decorator


def query_string_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
