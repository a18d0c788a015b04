"""Replacing the holder of a post on the register: anyone but a network lead asks for it as a
change to the register, which a network lead approves; a network lead's replace changes the
register at once. Found in use: "Replace" changed the register at once while the change form
said "A network lead checks each change", and "Does this person have an MSO Portal account?"
did not say it meant the successor."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from organisations import change_requests
from organisations.choices import Post, Region, Role
from organisations.models import Appointment, ChangeRequest, Handover
from tests.factories import member, network_lead, post_holder

pytestmark = pytest.mark.django_db
Kind = ChangeRequest.Kind


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


@pytest.fixture
def mso_post(mso):
    return Appointment.objects.get(user=mso, post=Post.MSO)


@pytest.fixture
def london_lead(trust):
    return network_lead(Region.LONDON, full_name="Lola Adeyemi")


def url(appointment):
    return reverse(
        "organisations:appointment_replace",
        args=[appointment.organisation.ods_code, appointment.pk],
    )


def answers(**given):
    return {
        "has_account": "no",
        "name": "Grace Obi",
        "email": "grace.obi@nhs.example",
        "starts_on_day": "1",
        "starts_on_month": "1",
        "starts_on_year": "2027",
        **given,
    }


class TestAccess:
    def test_the_page(self, assert_access, mso_post, mso, london_lead, staff, other_mso):
        for allowed in (mso, london_lead):
            assert_access(
                url(mso_post), allowed=allowed, wrong_role=staff, other_organisation=other_mso
            )

    def test_sending_it(self, assert_access, mso_post, mso, staff, other_mso):
        assert_access(
            url(mso_post),
            method="post",
            data=answers(),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_another_regions_lead_does_not_find_it(self, client_for, mso_post):
        north_west = network_lead(Region.NORTH_WEST)
        assert client_for(north_west).get(url(mso_post)).status_code == 404

    def test_posts_not_replaced_on_the_register_have_no_page(self, mso_client, trust):
        deputy = post_holder(trust, Post.DEPUTY_MSO)  # the organisation's own record
        specialist = post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST)  # its own form
        for user in (deputy, specialist):
            appointment = Appointment.objects.get(user=user)
            assert mso_client.get(url(appointment)).status_code == 404


class TestAsking:
    def test_the_page_says_a_network_lead_checks_it_and_asks_of_the_successor(
        self, mso_client, mso_post
    ):
        page = mso_client.get(url(mso_post)).text
        assert "Replace Amir Shah as Medication Safety Officer (MSO)" in page
        assert "A network lead checks it before the register shows it" in page
        assert "Amir Shah stays Medication Safety Officer (MSO)" in page
        assert "Does the successor have an MSO Portal account?" in page
        assert "Send to a network lead" in page
        assert "changes as soon as you save" not in page

    def test_it_asks_for_the_change_and_the_register_stays_as_it_is(
        self, mso_client, mso, mso_post, trust
    ):
        response = mso_client.post(url(mso_post), answers(note="Grace starts in January"))
        change = ChangeRequest.objects.get()
        assert response.status_code == 302 and response.url == change.get_absolute_url()
        assert (change.kind, change.status, change.submitted_by) == (Kind.NEW_MSO, "pending", mso)
        assert (change.name, change.email, change.replaces) == (
            "Grace Obi",
            "grace.obi@nhs.example",
            mso_post,
        )
        assert change.starts_on == datetime.date(2027, 1, 1)
        mso_post.refresh_from_db()
        assert mso_post.end_on is None and not Handover.objects.exists()
        page = mso_client.get(response.url)
        assert "Amir Shah stays Medication Safety Officer (MSO) until it is approved" in page.text

    def test_a_member_with_an_account_is_chosen(self, client_for, trust, director):
        successor = member(trust, Role.STAFF, full_name="Ola Ade", email="ola@nhs.example")
        appointment = Appointment.objects.get(user=director)
        response = client_for(director).post(
            url(appointment), answers(has_account="yes", user=successor.pk, name="", email="")
        )
        assert response.status_code == 302
        change = ChangeRequest.objects.get()
        assert (change.kind, change.name, change.email) == (
            Kind.NEW_BOARD_DIRECTOR,
            "Ola Ade",
            "ola@nhs.example",
        )

    def test_when_a_network_lead_approves_the_holder_replaced_hands_over(
        self, mso, mso_post, london_lead, trust
    ):
        change = change_requests.submit(
            by=mso,
            request=ChangeRequest(
                organisation=trust,
                kind=Kind.NEW_MSO,
                replaces=mso_post,
                name="Grace Obi",
                email="grace.obi@nhs.example",
                starts_on=datetime.date(2027, 1, 1),
            ),
        )
        change_requests.decide(by=london_lead, request=change, approve=True)
        mso_post.refresh_from_db()
        assert mso_post.end_on == datetime.date(2026, 12, 31)
        assert Appointment.objects.get(name="Grace Obi").start_on == datetime.date(2027, 1, 1)
        assert Handover.objects.get().appointment == mso_post

    def test_a_holder_who_has_gone_by_the_decision_is_not_replaced(
        self, trust, london_lead, director
    ):
        appointment = Appointment.objects.get(user=director)
        change = change_requests.submit(
            by=director,
            request=ChangeRequest(
                organisation=trust,
                kind=Kind.NEW_BOARD_DIRECTOR,
                replaces=appointment,
                name="Ola Ade",
                email="ola@nhs.example",
                starts_on=datetime.date(2027, 1, 1),
            ),
        )
        Appointment.objects.filter(pk=appointment.pk).update(end_on=datetime.date(2026, 11, 22))
        with pytest.raises(Exception, match="Helen Carter no longer holds this post"):
            change_requests.decide(by=london_lead, request=change, approve=True)

    def test_a_change_already_waiting_is_said_before_any_typing(
        self, mso_client, client_for, mso, mso_post, london_lead
    ):
        mso_client.post(url(mso_post), answers())
        waiting = ChangeRequest.objects.get()
        page = mso_client.get(url(mso_post)).text
        assert "A change is already waiting" in page
        assert f'href="{waiting.get_absolute_url()}"' in page
        assert "See the change that is waiting, where it can be withdrawn" in page
        assert (
            "Decide the change that is waiting" in client_for(london_lead).get(url(mso_post)).text
        )
        response = mso_client.post(url(mso_post), answers(name="Someone Else"))
        assert "already waiting" in response.text
        assert ChangeRequest.objects.count() == 1


class TestANetworkLeadReplacesAtOnce:
    def test_the_page_says_the_register_changes_at_once(self, client_for, london_lead, mso_post):
        page = client_for(london_lead).get(url(mso_post)).text
        assert "the register changes as soon as you save" in page
        assert "Replace now" in page
        assert "checks it before the register shows it" not in page
        assert "Anything a network lead should know" not in page

    def test_it_hands_the_post_over_and_records_the_change(
        self, client_for, london_lead, mso_post, trust
    ):
        response = client_for(london_lead).post(url(mso_post), answers())
        assert response.status_code == 302 and response.url == trust.get_absolute_url()
        mso_post.refresh_from_db()
        assert mso_post.end_on == datetime.date(2026, 12, 31)
        successor = Appointment.objects.get(name="Grace Obi")
        assert (successor.post, successor.start_on) == (Post.MSO, datetime.date(2027, 1, 1))
        change = ChangeRequest.objects.get()
        assert (change.status, change.submitted_by, change.decided_by) == (
            "approved",
            london_lead,
            london_lead,
        )
        assert Handover.objects.get().is_open

    def test_it_says_it_is_done(self, client_for, london_lead, mso_post):
        page = client_for(london_lead).post(url(mso_post), answers(), follow=True).text
        assert (
            "The register shows the change now: Grace Obi is Medication Safety Officer (MSO) "
            "from 1 January 2027"
        ) in page

    def test_a_lead_does_not_name_themselves(self, client_for, london_lead, mso_post):
        response = client_for(london_lead).post(
            url(mso_post), answers(name="Lola Adeyemi", email=london_lead.email)
        )
        assert response.status_code == 200
        assert "This change names you: someone else decides it" in response.text
        assert not ChangeRequest.objects.exists()
        mso_post.refresh_from_db()
        assert mso_post.end_on is None


class TestAnswers:
    @pytest.mark.parametrize(
        ("given", "field", "message"),
        [
            ({"has_account": ""}, "has_account", "Select whether the successor has an MSO"),
            ({"email": ""}, "email", "Enter the successor's email address"),
            (
                {"starts_on_day": "", "starts_on_month": "", "starts_on_year": ""},
                "starts_on",
                "Enter the successor's first day in post",
            ),
            ({"starts_on_year": "2020"}, "starts_on", "The first day must be after Amir Shah"),
        ],
    )
    def test_each_is_explained_on_its_field_and_nothing_is_sent(
        self, mso_client, mso_post, given, field, message
    ):
        response = mso_client.post(url(mso_post), answers(**given))
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert not ChangeRequest.objects.exists()
        assert response.context["form"]["name"].value() == "Grace Obi"  # kept


class TestTheOrganisationPage:
    def test_those_who_may_replace_see_replace(self, client_for, trust, mso, london_lead, staff):
        page = reverse("organisations:detail", args=[trust.ods_code])
        link = (
            'Replace<span class="nhsuk-u-visually-hidden"> Amir Shah as Medication Safety '
            "Officer (MSO)"
        )
        for person in (mso, london_lead):
            assert link in client_for(person).get(page).text
        assert "Replace<span" not in client_for(staff).get(page).text
