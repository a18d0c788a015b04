"""API tokens: made on the account pages by a session that gave its second factor, shown once
and kept only as a digest, limited to what the person's roles give, and stopped by expiry,
revocation or an account that is no longer active."""

import datetime
import re

import pyotp
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import services
from api.models import ApiCall, ApiToken, digest
from api.scopes import Scope, offered
from tests.conftest import _client_for, api_token

TODAY = datetime.date(2026, 12, 7)


def make(client, **fields):
    data = {
        "name": "Datix nightly import",
        "scopes": [Scope.INCIDENTS_READ],
        "expires_on_day": "6",
        "expires_on_month": "1",
        "expires_on_year": "2027",
    } | fields
    return client.post(reverse("api_token_create"), data)


@pytest.mark.django_db
class TestMakingOne:
    def test_the_pages_are_the_persons_own(self, assert_access, mso, other_mso):
        TOTP.activate(mso, pyotp.random_base32())
        token, _secret = api_token(mso)
        assert_access(reverse("api_tokens"), allowed=mso)
        assert_access(reverse("api_token_create"), allowed=mso)
        assert_access(reverse("api_token_create"), allowed=mso, method="post", data={"name": ""})
        revoke = reverse("api_token_revoke", args=[token.pk])
        assert_access(revoke, allowed=mso, other_organisation=other_mso)
        assert_access(revoke, allowed=mso, other_organisation=other_mso, method="post", ok=302)

    def test_another_persons_token_cannot_be_revoked(self, mso, other_mso):
        token, _secret = api_token(other_mso)
        client = _client_for(mso)
        assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 404
        assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_it_needs_a_second_factor_set_up(self, staff):
        # A reporter's roles need no second factor to sign in; a token needs one all the same.
        client = _client_for(staff, mfa=False)
        assert client.get(reverse("api_tokens")).status_code == 200
        response = client.get(reverse("api_token_create"))
        assert "Set up a second sign-in step first" in response.text
        make(client, scopes=[Scope.INCIDENTS_SUBMIT])
        assert not ApiToken.objects.exists()

    def test_it_needs_the_second_factor_given_in_this_session(self, mso):
        TOTP.activate(mso, pyotp.random_base32())
        client = _client_for(mso, mfa=False)
        response = make(client)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
        assert not ApiToken.objects.exists()

    def test_it_is_shown_once_and_kept_as_a_digest(self, mso):
        TOTP.activate(mso, pyotp.random_base32())
        client = _client_for(mso)
        with time_machine.travel(datetime.datetime(2026, 12, 7, 10, tzinfo=datetime.UTC)):
            response = make(client)
        assert response.status_code == 200
        assert (
            response["Cache-Control"].startswith("no-store")
            or "no-store" in response["Cache-Control"]
        )
        secret = re.search(r'value="(mso_[^"]+)"', response.text)[1]
        token = ApiToken.objects.get()
        assert token.digest == digest(secret) and secret not in str(token.__dict__)
        assert token.scopes == [Scope.INCIDENTS_READ]
        assert token.expires_at.date() == datetime.date(2027, 1, 6)
        # Audited, without the digest.
        entry = LogEntry.objects.get_for_object(token).get()
        assert entry.actor == mso and "digest" not in entry.changes_dict
        # Never shown again.
        listing = client.get(reverse("api_tokens")).text
        assert secret not in listing and token.hint in listing

    def test_it_offers_only_what_the_persons_roles_give(self, mso, staff, lead):
        assert Scope.REGISTER_READ not in offered(mso)
        assert Scope.INCIDENTS_READ in offered(mso)
        assert Scope.INCIDENTS_SUBMIT in offered(staff)
        assert Scope.REGISTER_READ not in offered(staff)
        assert Scope.REGISTER_READ in offered(lead)
        with pytest.raises(ValidationError, match="only what your roles let you do"):
            services.token_create(
                by=mso,
                name="Register",
                scopes=[Scope.REGISTER_READ],
                expires_on=timezone.localdate() + datetime.timedelta(days=5),
            )

    def test_it_lasts_at_most_90_days(self, mso):
        today = timezone.localdate()
        for days, message in ((0, "in the future"), (91, "90 days at most")):
            with pytest.raises(ValidationError, match=message):
                services.token_create(
                    by=mso,
                    name="Import",
                    scopes=[Scope.INCIDENTS_READ],
                    expires_on=today + datetime.timedelta(days=days),
                )
        assert not ApiToken.objects.exists()

    def test_a_person_holds_at_most_ten_that_work(self, mso):
        for n in range(10):
            api_token(mso, name=f"Token {n}")
        with pytest.raises(ValidationError, match="Revoke one first"):
            services.token_create(
                by=mso,
                name="One more",
                scopes=[Scope.INCIDENTS_READ],
                expires_on=timezone.localdate() + datetime.timedelta(days=5),
            )

    def test_a_second_press_makes_no_second_token(self, mso):
        TOTP.activate(mso, pyotp.random_base32())
        client = _client_for(mso)
        assert make(client).status_code == 200
        again = make(client)
        assert "You have a token named Datix nightly import that works" in again.text
        assert ApiToken.objects.count() == 1

    def test_the_list_costs_the_same_however_many_tokens(self, mso, page_queries):
        client = _client_for(mso)
        api_token(mso, name="One")
        one = page_queries(client, reverse("api_tokens"))
        for n in range(5):
            api_token(mso, name=f"More {n}")
        assert page_queries(client, reverse("api_tokens")) == one

    def test_a_refusal_keeps_what_was_typed(self, mso):
        TOTP.activate(mso, pyotp.random_base32())
        response = make(_client_for(mso), expires_on_year="2030")
        assert response.status_code == 200
        assert "90 days at most" in response.text and "Datix nightly import" in response.text
        assert not ApiToken.objects.exists()


@pytest.mark.django_db
class TestUsingOne:
    def call(self, secret):
        client = Client(headers={"authorization": f"Bearer {secret}"})
        return client.get(reverse("api:incidents"))

    def test_a_working_token_signs_in_and_each_call_is_logged(self, mso):
        token, secret = api_token(mso, Scope.INCIDENTS_READ)
        assert self.call(secret).status_code == 200
        assert self.call("mso_not-a-token").status_code == 401
        calls = list(ApiCall.objects.order_by("pk").values_list("token", "user", "status"))
        assert calls == [(token.pk, mso.pk, 200), (None, None, 401)]
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_revoked_token_stops_at_once(self, mso):
        token, secret = api_token(mso, Scope.INCIDENTS_READ)
        services.token_revoke(by=mso, token=token)
        response = self.call(secret)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"

    def test_an_expired_token_stops(self, mso):
        _token, secret = api_token(mso, Scope.INCIDENTS_READ)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
            assert self.call(secret).status_code == 401

    def test_a_token_of_someone_who_left_stops(self, mso):
        _token, secret = api_token(mso, Scope.INCIDENTS_READ)
        mso.is_active = False
        mso.save()
        assert self.call(secret).status_code == 401

    def test_a_session_never_signs_in_a_call(self, mso):
        assert _client_for(mso).get(reverse("api:incidents")).status_code == 401

    def test_the_account_page_says_how_many_work(self, mso):
        api_token(mso)
        response = _client_for(mso).get(reverse("account"))
        assert "1 token working" in response.text


@pytest.mark.django_db
class TestStoppedWithTheSignIn:
    def test_a_new_password_stops_every_token(self, mso):
        from allauth.account.signals import password_changed, password_reset

        for signal in (password_changed, password_reset):
            token, _secret = api_token(mso)
            signal.send(sender=type(mso), request=None, user=mso)
            token.refresh_from_db()
            assert token.revoked_at is not None

    def test_removing_the_last_second_factor_stops_every_token(self, mso):
        from allauth.mfa.models import Authenticator
        from allauth.mfa.signals import authenticator_removed

        app = TOTP.activate(mso, pyotp.random_base32()).instance
        token, _secret = api_token(mso)
        authenticator_removed.send(sender=Authenticator, request=None, user=mso, authenticator=app)
        token.refresh_from_db()
        assert token.revoked_at is None  # it still has its app
        app.delete()
        authenticator_removed.send(sender=Authenticator, request=None, user=mso, authenticator=app)
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_the_person_is_told_when_one_is_made(self, mso):
        from notifications.models import Notification

        token, _secret = services.token_create(
            by=mso,
            name="Datix",
            scopes=[Scope.INCIDENTS_READ],
            expires_on=timezone.localdate() + datetime.timedelta(days=5),
        )
        told = Notification.objects.get(recipient=mso)
        assert "Datix" in told.title and told.url == reverse("api_tokens")
