"""Fixtures shared by every test: organisations, people in each role, signed-in clients, and
``assert_access``, the check every protected view gets (anonymous, other organisation, wrong
role, right role)."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from organisations.choices import Post, Role
from tests.access import prove
from tests.factories import OrganisationFactory, UserFactory, member, network_lead, post_holder

pytest_plugins = ["tests.access_check", "tests.celery_worker"]


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def trust(db):
    return OrganisationFactory(name="Ashby General Hospitals NHS Trust")


@pytest.fixture
def other_trust(db):
    return OrganisationFactory(name="Elsewhere Hospitals NHS Trust")


@pytest.fixture
def staff(trust):
    return member(trust, Role.STAFF, full_name="Rosa Reid")


@pytest.fixture
def mso(trust):
    """The trust's MSO: a member who holds the MSO post (which gives its permissions)."""
    return post_holder(trust, Post.MSO, full_name="Amir Shah")


@pytest.fixture
def director(trust):
    return post_holder(trust, Post.BOARD_DIRECTOR, full_name="Helen Carter")


@pytest.fixture
def other_mso(other_trust):
    return post_holder(other_trust, Post.MSO, full_name="Priya Nair")


@pytest.fixture
def lead(db):
    return network_lead(full_name="Nadia Osei")


@pytest.fixture
def site_admin(db):
    return UserFactory(is_staff=True, full_name="Site Administrator")


def _client_for(user, *, mfa=True):
    """A client signed in as ``user`` just now with a password, as the sign-in page records it;
    with ``mfa`` (the default) they also entered a code from an authenticator app (MFA_REQUIRED
    is on in tests)."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if mfa:
        records.append({"method": "mfa", "at": time.time(), "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def client_for():
    return _client_for


@pytest.fixture
def mso_client(mso):
    return _client_for(mso)


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def other_org_client(other_mso):
    return _client_for(other_mso)


def assert_redirects_to_login(response):
    assert response.status_code == 302, response.status_code
    assert urlparse(response["Location"]).path == reverse(settings.LOGIN_URL)


@pytest.fixture
def assert_access():
    """Prove a view's scoping: anonymous → sign in; another organisation → 404;
    same organisation, wrong role → 403; right role → ``ok`` (200).

    ``assert_access(url, allowed=mso, wrong_role=staff, other_organisation=other_mso)``;
    pass ``method="post", data={...}`` for a form (the allowed request runs last). For a page
    of one's own (the account page) leave out ``other_organisation`` and ``wrong_role``.
    """

    def check(
        url,
        *,
        allowed,
        other_organisation=None,
        wrong_role=None,
        method="get",
        data=None,
        ok=200,
    ):
        def request(client):
            return _settled(getattr(client, method)(url, data or {}))

        assert_redirects_to_login(request(Client()))
        outcomes = {"anonymous"}
        if other_organisation is not None:
            response = request(_client_for(other_organisation))
            assert response.status_code == 404, f"other organisation got {response.status_code}"
            outcomes.add("other organisation")
        if wrong_role is not None:
            response = request(_client_for(wrong_role))
            assert response.status_code == 403, f"wrong role got {response.status_code}"
            outcomes.add("wrong role")
        response = request(_client_for(allowed))
        assert response.status_code == ok, f"right role got {response.status_code}"
        prove(url, method, *outcomes, "allowed")
        return response

    return check


def _settled(response):
    """A streamed response (a download, an export) read to its end, which closes its file, and
    kept readable by the test."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        response.streaming_content = [body]
    return response


@pytest.fixture
def assert_public():
    """Prove a view is open to everyone: an anonymous request gets ``ok``."""

    def check(url, *, method="get", data=None, ok=200):
        response = _settled(getattr(Client(), method)(url, data or {}))
        assert response.status_code == ok, f"{url} answered {response.status_code}"
        prove(url, method, "public")
        return response

    return check


@pytest.fixture
def page_queries():
    """How many SQL queries a page costs, read again after a first request has warmed it: the
    header's unread count, counted again now and then, is left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url) -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return sum("notifications_notification" not in q["sql"] for q in queries)

    return count
