"""Small helpers for views."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404
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


# What an untraced page tells the browser to send from it: its origin, never its path. Not
# "no-referrer": with it a browser sends "Origin: null" with the page's own forms, which
# Django's CSRF protection rightly refuses.
UNTRACED_REFERRER_POLICY = "strict-origin"


def untraced(view):
    """Declare a page of a journey that must not be traceable to a person (reporting an
    incident, which may be anonymous): its answers, refusals included, tell the browser to send
    no path of it in a Referer (``UNTRACED_REFERRER_POLICY``), and gunicorn's access log writes
    its lines with no client address, Referer, User-Agent, size or path details, and drops a
    Referer naming it from every other line (core/logging.py reads this declaration)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except (Http404, PermissionDenied) as refusal:
            response = response_for_exception(request, refusal)
        response.headers["Referrer-Policy"] = UNTRACED_REFERRER_POLICY
        return response

    wrapped.untraced = True
    return wrapped
