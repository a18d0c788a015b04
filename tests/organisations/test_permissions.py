import pytest

from organisations.choices import Region, Role
from organisations.models import Appointment, Membership, Organisation
from organisations.permissions import (
    ROLE_PERMISSIONS,
    Perm,
    has_permission,
    organisations_of,
    organisations_with,
)
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    RelationshipFactory,
    UserFactory,
    member,
    network_lead,
)

pytestmark = pytest.mark.django_db


def test_every_role_has_permissions():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize(
    ("role", "perm", "expected"),
    [
        (Role.STAFF, Perm.ORGANISATION_VIEW, True),
        (Role.STAFF, Perm.MEMBERS_VIEW, False),
        (Role.STAFF, Perm.MEMBERS_MANAGE, False),
        (Role.SAFETY_TEAM, Perm.MEMBERS_VIEW, True),
        (Role.SAFETY_TEAM, Perm.MEMBERS_MANAGE, False),
        (Role.MSO, Perm.MEMBERS_MANAGE, True),
        (Role.MSO, Perm.APPOINTMENTS_MANAGE, True),
        (Role.BOARD_DIRECTOR, Perm.MEMBERS_VIEW, True),
        (Role.BOARD_DIRECTOR, Perm.APPOINTMENTS_MANAGE, False),
        (Role.COMMITTEE_CHAIR, Perm.MEMBERS_VIEW, False),
        (Role.MSO, Perm.ORGANISATIONS_DIRECTORY, False),
    ],
)
def test_roles_give_their_permissions_in_their_organisation(trust, role, perm, expected):
    user = member(trust, role)
    assert has_permission(user, perm, trust) is expected


def test_a_role_gives_nothing_in_another_organisation(trust, other_trust, mso):
    for perm in Perm:
        assert not has_permission(mso, perm, other_trust)
    assert list(Organisation.objects.visible_to(mso)) == [trust]


def test_inactive_and_anonymous_users_have_no_permissions(trust, mso):
    from django.contrib.auth.models import AnonymousUser

    mso.is_active = False
    assert not has_permission(mso, Perm.ORGANISATION_VIEW, trust)
    assert not has_permission(AnonymousUser(), Perm.ORGANISATION_VIEW, trust)
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()


def test_site_administrators_have_every_permission(trust, site_admin):
    assert all(has_permission(site_admin, perm, trust) for perm in Perm)
    assert has_permission(site_admin, Perm.ORGANISATIONS_DIRECTORY)


class TestPrimaryCareNetworkMso:
    @pytest.fixture
    def pcn(self, db):
        return OrganisationFactory(pcn=True)

    @pytest.fixture
    def practice(self, pcn):
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice)
        return practice

    def test_it_covers_the_networks_practices(self, pcn, practice):
        pcn_mso = member(pcn, Role.MSO)
        assert has_permission(pcn_mso, Perm.ORGANISATION_VIEW, practice)
        assert has_permission(pcn_mso, Perm.MEMBERS_VIEW, practice)
        assert not has_permission(pcn_mso, Perm.MEMBERS_MANAGE, practice)
        assert set(organisations_of(pcn_mso)) == {pcn, practice}

    def test_staff_of_the_network_do_not_cover_practices(self, pcn, practice):
        assert not has_permission(member(pcn, Role.STAFF), Perm.ORGANISATION_VIEW, practice)

    def test_a_practice_that_left_the_network_is_not_covered(self, pcn):
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice, start_on="2020-01-01", end_on="2021-01-01")
        pcn_mso = member(pcn, Role.MSO)
        assert not has_permission(pcn_mso, Perm.ORGANISATION_VIEW, practice)
        assert practice not in Organisation.objects.visible_to(pcn_mso)


def test_an_icb_cdao_does_not_see_the_organisations_in_its_area(trust):
    """Only controlled-drug incidents will reach a CDAO, and nothing else of those organisations."""
    icb = OrganisationFactory(icb=True, ods_code="QZZ")
    RelationshipFactory(parent=icb, child=trust)
    cdao = member(icb, Role.CDAO)
    assert not has_permission(cdao, Perm.ORGANISATION_VIEW, trust)
    assert set(Organisation.objects.visible_to(cdao)) == {icb}


class TestNetworkLeads:
    def test_a_national_lead_sees_every_organisation_but_not_their_members(self, trust):
        lead = network_lead()
        member(trust, Role.STAFF)
        assert has_permission(lead, Perm.ORGANISATIONS_DIRECTORY)
        assert has_permission(lead, Perm.ORGANISATION_VIEW, trust)
        assert not has_permission(lead, Perm.MEMBERS_VIEW, trust)
        assert organisations_with(lead, Perm.ORGANISATION_VIEW) is None
        assert not Membership.objects.visible_to(lead).exists()
        assert not organisations_of(lead).exists()

    def test_a_regional_lead_sees_their_region_only(self, db):
        london = OrganisationFactory(region=Region.LONDON)
        midlands = OrganisationFactory(region=Region.MIDLANDS)
        lead = network_lead(region=Region.LONDON)
        assert list(Organisation.objects.visible_to(lead)) == [london]
        assert not has_permission(lead, Perm.ORGANISATION_VIEW, midlands)


def test_scoped_querysets_follow_the_permissions(trust, other_trust, mso, staff):
    member(other_trust, Role.STAFF)
    AppointmentFactory(organisation=trust)
    AppointmentFactory(organisation=other_trust)
    assert {m.organisation for m in Membership.objects.visible_to(mso)} == {trust}
    assert not Membership.objects.visible_to(staff).exists()
    assert {a.organisation for a in Appointment.objects.visible_to(staff)} == {trust}


def test_scoping_costs_one_query_however_many_organisations(django_assert_num_queries, trust, mso):
    for _ in range(5):
        member(OrganisationFactory(), Role.STAFF)
    list(Organisation.objects.visible_to(mso))  # the user's network roles are read once
    with django_assert_num_queries(1):
        assert list(Organisation.objects.visible_to(mso)) == [trust]


def test_permissions_are_cached_per_user_and_organisation(django_assert_num_queries, trust):
    user = UserFactory()
    member(trust, Role.MSO)
    with django_assert_num_queries(3):
        has_permission(user, Perm.ORGANISATION_VIEW, trust)
    with django_assert_num_queries(0):
        has_permission(user, Perm.MEMBERS_VIEW, trust)
