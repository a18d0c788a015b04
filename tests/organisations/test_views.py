import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from organisations.choices import APPROVED_POSTS, OrganisationKind, Post, Role
from organisations.current import SESSION_KEY
from organisations.models import Appointment, Membership
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    RelationshipFactory,
    member,
    network_lead,
    post_holder,
)

pytestmark = pytest.mark.django_db


class TestHome:
    def test_access(self, assert_access, staff, lead):
        for person in (staff, lead):  # a member; someone with no organisation
            assert_access(reverse("home"), allowed=person)

    def test_it_shows_the_named_posts_and_what_an_mso_can_do(self, mso_client, trust, mso):
        response = mso_client.get(reverse("home"))
        assert response.status_code == 200
        assert f"<h1>{trust.name}</h1>" in response.text
        assert "Amir Shah" in response.text
        assert "Vacant" in response.text  # no board director yet
        assert reverse("organisations:invitation_create", args=[trust.ods_code]) in response.text
        assert reverse("organisations:members", args=[trust.ods_code]) in response.text

    def test_staff_see_only_what_they_can_do(self, staff_client, trust):
        response = staff_client.get(reverse("home"))
        assert reverse("organisations:members", args=[trust.ods_code]) not in response.text
        assert "Invite someone" not in response.text

    def test_a_network_lead_is_offered_the_organisations(self, client_for, lead):
        response = client_for(lead).get(reverse("home"))
        assert reverse("organisations:list") in response.text

    def test_a_regional_lead_who_is_an_mso_elsewhere_is_offered_both(self, client_for, trust):
        """Found on review: the menu and the home page disagreed for such a person."""
        lead = network_lead(region=trust.region)
        post_holder(OrganisationFactory(region="midlands"), Post.MSO, user=lead)
        response = client_for(lead).get(reverse("home"))
        assert response.text.count(f'href="{reverse("organisations:list")}"') == 2  # menu, page

    @pytest.mark.urls("tests.layout_urls")
    def test_the_page_layout_costs_three_queries(
        self, mso_client, trust, django_assert_num_queries
    ):
        """Session, user and the person's grants (with the organisations they are held in, so
        the current organisation needs none); the unread count is kept in the cache; checking a
        permission in their own organisation needs no more."""
        mso_client.get("/__layout__/")  # the first request also records the second factor
        with django_assert_num_queries(3):
            response = mso_client.get("/__layout__/")
        assert f'href="{reverse("organisations:members", args=[trust.ods_code])}"' in response.text

    def test_someone_without_an_organisation_is_told_what_to_do(self, client_for, db):
        from tests.factories import UserFactory

        response = client_for(UserFactory()).get(reverse("home"))
        assert "You are not a member of an organisation yet" in response.text

    def test_it_escapes_what_people_typed(self, client_for, trust):
        AppointmentFactory(organisation=trust, post=Post.MDSO, user=None, name="<script>x</script>")
        response = client_for(member(trust)).get(reverse("home"))
        assert "<script>x</script>" not in response.text
        assert "&lt;script&gt;x&lt;/script&gt;" in response.text


class TestSwitchingOrganisation:
    def test_access(self, assert_access, trust, staff):
        assert_access(reverse("organisations:switch"), allowed=staff)
        assert_access(
            reverse("organisations:switch"),
            method="post",
            data={"organisation": trust.pk},
            allowed=staff,
            ok=302,
        )

    def test_a_person_in_two_organisations_switches_between_them(
        self, client_for, trust, other_trust
    ):
        nurse = member(trust, Role.STAFF)
        Membership.objects.create(user=nurse, organisation=other_trust, role=Role.STAFF)
        client = client_for(nurse)
        home = client.get(reverse("home"))
        assert home.context["organisation"] == min(
            [trust, other_trust], key=lambda organisation: organisation.name
        )
        assert "Work in another organisation" in home.text
        response = client.post(reverse("organisations:switch"), {"organisation": other_trust.pk})
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == other_trust.pk
        assert client.get(reverse("home")).context["organisation"] == other_trust
        response = client.post(reverse("organisations:switch"), {"organisation": trust.pk})
        assert client.get(reverse("home")).context["organisation"] == trust

    def test_nobody_switches_into_an_organisation_they_are_not_in(
        self, staff_client, trust, other_trust
    ):
        response = staff_client.post(
            reverse("organisations:switch"), {"organisation": other_trust.pk}
        )
        assert response.status_code == 200
        assert "Select one of your organisations" in response.text
        assert staff_client.get(reverse("home")).context["organisation"] == trust

    def test_the_organisation_worked_in_reads_its_other_fields_when_asked(self, client_for, trust):
        """Read with the person's grants (a few fields), it reads the rest when asked."""
        trust.mso_mailbox = "mso@ashby.example"
        trust.save()
        organisation = (
            client_for(member(trust, Role.STAFF)).get(reverse("home")).context["organisation"]
        )
        assert organisation.mso_mailbox == "mso@ashby.example"
        assert organisation.opened_on == trust.opened_on
        assert not organisation._state.adding

    def test_a_closed_organisation_is_not_worked_in(self, client_for, trust, other_trust):
        nurse = member(trust, Role.STAFF)
        Membership.objects.create(user=nurse, organisation=other_trust, role=Role.STAFF)
        client = client_for(nurse)
        session = client.session
        session[SESSION_KEY] = other_trust.pk
        session.save()
        other_trust.closed_on = datetime.date.today() - datetime.timedelta(days=1)
        other_trust.save()
        home = client.get(reverse("home"))
        assert home.context["organisation"] == trust
        assert "Work in another organisation" not in home.text

    def test_a_stale_choice_falls_back_to_a_current_organisation(
        self, staff_client, trust, other_trust
    ):
        session = staff_client.session
        session[SESSION_KEY] = other_trust.pk
        session.save()
        assert staff_client.get(reverse("home")).context["organisation"] == trust


class TestOrganisationPage:
    def test_members_of_the_organisation_see_it(self, assert_access, trust, staff, other_mso):
        response = assert_access(
            reverse("organisations:detail", args=[trust.ods_code]),
            allowed=staff,
            other_organisation=other_mso,
        )
        assert trust.name in response.text

    def test_the_ods_code_in_the_address_is_not_case_sensitive(self, staff_client, trust):
        url = reverse("organisations:detail", args=[trust.ods_code.lower()])
        assert staff_client.get(url).status_code == 200

    def test_a_pcn_mso_sees_its_practices(self, client_for, db):
        pcn = OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice)
        client = client_for(post_holder(pcn, Post.MSO))
        page = client.get(reverse("organisations:detail", args=[pcn.ods_code]))
        assert practice.get_absolute_url() in page.text
        assert client.get(practice.get_absolute_url()).status_code == 200


class TestMembers:
    def url(self, organisation):
        return reverse("organisations:members", args=[organisation.ods_code])

    def test_access(self, assert_access, trust, mso, staff, other_mso):
        assert_access(self.url(trust), allowed=mso, wrong_role=staff, other_organisation=other_mso)

    def test_it_lists_people_and_roles_in_constant_queries(
        self, mso_client, trust, django_assert_max_num_queries
    ):
        for _ in range(3):
            member(trust, Role.STAFF, Role.COMMITTEE_MEMBER)
        with django_assert_max_num_queries(15) as few:
            mso_client.get(self.url(trust))
        for _ in range(10):
            member(trust, Role.STAFF, Role.COMMITTEE_MEMBER)
        with django_assert_max_num_queries(len(few)):
            response = mso_client.get(self.url(trust))
        assert "14 people" in response.text
        assert "Committee member" in response.text

    def test_it_searches_by_name(self, mso_client, trust):
        member(trust, full_name="Zebedee Quartz")
        response = mso_client.get(self.url(trust), {"q": "zebedee"})
        assert "Zebedee Quartz" in response.text
        assert "1 person" in response.text


class TestMemberRoles:
    def url(self, organisation, person):
        return reverse("organisations:member_roles", args=[organisation.ods_code, person.pk])

    def test_nobody_gives_themselves_a_role(self, mso_client, trust, mso):
        """A committee chair approves the assurance report on the MSO's work: the MSO, who
        manages the members, does not make themselves chair."""
        response = mso_client.post(self.url(trust, mso), {"roles": [Role.COMMITTEE_CHAIR]})
        assert response.status_code == 200
        assert "You cannot change your own roles" in response.text
        assert not mso.memberships.filter(role=Role.COMMITTEE_CHAIR).exists()
        members = mso_client.get(reverse("organisations:members", args=[trust.ods_code]))
        assert self.url(trust, mso) not in members.text

    def test_access(self, assert_access, trust, mso, staff, director, other_mso):
        assert_access(
            self.url(trust, staff), allowed=mso, wrong_role=director, other_organisation=other_mso
        )
        assert_access(
            self.url(trust, staff),
            method="post",
            data={"roles": [Role.STAFF, Role.SAFETY_TEAM]},
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )

    def test_someone_in_another_organisation_is_not_found(self, mso_client, trust, other_mso):
        assert mso_client.get(self.url(trust, other_mso)).status_code == 404

    def test_an_mso_changes_roles(self, mso_client, trust, staff):
        response = mso_client.post(
            self.url(trust, staff), {"roles": [Role.STAFF, Role.SAFETY_TEAM]}
        )
        assert response.status_code == 302
        assert set(staff.memberships.values_list("role", flat=True)) == {
            Role.STAFF,
            Role.SAFETY_TEAM,
        }

    def test_unticking_every_role_is_explained_not_a_removal(self, mso_client, trust, staff):
        response = mso_client.post(self.url(trust, staff), {})
        assert response.status_code == 200
        assert "Select at least one role" in response.text
        assert staff.memberships.exists()


class TestRemovingAMember:
    def url(self, organisation, person):
        return reverse("organisations:member_remove", args=[organisation.ods_code, person.pk])

    def test_access(self, assert_access, trust, mso, staff, director, other_mso):
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                self.url(trust, member(trust)),
                method=method,
                allowed=mso,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )

    def test_it_asks_first_then_removes(self, mso_client, trust, staff):
        page = mso_client.get(self.url(trust, staff))
        assert f"Remove {staff.full_name} from {trust.name}?" in page.text
        assert staff.memberships.exists()
        response = mso_client.post(self.url(trust, staff))
        assert response.status_code == 302
        assert not staff.memberships.exists()

    def test_a_post_holder_is_told_to_end_the_post_first(self, mso_client, trust, director):
        page = mso_client.get(self.url(trust, director))
        assert "Board director for medication safety" in page.text
        response = mso_client.post(self.url(trust, director))
        assert response.status_code == 200
        assert "Give the post an end date first" in response.text
        assert director.memberships.exists()

    def test_someone_in_another_organisation_is_not_found(self, mso_client, trust, other_mso):
        assert mso_client.post(self.url(trust, other_mso)).status_code == 404


class TestNamedPosts:
    def create_url(self, organisation):
        return reverse("organisations:appointment_create", args=[organisation.ods_code])

    def data(self, **fields):
        return {
            "post": Post.CHIEF_PHARMACIST,
            "has_account": "no",
            "user": "",
            "name": "Jo Price",
            "email": "",
            "start_on_day": "1",
            "start_on_month": "4",
            "start_on_year": "2026",
            **fields,
        }

    def dates(self, **fields):
        return {"start_on_day": "1", "start_on_month": "4", "start_on_year": "2024", **fields}

    def test_access(self, assert_access, trust, mso, director, other_mso):
        assert_access(
            self.create_url(trust), allowed=mso, wrong_role=director, other_organisation=other_mso
        )
        assert_access(
            self.create_url(trust),
            method="post",
            data=self.data(),
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )
        appointment = Appointment.objects.get(name="Jo Price")
        url = reverse("organisations:appointment_update", args=[trust.ods_code, appointment.pk])
        assert_access(url, allowed=mso, wrong_role=director, other_organisation=other_mso)
        assert_access(
            url,
            method="post",
            data=self.dates(end_on_day="1", end_on_month="5", end_on_year="2099"),
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )

    @time_machine.travel("2026-11-21 12:00 +0000", tick=False)
    def test_an_mso_records_a_deputy_with_an_account(self, mso_client, trust, staff):
        response = mso_client.post(
            self.create_url(trust),
            self.data(post=Post.DEPUTY_MSO, has_account="yes", user=staff.pk, name=""),
        )
        assert response.status_code == 302
        appointment = Appointment.objects.get(post=Post.DEPUTY_MSO)
        assert appointment.user == staff
        assert str(appointment.start_on) == "2026-04-01"
        assert set(staff.memberships.values_list("role", flat=True)) == {Role.STAFF}  # no copy

    def test_someone_without_an_account_is_named(self, mso_client, trust):
        response = mso_client.post(
            self.create_url(trust),
            self.data(post=Post.CHIEF_PHARMACIST, name="Sam Okafor", email="s@nhs.example"),
        )
        assert response.status_code == 302
        assert Appointment.objects.get(name="Sam Okafor").holder_email == "s@nhs.example"

    def test_the_question_reveals_the_right_fields(self, mso_client, trust):
        page = mso_client.get(self.create_url(trust))
        assert "Does the new post holder have an MSO Portal account?" in page.text
        assert 'data-aria-controls="id_has_account-conditional"' in page.text
        assert 'id="id_has_account-conditional-2"' in page.text

    @pytest.mark.parametrize(
        ("answers", "field", "message"),
        [
            (
                {"has_account": ""},
                "has_account",
                "Select whether the new post holder has an MSO Portal",
            ),
            ({"has_account": "yes", "name": ""}, "user", "Select who holds the post"),
            ({"has_account": "no", "name": ""}, "name", "Enter their full name"),
        ],
    )
    def test_each_answer_missing_is_explained_on_its_field(
        self, mso_client, trust, answers, field, message
    ):
        response = mso_client.post(self.create_url(trust), self.data(**answers))
        assert response.status_code == 200
        assert message in response.context["form"].errors[field][0]
        assert not Appointment.objects.filter(post=Post.CHIEF_PHARMACIST).exists()

    @pytest.mark.parametrize("post", APPROVED_POSTS)
    def test_a_post_that_grants_powers_is_not_recorded_here(self, mso_client, trust, mso, post):
        """Found by a probe: the MSO appointed themselves board director (or an ICB's MSO its
        CDAO), with nobody to approve it and nobody told."""
        page = mso_client.get(self.create_url(trust))
        assert f'value="{post}"' not in page.text
        response = mso_client.post(
            self.create_url(trust), self.data(post=post, has_account="yes", user=mso.pk)
        )
        assert response.status_code == 200
        assert "Select a post" in response.context["form"].errors["post"][0]
        assert not Appointment.objects.filter(post=post).exclude(user=mso, post=Post.MSO).count()

    def test_the_organisation_page_offers_to_ask_for_them_instead(self, mso_client, trust, mso):
        page = mso_client.get(reverse("organisations:detail", args=[trust.ods_code]))
        start = reverse("register:change_start")
        # A post held is replaced through a change to the register; one vacant is asked for.
        held = Appointment.objects.get(user=mso, post=Post.MSO)
        replace = reverse("organisations:appointment_replace", args=[trust.ods_code, held.pk])
        assert f'href="{replace}"' in page.text
        assert f"{start}?ods_code={trust.ods_code}&amp;kind=new-board-director" in page.text

    def test_an_approved_posts_start_stays_and_its_end_is_today_or_later(
        self, mso_client, trust, mso, director
    ):
        post = Appointment.objects.get(user=director)
        url = reverse("organisations:appointment_update", args=[trust.ods_code, post.pk])
        page = mso_client.get(url)
        assert 'name="start_on_day"' not in page.text
        assert "as approved on the register" in page.text
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        refused = mso_client.post(
            url,
            {
                "start_on_day": "1",
                "start_on_month": "1",
                "start_on_year": "2020",
                "end_on_day": yesterday.day,
                "end_on_month": yesterday.month,
                "end_on_year": yesterday.year,
            },
        )
        assert refused.status_code == 200
        assert "The end date must be today or later" in refused.text
        post.refresh_from_db()
        assert post.end_on is None and post.start_on != datetime.date(2020, 1, 1)
        today = timezone.localdate()
        ended = mso_client.post(
            url,
            {"end_on_day": today.day, "end_on_month": today.month, "end_on_year": today.year},
        )
        assert ended.status_code == 302
        post.refresh_from_db()
        assert post.end_on == today

    def test_a_last_day_in_the_past_is_refused_for_any_post(self, mso_client, trust):
        appointment = AppointmentFactory(organisation=trust, post=Post.DEPUTY_MSO)
        url = reverse("organisations:appointment_update", args=[trust.ods_code, appointment.pk])
        response = mso_client.post(
            url, self.dates(end_on_day="1", end_on_month="1", end_on_year="2025")
        )
        assert response.status_code == 200
        assert "set only by a network lead" in response.context["form"].errors["end_on"][0]
        appointment.refresh_from_db()
        assert appointment.end_on is None

    def test_an_end_date_before_the_start_is_an_error_on_the_end_date(self, mso_client, trust):
        response = mso_client.post(
            self.create_url(trust),
            self.data(end_on_day="1", end_on_month="1", end_on_year="2026"),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["end_on"] == [
            "The end date must be the same as or after the start date"
        ]
        assert 'href="#id_end_on-day"' in response.text

    def test_an_impossible_date_is_explained(self, mso_client, trust):
        response = mso_client.post(
            self.create_url(trust), self.data(start_on_day="31", start_on_month="2")
        )
        assert response.status_code == 200
        assert "real date" in response.text
        assert not Appointment.objects.filter(post=Post.CHIEF_PHARMACIST).exists()

    def test_posts_of_another_organisation_are_not_found(self, mso_client, trust, other_trust):
        appointment = AppointmentFactory(organisation=other_trust)
        for ods_code in (other_trust.ods_code, trust.ods_code):
            url = reverse("organisations:appointment_update", args=[ods_code, appointment.pk])
            assert mso_client.get(url).status_code == 404

    def test_nobody_from_another_organisation_can_be_appointed(self, mso_client, trust, other_mso):
        response = mso_client.post(
            self.create_url(trust),
            self.data(post=Post.DEPUTY_MSO, has_account="yes", user=other_mso.pk),
        )
        assert "Select a member of this organisation" in response.text
        assert not Appointment.objects.filter(post=Post.DEPUTY_MSO).exists()

    def test_a_practice_is_offered_only_its_posts(self, client_for, db):
        practice = OrganisationFactory(practice=True)
        page = client_for(post_holder(practice, Post.MSO)).get(self.create_url(practice))
        assert "Deputy MSO" in page.text
        assert "Controlled drugs accountable officer" not in page.text
        assert "Board director" not in page.text

    def test_changing_a_post_keeps_its_person(self, mso_client, trust):
        appointment = AppointmentFactory(organisation=trust, post=Post.DEPUTY_MSO)
        url = reverse("organisations:appointment_update", args=[trust.ods_code, appointment.pk])
        page = mso_client.get(url)
        assert 'name="user"' not in page.text and 'name="name"' not in page.text
        response = mso_client.post(
            url, self.dates(end_on_day="1", end_on_month="1", end_on_year="2099", user=999)
        )
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert str(appointment.end_on) == "2099-01-01"

    def test_a_holder_who_has_left_can_still_be_given_an_end_date(self, mso_client, trust):
        former = member(trust, Role.STAFF, full_name="Former Deputy")
        appointment = AppointmentFactory(organisation=trust, post=Post.DEPUTY_MSO, user=former)
        former.memberships.all().delete()
        url = reverse("organisations:appointment_update", args=[trust.ods_code, appointment.pk])
        response = mso_client.post(
            url, self.dates(end_on_day="1", end_on_month="1", end_on_year="2099")
        )
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert str(appointment.end_on) == "2099-01-01"


class TestCoverage:
    def test_a_covered_practice_shows_who_covers_it(self, client_for, db):
        pcn = OrganisationFactory(pcn=True, name="Riverside PCN")
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice)
        pcn_mso = post_holder(pcn, Post.MSO, full_name="Tom Bright")
        page = client_for(member(practice)).get(practice.get_absolute_url())
        assert (
            "Covered by Tom Bright, Medication Safety Officer (MSO) of Riverside PCN" in page.text
        )
        assert "Vacant" not in page.text.split("Named posts")[1].split("</dl>")[0]
        assert pcn_mso

    def named_posts(self, page) -> str:
        return page.text.split("Named posts")[1].split("</dl>")[0]

    def test_the_pcns_mso_covers_before_the_icbs(self, client_for, db):
        icb = OrganisationFactory(icb=True, name="Demo ICB")
        pcn = OrganisationFactory(pcn=True, name="Riverside PCN")
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=icb, child=pcn)
        RelationshipFactory(parent=pcn, child=practice)
        post_holder(icb, Post.MSO, full_name="Laura Kent")
        client = client_for(member(practice))
        assert "Covered by Laura Kent" in self.named_posts(client.get(practice.get_absolute_url()))
        post_holder(pcn, Post.MSO, full_name="Tom Bright")
        shown = self.named_posts(client.get(practice.get_absolute_url()))
        assert "Covered by Tom Bright" in shown and "Laura Kent" not in shown

    def test_an_independent_pharmacy_is_covered_by_its_national_body(self, client_for, db):
        body = OrganisationFactory(kind=OrganisationKind.PHARMACY_BODY, name="Pharmacy Body")
        pharmacy = OrganisationFactory(pharmacy=True)
        RelationshipFactory(parent=body, child=pharmacy)
        post_holder(body, Post.MSO, full_name="Sam Lee")
        page = client_for(member(pharmacy)).get(pharmacy.get_absolute_url())
        assert "Covered by Sam Lee, Medication Safety Officer (MSO) of Pharmacy Body" in page.text

    def test_an_uncovered_practice_is_not_vacant_but_says_nobody_covers_it(self, client_for, db):
        practice = OrganisationFactory(practice=True)
        shown = self.named_posts(client_for(member(practice)).get(practice.get_absolute_url()))
        assert "Vacant" not in shown
        assert "No MSO cover" in shown
        assert "the MSO of their PCN or their ICB covers them" in shown

    def test_a_trust_without_an_mso_is_vacant(self, client_for, trust):
        shown = self.named_posts(client_for(member(trust)).get(trust.get_absolute_url()))
        assert "Vacant" in shown and "No MSO cover" not in shown

    def test_an_icbs_mso_never_covers_a_trust_of_its_area(self, client_for, trust):
        icb = OrganisationFactory(icb=True)
        RelationshipFactory(parent=icb, child=trust)
        post_holder(icb, Post.MSO, full_name="Laura Kent")
        shown = self.named_posts(client_for(member(trust)).get(trust.get_absolute_url()))
        assert "Covered by" not in shown and "Vacant" in shown


class TestOrganisationDirectory:
    def test_access(self, assert_access, mso, lead):
        assert_access(reverse("organisations:list"), allowed=lead, wrong_role=mso)

    def test_it_is_for_network_leads_and_administrators(
        self, client_for, mso_client, lead, site_admin, trust
    ):
        url = reverse("organisations:list")
        assert mso_client.get(url).status_code == 403
        assert client_for(site_admin).get(url).status_code == 200
        response = client_for(lead).get(url, {"q": trust.ods_code})
        assert trust.name in response.text

    def test_it_filters_and_counts(self, client_for, lead, trust):
        OrganisationFactory(pcn=True, name="Riverside PCN")
        response = client_for(lead).get(reverse("organisations:list"), {"kind": "pcn"})
        assert "Riverside PCN" in response.text
        assert trust.name not in response.text
        assert "1 organisation" in response.text
