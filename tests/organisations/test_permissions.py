import datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from incidents.permissions import REPORTER_SEES_REPORT
from incidents.permissions import Perm as IncidentPerm
from organisations.access import Access, has_permission
from organisations.choices import Post, Region, RelationshipKind, Role
from organisations.models import Appointment, Membership, Organisation
from organisations.permissions import (
    PERMISSIONS,
    RULES,
    GlobalRole,
    Perm,
    Reach,
    Rule,
    second_factor_grants,
)
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    RelationshipFactory,
    UserFactory,
    member,
    network_lead,
    post_holder,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def access(user, rules=RULES, on=None):
    """A fresh Access (nothing kept from earlier checks)."""
    return Access(user, rules=rules, on=on)


def test_every_role_has_a_rule():
    assert {rule.grant for rule in RULES if isinstance(rule.grant, Role)} == set(Role)


def test_the_posts_that_give_permissions():
    granting = {rule.grant for rule in RULES if isinstance(rule.grant, Post)}
    assert granting == {
        Post.MSO,
        Post.DEPUTY_MSO,
        Post.BOARD_DIRECTOR,
        Post.CDAO,
        Post.PATIENT_SAFETY_SPECIALIST,
        Post.PATIENT_SAFETY_DIRECTOR,
        Post.MDSO,  # reads the responses to device alerts, which reach them too
        # Senior sign-off where there is no board (choices.SENIOR_SIGN_OFF).
        Post.SUPERINTENDENT_PHARMACIST,
        Post.PRACTICE_SENIOR_LEAD,
        Post.PCN_CLINICAL_DIRECTOR,
        Post.REGISTERED_MANAGER,
    }


def test_who_needs_a_second_factor():
    """Derived from the rules (hazard H-012): the grants that see incident detail, sign off or
    publish alerts, run the committee, read the registers' confidential columns or run the
    service; not staff, committee members, Patient Safety Specialists or executive directors
    for patient safety, whose rules open none of these beyond their own rows."""
    assert second_factor_grants() == {
        Post.MSO,
        Post.DEPUTY_MSO,
        Post.BOARD_DIRECTOR,
        Post.CDAO,
        Post.SUPERINTENDENT_PHARMACIST,
        Post.PRACTICE_SENIOR_LEAD,
        Post.PCN_CLINICAL_DIRECTOR,
        Post.REGISTERED_MANAGER,
        Role.SAFETY_TEAM,
        Role.COMMITTEE_CHAIR,
        Role.COMMITTEE_SECRETARY,
        GlobalRole.SITE_ADMIN,
        GlobalRole.NATIONAL_LEAD,
        GlobalRole.REGIONAL_LEAD,
        GlobalRole.SPECIALISTS_NATIONAL_LEAD,
        GlobalRole.SPECIALISTS_REGIONAL_LEAD,
    }


def test_a_second_factor_permission_on_ones_own_rows_needs_none():
    own = Rule(
        Role.STAFF, {IncidentPerm.INCIDENTS_VIEW}, only=REPORTER_SEES_REPORT, rows="their reports"
    )
    assert own.personal
    assert second_factor_grants([own]) == set()
    everything = Rule(Role.STAFF, {IncidentPerm.INCIDENTS_VIEW})
    assert second_factor_grants([own, everything]) == {Role.STAFF}


def test_every_installed_app_with_permissions_adds_them_to_the_rule_set():
    from importlib.util import find_spec

    from django.apps import apps

    project = Path(__file__).resolve().parents[2]
    declared = {  # the project's own apps (a library's "permissions" module is not a rule)
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == project
        and find_spec(f"{config.name}.permissions") is not None
    }
    registered = {perms.__module__.removesuffix(".permissions") for perms in PERMISSIONS}
    assert registered == declared
    granted = {perm for rule in RULES for perm in rule.perms}
    assert granted == {perm for perms in PERMISSIONS for perm in perms}


def test_a_global_grant_must_reach_beyond_one_organisation():
    with pytest.raises(ValueError):
        Rule(GlobalRole.SITE_ADMIN, {Perm.ORGANISATION_VIEW})
    with pytest.raises(ValueError):
        Rule(Role.STAFF, {Perm.ORGANISATION_VIEW}, reach=Reach.ALL)


@pytest.mark.parametrize(
    ("role", "perm", "expected"),
    [
        (Role.STAFF, Perm.ORGANISATION_VIEW, True),
        (Role.STAFF, Perm.MEMBERS_VIEW, False),
        (Role.STAFF, Perm.MEMBERS_MANAGE, False),
        (Role.SAFETY_TEAM, Perm.MEMBERS_VIEW, True),
        (Role.SAFETY_TEAM, Perm.MEMBERS_MANAGE, False),
        (Role.COMMITTEE_CHAIR, Perm.MEMBERS_VIEW, False),
    ],
)
def test_roles_give_their_permissions_in_their_organisation(trust, role, perm, expected):
    assert has_permission(member(trust, role), perm, trust) is expected


@pytest.mark.parametrize(
    ("post", "perm", "expected"),
    [
        (Post.MSO, Perm.MEMBERS_MANAGE, True),
        (Post.MSO, Perm.APPOINTMENTS_MANAGE, True),
        (Post.MSO, Perm.ORGANISATIONS_DIRECTORY, False),
        (Post.DEPUTY_MSO, Perm.APPOINTMENTS_MANAGE, True),
        (Post.BOARD_DIRECTOR, Perm.MEMBERS_VIEW, True),
        (Post.BOARD_DIRECTOR, Perm.APPOINTMENTS_MANAGE, False),
        (Post.CDAO, Perm.ORGANISATION_VIEW, True),
        (Post.CDAO, Perm.MEMBERS_VIEW, False),
        (Post.CHIEF_PHARMACIST, Perm.MEMBERS_VIEW, False),
    ],
)
def test_named_posts_give_their_permissions(trust, post, perm, expected):
    holder = post_holder(trust, post)
    assert access(holder).has(perm, trust) is expected


class TestPostsStartAndEndOnTheirDates:
    """Permissions of a named post hold from its start date to its end date, with nobody
    acting: nothing is copied into roles when the post is saved (hazard H-011)."""

    def test_a_post_starting_next_month_gives_nothing_until_then(self, trust):
        holder = post_holder(trust, Post.MSO, start_on=TODAY + datetime.timedelta(days=30))
        assert not access(holder, on=TODAY).has(Perm.MEMBERS_MANAGE, trust)
        assert access(holder, on=TODAY + datetime.timedelta(days=30)).has(
            Perm.MEMBERS_MANAGE, trust
        )
        assert not Membership.objects.filter(user=holder).exclude(role=Role.STAFF).exists()

    def test_a_post_that_ended_yesterday_gives_nothing_today(self, trust):
        holder = post_holder(trust, Post.MSO, end_on=TODAY - datetime.timedelta(days=1))
        assert access(holder, on=TODAY - datetime.timedelta(days=1)).has(Perm.MEMBERS_MANAGE, trust)
        assert not access(holder, on=TODAY).has(Perm.MEMBERS_MANAGE, trust)
        assert access(holder, on=TODAY).has(Perm.ORGANISATION_VIEW, trust)  # still staff
        assert not Organisation.objects.filter(
            access(holder, on=TODAY).filter(Perm.MEMBERS_MANAGE, Organisation)
        ).exists()

    @time_machine.travel("2026-11-22 12:00 +0000", tick=False)
    def test_the_scoped_queryset_follows_the_dates_too(self, trust):
        post_holder(trust, Post.DEPUTY_MSO, user=UserFactory(), end_on=TODAY)
        ended = post_holder(trust, Post.DEPUTY_MSO, end_on=TODAY - datetime.timedelta(days=1))
        assert not Membership.objects.visible_to(ended).exists()


def test_a_role_gives_nothing_in_another_organisation(trust, other_trust, mso):
    for perm in Perm:
        assert not has_permission(mso, perm, other_trust)
    assert list(Organisation.objects.visible_to(mso)) == [trust]


def test_inactive_and_anonymous_users_have_no_permissions(trust, mso):
    mso.is_active = False
    assert not access(mso).has(Perm.ORGANISATION_VIEW, trust)
    assert not has_permission(AnonymousUser(), Perm.ORGANISATION_VIEW, trust)
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()


class TestSiteAdministrators:
    def test_they_run_the_service_everywhere(self, trust, site_admin):
        for perm in (Perm.MEMBERS_MANAGE, Perm.APPOINTMENTS_MANAGE, Perm.ORGANISATIONS_DIRECTORY):
            assert has_permission(site_admin, perm, trust)
        assert has_permission(site_admin, Perm.SERVICE_ADMIN)

    def test_a_superuser_flag_alone_gives_nothing(self, trust):
        superuser = UserFactory(is_superuser=True)
        assert not any(access(superuser).has(perm, trust) for perm in Perm)
        assert not access(superuser).has(Perm.SERVICE_ADMIN)


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
        pcn_mso = post_holder(pcn, Post.MSO)
        assert has_permission(pcn_mso, Perm.ORGANISATION_VIEW, practice)
        assert has_permission(pcn_mso, Perm.MEMBERS_VIEW, practice)
        assert not has_permission(pcn_mso, Perm.MEMBERS_MANAGE, practice)
        assert set(Organisation.objects.worked_in_by(pcn_mso)) == {pcn, practice}

    def test_staff_of_the_network_do_not_cover_practices(self, pcn, practice):
        assert not has_permission(member(pcn, Role.STAFF), Perm.ORGANISATION_VIEW, practice)

    def test_a_practice_that_left_the_network_is_not_covered(self, pcn):
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice, start_on="2020-01-01", end_on="2021-01-01")
        pcn_mso = post_holder(pcn, Post.MSO)
        assert not has_permission(pcn_mso, Perm.ORGANISATION_VIEW, practice)
        assert practice not in Organisation.objects.visible_to(pcn_mso)

    def test_a_practice_joining_next_month_is_covered_from_then(self, pcn):
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice, start_on=TODAY + datetime.timedelta(30))
        pcn_mso = post_holder(pcn, Post.MSO)
        assert not access(pcn_mso, on=TODAY).has(Perm.ORGANISATION_VIEW, practice)
        later = access(pcn_mso, on=TODAY + datetime.timedelta(30))
        assert later.has(Perm.ORGANISATION_VIEW, practice)
        assert Organisation.objects.filter(
            later.filter(Perm.ORGANISATION_VIEW, Organisation), pk=practice.pk
        ).exists()


def test_an_icb_cdao_does_not_see_the_organisations_in_its_area(trust):
    """Only controlled-drug incidents will reach a CDAO, and nothing else of those organisations."""
    icb = OrganisationFactory(icb=True)
    RelationshipFactory(parent=icb, child=trust)
    cdao = post_holder(icb, Post.CDAO)
    assert not has_permission(cdao, Perm.ORGANISATION_VIEW, trust)
    assert set(Organisation.objects.visible_to(cdao)) == {icb}


class TestReachThroughTheHierarchy:
    """An area rule held in an ICB reaches its PCNs, their practices and its trusts, at any
    depth; a rule narrowed with ``only`` reaches some rows of one model and nothing else."""

    AREA_RULES = (
        *RULES,
        Rule(Post.CDAO, {Perm.ORGANISATION_VIEW}, reach=Reach.AREA),
        Rule(
            Post.CDAO,
            {Perm.MEMBERS_VIEW},
            reach=Reach.AREA,
            only={"organisations.Appointment": Q(post=Post.CDAO)},
            rows="CDAO appointments",
        ),
    )

    @pytest.fixture
    def area(self, trust):
        icb = OrganisationFactory(icb=True)
        pcn = OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=icb, child=trust)
        RelationshipFactory(parent=icb, child=pcn)
        RelationshipFactory(parent=pcn, child=practice)
        return icb, pcn, practice

    def test_an_area_rule_reaches_every_depth(self, area, trust, other_trust):
        icb, pcn, practice = area
        cdao = access(post_holder(icb, Post.CDAO), rules=self.AREA_RULES)
        for organisation in (icb, pcn, practice, trust):
            assert cdao.has(Perm.ORGANISATION_VIEW, organisation), organisation
        assert not cdao.has(Perm.ORGANISATION_VIEW, other_trust)
        assert set(
            Organisation.objects.filter(cdao.filter(Perm.ORGANISATION_VIEW, Organisation))
        ) == {icb, pcn, practice, trust}

    def test_a_narrowed_rule_reaches_only_its_rows(self, area, trust):
        icb, pcn, practice = area
        cdao_user = post_holder(icb, Post.CDAO)
        theirs = AppointmentFactory(organisation=trust, post=Post.CDAO)
        other = AppointmentFactory(organisation=trust, post=Post.MDSO)
        cdao = access(cdao_user, rules=self.AREA_RULES)
        reached = Appointment.objects.filter(cdao.filter(Perm.MEMBERS_VIEW, Appointment))
        assert theirs in reached and other not in reached
        assert cdao.has(Perm.MEMBERS_VIEW, theirs)
        assert not cdao.has(Perm.MEMBERS_VIEW, other)
        assert not cdao.has(Perm.MEMBERS_VIEW, trust)  # nothing else of the organisation
        assert (
            not Membership.objects.filter(cdao.filter(Perm.MEMBERS_VIEW, Membership))
            .exclude(organisation=icb)
            .exists()
        )


class TestMergers:
    """After a merger the successor's people reach the predecessor's records, from the date of
    the merger."""

    @pytest.fixture
    def merged(self, trust, other_trust):
        RelationshipFactory(
            parent=trust, child=other_trust, kind=RelationshipKind.SUCCESSOR, start_on=TODAY
        )
        return other_trust

    def test_the_successors_mso_reaches_the_predecessor(self, merged, trust, mso):
        assert access(mso, on=TODAY).has(Perm.MEMBERS_MANAGE, merged)
        assert not access(mso, on=TODAY - datetime.timedelta(days=1)).has(
            Perm.ORGANISATION_VIEW, merged
        )

    def test_the_predecessors_people_do_not_reach_the_successor(self, merged, trust, other_mso):
        assert not access(other_mso, on=TODAY).has(Perm.ORGANISATION_VIEW, trust)


class TestNetworkLeads:
    def test_a_national_lead_sees_every_organisation_but_not_their_members(self, trust):
        lead = network_lead()
        member(trust, Role.STAFF)
        assert has_permission(lead, Perm.ORGANISATIONS_DIRECTORY)
        assert has_permission(lead, Perm.ORGANISATION_VIEW, trust)
        assert not has_permission(lead, Perm.MEMBERS_VIEW, trust)
        assert not Membership.objects.visible_to(lead).exists()
        assert not Organisation.objects.worked_in_by(lead).exists()

    def test_a_regional_lead_sees_their_region_only(self, db):
        london = OrganisationFactory(region=Region.LONDON)
        midlands = OrganisationFactory(region=Region.MIDLANDS)
        lead = network_lead(region=Region.LONDON)
        assert list(Organisation.objects.visible_to(lead)) == [london]
        assert not has_permission(lead, Perm.ORGANISATION_VIEW, midlands)

    def test_a_regional_lead_who_is_an_mso_elsewhere_has_both(self, db):
        london = OrganisationFactory(region=Region.LONDON)
        midlands = OrganisationFactory(region=Region.MIDLANDS)
        lead = network_lead(region=Region.LONDON)
        post_holder(midlands, Post.MSO, user=lead)
        assert has_permission(lead, Perm.ORGANISATIONS_DIRECTORY)
        assert set(Organisation.objects.visible_to(lead)) == {london, midlands}
        assert has_permission(lead, Perm.MEMBERS_MANAGE, midlands)
        assert not has_permission(lead, Perm.MEMBERS_VIEW, london)


def test_closed_organisations_leave_the_switcher(trust, mso):
    trust.closed_on = TODAY - datetime.timedelta(days=1)
    trust.save()
    assert not Organisation.objects.worked_in_by(mso).exists()
    assert Organisation.objects.visible_to(mso).get() == trust  # its records stay reachable


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
    list(Organisation.objects.visible_to(mso))  # the person's grants are read once
    with django_assert_num_queries(1):
        assert list(Organisation.objects.visible_to(mso)) == [trust]


def test_grants_are_read_in_one_query_and_kept(django_assert_num_queries, trust, mso):
    mine = access(mso)
    with django_assert_num_queries(1):
        assert mine.has(Perm.MEMBERS_MANAGE, trust)
    with django_assert_num_queries(0):
        assert mine.has(Perm.MEMBERS_VIEW, trust)
        assert not mine.has(Perm.ORGANISATIONS_DIRECTORY)


def test_a_permission_map_of_many_organisations_takes_no_query(django_assert_num_queries, db):
    pcn = OrganisationFactory(pcn=True)
    practices = [OrganisationFactory(practice=True) for _ in range(6)]
    for practice in practices:
        RelationshipFactory(parent=pcn, child=practice)
    outsiders = [OrganisationFactory() for _ in range(4)]
    pcn_mso = access(post_holder(pcn, Post.MSO))
    pcn_mso.grants  # noqa: B018 (read the grants, and where they reach, first)
    with django_assert_num_queries(0):
        permissions = pcn_mso.permission_map()
    assert all(Perm.MEMBERS_VIEW in permissions[p] for p in practices)
    assert Perm.MEMBERS_MANAGE in permissions[pcn]
    assert not any(permissions[o] for o in outsiders)
