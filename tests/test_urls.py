"""Every URL needs a signed-in user unless its view is marked public, and the public ones are
exactly the ones listed here. A new view that forgets this fails the build."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC_URL_NAMES = {
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_logout",
    "invitation_accept",
    "invitation_open",
    "mfa_authenticate",
    "healthz",
}
# Django admin views send anonymous people to the admin login page, which sends them to ours.
ADMIN_PREFIX = "admin/"

SAMPLE_ARGUMENTS = {
    "ods_code": "RX1",
    "pk": "1",
    "user_id": "1",
    "token": "token",
    "uidb36": "1",
    "key": "set-password",
    "object_id": "1",
    "app_label": "organisations",
    "content_type_id": "1",
    "url": "x",
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def sample_path(route: str) -> str:
    """A concrete path for a route, with sample values for its parameters."""
    import re

    path = route.lstrip("^").rstrip("$").replace("\\Z", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_ARGUMENTS.get(m.group(1), "1"), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_ARGUMENTS.get(m.group(1), "1"), path)
    return "/" + path.replace("\\", "")


def is_public(callback) -> bool:
    view = getattr(callback, "view_class", None) or callback
    return getattr(callback, "login_required", True) is False or (
        getattr(view, "login_required", True) is False
    )


ROUTES = [
    (route, pattern)
    for route, pattern in walk(get_resolver().url_patterns)
    if not route.startswith(ADMIN_PREFIX)
]


def test_the_public_views_are_exactly_the_listed_ones():
    public = {pattern.name for _, pattern in ROUTES if is_public(pattern.callback)}
    assert public == PUBLIC_URL_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "pattern"),
    [(route, pattern) for route, pattern in ROUTES if not is_public(pattern.callback)],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_protected_view_sends_anonymous_people_to_sign_in(route, pattern):
    response = Client().get(sample_path(route))
    assert response.status_code == 302, f"{route} answered {response.status_code}"
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_admin_sends_anonymous_people_to_sign_in():
    response = Client().get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
