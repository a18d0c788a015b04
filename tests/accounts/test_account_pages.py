"""Who may open each sign-in, account and two-factor page: the public ones are open to everyone;
the others need a signed-in person, and show them only their own account."""

import pyotp
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from tests.factories import member
from tests.webauthn import add_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(trust):
    return member(trust)


@pytest.fixture
def person_with_app(trust):
    """A member whose authenticator app and recovery codes are set up."""
    holder = member(trust)
    TOTP.activate(holder, pyotp.random_base32())
    RecoveryCodes.activate(holder)
    return holder


@pytest.mark.parametrize(
    ("name", "method", "data", "ok"),
    [
        ("account", "get", None, 200),
        ("account_reauthenticate", "get", None, 200),
        ("account_reauthenticate", "post", {}, 200),
        ("account_change_password", "get", None, 200),
        ("account_change_password", "post", {}, 200),
        ("account_set_password", "get", None, 302),  # they have a password: change it instead
        ("account_set_password", "post", {}, 302),
        ("mfa_index", "get", None, 200),
        ("mfa_activate_totp", "get", None, 200),
        ("mfa_activate_totp", "post", {"code": "000000"}, 200),
    ],
)
def test_a_signed_in_persons_own_pages(assert_access, person, name, method, data, ok):
    response = assert_access(reverse(name), method=method, data=data, allowed=person, ok=ok)
    if ok == 200 and method == "post":
        assert "There is a problem" in response.text


@pytest.mark.parametrize(
    ("name", "method", "data", "ok"),
    [
        ("mfa_reauthenticate", "get", None, 200),
        ("mfa_reauthenticate", "post", {"code": "000000"}, 200),
        ("mfa_deactivate_totp", "get", None, 200),
        ("mfa_deactivate_totp", "post", {}, 302),
        ("mfa_view_recovery_codes", "get", None, 200),
        ("mfa_download_recovery_codes", "get", None, 200),
        ("mfa_generate_recovery_codes", "get", None, 200),
        ("mfa_generate_recovery_codes", "post", {}, 302),
    ],
)
def test_the_pages_of_a_person_with_an_app(assert_access, person_with_app, name, method, data, ok):
    assert_access(reverse(name), method=method, data=data, allowed=person_with_app, ok=ok)


@pytest.mark.parametrize(
    ("name", "method", "data", "ok"),
    [
        ("mfa_list_webauthn", "get", None, 200),
        ("mfa_add_webauthn", "get", None, 200),
        ("mfa_add_webauthn", "post", {"name": "Laptop"}, 200),  # no key answered
        ("mfa_reauthenticate_webauthn", "get", None, 200),
        ("mfa_reauthenticate_webauthn", "post", {}, 302),
    ],
)
def test_the_security_key_pages(assert_access, person_with_app, name, method, data, ok):
    add_key(person_with_app)
    assert_access(reverse(name), method=method, data=data, allowed=person_with_app, ok=ok)


@pytest.mark.parametrize(
    ("name", "method", "data", "ok"),
    [
        ("mfa_edit_webauthn", "get", None, 200),
        ("mfa_edit_webauthn", "post", {"name": "Red key"}, 302),
        ("mfa_remove_webauthn", "get", None, 200),
        ("mfa_remove_webauthn", "post", {}, 302),
    ],
)
def test_a_key_is_only_its_owners(
    assert_access, person_with_app, other_mso, name, method, data, ok
):
    key = add_key(person_with_app)
    assert_access(
        reverse(name, args=[key.pk]),
        method=method,
        data=data,
        allowed=person_with_app,
        other_organisation=other_mso,  # anyone else: the key does not exist for them
        ok=ok,
    )


@pytest.mark.parametrize(
    ("url", "method", "ok"),
    [
        ("/accounts/login/", "get", 200),
        ("/accounts/login/", "post", 200),
        ("/accounts/logout/", "get", 302),
        ("/accounts/logout/", "post", 302),
        ("/accounts/inactive/", "get", 200),
        ("/accounts/password/reset/", "get", 200),
        ("/accounts/password/reset/", "post", 200),
        ("/accounts/password/reset/done/", "get", 200),
        ("/accounts/password/reset/key/1-not-a-key/", "get", 200),
        ("/accounts/password/reset/key/1-not-a-key/", "post", 200),
        ("/accounts/password/reset/key/done/", "get", 200),
        ("/accounts/two-factor/authenticate/", "get", 302),  # only during a sign-in
        ("/accounts/two-factor/authenticate/", "post", 302),
        ("/invitations/some-token/", "get", 302),
        ("/invitations/accept/", "get", 410),  # no invitation link was opened
        ("/invitations/accept/", "post", 410),
        ("/healthz", "get", 200),
        ("/readyz", "get", 200),
        ("/accessibility/", "get", 200),
        ("/privacy/", "get", 200),
        ("/contact/", "get", 200),
    ],
)
def test_the_public_pages(assert_public, db, url, method, ok):
    assert_public(url, method=method, ok=ok)
