"""The URLconf, walked: every view declares the methods it answers; the public views are exactly
the listed ones; no address, query or form input gives a server error; and, at the end of the
run, every URL name and method (the Django admin aside) has been through the access helpers
(``assert_access``: anonymous → sign in, other organisation → 404, wrong role → 403, right role
→ 200; or ``assert_public``). A view added without such a test fails the suite."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from networks.models import NetworkMembership
from organisations.choices import Post
from tests.access import PROVEN
from tests.conftest import _client_for
from tests.factories import NetworkFactory, OrganisationFactory, UserFactory, post_holder

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
    "accessibility",
    "privacy",
    "contact",
    # A calendar program signs nobody in: a signed token in the address names the person.
    "networks:calendar",
    # An anonymous reporter is nobody the service knows: the receipt code is their key.
    "incidents:receipt",
}
ADMIN_PREFIX = "admin/"
# Parameters naming an organisation's object: such a view must be proven to give 404 to
# another organisation.
SCOPED_PARAMETERS = {"ods_code", "pk", "user_id"}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


ROUTES = [
    (route, name, pattern)
    for route, name, pattern in walk(get_resolver().url_patterns)
    if not route.startswith(ADMIN_PREFIX)
]


def methods_of(callback) -> set[str]:
    """The HTTP methods a view answers: declared with mso_portal.http.allow, or those a
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


def is_public(callback) -> bool:
    view = getattr(callback, "view_class", None) or callback
    return getattr(callback, "login_required", True) is False or (
        getattr(view, "login_required", True) is False
    )


def parameters(route: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))


def sample_path(route: str, value=None) -> str:
    """A concrete path for a route: each parameter is ``value`` or a sample."""
    samples = {
        "ods_code": "RX1",
        "token": "token",
        "uidb36": "1",
        "key": "set-password",
        "reference": "RX1-2026-000001",
    }

    def fill(name):
        return value if value is not None else samples.get(name, "1")

    path = route.lstrip("^").rstrip("$").replace("\\Z", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: fill(m.group(1)), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: fill(m.group(1)), path)
    return "/" + path.replace("\\", "")


def test_every_view_declares_the_methods_it_answers():
    undeclared = [name for _, name, pattern in ROUTES if not methods_of(pattern.callback)]
    assert not undeclared, f"declare these views' methods with @allow(...): {undeclared}"


def test_the_public_views_are_exactly_the_listed_ones():
    public = {name for _, name, pattern in ROUTES if is_public(pattern.callback)}
    assert public == PUBLIC_URL_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name"),
    [(route, name) for route, name, pattern in ROUTES if not is_public(pattern.callback)],
    ids=lambda value: value,
)
def test_a_protected_view_sends_anonymous_people_to_sign_in(route, name):
    response = Client().get(sample_path(route))
    assert response.status_code == 302, f"{route} answered {response.status_code}"
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_admin_sends_anonymous_people_to_sign_in():
    response = Client().get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


HOSTILE_QUERIES = [
    {"q": "\x00", "page": "\x00", "kind": "\x00", "region": "\x00", "post": "\x00", "next": "\x00"},
    {"q": "x" * 50_000, "page": "9" * 40, "post": "mso" * 1000, "next": "//evil.example/"},
    {"page": "-1", "q": "%", "region": "north-west\x00"},
]
HOSTILE_PATH_VALUES = ["%00", "x" * 300, "9" * 40, "RX1%00"]


@pytest.fixture
def everything_client(db):
    """Someone who can open nearly every page: a site administrator who leads the national
    network and is the MSO of RX1, with a second factor used."""
    trust = OrganisationFactory(ods_code="RX1")
    person = UserFactory(is_staff=True)
    NetworkMembership.objects.create(
        network=NetworkFactory(), user=person, role=NetworkMembership.Role.LEAD
    )
    post_holder(trust, Post.MSO, user=person)
    return _client_for(person)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name", "pattern"), ROUTES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_no_input_gives_a_server_error(route, name, pattern, everything_client):
    """Found on review: a NUL byte in a search or an organisation code, and a 50,000-character
    search, gave server errors. Every address, query and form gets a page or a plain 4xx."""
    methods = methods_of(pattern.callback)
    clients = [Client(raise_request_exception=False), everything_client]
    everything_client.raise_request_exception = False
    paths = [sample_path(route)] + (
        [sample_path(route, value) for value in HOSTILE_PATH_VALUES] if parameters(route) else []
    )
    for client in clients:
        for path in paths:
            for query in HOSTILE_QUERIES:
                if "GET" in methods:
                    response = client.get(path, query)
                    assert response.status_code < 500, (path, query, response.status_code)
                if "POST" in methods:
                    response = client.post(path, query)
                    assert response.status_code < 500, (path, query, response.status_code)


# Run at the end of the suite (conftest.py moves them there, and leaves them out of a partial
# run): each needs the access tests of the whole suite to have run.
@pytest.mark.access_coverage
@pytest.mark.parametrize(
    ("route", "name", "method"),
    [
        (route, name, method)
        for route, name, pattern in ROUTES
        for method in sorted(methods_of(pattern.callback))
    ],
    ids=lambda value: value,
)
def test_every_url_and_method_has_an_access_test(route, name, method):
    proven = PROVEN.get((name, method), set())
    if name in PUBLIC_URL_NAMES:
        required = {"public"}
    else:
        required = {"anonymous", "allowed"}
        if parameters(route) & SCOPED_PARAMETERS:
            required.add("other organisation")
    missing = required - proven
    assert not missing, (
        f"{method} {name} has no access test proving: {', '.join(sorted(missing))} "
        "(use the assert_access or assert_public fixture)"
    )
