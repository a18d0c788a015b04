"""Multi-factor authentication: required for every role that will see incident detail, sign off
alerts or run the service; a person who needs it and has not set it up is sent to set it up and
can reach nothing else."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from organisations.choices import Post, Role
from tests.factories import PASSWORD, UserFactory, member, network_lead, post_holder
from tests.totp import current_code

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-factor/totp/activate/"


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def set_up_totp(client) -> str:
    """Set up an authenticator app through the page, as a person would; returns its secret."""
    page = client.get(SETUP_URL)
    assert page.status_code == 200, page.status_code
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', page.text).group(1)
    response = client.post(SETUP_URL, {"code": current_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    return secret


@pytest.mark.parametrize(
    "who",
    [
        lambda trust: post_holder(trust, Post.MSO),
        lambda trust: post_holder(trust, Post.DEPUTY_MSO),
        lambda trust: post_holder(trust, Post.BOARD_DIRECTOR),
        lambda trust: member(trust, Role.SAFETY_TEAM),
        lambda trust: member(trust, Role.COMMITTEE_CHAIR),
        lambda trust: member(trust, Role.COMMITTEE_SECRETARY),
        lambda trust: network_lead(),
        lambda trust: UserFactory(is_staff=True),
    ],
    ids=["mso", "deputy", "director", "safety team", "chair", "secretary", "lead", "admin"],
)
def test_people_who_need_it_are_sent_to_set_it_up_and_reach_nothing_else(trust, who):
    person = who(trust)
    client = Client()
    assert sign_in(client, person).status_code == 302
    for url in (
        reverse("home"),
        reverse("account"),
        reverse("organisations:detail", args=[trust.ods_code]),
        reverse("organisations:members", args=[trust.ods_code]),
        reverse("admin:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP_URL, url
    assert client.get(SETUP_URL).status_code == 200
    set_up_totp(client)
    assert client.get(reverse("home")).status_code == 200


def test_staff_reporters_and_committee_members_sign_in_with_a_password(trust):
    for person in (member(trust, Role.STAFF), member(trust, Role.COMMITTEE_MEMBER)):
        client = Client()
        sign_in(client, person)
        assert client.get(reverse("home")).status_code == 200


def test_a_person_with_an_app_signs_in_with_a_code(trust):
    mso = post_holder(trust, Post.MSO)
    secret = pyotp.random_base32()
    TOTP.activate(mso, secret)
    client = Client()
    response = sign_in(client, mso)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    page = client.get(reverse("mfa_authenticate"))
    assert "Enter the code from your authenticator app" in page.text
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "The code is not right" in wrong.text
    assert 'href="#id_code"' in wrong.text
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_signs_in_once(trust):
    mso = post_holder(trust, Post.MSO)
    client = Client()
    sign_in(client, mso)
    set_up_totp(client)
    codes = client.get(reverse("mfa_view_recovery_codes"))
    code = re.search(r"<code>(\w+)</code>", codes.text).group(1)
    client.post(reverse("account_logout"))

    again = Client()
    sign_in(again, mso)
    assert again.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert again.get(reverse("home")).status_code == 200
    third = Client()
    sign_in(third, mso)
    assert third.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200


def test_someone_given_a_post_during_their_session_is_asked_then(trust, client_for):
    nurse = member(trust, Role.STAFF)
    client = client_for(nurse, mfa=False)
    assert client.get(reverse("home")).status_code == 200
    post_holder(trust, Post.DEPUTY_MSO, user=nurse)
    assert client.get(reverse("home"))["Location"] == SETUP_URL


def test_a_session_without_a_code_is_asked_for_one_when_an_app_is_set_up(trust, client_for):
    mso = post_holder(trust, Post.MSO)
    TOTP.activate(mso, pyotp.random_base32())
    response = client_for(mso, mfa=False).get(reverse("home"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_a_required_app_cannot_be_turned_off(trust):
    mso = post_holder(trust, Post.MSO)
    client = Client()
    sign_in(client, mso)
    set_up_totp(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "Your roles need an authenticator app" in response.text
    assert Authenticator.objects.filter(user=mso, type=Authenticator.Type.TOTP).exists()


def test_it_can_be_switched_off_for_a_demo(trust, settings):
    settings.MFA_REQUIRED = False
    mso = post_holder(trust, Post.MSO)
    client = Client()
    sign_in(client, mso)
    assert client.get(reverse("home")).status_code == 200


def test_signing_out_and_public_pages_stay_open(trust):
    mso = post_holder(trust, Post.MSO)
    client = Client()
    sign_in(client, mso)
    assert client.get(reverse("accessibility")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


class TestNoWayRoundTheSecondFactor:
    """Found on review: a session signed in with a password alone could open the recovery-code
    pages, read (or make) a code, and use it as its second factor."""

    @pytest.fixture
    def password_only(self, trust, client_for):
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        mso = post_holder(trust, Post.MSO)
        TOTP.activate(mso, pyotp.random_base32())
        RecoveryCodes.activate(mso)
        return client_for(mso, mfa=False)

    @pytest.mark.parametrize(
        ("name", "method"),
        [
            ("mfa_view_recovery_codes", "get"),
            ("mfa_download_recovery_codes", "get"),
            ("mfa_generate_recovery_codes", "get"),
            ("mfa_generate_recovery_codes", "post"),
            ("mfa_deactivate_totp", "post"),
        ],
    )
    def test_the_recovery_codes_are_not_open_before_a_code(self, password_only, name, method):
        response = getattr(password_only, method)(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert "<code>" not in response.content.decode()

    def test_an_admin_who_removes_a_lost_app_removes_its_codes_too(
        self, trust, client_for, site_admin
    ):
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        from accounts.services import authenticator_remove

        mso = post_holder(trust, Post.MSO)
        app = TOTP.activate(mso, pyotp.random_base32()).instance
        RecoveryCodes.activate(mso)
        authenticator_remove(by=site_admin, authenticator=app)
        assert not Authenticator.objects.filter(user=mso).exists()
        client = Client()
        sign_in(client, mso)
        assert client.get(reverse("home"))["Location"] == SETUP_URL


class TestSecurityKeys:
    def test_a_person_with_only_a_key_proves_it_with_the_key(self, trust, client_for):
        from tests.accounts.test_account_pages import add_key

        mso = post_holder(trust, Post.MSO)
        add_key(mso)
        response = client_for(mso, mfa=False).get(reverse("home"))
        assert response["Location"].startswith(reverse("mfa_reauthenticate_webauthn"))

    def test_the_sign_in_step_offers_the_key_and_recovery_codes(self, trust):
        from tests.accounts.test_account_pages import add_key

        mso = post_holder(trust, Post.MSO)
        add_key(mso)
        client = Client()
        sign_in(client, mso)
        page = client.get(reverse("mfa_authenticate"))
        assert "Use your security key" in page.text
        assert 'id="mfa_webauthn_authenticate"' in page.text
        assert "Or use a recovery code" in page.text

    def test_the_only_key_a_person_needs_cannot_be_removed(self, trust, client_for):
        from tests.accounts.test_account_pages import add_key

        mso = post_holder(trust, Post.MSO)
        key = add_key(mso)
        client = client_for(mso)
        page = client.get(reverse("mfa_remove_webauthn", args=[key.pk]))
        assert "this is your only one" in page.text
        client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
        assert Authenticator.objects.filter(pk=key.pk).exists()

    def test_with_an_app_as_well_a_key_can_be_removed(self, trust, client_for):
        from tests.accounts.test_account_pages import add_key

        mso = post_holder(trust, Post.MSO)
        TOTP.activate(mso, pyotp.random_base32())
        key = add_key(mso)
        client_for(mso).post(reverse("mfa_remove_webauthn", args=[key.pk]))
        assert not Authenticator.objects.filter(pk=key.pk).exists()

    def test_keys_belong_to_the_services_address(self, settings):
        from accounts.adapters import MFAAdapter

        settings.SITE_URL = "https://mso.example.nhs.uk"
        assert MFAAdapter().get_public_key_credential_rp_entity() == {
            "id": "mso.example.nhs.uk",
            "name": "MSO Portal",
        }
