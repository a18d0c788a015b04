"""Changes to the national MSO register: asked for by an organisation's MSO or board director,
approved (and so applied) or rejected with a reason by a network lead, followed by both; a
lead is reminded of one waiting more than 5 working days."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notifications import services as engine
from notifications.models import Notification
from organisations import change_requests
from organisations.choices import Post, Region, Role
from organisations.models import Appointment, ChangeRequest, Handover, HandoverItem
from organisations.services import appointment_save
from tests.factories import CONFIRMED, OrganisationFactory, member, network_lead, post_holder

pytestmark = pytest.mark.django_db
Kind = ChangeRequest.Kind
TODAY = "2026-11-23 10:00 +0000"  # a Monday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def london_lead(db):
    return network_lead(Region.LONDON, full_name="Lola Adeyemi")


@pytest.fixture
def north_west_lead(db):
    return network_lead(Region.NORTH_WEST, full_name="Nia Roberts")


def ask(by, organisation, kind, **fields):
    return change_requests.submit(
        by=by, request=ChangeRequest(organisation=organisation, kind=kind, **fields)
    )


def new_mso(by, organisation, **fields):
    details = {
        "name": "Grace Obi",
        "email": "grace.obi@nhs.example",
        "starts_on": datetime.date(2027, 1, 1),
        **fields,
    }
    return ask(by, organisation, Kind.NEW_MSO, **details)


def start_url():
    return reverse("register:change_start")


def create_url(organisation, kind):
    return reverse("register:change_create", args=[organisation.ods_code, kind])


def new_mso_data(**fields):
    return {
        "name": "Grace Obi",
        "email": "grace.obi@nhs.example",
        "starts_on_day": "1",
        "starts_on_month": "1",
        "starts_on_year": "2027",
        **fields,
    }


class TestAccess:
    def test_the_list(self, assert_access, mso, director, lead, staff):
        for allowed in (mso, director, lead):
            assert_access(reverse("register:changes"), allowed=allowed, wrong_role=staff)

    def test_the_first_question(self, assert_access, trust, mso, lead):
        assert_access(start_url(), allowed=mso, wrong_role=lead)
        assert_access(
            start_url(),
            method="post",
            data={"ods_code": trust.ods_code, "kind": Kind.NEW_MSO},
            allowed=mso,
            wrong_role=lead,
            ok=302,
        )

    def test_the_details(self, assert_access, trust, mso, director, staff, other_mso):
        url = create_url(trust, Kind.NEW_MSO)
        for allowed in (mso, director):
            assert_access(url, allowed=allowed, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            url,
            method="post",
            data=new_mso_data(),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_a_change_and_its_decision(
        self, assert_access, trust, mso, director, london_lead, north_west_lead, other_mso
    ):
        change = new_mso(mso, trust)
        url = change.get_absolute_url()
        for allowed in (mso, director, london_lead):
            assert_access(url, allowed=allowed, other_organisation=other_mso)
        # A regional lead sees only their region's changes.
        assert_access(url, allowed=london_lead, other_organisation=north_west_lead)
        assert_access(
            url,
            method="post",
            data={"decision": "reject", "reason": "Please give their NHS email address"},
            allowed=london_lead,
            wrong_role=mso,
            other_organisation=north_west_lead,
            ok=302,
        )

    def test_withdrawing(self, assert_access, trust, mso, london_lead, other_mso):
        change = new_mso(mso, trust)
        assert_access(
            reverse("register:change_withdraw", args=[change.pk]),
            method="post",
            data=CONFIRMED,
            allowed=mso,
            wrong_role=london_lead,
            other_organisation=other_mso,
            ok=302,
        )
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.WITHDRAWN

    def test_a_kind_that_does_not_exist_is_not_found(self, mso_client, trust):
        assert mso_client.get(create_url(trust, "new-chair")).status_code == 404


class TestAsking:
    def test_the_first_question_leads_to_the_details(self, mso_client, trust):
        page = mso_client.get(start_url())
        assert f'value="{trust.ods_code}"' in page.text  # the organisation worked in
        response = mso_client.post(start_url(), {"ods_code": trust.ods_code.lower(), "kind": ""})
        assert response.context["form"].errors["kind"] == ["Select what is changing"]
        response = mso_client.post(
            start_url(), {"ods_code": trust.ods_code.lower(), "kind": Kind.NEW_MSO}
        )
        assert response["Location"] == create_url(trust, Kind.NEW_MSO)

    @pytest.mark.parametrize(
        ("code", "message"),
        [
            ("", "Enter the organisation's ODS code"),
            ("R!", "Enter an ODS code of 3 to 6 letters and numbers, like RX1 or A81001"),
            ("ZZZ9", "No organisation has the ODS code ZZZ9"),
        ],
    )
    def test_an_ods_code_that_is_wrong_is_explained(self, mso_client, code, message):
        response = mso_client.post(start_url(), {"ods_code": code, "kind": Kind.CONTACT})
        assert response.status_code == 200
        assert response.context["form"].errors["ods_code"] == [message]
        assert response.text.count(escape(message)) == 2  # in the error summary and on the field

    def test_another_organisations_code_is_refused(self, mso_client, other_trust):
        response = mso_client.post(
            start_url(), {"ods_code": other_trust.ods_code, "kind": Kind.CONTACT}
        )
        assert (
            "You can ask for changes only for organisations where you are"
            in (response.context["form"].errors["ods_code"][0])
        )

    def test_a_practice_has_no_board_director_to_change(self, client_for, db):
        practice = OrganisationFactory(practice=True)
        client = client_for(post_holder(practice, Post.MSO))
        response = client.post(
            start_url(), {"ods_code": practice.ods_code, "kind": Kind.NEW_BOARD_DIRECTOR}
        )
        assert response.context["form"].errors["kind"] == [
            "A GP practice has no Board director for medication safety"
        ]

    def test_the_details_are_sent_to_the_network_lead(self, mso_client, trust, mso):
        page = mso_client.get(create_url(trust, Kind.NEW_MSO))
        assert "The register shows today:" in page.text and "Amir Shah" in page.text
        response = mso_client.post(create_url(trust, Kind.NEW_MSO), new_mso_data())
        change = ChangeRequest.objects.get()
        assert response["Location"] == change.get_absolute_url()
        assert (change.name, change.email, change.submitted_by) == (
            "Grace Obi",
            "grace.obi@nhs.example",
            mso,
        )
        assert change.status == ChangeRequest.Status.PENDING
        page = mso_client.get(change.get_absolute_url())
        assert "Waiting for a network lead" in page.text
        assert "Withdraw this change" in page.text
        assert "Save the decision" not in page.text
        organisation_page = mso_client.get(trust.get_absolute_url())
        assert change.get_absolute_url() in organisation_page.text

    def test_missing_details_are_explained_and_what_was_typed_is_kept(self, mso_client, trust):
        response = mso_client.post(
            create_url(trust, Kind.NEW_MSO),
            new_mso_data(name="", email="not-an-email", starts_on_month="13"),
        )
        errors = response.context["form"].errors
        assert errors["name"] == ["Enter their full name"]
        assert errors["email"] == [
            "Enter an email address in the correct format, like name@nhs.net"
        ]
        assert errors["starts_on"] == ["First day in post must be a real date"]
        assert 'value="not-an-email"' in response.text
        assert not ChangeRequest.objects.exists()

    def test_a_second_change_of_the_same_kind_waits_for_the_first(self, mso_client, trust, mso):
        new_mso(mso, trust)
        response = mso_client.post(start_url(), {"ods_code": trust.ods_code, "kind": "new-mso"})
        assert (
            "This change is already waiting for a network lead"
            in (response.context["form"].errors["kind"][0])
        )
        response = mso_client.post(create_url(trust, Kind.NEW_MSO), new_mso_data())
        assert "This change is already waiting" in response.text
        assert ChangeRequest.objects.count() == 1

    def test_the_change_waiting_is_linked_to_before_any_typing(self, mso_client, trust, mso):
        waiting = new_mso(mso, trust)
        link = f'href="{waiting.get_absolute_url()}"'
        response = mso_client.post(start_url(), {"ods_code": trust.ods_code, "kind": "new-mso"})
        assert response.context["form"].waiting == waiting
        assert link in response.text
        # Reached by its address, the details page offers no form to fill in: only the link.
        page = mso_client.get(create_url(trust, Kind.NEW_MSO))
        assert link in page.text
        assert "already waiting for a network lead" in page.text
        assert "Full name" not in page.text and "Send to" not in page.text
        # Sent from a page opened before, what was typed is kept beside the refusal.
        response = mso_client.post(
            create_url(trust, Kind.NEW_MSO), new_mso_data(name="Sam Lee", email="sam@nhs.example")
        )
        assert 'value="Sam Lee"' in response.text and link in response.text

    def test_another_kind_of_change_is_not_held_up(self, mso_client, trust, mso):
        new_mso(mso, trust)
        page = mso_client.get(create_url(trust, Kind.CONTACT))
        assert page.context["waiting"] is None
        assert "Send to a network lead" in page.text

    def test_a_successor_cannot_start_before_someone_already_recorded(self, mso, trust):
        with pytest.raises(Exception, match="Amir Shah is already recorded as MSO from"):
            new_mso(mso, trust, starts_on=datetime.date(2023, 1, 1))

    def test_a_last_day_before_the_holder_started_is_refused(self, mso_client, trust):
        response = mso_client.post(
            create_url(trust, Kind.MSO_LEAVES),
            {"ends_on_day": "1", "ends_on_month": "1", "ends_on_year": "2020"},
        )
        assert (
            response.context["form"]
            .errors["ends_on"][0]
            .startswith("The last day must be on or after Amir Shah started")
        )

    def test_a_last_day_past_that_would_leave_nobody_to_manage_is_refused_on_the_form(
        self, mso_client, trust
    ):
        """Found on review: it was accepted, then could never be approved."""
        last_week = timezone.localdate() - datetime.timedelta(days=7)
        response = mso_client.post(
            create_url(trust, Kind.MSO_LEAVES),
            {
                "ends_on_day": str(last_week.day),
                "ends_on_month": str(last_week.month),
                "ends_on_year": str(last_week.year),
            },
        )
        assert response.status_code == 200
        assert (
            "would have no MSO or deputy MSO today" in response.context["form"].errors["ends_on"][0]
        )
        assert not ChangeRequest.objects.exists()

    def test_a_last_day_past_is_taken_when_a_deputy_carries_on(self, mso, trust):
        post_holder(trust, Post.DEPUTY_MSO)
        last_week = timezone.localdate() - datetime.timedelta(days=7)
        assert ask(mso, trust, Kind.MSO_LEAVES, ends_on=last_week).pk

    def test_nobody_leaves_a_post_nobody_holds(self, mso_client, trust):
        response = mso_client.post(
            start_url(), {"ods_code": trust.ods_code, "kind": Kind.BOARD_DIRECTOR_LEAVES}
        )
        assert "Nobody holds this post" in response.context["form"].errors["kind"][0]

    def test_the_same_mailbox_is_not_a_change(self, mso_client, trust):
        trust.mso_mailbox = "mso@ashby.example"
        trust.save()
        response = mso_client.post(
            create_url(trust, Kind.CONTACT), {"mso_mailbox": "MSO@ashby.example"}
        )
        assert response.context["form"].errors["mso_mailbox"] == [
            "This is already the generic MSO mailbox on the register"
        ]

    def test_asking_for_a_successor_ticks_off_the_handover_item(self, mso, trust):
        current = Appointment.objects.get(user=mso, post=Post.MSO)
        current.end_on = datetime.date(2026, 12, 31)
        appointment_save(by=mso, appointment=current)
        new_mso(mso, trust)
        item = Handover.objects.get().items.get(task=HandoverItem.Task.REGISTER)
        assert item.done_on and item.done_by == mso


class TestDeciding:
    def decide(self, client, change, **data):
        return client.post(change.get_absolute_url(), data)

    def test_approving_a_new_mso_replaces_the_current_one(
        self, client_for, trust, mso, london_lead
    ):
        change = new_mso(mso, trust)
        response = self.decide(client_for(london_lead), change, decision="approve")
        assert response.status_code == 302
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.APPROVED
        assert change.decided_by == london_lead and change.decided_at
        current = Appointment.objects.get(user=mso, post=Post.MSO)
        assert current.end_on == datetime.date(2026, 12, 31)
        successor = Appointment.objects.get(post=Post.MSO, name="Grace Obi")
        assert successor.start_on == datetime.date(2027, 1, 1) and successor.end_on is None
        assert successor.email == "grace.obi@nhs.example"
        assert Handover.objects.get().appointment == current

    def test_a_new_holder_who_is_a_member_is_linked_to_their_account(
        self, trust, mso, director, london_lead
    ):
        grace = member(trust, Role.SAFETY_TEAM, email="grace.obi@nhs.example")
        change = new_mso(director, trust, email="Grace.Obi@NHS.example")
        change_requests.decide(by=london_lead, request=change, approve=True)
        assert Appointment.objects.get(post=Post.MSO, start_on="2027-01-01").user == grace

    def test_a_new_board_director_for_a_vacant_post_starts_on_their_day(
        self, trust, mso, london_lead
    ):
        change = ask(
            mso,
            trust,
            Kind.NEW_BOARD_DIRECTOR,
            name="Helen Carter",
            email="helen@nhs.example",
            starts_on=datetime.date(2026, 12, 1),
        )
        change_requests.decide(by=london_lead, request=change, approve=True)
        director = Appointment.objects.get(post=Post.BOARD_DIRECTOR)
        assert (director.name, director.start_on) == ("Helen Carter", datetime.date(2026, 12, 1))

    def test_approving_a_leaving_date_ends_the_post_and_opens_the_handover(
        self, trust, mso, director, london_lead
    ):
        change = ask(director, trust, Kind.MSO_LEAVES, ends_on=datetime.date(2027, 2, 28))
        change_requests.decide(by=london_lead, request=change, approve=True)
        assert Appointment.objects.get(user=mso).end_on == datetime.date(2027, 2, 28)
        assert Handover.objects.get().is_open

    def test_approving_a_mailbox_changes_it(self, trust, mso, london_lead):
        change = ask(mso, trust, Kind.CONTACT, mso_mailbox="medsafety@ashby.example")
        change_requests.decide(by=london_lead, request=change, approve=True)
        trust.refresh_from_db()
        assert trust.mso_mailbox == "medsafety@ashby.example"

    def test_a_rejection_needs_a_reason_and_changes_nothing(
        self, client_for, trust, mso, london_lead
    ):
        change = new_mso(mso, trust)
        client = client_for(london_lead)
        response = self.decide(client, change, decision="reject", reason="  ")
        assert response.context["form"].errors["reason"] == ["Give the reason for rejecting it"]
        response = self.decide(client, change, decision="reject", reason="Not an NHS address")
        assert response.status_code == 302
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.REJECTED
        assert change.reason == "Not an NHS address"
        assert Appointment.objects.filter(post=Post.MSO).count() == 1
        page = client_for(mso).get(change.get_absolute_url())
        assert "Not an NHS address" in page.text and "Rejected by" in page.text

    def test_whoever_asked_is_told_the_decision(
        self, trust, mso, london_lead, django_capture_on_commit_callbacks
    ):
        change = new_mso(mso, trust)
        with django_capture_on_commit_callbacks(execute=True):
            change_requests.decide(by=london_lead, request=change, approve=False, reason="No")
        [email] = [m for m in mail.outbox if m.to == [mso.email]]
        assert email.subject == f"[MSO Portal] Rejected: a new MSO, {trust.name}"
        assert "The network lead gave this reason: No" in email.body

    def test_a_change_that_no_longer_fits_is_refused_whole(
        self, client_for, trust, mso, london_lead
    ):
        change = new_mso(mso, trust)
        # Meanwhile the MSO records a successor from a later date on the organisation's page.
        current = Appointment.objects.get(user=mso)
        current.end_on = datetime.date(2027, 1, 31)
        appointment_save(by=mso, appointment=current)
        Appointment.objects.create(
            organisation=trust, post=Post.MSO, name="Sam Lee", start_on="2027-02-01"
        )
        response = self.decide(client_for(london_lead), change, decision="approve")
        assert response.status_code == 200
        assert "Sam Lee is already recorded as MSO from 1 February 2027" in response.text
        change.refresh_from_db()
        assert change.is_pending
        assert not Appointment.objects.filter(name="Grace Obi").exists()

    def test_whoever_asked_follows_it_after_leaving_their_post(
        self, client_for, trust, mso, staff, london_lead
    ):
        change = new_mso(mso, trust, email=staff.email, starts_on=datetime.date(2026, 11, 23))
        change_requests.decide(by=london_lead, request=change, approve=True)
        assert Appointment.objects.get(user=mso).end_on == datetime.date(2026, 11, 22)
        client = client_for(mso)  # no longer the MSO
        assert client.get(change.get_absolute_url()).status_code == 200
        assert client.get(reverse("register:changes")).context["page"].paginator.count == 1
        assert client.get(trust.get_absolute_url()).context["changes"] is None

    def test_a_decided_change_cannot_be_decided_again(self, client_for, trust, mso, london_lead):
        change = new_mso(mso, trust)
        change_requests.decide(by=london_lead, request=change, approve=False, reason="No")
        client = client_for(london_lead)
        response = self.decide(client, change, decision="approve")
        assert response.status_code == 302  # a decision sent from a page opened before
        page = client.get(response["Location"])
        assert "This change is no longer waiting: it was rejected" in page.text
        assert "Save the decision" not in page.text
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.REJECTED
        with pytest.raises(Exception, match="no longer waiting"):
            change_requests.withdraw(by=mso, request=change)

    def test_the_list_shows_a_lead_their_region_only(
        self, client_for, trust, mso, london_lead, north_west_lead
    ):
        new_mso(mso, trust)
        assert (
            client_for(london_lead).get(reverse("register:changes")).context["page"].paginator.count
            == 1
        )
        assert (
            client_for(north_west_lead)
            .get(reverse("register:changes"))
            .context["page"]
            .paginator.count
            == 0
        )


class TestWaiting:
    def sweep(self, day, django_capture_on_commit_callbacks):
        with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
            engine.sweep(day)
        return {
            (n.recipient, n.kind)
            for n in Notification.objects.filter(subject__startswith="change-request:")
        }

    def test_the_lead_is_told_then_reminded_after_5_working_days(
        self, trust, mso, london_lead, lead, django_capture_on_commit_callbacks
    ):
        new_mso(mso, trust)  # Monday 23 November 2026
        told = self.sweep(datetime.date(2026, 11, 23), django_capture_on_commit_callbacks)
        assert told == {(london_lead, "submitted")}  # the region's lead, not the national one
        # Five working days later is Monday 30 November: still within them.
        assert self.sweep(datetime.date(2026, 11, 30), django_capture_on_commit_callbacks) == told
        reminded = self.sweep(datetime.date(2026, 12, 1), django_capture_on_commit_callbacks)
        assert reminded == told | {(london_lead, "waiting")}
        assert self.sweep(datetime.date(2026, 12, 2), django_capture_on_commit_callbacks) == (
            reminded
        )

    def test_bank_holidays_are_not_working_days(
        self, trust, mso, london_lead, django_capture_on_commit_callbacks
    ):
        with time_machine.travel("2026-12-22 10:00 +0000", tick=False):
            new_mso(mso, trust)
        # Tuesday 22 December; then Christmas Day, Boxing Day (on Monday 28) and New Year's
        # Day are not working days: 5 full working days end on Thursday 31 December.
        for day in (datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)):
            assert (london_lead, "waiting") not in self.sweep(
                day, django_capture_on_commit_callbacks
            )
        later = self.sweep(datetime.date(2027, 1, 4), django_capture_on_commit_callbacks)
        assert (london_lead, "waiting") in later

    def test_a_region_without_a_lead_goes_to_the_national_lead(
        self, trust, mso, lead, django_capture_on_commit_callbacks
    ):
        new_mso(mso, trust)
        told = self.sweep(datetime.date(2026, 11, 23), django_capture_on_commit_callbacks)
        assert told == {(lead, "submitted")}

    def test_those_who_decide_are_told_as_soon_as_it_is_asked_for(
        self, trust, mso, london_lead, lead, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            change = new_mso(mso, trust)
        [told] = Notification.objects.filter(subject=f"change-request:{change.pk}")
        assert told.recipient == london_lead and told.kind == "submitted"
        assert told.url == change.get_absolute_url()
        assert told.title == f"To decide: A new MSO, {trust.name} ({trust.ods_code})"
        [email] = mail.outbox
        assert email.to == [london_lead.email]
        # The sweep finds the same notice there already: nobody is told twice.
        self.sweep(datetime.date(2026, 11, 23), django_capture_on_commit_callbacks)
        assert Notification.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_whoever_asked_is_not_told_to_decide_it(self, trust, mso, london_lead):
        from networks.models import NetworkMembership

        NetworkMembership.objects.create(
            network=NetworkMembership.objects.get(user=london_lead).network,
            user=mso,
            role=NetworkMembership.Role.LEAD,
        )
        change = new_mso(mso, trust)
        assert set(change_requests.deciders([change])[change.pk]) == {london_lead.pk, mso.pk}
        told = Notification.objects.filter(subject=f"change-request:{change.pk}")
        assert [notice.recipient for notice in told] == [london_lead]

    def test_a_lead_who_no_longer_signs_in_is_not_told(self, trust, mso, london_lead, lead):
        london_lead.is_active = False
        london_lead.save()
        change = new_mso(mso, trust)
        assert change_requests.deciders([change])[change.pk] == [lead.pk]

    def test_a_decided_change_is_not_reminded(
        self, trust, mso, london_lead, django_capture_on_commit_callbacks
    ):
        change = new_mso(mso, trust)
        change_requests.decide(by=london_lead, request=change, approve=False, reason="No")
        told = self.sweep(datetime.date(2026, 12, 10), django_capture_on_commit_callbacks)
        assert (london_lead, "waiting") not in told


class TestWithdrawing:
    def withdraw(self, client, change, **data):
        return client.post(reverse("register:change_withdraw", args=[change.pk]), data)

    def test_it_asks_first(self, mso_client, trust, mso):
        change = new_mso(mso, trust)
        page = mso_client.get(change.get_absolute_url())
        assert "Withdraw this change" in page.text
        asking = self.withdraw(mso_client, change)
        assert asking.status_code == 200
        assert "Withdraw this change?" in asking.text
        assert "It no longer waits for a network lead" in asking.text
        assert f'href="{change.get_absolute_url()}"' in asking.text  # cancel, back
        change.refresh_from_db()
        assert change.is_pending
        done = self.withdraw(mso_client, change, **CONFIRMED)
        assert done["Location"] == change.get_absolute_url()
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.WITHDRAWN

    def test_a_second_press_changes_nothing_and_says_why(self, mso_client, trust, mso):
        change = new_mso(mso, trust)
        self.withdraw(mso_client, change, **CONFIRMED)
        change.refresh_from_db()
        withdrawn_at = change.decided_at
        again = self.withdraw(mso_client, change, **CONFIRMED)
        page = mso_client.get(again["Location"])
        assert "This change is no longer waiting: it was withdrawn" in page.text
        change.refresh_from_db()
        assert change.decided_at == withdrawn_at

    def test_the_leads_notice_opens_a_change_with_nothing_to_decide(
        self, client_for, trust, mso, london_lead
    ):
        change = new_mso(mso, trust)
        self.withdraw(client_for(mso), change, **CONFIRMED)
        [notice] = Notification.objects.filter(recipient=london_lead)
        client = client_for(london_lead)
        page = client.get(notice.url)
        assert f"{mso.full_name} withdrew this change on 23 November 2026" in page.text
        assert "nothing waits for a decision" in page.text
        assert "Save the decision" not in page.text
        # A decision sent from the page as it was before: refused, with the reason.
        response = client.post(notice.url, {"decision": "approve"})
        assert "no longer waiting: it was withdrawn" in client.get(response["Location"]).text
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.WITHDRAWN
        assert not Appointment.objects.filter(name="Grace Obi").exists()


class TestHoldersOfGrants:
    def test_the_leads_found_are_those_whose_grants_say_so(self, db):
        """organisations.access.holders is the networks' lead grants the other way round."""
        from organisations.access import Grant, access_for, holders
        from organisations.permissions import GlobalRole

        people = [
            network_lead(),
            network_lead(Region.LONDON),
            network_lead(Region.NORTH_WEST),
            network_lead(community="specialists"),
            network_lead(Region.LONDON, community="specialists"),
        ]
        for grant in GlobalRole:
            if grant == GlobalRole.SITE_ADMIN:
                continue
            for region in ("", Region.LONDON, Region.NORTH_WEST):
                holding = {
                    person.pk
                    for person in people
                    if any(
                        held.key == grant and (held.region == region or not held.region)
                        for held in access_for(person).grants
                        if isinstance(held, Grant)
                    )
                }
                assert set(holders(grant, region)) == holding, (grant, region)
