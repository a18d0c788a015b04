import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from organisations import closure, services
from organisations.access import Access
from organisations.choices import Post, RelationshipKind, Role
from organisations.models import (
    Appointment,
    Membership,
    OrganisationClosure,
    OrganisationRelationship,
)
from organisations.permissions import Perm
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    RelationshipFactory,
    member,
    post_holder,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def save(by, approved=False, **fields):
    return services.appointment_save(by=by, appointment=Appointment(**fields), approved=approved)


def approved(by, **fields):
    """As an approved change to the register records a post (the rules below hold for it)."""
    return save(by, approved=True, **fields)


def test_changes_to_named_posts_are_audited_with_who_made_them(trust, mso):
    appointment = save(
        mso, organisation=trust, post=Post.CHIEF_PHARMACIST, name="Jo Price", start_on="2025-01-01"
    )
    appointment.end_on = datetime.date(2099, 1, 31)
    services.appointment_save(by=mso, appointment=appointment)
    entries = LogEntry.objects.get_for_object(appointment).order_by("timestamp")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(entry.actor == mso for entry in entries)
    assert entries.last().changes_dict["end_on"] == ["None", "2099-01-31"]


def test_changes_to_roles_are_audited(trust, mso, staff):
    services.membership_roles_set(
        by=mso, organisation=trust, user=staff, roles=[Role.STAFF, Role.SAFETY_TEAM]
    )
    membership = Membership.objects.get(user=staff, role=Role.SAFETY_TEAM)
    assert LogEntry.objects.get_for_object(membership).get().actor == mso


def test_a_failed_save_leaves_nothing_behind(trust, mso):
    with pytest.raises(ValidationError):
        save(mso, organisation=trust, post=Post.MSO, name="Second MSO", start_on="2025-06-01")
    assert Appointment.objects.filter(post=Post.MSO).count() == 1
    assert LogEntry.objects.filter(object_repr__contains="Second MSO").count() == 0


class TestOneHolderAtATime:
    def test_a_successor_may_follow_an_mso_with_an_end_date(self, trust, site_admin):
        approved(
            site_admin,
            organisation=trust,
            post=Post.MSO,
            name="A",
            start_on="2024-01-01",
            end_on="2026-06-30",
        )
        approved(site_admin, organisation=trust, post=Post.MSO, name="B", start_on="2026-07-01")

    def test_it_explains_an_overlapping_mso(self, trust, site_admin):
        approved(
            site_admin,
            organisation=trust,
            post=Post.MSO,
            name="Amir Shah",
            start_on="2024-01-01",
            end_on="2026-06-30",
        )
        with pytest.raises(ValidationError) as error:
            approved(
                site_admin, organisation=trust, post=Post.MSO, name="Jo", start_on="2026-06-01"
            )
        assert error.value.message_dict["start_on"] == [
            "Amir Shah is Medication Safety Officer (MSO) until 30 June 2026. "
            "Choose dates that do not overlap."
        ]

    def test_it_refuses_overlapping_msos_that_both_have_end_dates(self, trust, site_admin):
        approved(
            site_admin,
            organisation=trust,
            post=Post.MSO,
            name="A",
            start_on="2024-01-01",
            end_on="2027-12-31",
        )
        with pytest.raises(ValidationError, match="until 31 December 2027"):
            approved(
                site_admin,
                organisation=trust,
                post=Post.MSO,
                name="B",
                start_on="2026-01-01",
                end_on="2026-12-31",
            )


def test_a_post_gives_no_role(trust, staff, mso):
    save(mso, organisation=trust, post=Post.DEPUTY_MSO, user=staff, start_on="2025-01-01")
    assert set(staff.memberships.values_list("role", flat=True)) == {Role.STAFF}


def test_a_post_is_held_only_by_a_member(trust, other_trust, mso, other_mso):
    with pytest.raises(ValidationError) as error:
        save(mso, organisation=trust, post=Post.DEPUTY_MSO, user=other_mso, start_on="2025-01-01")
    assert "is not a member of" in error.value.message_dict["user"][0]


@pytest.mark.parametrize(
    ("kind", "post"),
    [("gp-practice", Post.CDAO), ("pcn", Post.BOARD_DIRECTOR), ("community-pharmacy", Post.MDSO)],
)
def test_a_post_exists_only_in_some_kinds_of_organisation(kind, post, site_admin):
    organisation = OrganisationFactory(
        kind=kind, ods_code={"gp-practice": "A12345", "pcn": "U12345"}.get(kind, "FA123")
    )
    with pytest.raises(ValidationError) as error:
        approved(site_admin, organisation=organisation, post=post, name="X", start_on="2025-01-01")
    assert "has no" in error.value.message_dict["post"][0]


def test_a_role_exists_only_in_some_kinds_of_organisation(site_admin):
    practice = OrganisationFactory(practice=True)
    person = member(practice)
    with pytest.raises(ValidationError) as error:
        services.membership_roles_set(
            by=site_admin, organisation=practice, user=person, roles=[Role.COMMITTEE_CHAIR]
        )
    assert "is not a role in a GP practice" in error.value.message_dict["roles"][0]


class TestARemovedMsoGainsNothingBack:
    """Found on review: after an MSO's roles were removed, editing their post re-created the MSO
    role, and the removed person could take the role away from the new MSO."""

    def test_handing_over_then_correcting_the_old_post_gives_nothing_back(
        self, trust, mso, client_for
    ):
        new_mso = member(trust, Role.SAFETY_TEAM)
        with time_machine.travel("2026-11-22 12:00 +0000", tick=False):
            services.appointment_replace(
                by=mso,
                current=Appointment.objects.get(user=mso, post=Post.MSO),
                last_day=TODAY - datetime.timedelta(days=1),
                successor=Appointment(organisation=trust, post=Post.MSO, user=new_mso),
                approved=True,
            )
            old = Appointment.objects.get(user=mso, post=Post.MSO)
            assert old.end_on == TODAY - datetime.timedelta(days=1)

            old.email = "amir.shah@nhs.example"  # any later correction of the old record
            services.appointment_save(by=new_mso, appointment=old)

            assert not Access(mso).has(Perm.APPOINTMENTS_MANAGE, trust)
            assert not Access(mso).has(Perm.MEMBERS_MANAGE, trust)
            assert not mso.memberships.exclude(role=Role.STAFF).exists()
            client = client_for(mso)
            new_post = Appointment.objects.get(user=new_mso)
            url = f"/organisations/{trust.ods_code}/posts/{new_post.pk}/"
            assert client.get(url).status_code == 403
            assert client.post(url, {"post": Post.MSO, "user": mso.pk}).status_code == 403
            roles = f"/organisations/{trust.ods_code}/members/{new_mso.pk}/roles/"
            assert client.post(roles, {"roles": [Role.STAFF]}).status_code == 403
            new_post.refresh_from_db()
            assert new_post.user == new_mso
            assert Access(new_mso).has(Perm.APPOINTMENTS_MANAGE, trust)

    def test_a_person_with_a_post_is_not_removed_until_it_ends(self, trust, mso):
        deputy = post_holder(trust, Post.DEPUTY_MSO)
        with pytest.raises(ValidationError, match="Give the post an end date first"):
            services.member_remove(by=mso, organisation=trust, user=deputy)
        assert deputy.memberships.exists()

    def test_a_member_without_a_post_is_removed(self, trust, mso, staff):
        services.member_remove(by=mso, organisation=trust, user=staff)
        assert not staff.memberships.exists()
        assert not Access(staff).has(Perm.ORGANISATION_VIEW, trust)


class TestReplacing:
    def test_the_successor_starts_the_day_after_the_last_day(self, trust, mso, staff):
        successor = services.appointment_replace(
            by=mso,
            current=Appointment.objects.get(user=mso),
            last_day=datetime.date(2026, 12, 31),
            successor=Appointment(organisation=trust, post=Post.MSO, user=staff),
            approved=True,
        )
        assert successor.start_on == datetime.date(2027, 1, 1)
        assert Appointment.objects.get(user=mso).end_on == datetime.date(2026, 12, 31)

    def test_a_last_day_before_the_start_is_refused_and_nothing_saved(self, trust, mso, staff):
        with pytest.raises(ValidationError) as error:
            services.appointment_replace(
                by=mso,
                current=Appointment.objects.get(user=mso),
                last_day=datetime.date(2020, 1, 1),
                successor=Appointment(organisation=trust, post=Post.MSO, user=staff),
                approved=True,
            )
        assert "on or after" in error.value.message_dict["last_day"][0]
        assert Appointment.objects.get(user=mso).end_on is None
        assert not Appointment.objects.filter(user=staff).exists()

    def test_the_person_of_a_recorded_post_is_never_swapped(self, trust, mso, staff):
        post = Appointment.objects.get(user=mso)
        post.user = staff
        with pytest.raises(ValidationError, match="never changed in place"):
            services.appointment_save(by=mso, appointment=post)
        named = AppointmentFactory(organisation=trust, post=Post.MDSO, user=None, name="Sam")
        named.name = "Jo"
        with pytest.raises(ValidationError, match="never changed in place"):
            services.appointment_save(by=mso, appointment=named)


class TestSomeoneLeftToManage:
    """Hazard H-006: a change must not leave the organisation with nobody in the MSO or deputy
    MSO post today; an end date today or later is a planned handover and allowed."""

    @time_machine.travel("2026-11-22 12:00 +0000", tick=False)
    def test_the_only_mso_cannot_be_ended_before_today(self, trust, mso):
        post = Appointment.objects.get(user=mso)
        post.end_on = TODAY - datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as error:  # even as an approved change
            services.appointment_save(by=mso, appointment=post, approved=True)
        assert "would have no MSO or deputy MSO today" in error.value.message_dict["end_on"][0]
        post.refresh_from_db()
        assert post.end_on is None

    @time_machine.travel("2026-11-22 12:00 +0000", tick=False)
    def test_a_planned_end_or_a_deputy_lets_it_end(self, trust, mso):
        post = Appointment.objects.get(user=mso)
        post.end_on = TODAY
        services.appointment_save(by=mso, appointment=post)
        post_holder(trust, Post.DEPUTY_MSO)
        post.end_on = TODAY - datetime.timedelta(days=1)
        services.appointment_save(by=mso, appointment=post, approved=True)


class TestLinks:
    def test_the_reach_table_follows_links_at_any_depth(self, site_admin):
        icb, pcn, practice = (
            OrganisationFactory(icb=True),
            OrganisationFactory(pcn=True),
            OrganisationFactory(practice=True),
        )
        services.relationship_save(
            by=site_admin,
            relationship=OrganisationRelationship(parent=pcn, child=practice, start_on=TODAY),
        )
        link = services.relationship_save(
            by=site_admin,
            relationship=OrganisationRelationship(parent=icb, child=pcn, start_on=TODAY),
        )
        assert closure.reaches(icb.pk, practice.pk, TODAY)
        services.relationship_delete(by=site_admin, relationship=link)
        assert not closure.reaches(icb.pk, practice.pk)
        assert closure.reaches(pcn.pk, practice.pk)

    def test_a_link_cannot_go_round_in_a_circle(self, site_admin):
        a, b, c = (OrganisationFactory() for _ in range(3))
        RelationshipFactory(parent=a, child=b)
        RelationshipFactory(parent=b, child=c)
        with pytest.raises(ValidationError, match="go round in a circle"):
            services.relationship_save(
                by=site_admin, relationship=OrganisationRelationship(parent=c, child=a)
            )

    def test_rebuilding_gives_the_same_table(self, site_admin):
        a, b, c, d = (OrganisationFactory() for _ in range(4))
        RelationshipFactory(parent=a, child=b)
        RelationshipFactory(parent=b, child=c, start_on="2025-01-01", end_on="2025-12-31")
        RelationshipFactory(parent=d, child=c, kind=RelationshipKind.SUCCESSOR)
        fields = ("ancestor", "descendant", "area", "depth", "valid_from", "valid_to")
        kept = sorted(OrganisationClosure.objects.values_list(*fields))
        closure.rebuild()
        assert sorted(OrganisationClosure.objects.values_list(*fields)) == kept
        assert (a.pk, c.pk, True, 2) in [row[:4] for row in kept]

    def test_a_path_whose_links_never_held_together_reaches_nothing(self, db):
        a, b, c = (OrganisationFactory() for _ in range(3))
        RelationshipFactory(parent=a, child=b, start_on="2024-01-01", end_on="2024-06-30")
        RelationshipFactory(parent=b, child=c, start_on="2025-01-01")
        assert not closure.reaches(a.pk, c.pk)


class TestOrganisations:
    def test_an_organisation_is_never_deleted(self, trust):
        with pytest.raises(ProtectedError):
            trust.delete()

    def test_a_kind_that_lacks_a_post_held_there_is_refused(self, trust, mso, site_admin):
        trust.kind = "gp-practice"
        trust.ods_code = "A12345"
        AppointmentFactory(organisation=trust, post=Post.BOARD_DIRECTOR)
        with pytest.raises(ValidationError) as error:
            services.organisation_save(by=site_admin, organisation=trust)
        assert "has no Board director" in error.value.message_dict["kind"][0]


class TestTheAuditTrailsAddress:
    """Found on review: the audit log recorded an address from a header the client chose, or
    none at all. It records the actor and the address by the sign-in throttling's rule."""

    def change_roles(self, client, trust, staff, **headers):
        from django.urls import reverse

        url = reverse("organisations:member_roles", args=[trust.ods_code, staff.pk])
        client.post(url, {"roles": [Role.STAFF, Role.SAFETY_TEAM]}, **headers)
        membership = Membership.objects.get(user=staff, role=Role.SAFETY_TEAM)
        return LogEntry.objects.get_for_object(membership).get()

    def test_a_forwarded_address_the_client_wrote_is_not_believed(
        self, client_for, trust, mso, staff
    ):
        entry = self.change_roles(client_for(mso), trust, staff, HTTP_X_FORWARDED_FOR="6.6.6.6")
        assert entry.actor == mso
        assert entry.remote_addr == "127.0.0.1"

    def test_behind_a_trusted_proxy_the_client_is_the_address_it_added(
        self, client_for, trust, mso, staff, settings
    ):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        entry = self.change_roles(
            client_for(mso), trust, staff, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
        )
        assert entry.remote_addr == "203.0.113.9"
