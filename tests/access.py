"""The access proof: what the access helpers (``assert_access``, ``assert_public`` in
tests/conftest.py) proved in this run, for each (URL name, HTTP method), and the check that
every view of the URLconf is in it.

tests/access_check.py merges the records of a parallel run's workers and checks them."""

import re
from urllib.parse import urlparse

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

PROVEN: dict[tuple[str, str], set[str]] = {}

PUBLIC_URL_NAMES = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
    "invitation_open",
    "invitation_accept",
    "healthz",
    "readyz",
    "accessibility",
    "privacy",
    "contact",
    # A calendar program signs nobody in: a signed token in the address names the person.
    "networks:calendar",
    # An anonymous reporter is nobody the service knows: the receipt code is their key.
    "incidents:receipt",
    # What the API is, never what it holds: its schema and the docs drawn from it.
    "api:schema",
    "api:docs",
    "api:no_such_call",  # 404, in the API's shape, for any other address under /api/
}
# The API's calls: a token signs each in (api.authentication), so none asks for a page's
# sign-in; each is proven with ``assert_api_access`` (no token → 401, a token without the
# call's scope → 403), and, with a parameter, to give 404 to another organisation.
API_PREFIX = "api:"
ADMIN_PREFIX = "admin/"
# Parameters naming an organisation's object: such a view must be proven to give 404 to
# another organisation.
SCOPED_PARAMETERS = {"ods_code", "pk", "user_id"}
# The LFPSE simulator answers another system, never a person: its subscription key is its
# check. Mounted only where the simulator is on (development and the tests).
if settings.LFPSE_SIMULATOR:
    PUBLIC_URL_NAMES |= {"lfpse_simulator:create", "lfpse_simulator:update"}


def prove(url: str, method: str, *outcomes: str) -> None:
    name = resolve(urlparse(url).path).view_name
    PROVEN.setdefault((name, method.upper()), set()).update(outcomes)


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


def routes():
    """(route, URL name, pattern) for every view but the Django admin's."""
    return [
        (route, name, pattern)
        for route, name, pattern in walk(get_resolver().url_patterns)
        if not route.startswith(ADMIN_PREFIX)
    ]


def methods_of(callback) -> set[str]:
    """The HTTP methods a view answers: declared with core.http.allow, or those a
    class-based view (django-allauth's) implements."""
    if hasattr(callback, "http_methods"):
        return set(callback.http_methods)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            method.upper()
            for method in view_class.http_method_names
            if method not in ("head", "options") and hasattr(view_class, method)
        }
    return set()


def parameters(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))


def missing_proofs(proven, all_routes) -> list[str]:
    """Each view and method whose access the record does not prove, and what it lacks."""
    missing = []
    for route, name, pattern in all_routes:
        for method in sorted(methods_of(pattern.callback)):
            if name in PUBLIC_URL_NAMES:
                required = {"public"}
            elif name.startswith(API_PREFIX):
                required = {"anonymous", "scope", "allowed"}
                if parameters(route):
                    required.add("other organisation")
            else:
                required = {"anonymous", "allowed"}
                if parameters(route) & SCOPED_PARAMETERS:
                    required.add("other organisation")
            lacking = required - proven.get((name, method), set())
            if lacking:
                missing.append(f"{method} {name}: {', '.join(sorted(lacking))}")
    return missing
