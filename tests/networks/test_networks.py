"""MSO networks and their members: who sees a network, joins and leaves it, and sees who is in
it (networks/access.py)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from networks.models import NetworkMembership
from organisations.models import Appointment
from tests.factories import NetworkFactory, member
from tests.networks.conftest import join

pytestmark = pytest.mark.django_db


class TestAccess:
    def test_the_list(self, assert_access, national, mso, staff, lead):
        for allowed in (mso, lead):
            assert_access(reverse("networks:list"), allowed=allowed, wrong_role=staff)

    def test_a_network(self, assert_access, national, mso, staff):
        # An MSO may join any network; a staff reporter who is in none sees none.
        assert_access(national.get_absolute_url(), allowed=mso, other_organisation=staff)

    def test_joining_and_leaving(self, assert_access, national, mso, staff):
        assert_access(
            reverse("networks:join", args=[national.slug]),
            method="post",
            allowed=mso,
            other_organisation=staff,
            ok=302,
        )
        assert_access(
            reverse("networks:leave", args=[national.slug]),
            method="post",
            allowed=mso,
            other_organisation=staff,
            ok=302,
        )

    def test_the_members(self, assert_access, national, member_mso, mso, staff, other_mso):
        assert_access(
            reverse("networks:members", args=[national.slug]),
            allowed=member_mso,
            wrong_role=other_mso,  # sees the network, is not in it
            other_organisation=staff,
        )

    def test_a_membership_counts_only_while_its_holder_may_join(
        self, client_for, national, member_mso, trust
    ):
        client = client_for(member_mso)
        assert client.get(reverse("networks:members", args=[national.slug])).status_code == 200
        Appointment.objects.filter(user=member_mso).update(end_on=date.today() - timedelta(1))
        client = client_for(member_mso)
        assert client.get(national.get_absolute_url()).status_code == 404
        assert client.get(reverse("networks:members", args=[national.slug])).status_code == 404


class TestMembership:
    def test_an_mso_joins_and_then_sees_the_network_inside(self, client_for, national, mso):
        client = client_for(mso)
        page = client.get(national.get_absolute_url())
        assert "Join the network to see its events" in page.text
        client.post(reverse("networks:join", args=[national.slug]))
        assert NetworkMembership.objects.get(user=mso).role == NetworkMembership.Role.MEMBER
        page = client.get(national.get_absolute_url())
        assert "The library: resources for MSOs by MSOs" in page.text
        client.post(reverse("networks:join", args=[national.slug]))  # twice is once
        assert NetworkMembership.objects.filter(user=mso).count() == 1

    def test_a_lead_cannot_leave_without_a_successor(self, client_for, national, network_head):
        response = client_for(network_head).post(
            reverse("networks:leave", args=[national.slug]), follow=True
        )
        assert "You lead this network" in response.text
        assert NetworkMembership.objects.filter(user=network_head).exists()

    def test_members_are_listed_and_searched(self, client_for, national, member_mso, trust):
        join(national, member(trust, full_name="Zara Quinn"))
        url = reverse("networks:members", args=[national.slug])
        page = client_for(member_mso).get(url)
        assert "Zara Quinn" in page.text and "Amir Shah" in page.text
        page = client_for(member_mso).get(url, {"q": "zara"})
        assert page.context["page"].paginator.count == 1

    def test_the_list_groups_networks_by_kind(self, client_for, national, london, mso):
        NetworkFactory(name="Community Pharmacy MSOs", kind="specialised")
        page = client_for(mso).get(reverse("networks:list"))
        for text in ("National", "Regional", "Specialised", "London MSO Network"):
            assert text in page.text

    def test_a_reserved_address_is_refused(self, db):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="kept for the service"):
            NetworkFactory.build(slug="buddies").full_clean()


def test_someone_who_may_join_is_told_how_to_see_the_inside(client_for, national, mso):
    response = client_for(mso).get(reverse("networks:resources", args=[national.slug]))
    assert response.status_code == 403
    assert "Only members of National MSO Network see its events" in response.text
    assert f'href="{national.get_absolute_url()}">Join National MSO Network' in response.text


def test_any_other_refusal_shows_the_general_page(client_for, staff):
    response = client_for(staff).get(reverse("register:list"))
    assert response.status_code == 403
    assert "Your role does not let you see this page" in response.text


class TestCommunities:
    """The MSO networks and the Patient Safety Specialist networks are each their community's:
    the other community does not see them."""

    @pytest.fixture
    def specialists(self, db):
        from networks.models import Network

        return NetworkFactory(
            name="Patient Safety Specialist Network",
            slug="specialists",
            community=Network.Community.SPECIALISTS,
        )

    def test_each_sees_and_joins_only_their_own(
        self, client_for, trust, national, specialists, mso
    ):
        from organisations.choices import Post
        from tests.factories import post_holder

        specialist = post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST)
        for person, theirs, not_theirs in (
            (mso, national, specialists),
            (specialist, specialists, national),
        ):
            client = client_for(person)
            listed = client.get(reverse("networks:list")).content.decode()
            assert theirs.name in listed and not_theirs.name not in listed
            assert client.get(not_theirs.get_absolute_url()).status_code == 404
            joined = client.post(reverse("networks:join", args=[not_theirs.slug]))
            assert joined.status_code == 404
            assert client.post(reverse("networks:join", args=[theirs.slug])).status_code == 302
        assert not NetworkMembership.objects.filter(network=national, user=specialist).exists()

    def test_a_membership_of_the_other_community_gives_nothing(
        self, client_for, trust, specialists, mso
    ):
        join(specialists, mso)
        assert client_for(mso).get(specialists.get_absolute_url()).status_code == 404
