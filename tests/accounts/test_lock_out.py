"""Nobody can lock a person out (found by a probe): a password reset asked for by anyone used to
leave an unverified address on the account, and from then on the person could not set up a
second factor ("verify your email first"), with no page or admin screen to fix it."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from organisations.choices import Post
from tests.accounts.test_mfa import set_up_totp, sign_in
from tests.factories import PASSWORD, post_holder

pytestmark = pytest.mark.django_db


def test_a_reset_asked_for_by_anyone_changes_nothing_of_the_account(client, trust):
    mso = post_holder(trust, Post.MSO)
    password = mso.password

    client.post(reverse("account_reset_password"), {"email": mso.email})

    assert not EmailAddress.objects.filter(user=mso).exists()
    mso.refresh_from_db()
    assert mso.password == password
    # ... so the person still sets up their second step.
    own = Client()
    sign_in(own, mso)
    set_up_totp(own)
    assert Authenticator.objects.filter(user=mso, type=Authenticator.Type.TOTP).exists()


def test_an_unverified_address_does_not_stop_a_second_factor(trust):
    """Accounts are made only from an invitation to their address (or by an administrator):
    the address is never in doubt, so it is no condition for setting up a second factor."""
    mso = post_holder(trust, Post.MSO)
    EmailAddress.objects.create(user=mso, email=mso.email, verified=False, primary=False)
    client = Client()
    sign_in(client, mso)
    set_up_totp(client)
    assert client.get(reverse("home")).status_code == 200


def test_the_reset_email_is_sent_by_a_worker_for_every_address_alike(client, mso, monkeypatch):
    """The page only asks a worker, with whatever address was given: how long it takes tells
    nobody whether an account has the address."""
    from accounts import tasks

    asked = []
    monkeypatch.setattr(tasks.send_password_reset, "delay", asked.append)
    client.post(reverse("account_reset_password"), {"email": mso.email})
    client.post(reverse("account_reset_password"), {"email": "nobody@nhs.example"})

    assert asked == [mso.email, "nobody@nhs.example"]
    assert mail.outbox == []  # nothing sent while the page was answering


def test_the_worker_emails_a_link_that_works_and_nothing_to_an_unknown_address(client, mso):
    from accounts.tasks import send_password_reset

    send_password_reset("nobody@nhs.example")
    assert mail.outbox == []
    send_password_reset(mso.email)
    [email] = mail.outbox
    assert email.to == [mso.email] and email.subject.startswith("[MSO Portal]")
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", email.body).group(1)
    form_page = client.get(link, follow=True)
    new = "another-long-passphrase-2026"
    client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    mso.refresh_from_db()
    assert mso.check_password(new)


class TestAnAdministratorSeesAndClearsAStuckSignIn:
    @pytest.fixture
    def admin_client(self, client_for, site_admin):
        return client_for(site_admin)

    def page(self, admin_client, user):
        return admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    def test_an_address_left_unverified_by_an_old_reset_is_shown_and_cleared(
        self, admin_client, trust, site_admin
    ):
        mso = post_holder(trust, Post.MSO)
        EmailAddress.objects.create(user=mso, email=mso.email, verified=False, primary=False)
        EmailAddress.objects.create(user=mso, email="old@nhs.example", verified=False)

        page = self.page(admin_client, mso)
        assert "Address records other than their own verified address" in page.text
        assert "old@nhs.example" in page.text

        cleared = admin_client.post(reverse("admin:accounts_user_clear_sign_in", args=[mso.pk]))

        assert cleared.status_code == 302
        assert list(EmailAddress.objects.filter(user=mso).values_list("email", "verified")) == [
            (mso.email, True)
        ]
        from auditlog.models import LogEntry

        actions = LogEntry.objects.filter(object_repr__icontains="nhs.example").values_list(
            "action", "actor"
        )
        assert (LogEntry.Action.DELETE, site_admin.pk) in actions  # the stray address
        assert (LogEntry.Action.UPDATE, site_admin.pk) in actions  # their own, now verified
        assert "Clear what stops them signing in" not in self.page(admin_client, mso).text

    def test_a_sign_in_refused_for_failed_attempts_is_shown_and_cleared(self, admin_client, trust):
        mso = post_holder(trust, Post.MSO)
        for _ in range(5):
            Client().post(reverse("account_login"), {"login": mso.email, "password": "wrong"})
        signing_in = {"login": mso.email, "password": PASSWORD}
        refused = Client().post(reverse("account_login"), signing_in)
        assert "too many times" in refused.text
        assert "Sign-in refused for too many failed attempts:</strong> yes" in (
            self.page(admin_client, mso).text
        )

        admin_client.post(reverse("admin:accounts_user_clear_sign_in", args=[mso.pk]))

        assert "Sign-in refused for too many failed attempts:</strong> no" in (
            self.page(admin_client, mso).text
        )
        again = Client().post(reverse("account_login"), signing_in)
        assert again.status_code == 302

    def test_only_a_site_administrator_clears_it_and_only_by_post(
        self, admin_client, client_for, trust
    ):
        mso = post_holder(trust, Post.MSO)
        url = reverse("admin:accounts_user_clear_sign_in", args=[mso.pk])
        assert admin_client.get(url).status_code == 405
        assert client_for(mso).post(url).status_code == 403
        assert Client().post(url).status_code == 302  # to sign in


def test_with_no_broker_the_reset_email_is_sent_in_the_request(client, mso, monkeypatch):
    from kombu.exceptions import OperationalError

    from accounts import tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_password_reset, "delay", down)
    response = client.post(reverse("account_reset_password"), {"email": mso.email})
    assert response.status_code == 302
    assert [email.to for email in mail.outbox] == [[mso.email]]
