import logging
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organisations import services
from organisations.choices import Role
from organisations.models import Invitation, Membership
from tests.factories import CONFIRMED, PASSWORD, member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"
ACCEPT_URL = "/invitations/accept/"


def token_in(email) -> str:
    return re.search(r"/invitations/([^/\s]+)/", email.body).group(1)


def invite(organisation, by, email="new.person@nhs.example", roles=(Role.SAFETY_TEAM,)):
    """Invite through the service; returns the invitation and the token from its email."""
    invitation = services.invitation_create(
        by=by, organisation=organisation, email=email, roles=roles
    )
    return invitation, token_in(mail.outbox[-1])


def open_link(client, token):
    """Follow the emailed link: its token moves into the session."""
    response = client.get(reverse("invitation_open", kwargs={"token": token}))
    assert response.status_code == 302
    assert response["Location"] == ACCEPT_URL
    return client


class TestSendingAnInvitation:
    def url(self, organisation):
        return reverse("organisations:invitation_create", args=[organisation.ods_code])

    def test_it_is_for_the_organisations_mso(self, assert_access, trust, mso, staff, other_mso):
        assert_access(self.url(trust), allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            self.url(trust),
            method="post",
            data={"email": "new.person@nhs.example", "roles": [Role.STAFF]},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_an_mso_invites_someone_with_several_roles(self, mso_client, trust, mso):
        response = mso_client.post(
            self.url(trust),
            {"email": "New.Person@NHS.example", "roles": [Role.SAFETY_TEAM, Role.COMMITTEE_MEMBER]},
        )
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.email == "new.person@nhs.example"
        assert invitation.roles == [Role.COMMITTEE_MEMBER, Role.SAFETY_TEAM]
        assert invitation.invited_by == mso
        assert invitation.status == Invitation.Status.PENDING
        assert invitation.sent_at is not None
        [email] = mail.outbox
        assert email.to == ["new.person@nhs.example"]
        assert trust.name in email.subject
        assert "medication safety team member" in email.body
        assert services.invitation_for_token(token_in(email)) == invitation

    def test_the_roles_show_what_each_lets_a_person_do(self, mso_client, trust):
        response = mso_client.get(self.url(trust))
        assert "Reviews incidents, records learning and owns actions" in response.text

    def test_only_a_hash_of_the_token_is_stored(self, trust, mso):
        invitation, token = invite(trust, mso)
        assert token not in invitation.token_hash
        assert Invitation.objects.filter(token_hash__contains=token).count() == 0

    def test_the_emailed_link_uses_the_site_address_not_the_request(
        self, mso_client, trust, settings
    ):
        settings.SITE_URL = "https://mso.example.nhs.uk"
        mso_client.post(
            self.url(trust),
            {"email": "new.person@nhs.example", "roles": [Role.STAFF]},
            HTTP_HOST="127.0.0.1:6666",
        )
        assert "https://mso.example.nhs.uk/invitations/" in mail.outbox[0].body
        assert "6666" not in mail.outbox[0].body

    def test_a_member_is_not_invited_again_and_is_offered_their_roles(
        self, mso_client, trust, staff
    ):
        response = mso_client.post(self.url(trust), {"email": staff.email, "roles": [Role.STAFF]})
        assert response.status_code == 200
        assert f"{staff.email} is already a member of {trust.name}" in response.text
        roles_url = reverse("organisations:member_roles", args=[trust.ods_code, staff.pk])
        assert roles_url in response.text
        assert not Invitation.objects.exists()
        assert not mail.outbox

    def test_a_pending_invitation_is_offered_again_not_duplicated(self, mso_client, trust, mso):
        invitation, _ = invite(trust, mso)
        response = mso_client.post(
            self.url(trust), {"email": invitation.email, "roles": [Role.STAFF]}
        )
        assert f"{invitation.email} has already been invited" in response.text
        resend = reverse("organisations:invitation_resend", args=[trust.ods_code, invitation.pk])
        assert resend in response.text
        assert Invitation.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_bad_input_is_explained_and_kept(self, mso_client, trust):
        response = mso_client.post(self.url(trust), {"email": "not-an-email"})
        assert "Enter an email address in the correct format" in response.text
        assert "Select at least one role" in response.text
        assert 'value="not-an-email"' in response.text
        assert not Invitation.objects.exists()

    def test_a_role_the_organisation_does_not_have_is_refused(self, client_for, db):
        from organisations.choices import Post
        from tests.factories import OrganisationFactory, post_holder

        practice = OrganisationFactory(practice=True)
        client = client_for(post_holder(practice, Post.MSO))
        response = client.post(
            self.url(practice),
            {"email": "new.person@nhs.example", "roles": [Role.COMMITTEE_CHAIR]},
        )
        assert response.status_code == 200
        assert "Select roles from the list" in response.text
        assert not Invitation.objects.exists()

    def test_an_email_that_cannot_be_sent_is_not_recorded_as_sent(
        self, mso_client, trust, monkeypatch, caplog
    ):
        def refuse(*args, **kwargs):
            raise ConnectionRefusedError("no mail server")

        monkeypatch.setattr("organisations.services.send_mail", refuse)
        with caplog.at_level(logging.ERROR):
            response = mso_client.post(
                self.url(trust), {"email": "new.person@nhs.example", "roles": [Role.STAFF]}
            )
        assert response.status_code == 302
        page = mso_client.get(response["Location"])
        assert "its email could not be sent" in page.text
        assert "Not sent" in page.text
        invitation = Invitation.objects.get()
        assert invitation.sent_at is None

        monkeypatch.undo()
        resend = reverse("organisations:invitation_resend", args=[trust.ods_code, invitation.pk])
        assert mso_client.post(resend).status_code == 302
        invitation.refresh_from_db()
        assert invitation.sent_at is not None
        assert services.invitation_for_token(token_in(mail.outbox[-1])) == invitation

    def test_sending_again_makes_the_old_link_stop_working(self, trust, mso):
        invitation, first_token = invite(trust, mso)
        services.invitation_send(by=mso, invitation=invitation)
        with pytest.raises(services.InvitationError, match="not valid"):
            services.invitation_for_token(first_token)
        assert services.invitation_for_token(token_in(mail.outbox[-1])) == invitation

    def test_email_is_sent_after_the_invitation_is_committed(self, trust, mso, monkeypatch):
        seen = []

        def send(*args, **kwargs):
            from django.db import connection

            seen.append(Invitation.objects.filter(token_hash__isnull=False).exists())
            seen.append(connection.in_atomic_block and len(connection.savepoint_ids))

        monkeypatch.setattr("organisations.services.send_mail", send)
        services.invitation_create(
            by=mso, organisation=trust, email="x@nhs.example", roles=[Role.STAFF]
        )
        assert seen == [True, 0]  # saved, and no transaction of the service is open

    def test_another_organisations_invitation_is_not_found(
        self, mso_client, trust, other_trust, other_mso
    ):
        invitation, _ = invite(other_trust, other_mso)
        for name in ("invitation_revoke", "invitation_resend"):
            url = reverse(f"organisations:{name}", args=[trust.ods_code, invitation.pk])
            assert mso_client.post(url).status_code == 404
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PENDING

    def test_an_mso_withdraws_an_invitation(self, mso_client, trust, mso):
        invitation, token = invite(trust, mso)
        members = mso_client.get(reverse("organisations:members", args=[trust.ods_code]))
        assert invitation.email in members.text
        url = reverse("organisations:invitation_revoke", args=[trust.ods_code, invitation.pk])
        assert "Withdraw the invitation to" in mso_client.post(url).text
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PENDING  # asked first
        assert mso_client.post(url, CONFIRMED).status_code == 302
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.REVOKED
        with pytest.raises(services.InvitationError, match="withdrawn"):
            services.invitation_for_token(token)

    @pytest.mark.parametrize("name", ["invitation_revoke", "invitation_resend"])
    def test_access_to_withdraw_and_send_again(
        self, assert_access, trust, mso, staff, other_mso, name
    ):
        invitation, _ = invite(trust, mso)
        url = reverse(f"organisations:{name}", args=[trust.ods_code, invitation.pk])
        assert_access(
            url,
            method="post",
            data=CONFIRMED,  # withdrawing asks first; sending again takes nothing away
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )


class TestStaleCopies:
    """Found on review: withdrawing used the copy the page had read, and accepting did not check
    under its lock that the link was still the invitation's newest."""

    def test_an_invitation_accepted_meanwhile_is_not_withdrawn(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        stale = Invitation.objects.get(pk=invitation.pk)
        open_link(client, token).post(
            ACCEPT_URL,
            {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        with pytest.raises(ValidationError, match="waiting for an answer"):
            services.invitation_revoke(by=mso, invitation=stale)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None and invitation.accepted_at is not None

    def test_a_link_replaced_meanwhile_does_not_work(self, trust, mso, monkeypatch):
        invitation, old_token = invite(trust, mso)
        found = services.invitation_for_token(old_token)
        services.invitation_send(by=mso, invitation=invitation)  # a new link, just now
        monkeypatch.setattr(services, "invitation_for_token", lambda token: found)
        with pytest.raises(services.InvitationError, match="not valid"):
            services.invitation_accept(
                token=old_token, full_name="Nia Jones", password=NEW_PASSWORD
            )
        assert not User.objects.filter(email=invitation.email).exists()


class TestAcceptingAnInvitation:
    def test_a_new_person_sets_a_password_and_joins(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        open_link(client, token)
        page = client.get(ACCEPT_URL)
        assert page.status_code == 200
        assert f"Join {trust.name}" in page.text
        assert token not in page.text
        response = client.post(
            ACCEPT_URL,
            {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302
        user = User.objects.get(email=invitation.email)
        assert user.full_name == "Nia Jones"
        assert user.check_password(NEW_PASSWORD)
        assert Membership.objects.filter(
            user=user, organisation=trust, role=Role.SAFETY_TEAM
        ).exists()
        invitation.refresh_from_db()
        assert invitation.accepted_by == user
        # A medication safety team member sets up an authenticator app first.
        assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")

    def test_the_token_leaves_the_address_after_the_first_visit(self, client, trust, mso):
        _, token = invite(trust, mso)
        open_link(client, token)
        page = client.get(ACCEPT_URL)
        assert token not in page.text  # not in links, forms or a "next" parameter
        assert "next=/invitations/accept/" in page.text or "Create account" in page.text

    def test_mismatched_or_weak_passwords_create_nothing(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        open_link(client, token)
        response = client.post(
            ACCEPT_URL,
            {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": "different"},
        )
        assert "The passwords do not match" in response.text
        assert 'value="Nia Jones"' in response.text
        response = client.post(
            ACCEPT_URL, {"full_name": "Nia Jones", "password1": "short", "password2": "short"}
        )
        assert "12 characters or more" in response.text
        assert not User.objects.filter(email=invitation.email).exists()
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.PENDING

    def test_a_link_works_once(self, client, trust, mso):
        _, token = invite(trust, mso)
        data = {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        open_link(client, token).post(ACCEPT_URL, data)
        client.logout()
        response = open_link(client, token).get(ACCEPT_URL)
        assert response.status_code == 410
        assert "already been used" in response.text
        assert client.post(ACCEPT_URL, data).status_code == 410

    def test_an_expired_link_is_refused(self, client, trust, mso):
        _, token = invite(trust, mso)
        with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
            response = open_link(client, token).get(ACCEPT_URL)
        assert response.status_code == 410
        assert "expired" in response.text

    def test_a_withdrawn_link_is_refused(self, client, trust, mso):
        invitation, token = invite(trust, mso)
        services.invitation_revoke(by=mso, invitation=invitation)
        response = open_link(client, token).get(ACCEPT_URL)
        assert response.status_code == 410
        assert "withdrawn" in response.text

    def test_a_made_up_or_missing_link_is_refused(self, client, db):
        assert client.get(ACCEPT_URL).status_code == 410
        response = open_link(client, "not-a-real-token").get(ACCEPT_URL)
        assert response.status_code == 410
        assert "not valid" in response.text

    def test_someone_with_an_account_signs_in_then_accepts(self, client, trust, other_trust, mso):
        person = member(other_trust, Role.STAFF, email="bank.nurse@nhs.example")
        _, token = invite(trust, mso, email=person.email, roles=[Role.STAFF])
        page = open_link(client, token).get(ACCEPT_URL)
        assert "You already have an account" in page.text
        assert client.post(ACCEPT_URL).status_code == 200  # no account is made
        client.login(username=person.email, password=PASSWORD)
        assert client.post(ACCEPT_URL).status_code == 302
        assert set(person.memberships.values_list("organisation", flat=True)) == {
            trust.pk,
            other_trust.pk,
        }

    def test_an_inactive_account_is_told_why_it_cannot_join(self, client, trust, mso, staff):
        staff.is_active = False
        staff.save()
        _, token = invite(trust, mso, email=staff.email + ".x", roles=[Role.SAFETY_TEAM])
        invitation = Invitation.objects.get()
        Invitation.objects.filter(pk=invitation.pk).update(email=staff.email)
        response = open_link(client, token).get(ACCEPT_URL)
        assert response.status_code == 410
        assert "Your account is not active" in response.text

    def test_it_is_only_for_the_person_invited(self, client, trust, mso, staff):
        _, token = invite(trust, mso, roles=[Role.SAFETY_TEAM])
        client.force_login(staff)
        response = open_link(client, token).post(ACCEPT_URL)
        assert response.status_code == 410
        assert "This invitation is for new.person@nhs.example" in response.text
        assert not staff.memberships.filter(role=Role.SAFETY_TEAM).exists()


def test_the_joining_page_is_never_stored(client, trust, mso):
    _, token = invite(trust, mso)
    page = open_link(client, token).get(ACCEPT_URL)
    assert "no-store" in page["Cache-Control"]


def test_an_account_made_from_an_invitation_is_audited_as_the_persons_own(client, trust, mso):
    from auditlog.models import LogEntry

    _, token = invite(trust, mso)
    open_link(client, token).post(
        ACCEPT_URL, {"full_name": "Nia Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    user = User.objects.get(full_name="Nia Jones")
    entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert entry.actor == user
    assert entry.remote_addr == "127.0.0.1"
