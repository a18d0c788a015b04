"""The buddy scheme: experienced MSOs offer, new MSOs ask, a network lead pairs them from
suggestions (same sector, then region, then experience), and both are told."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from networks.models import BuddyOffer, BuddyRequest
from notifications.models import Notification
from organisations import services
from organisations.choices import OrganisationKind, Post, Region
from organisations.models import Appointment, Handover
from tests.factories import CONFIRMED, OrganisationFactory, network_lead, post_holder

pytestmark = pytest.mark.django_db


def offer(user, sectors=(OrganisationKind.NHS_TRUST,), region=Region.LONDON, capacity=1):
    return BuddyOffer.objects.create(
        user=user, sectors=list(sectors), region=region, capacity=capacity
    )


def experienced(name, since, kind="nhs-trust", region=Region.LONDON):
    organisation = OrganisationFactory(kind=kind, region=region)
    return post_holder(organisation, Post.MSO, full_name=name, start_on=since)


@pytest.fixture
def waiting(mso, trust):
    return BuddyRequest.objects.create(user=mso, organisation=trust, note="Alerts, mostly")


class TestAccess:
    def test_the_scheme(self, assert_access, mso, lead, staff):
        for allowed in (mso, lead):
            assert_access(reverse("networks:buddies"), allowed=allowed, wrong_role=staff)

    def test_offering_and_asking(self, assert_access, client_for, trust, mso, staff, lead):
        assert_access(reverse("networks:buddy_offer"), allowed=mso, wrong_role=staff)
        assert_access(
            reverse("networks:buddy_offer"),
            method="post",
            data={"capacity": "2", "sectors": ["nhs-trust"], "region": "london", "active": "on"},
            allowed=mso,
            wrong_role=staff,
            ok=302,
        )
        assert_access(reverse("networks:buddy_request"), allowed=mso, wrong_role=lead)
        assert_access(
            reverse("networks:buddy_request"),
            method="post",
            data={"organisation": trust.pk, "note": ""},
            allowed=mso,
            wrong_role=lead,
            ok=302,
        )
        mine = BuddyRequest.objects.get(user=mso)
        withdraw = reverse("networks:buddy_request_withdraw", args=[mine.pk])
        assert "Withdraw your request for a buddy?" in client_for(mso).post(withdraw).text
        mine.refresh_from_db()  # asked first: still there
        assert_access(
            reverse("networks:buddy_request_withdraw", args=[mine.pk]),
            method="post",
            data=CONFIRMED,
            allowed=mso,
            other_organisation=staff,  # not theirs: not found
            ok=302,
        )

    def test_pairing(self, assert_access, waiting, other_mso, lead):
        mentor = offer(experienced("Ruth Evans", datetime.date(2015, 1, 1)))
        north_west = network_lead(Region.NORTH_WEST)
        assert_access(
            reverse("networks:buddy_pair", args=[waiting.pk, mentor.pk]),
            method="post",
            allowed=lead,
            wrong_role=other_mso,
            other_organisation=north_west,  # another region's new MSO
            ok=302,
        )


class TestMatching:
    def test_suggestions_put_the_same_sector_first_then_region_then_experience(
        self, client_for, waiting, lead
    ):
        offer(experienced("Far Trust Expert", datetime.date(2010, 1, 1)), region=Region.SOUTH_WEST)
        offer(experienced("Near Trust Novice", datetime.date(2024, 1, 1)))
        offer(experienced("Near Trust Expert", datetime.date(2012, 1, 1)))
        offer(
            experienced("Pharmacy Expert", datetime.date(2005, 1, 1)),
            sectors=[OrganisationKind.COMMUNITY_PHARMACY],
        )
        page = client_for(lead).get(reverse("networks:buddies"))
        [(request, suggestions)] = page.context["waiting"]
        assert request == waiting
        assert [s["offer"].user.full_name for s in suggestions] == [
            "Near Trust Expert",
            "Near Trust Novice",
            "Far Trust Expert",
        ]  # the top three
        assert suggestions[0]["reasons"] == [
            "knows this kind of organisation",
            "also in London",
            "14 years as an MSO",
        ]

    def test_a_full_offer_is_not_suggested(self, client_for, waiting, lead, trust):
        mentor = offer(experienced("Busy Buddy", datetime.date(2015, 1, 1)))
        other = BuddyRequest.objects.create(
            user=post_holder(trust, Post.DEPUTY_MSO), organisation=trust
        )
        BuddyRequest.objects.filter(pk=other.pk).update(status="paired", buddy=mentor)
        page = client_for(lead).get(reverse("networks:buddies"))
        assert page.context["waiting"][0][1] == []
        assert "Nobody has room to be a buddy now" in page.text


class TestLeavingMsos:
    """Found in use: the suggestions offered two MSOs who were leaving."""

    @pytest.fixture
    def stayer(self):
        return offer(experienced("Stays Put", datetime.date(2016, 1, 1)))

    def leaver(self, name, last_day):
        user = experienced(name, datetime.date(2012, 1, 1))
        appointment = Appointment.objects.get(user=user, post=Post.MSO)
        appointment.end_on = last_day
        services.appointment_save(by=user, appointment=appointment)
        return offer(user)

    def suggested(self, client_for, lead):
        page = client_for(lead).get(reverse("networks:buddies"))
        return [s["offer"].user.full_name for s in page.context["waiting"][0][1]]

    def test_an_mso_with_a_last_day_set_is_not_suggested(self, client_for, waiting, lead, stayer):
        self.leaver("Leaving Soon", datetime.date.today() + datetime.timedelta(days=30))
        assert self.suggested(client_for, lead) == ["Stays Put"]

    def test_an_mso_whose_handover_is_still_open_is_not_suggested(
        self, client_for, waiting, lead, stayer
    ):
        left = self.leaver("Just Left", datetime.date.today())
        with time_machine.travel(datetime.date.today() + datetime.timedelta(days=3)):
            assert Handover.objects.open().filter(appointment__user=left.user).exists()
            assert self.suggested(client_for, lead) == ["Stays Put"]
            Handover.objects.update(cancelled_at=timezone.now())
            assert self.suggested(client_for, lead) == ["Just Left", "Stays Put"]

    def test_a_leaving_mso_is_refused_as_a_buddy_and_told_why(self, client_for, waiting, lead):
        leaving = self.leaver("Leaving Soon", datetime.date.today() + datetime.timedelta(days=30))
        response = client_for(lead).post(
            reverse("networks:buddy_pair", args=[waiting.pk, leaving.pk]), follow=True
        )
        assert "Leaving Soon is leaving their MSO post" in response.text
        waiting.refresh_from_db()
        assert waiting.status == BuddyRequest.Status.WAITING
        page = client_for(leaving.user).get(reverse("networks:buddies"))
        assert "You are leaving your MSO post" in page.text


class TestPairing:
    def test_a_lead_pairs_them_and_both_are_told(
        self, client_for, waiting, lead, mso, django_capture_on_commit_callbacks
    ):
        mentor_user = experienced("Ruth Evans", datetime.date(2015, 1, 1))
        mentor = offer(mentor_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(lead).post(
                reverse("networks:buddy_pair", args=[waiting.pk, mentor.pk]), follow=True
            )
        assert "Amir Shah and Ruth Evans are buddies" in response.text
        waiting.refresh_from_db()
        assert (waiting.status, waiting.buddy, waiting.paired_by) == ("paired", mentor, lead)
        assert {n.recipient for n in Notification.objects.all()} == {mso, mentor_user}
        assert sorted(m.subject for m in mail.outbox) == [
            "[MSO Portal] You are Amir Shah's buddy",
            "[MSO Portal] Your buddy is Ruth Evans",
        ]
        page = client_for(mso).get(reverse("networks:buddies"))
        assert "Ruth Evans" in page.text and "is your buddy" in page.text

    def test_a_full_buddy_or_a_paired_request_is_refused(self, client_for, waiting, lead, trust):
        mentor = offer(experienced("Ruth Evans", datetime.date(2015, 1, 1)))
        client = client_for(lead)
        client.post(reverse("networks:buddy_pair", args=[waiting.pk, mentor.pk]))
        response = client.post(
            reverse("networks:buddy_pair", args=[waiting.pk, mentor.pk]), follow=True
        )
        assert "This request is paired" in response.text
        again = BuddyRequest.objects.create(
            user=post_holder(trust, Post.DEPUTY_MSO), organisation=trust
        )
        response = client.post(
            reverse("networks:buddy_pair", args=[again.pk, mentor.pk]), follow=True
        )
        assert "Ruth Evans has no room for another new MSO" in response.text


class TestAsking:
    def test_asking_twice_is_refused_with_a_message(self, client_for, waiting, mso, trust):
        response = client_for(mso).post(
            reverse("networks:buddy_request"), {"organisation": trust.pk}
        )
        assert response.status_code == 200
        assert "You have already asked for a buddy" in response.text

    def test_only_their_own_organisations_are_offered(self, client_for, mso, trust, other_trust):
        response = client_for(mso).post(
            reverse("networks:buddy_request"), {"organisation": other_trust.pk}
        )
        assert response.context["form"].errors["organisation"] == [
            "Select an organisation where you are the MSO"
        ]

    def test_an_offer_needs_a_sector(self, client_for, mso):
        response = client_for(mso).post(
            reverse("networks:buddy_offer"), {"capacity": "9", "region": "london"}
        )
        errors = response.context["form"].errors
        assert errors["sectors"] == ["Select at least one kind of organisation"]
        assert "capacity" in errors
