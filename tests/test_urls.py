"""The URLconf, walked: every view declares the methods it answers; the public views are exactly
the listed ones; no address, query or form input gives a server error. At the end of a run of
the whole suite, every URL name and method (the Django admin aside) must have been through the
access helpers (``assert_access``: anonymous → sign in, other organisation → 404, wrong role →
403, right role → 200; or ``assert_public``): tests/access.py fails the run for a view added
without such a test; the tests at the end of this file show that check failing."""

import re

import pytest
from django.test import Client

from networks.models import NetworkMembership
from organisations.choices import Post
from tests.access import (
    API_PREFIX,
    PUBLIC_URL_NAMES,
    methods_of,
    missing_proofs,
    parameters,
    routes,
)
from tests.conftest import _client_for, api_token
from tests.factories import NetworkFactory, OrganisationFactory, UserFactory, post_holder

ROUTES = routes()


def is_public(callback) -> bool:
    view = getattr(callback, "view_class", None) or callback
    if needs_a_token(callback):
        return False
    return getattr(callback, "login_required", True) is False or (
        getattr(view, "login_required", True) is False
    )


def needs_a_token(callback) -> bool:
    """An API call that only a token signs in (api.authentication) and that refuses a call
    without one (IsAuthenticated) and a token without its scope (TokenHasScope)."""
    from rest_framework.permissions import IsAuthenticated

    from api.authentication import TokenAuthentication
    from api.scopes import TokenHasScope

    view = getattr(callback, "view_class", None)
    if view is None or not hasattr(view, "authentication_classes"):
        return False
    return (
        list(view.authentication_classes) == [TokenAuthentication]
        and {IsAuthenticated, TokenHasScope} <= set(view.permission_classes)
        and all(view.scopes.get(method) for method in methods_of(callback))
    )


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


def test_every_api_call_needs_a_token_with_its_scope():
    calls = {name: pattern.callback for _, name, pattern in ROUTES if name.startswith("api:")}
    unguarded = [
        name
        for name, callback in calls.items()
        if name not in PUBLIC_URL_NAMES and not needs_a_token(callback)
    ]
    assert len(calls) > 10
    assert not unguarded


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
    if name.startswith(API_PREFIX):  # an API call asks for its token
        assert response.status_code == 401, f"{route} answered {response.status_code}"
        assert response["WWW-Authenticate"] == "Bearer"
        return
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
    client = _client_for(person)
    # The API's calls read a token of the same person, holding every scope, instead.
    _token, secret = api_token(person)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


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


def test_the_access_proof_names_a_view_nobody_proved():
    route = [entry for entry in ROUTES if entry[1] == "organisations:members"]
    assert missing_proofs({}, route) == [
        "GET organisations:members: allowed, anonymous, other organisation"
    ]


def test_the_access_proof_asks_a_scoped_view_for_the_other_organisation():
    route = [entry for entry in ROUTES if entry[1] == "organisations:members"]
    proven = {("organisations:members", "GET"): {"anonymous", "allowed"}}
    assert missing_proofs(proven, route) == ["GET organisations:members: other organisation"]
    proven[("organisations:members", "GET")].add("other organisation")
    assert missing_proofs(proven, route) == []


def test_the_access_proof_asks_a_public_view_to_be_shown_public():
    route = [entry for entry in ROUTES if entry[1] == "healthz"]
    assert missing_proofs({("healthz", "GET"): {"anonymous", "allowed"}}, route) == [
        "GET healthz: public"
    ]
