"""Multi-factor authentication: required for every role that will see incident detail, sign off
alerts or run the service; a person who needs it and has not set it up is sent to set it up and
can reach nothing else."""

import json
import re
import time

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from organisations.choices import Post, Role
from tests.factories import PASSWORD, UserFactory, member, network_lead, post_holder
from tests.totp import current_code
from tests.webauthn import SoftwareKey, add_key, challenge_of, js_data

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-factor/totp/activate/"
MANAGING_PAGES = {
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_edit_webauthn",
    "mfa_remove_webauthn",
}


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def set_up_totp(client, *, confirm=True) -> str:
    """Set up an authenticator app through the page, as a person would, and (``confirm``)
    confirm it with the next code it shows; returns its secret."""
    page = client.get(SETUP_URL)
    assert page.status_code == 200, page.status_code
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', page.text).group(1)
    response = client.post(SETUP_URL, {"code": current_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    if confirm:
        confirm_app(client, secret)
    return secret


def confirm_app(client, secret):
    """Enter the app's next code (its clock moved on a step) where the session proves it."""
    with time_machine.travel(time.time() + 30):
        response = client.post(reverse("mfa_reauthenticate"), {"code": current_code(secret)})
    assert response.status_code == 302, response.status_code


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
        mso = post_holder(trust, Post.MSO)
        add_key(mso)
        response = client_for(mso, mfa=False).get(reverse("home"))
        assert response["Location"].startswith(reverse("mfa_reauthenticate_webauthn"))

    def test_the_sign_in_step_offers_the_key_and_recovery_codes(self, trust):
        mso = post_holder(trust, Post.MSO)
        add_key(mso)
        client = Client()
        sign_in(client, mso)
        page = client.get(reverse("mfa_authenticate"))
        assert "Use your security key" in page.text
        assert 'id="mfa_webauthn_authenticate"' in page.text
        assert "Or use a recovery code" in page.text

    def test_the_only_key_a_person_needs_cannot_be_removed(self, trust, client_for):
        mso = post_holder(trust, Post.MSO)
        key = add_key(mso)
        client = client_for(mso)
        page = client.get(reverse("mfa_remove_webauthn", args=[key.pk]))
        assert "this is your only one" in page.text
        client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
        assert Authenticator.objects.filter(pk=key.pk).exists()

    def test_with_an_app_as_well_a_key_can_be_removed(self, trust, client_for):
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


class TestSecondFactorPagesNeedTheSecondFactor:
    """Found by a probe: the security-key page was open to a session that had given no second
    factor, and adding a key marked the session as verified, so a password alone (a session
    kept from before the person's role needed a second factor) let in whoever held it, and the
    key worked for later sign-ins. Every page that manages second factors now needs the
    session to have given one; an account with none yet sets one up only straight after
    signing in, and then confirms it by using it."""

    ADD_KEY = "/accounts/two-factor/keys/add/"

    @staticmethod
    def add_key_as_a_browser_would(client, key, name="Attacker's key"):
        page = client.get(TestSecondFactorPagesNeedTheSecondFactor.ADD_KEY)
        credential = key.registration(challenge_of(js_data(page)))
        return client.post(
            TestSecondFactorPagesNeedTheSecondFactor.ADD_KEY,
            {"name": name, "credential": json.dumps(credential)},
        )

    @staticmethod
    def use_key_as_a_browser_would(client, key, url):
        page = client.get(url)
        assertion = key.assertion(challenge_of(js_data(page)))
        return client.post(url, {"credential": json.dumps(assertion)})

    def test_a_password_alone_cannot_add_a_key_and_read_incidents(self, trust, client_for):
        mso = post_holder(trust, Post.MSO)
        TOTP.activate(mso, pyotp.random_base32())
        attacker = client_for(mso, mfa=False)  # the password, and no code

        response = self.add_key_as_a_browser_would(attacker, SoftwareKey())

        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert not Authenticator.objects.filter(user=mso, type=Authenticator.Type.WEBAUTHN)
        reading = attacker.get(reverse("incidents:list"))
        assert reading["Location"].startswith(reverse("mfa_reauthenticate"))

    def test_nor_reauthenticate_with_the_password(self, trust, client_for):
        mso = post_holder(trust, Post.MSO)
        TOTP.activate(mso, pyotp.random_base32())
        attacker = client_for(mso, mfa=False)
        for response in (
            attacker.get(reverse("account_reauthenticate")),
            attacker.post(reverse("account_reauthenticate"), {"password": PASSWORD}),
        ):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert self.add_key_as_a_browser_would(attacker, SoftwareKey()).status_code == 302
        assert not Authenticator.objects.filter(user=mso, type=Authenticator.Type.WEBAUTHN)

    @pytest.mark.parametrize("name", sorted(MANAGING_PAGES))
    def test_every_page_that_manages_factors_asks_for_the_factor_first(
        self, trust, client_for, name
    ):
        mso = post_holder(trust, Post.MSO)
        TOTP.activate(mso, pyotp.random_base32())
        key = add_key(mso)
        args = [key.pk] if name in ("mfa_edit_webauthn", "mfa_remove_webauthn") else []
        client = client_for(mso, mfa=False)
        for method in ("get", "post"):
            response = getattr(client, method)(reverse(name, args=args))
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("mfa_reauthenticate")), name
        assert Authenticator.objects.filter(user=mso).count() == 2  # nothing removed

    def test_a_kept_session_with_no_factor_yet_signs_in_again_to_set_one_up(self, trust):
        mso = post_holder(trust, Post.MSO)
        client = Client()
        sign_in(client, mso)
        with time_machine.travel(time.time() + 11 * 60):  # the role came to need it later
            response = self.add_key_as_a_browser_would(client, SoftwareKey())
            assert response["Location"].startswith(reverse("account_login"))
            assert "_auth_user_id" not in client.session  # signed out
            assert not Authenticator.objects.filter(user=mso).exists()

            sign_in(client, mso)
            client.get(SETUP_URL)  # within minutes of signing in: set it up
            set_up_totp(client)
            assert client.get(reverse("home")).status_code == 200

    def test_a_new_key_is_confirmed_by_using_it_before_anything_opens(self, trust):
        mso = post_holder(trust, Post.MSO)
        client = Client()
        sign_in(client, mso)
        key = SoftwareKey()

        added = self.add_key_as_a_browser_would(client, key, name="Blue key")

        assert added.status_code == 302
        assert Authenticator.objects.filter(user=mso, type=Authenticator.Type.WEBAUTHN).exists()
        # Adding it gave nothing: the session uses it first.
        home = client.get(reverse("home"))
        assert home["Location"].startswith(reverse("mfa_reauthenticate_webauthn"))
        codes = client.get(reverse("mfa_view_recovery_codes"))
        assert codes["Location"].startswith(reverse("mfa_reauthenticate_webauthn"))
        used = self.use_key_as_a_browser_would(client, key, reverse("mfa_reauthenticate_webauthn"))
        assert used.status_code == 302
        assert client.get(reverse("home")).status_code == 200
        assert "<code>" in client.get(reverse("mfa_view_recovery_codes")).text

    def test_someone_elses_key_does_not_confirm_it(self, trust):
        mso = post_holder(trust, Post.MSO)
        client = Client()
        sign_in(client, mso)
        self.add_key_as_a_browser_would(client, SoftwareKey(), name="Blue key")
        self.use_key_as_a_browser_would(
            client, SoftwareKey(), reverse("mfa_reauthenticate_webauthn")
        )
        assert client.get(reverse("home"))["Location"].startswith(
            reverse("mfa_reauthenticate_webauthn")
        )

    def test_a_new_app_is_confirmed_with_its_next_code_not_the_one_that_set_it_up(self, trust):
        mso = post_holder(trust, Post.MSO)
        client = Client()
        sign_in(client, mso)
        secret = set_up_totp(client, confirm=False)
        assert client.get(reverse("home"))["Location"].startswith(reverse("mfa_reauthenticate"))

        same = client.post(reverse("mfa_reauthenticate"), {"code": current_code(secret)})

        assert same.status_code == 200 and "The code is not right" in same.text
        confirm_app(client, secret)
        assert client.get(reverse("home")).status_code == 200

    def test_someone_who_needs_no_factor_sets_one_up_only_after_signing_in(self, trust, client_for):
        nurse = member(trust, Role.STAFF)
        kept = client_for(nurse, mfa=False)
        with time_machine.travel(time.time() + 11 * 60):
            assert kept.get(SETUP_URL)["Location"].startswith(reverse("account_login"))
        fresh = Client()
        sign_in(fresh, nurse)
        assert fresh.get(SETUP_URL).status_code == 200

    def test_an_invited_person_sets_one_up_straight_after_choosing_their_password(self, trust, mso):
        from tests.organisations.test_invitations import NEW_PASSWORD, invite, open_link

        _, token = invite(trust, mso)
        client = open_link(Client(), token)
        accepted = client.post(
            reverse("invitation_accept"),
            {"full_name": "Dee Puty", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert accepted.status_code == 302
        assert client.get(reverse("home"))["Location"] == SETUP_URL
        set_up_totp(client)
        assert client.get(reverse("home")).status_code == 200

    def test_every_second_factor_page_is_declared(self):
        """A page allauth adds later is declared, or the build fails: either it takes a
        factor (open) or it manages them (needs the factor)."""
        from django.urls import get_resolver

        from accounts.mfa import MANAGES, OPEN

        declared = {}
        for pattern in get_resolver().url_patterns:
            for inner in getattr(pattern, "url_patterns", [pattern]):
                name = getattr(inner, "name", None)
                if name and (name.startswith("mfa_") or name == "account_reauthenticate"):
                    declared[name] = getattr(inner.callback, "second_factor", None)
        assert declared.pop("mfa_authenticate") is None  # the sign-in step, before sign-in
        assert {name for name, kind in declared.items() if kind == MANAGES} == MANAGING_PAGES
        assert {name for name, kind in declared.items() if kind == OPEN} == {
            "mfa_reauthenticate",
            "mfa_reauthenticate_webauthn",
        }
