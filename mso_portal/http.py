"""Small helpers for views."""

from django.views.decorators.http import require_http_methods


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
