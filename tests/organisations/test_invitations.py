import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organisations import services
from organisations.choices import Role
from organisations.models import Invitation, Membership
from tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def invite(organisation, by, email="new.person@nhs.example", role=Role.SAFETY_TEAM):
    return services.invitation_create(by=by, organisation=organisation, email=email, role=role)


def accept_url(token):
    return reverse("invitation_accept", kwargs={"token": token})


class TestSendingAnInvitation:
    def url(self, organisation):
        return reverse("organisations:invitation_create", args=[organisation.ods_code])

    def test_it_is_for_the_organisations_mso(self, assert_access, trust, mso, staff, other_mso):
        assert_access(self.url(trust), allowed=mso, wrong_role=staff, other_organisation=other_mso)

    def test_an_mso_invites_someone_by_email(self, mso_client, trust, mso):
        response = mso_client.post(
            self.url(trust), {"email": "New.Person@NHS.example", "role": Role.SAFETY_TEAM}
        )
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.email == "new.person@nhs.example"
        assert invitation.invited_by == mso
        assert invitation.status == Invitation.Status.PENDING
        [email] = mail.outbox
        assert email.to == ["new.person@nhs.example"]
        assert trust.name in email.subject
        token = re.search(r"/invitations/([^/\s]+)/", email.body).group(1)
        assert services.invitation_for_token(token) == invitation

    def test_only_a_hash_of_the_token_is_stored(self, trust, mso):
        invitation, token = invite(trust, mso)
        assert token not in invitation.token_hash

    def test_it_refuses_someone_who_already_has_the_role(self, mso_client, trust, staff):
        response = mso_client.post(self.url(trust), {"email": staff.email, "role": Role.STAFF})
        assert response.status_code == 200
        assert f"{staff.email} already has this role in {trust.name}" in response.text
        assert "There is a problem" in response.text
        assert not Invitation.objects.exists()
        assert not mail.outbox

    def test_bad_input_is_explained_and_kept(self, mso_client, trust):
        response = mso_client.post(self.url(trust), {"email": "not-an-email", "role": ""})
        assert "Enter an email address in the correct format" in response.text
        assert "Choose a role" in response.text
        assert 'value="not-an-email"' in response.text
        assert not Invitation.objects.exists()

    def test_an_email_that_cannot_be_sent_saves_nothing(self, mso_client, trust, monkeypatch):
        def refuse(*args, **kwargs):
            raise ConnectionRefusedError("no mail server")

        monkeypatch.setattr("organisations.services.send_mail", refuse)
        response = mso_client.post(
            self.url(trust), {"email": "new.person@nhs.example", "role": Role.STAFF}
        )
        assert response.status_code == 200
        assert "could not be sent, so nothing was saved" in response.text
        assert 'value="new.person@nhs.example"' in response.text
        assert not Invitation.objects.exists()

    def test_another_organisations_invitation_is_not_found(self, mso_client, trust, other_mso):
        invitation, _ = invite(other_mso.memberships.get().organisation, other_mso)
        url = reverse("organisations:invitation_revoke", args=[trust.ods_code, invitation.pk])
        assert mso_client.post(url).status_code == 404
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PENDING

    def test_a_new_invitation_replaces_a_pending_one(self, trust, mso):
        first, first_token = invite(trust, mso)
        invite(trust, mso)
        first.refresh_from_db()
        assert first.status == Invitation.Status.REVOKED
        with pytest.raises(services.InvitationError, match="withdrawn"):
            services.invitation_for_token(first_token)

    def test_an_mso_withdraws_an_invitation(self, mso_client, trust, mso):
        invitation, token = invite(trust, mso)
        members = mso_client.get(reverse("organisations:members", args=[trust.ods_code]))
        assert invitation.email in members.text
        url = reverse("organisations:invitation_revoke", args=[trust.ods_code, invitation.pk])
        assert mso_client.post(url).status_code == 302
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.REVOKED

    def test_another_organisation_cannot_withdraw_it(
        self, assert_access, trust, mso, staff, other_mso
    ):
        invitation, _ = invite(trust, mso)
        url = reverse("organisations:invitation_revoke", args=[trust.ods_code, invitation.pk])
        assert_access(
            url,
            method="post",
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )


class TestAcceptingAnInvitation:
    def test_a_new_person_sets_a_password_and_joins(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        page = client.get(accept_url(token))
        assert page.status_code == 200
        assert f"Join {trust.name}" in page.text
        response = client.post(
            accept_url(token),
            {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302
        user = User.objects.get(email=invitation.email)
        assert user.full_name == "Nia Jones"
        assert user.check_password(NEW_PASSWORD)
        assert Membership.objects.filter(
            user=user, organisation=trust, role=Role.SAFETY_TEAM
        ).exists()
        assert client.get(reverse("home")).context["user"] == user
        invitation.refresh_from_db()
        assert invitation.accepted_by == user

    def test_mismatched_or_weak_passwords_create_nothing(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        response = client.post(
            accept_url(token),
            {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": "different"},
        )
        assert "The passwords do not match" in response.text
        assert 'value="Nia Jones"' in response.text
        response = client.post(
            accept_url(token),
            {"full_name": "Nia Jones", "password1": "short", "password2": "short"},
        )
        assert "This password is too short" in response.text
        assert not User.objects.filter(email=invitation.email).exists()
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PENDING

    def test_a_link_works_once(self, client, trust, mso):
        _, token = invite(trust, mso)
        data = {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        client.post(accept_url(token), data)
        client.logout()
        response = client.get(accept_url(token))
        assert response.status_code == 410
        assert "already been used" in response.text
        assert client.post(accept_url(token), data).status_code == 410

    def test_an_expired_link_is_refused(self, client, trust, mso):
        _, token = invite(trust, mso)
        with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
            response = client.get(accept_url(token))
        assert response.status_code == 410
        assert "expired" in response.text

    def test_a_withdrawn_link_is_refused(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        services.invitation_revoke(by=mso, invitation=invitation)
        response = client.get(accept_url(token))
        assert response.status_code == 410
        assert "withdrawn" in response.text

    def test_a_made_up_link_is_refused(self, client, db):
        response = client.get(accept_url("not-a-real-token"))
        assert response.status_code == 410
        assert "not valid" in response.text

    def test_someone_with_an_account_signs_in_then_accepts(self, client, trust, other_trust, mso):
        person = member(other_trust, Role.STAFF, email="bank.nurse@nhs.example")
        _, token = invite(trust, mso, email=person.email, role=Role.STAFF)
        page = client.get(accept_url(token))
        assert "You already have an account" in page.text
        assert client.post(accept_url(token)).status_code == 200  # no account is made
        client.login(username=person.email, password=PASSWORD)
        assert client.post(accept_url(token)).status_code == 302
        assert set(person.memberships.values_list("organisation", flat=True)) == {
            trust.pk,
            other_trust.pk,
        }

    def test_an_inactive_account_is_told_why_it_cannot_join(self, client, trust, mso, staff):
        staff.is_active = False
        staff.save()
        _, token = invite(trust, mso, email=staff.email, role=Role.SAFETY_TEAM)
        response = client.get(accept_url(token))
        assert response.status_code == 410
        assert "Your account is not active" in response.text

    def test_it_is_only_for_the_person_invited(self, client, trust, mso, staff):
        _, token = invite(trust, mso, role=Role.SAFETY_TEAM)
        client.force_login(staff)
        response = client.post(accept_url(token))
        assert response.status_code == 410
        assert "This invitation is for new.person@nhs.example" in response.text
        assert not staff.memberships.filter(role=Role.SAFETY_TEAM).exists()
