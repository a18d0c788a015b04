"""Posts that grant clinical or assurance powers are named by two people, never by the one they
empower (found by a probe): an ICB's MSO appointed themselves CDAO and read every controlled-drug
incident of the area, anonymous ones included, with nobody asked and nobody told; a trust's MSO
ended the board director's post yesterday, appointed themselves board director and signed off
their own alert response."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.models import Notification
from organisations import change_requests, services
from organisations.access import access_for
from organisations.choices import APPROVED_POSTS, Post, Region, Role
from organisations.models import Appointment, ChangeRequest
from organisations.permissions import Perm
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    RelationshipFactory,
    member,
    network_lead,
    post_holder,
)

pytestmark = pytest.mark.django_db
Kind = ChangeRequest.Kind
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


def ask(by, organisation, kind, **fields):
    return change_requests.submit(
        by=by, request=ChangeRequest(organisation=organisation, kind=kind, **fields)
    )


@pytest.fixture
def icb(db):
    icb = OrganisationFactory(icb=True, name="NHS Demoshire ICB", region=Region.LONDON)
    trust = OrganisationFactory(region=Region.LONDON)
    RelationshipFactory(parent=icb, child=trust, start_on=datetime.date(2020, 1, 1))
    return icb


class TestTheIcbsMsoAndTheCdao:
    def test_the_mso_cannot_record_themselves_as_cdao(self, icb):
        mso = post_holder(icb, Post.MSO)
        with pytest.raises(ValidationError) as refused:
            services.appointment_save(
                by=mso,
                appointment=Appointment(organisation=icb, post=Post.CDAO, user=mso, start_on=TODAY),
            )
        assert "named through a change to the register" in refused.value.messages[0]
        assert not Appointment.objects.filter(post=Post.CDAO).exists()

    def test_asked_for_it_is_decided_by_a_lead_and_everyone_is_told(self, icb, client_for):
        mso = post_holder(icb, Post.MSO, full_name="Ian Moss")
        director = post_holder(icb, Post.BOARD_DIRECTOR)
        lead = network_lead(Region.LONDON)
        change = ask(
            mso,
            icb,
            Kind.NEW_CDAO,
            name="Ian Moss",
            email=mso.email,
            starts_on=TODAY + datetime.timedelta(days=1),
        )
        # The MSO cannot decide it, on the page or through the service.
        page = client_for(mso).get(change.get_absolute_url())
        assert "Save the decision" not in page.text
        assert (
            client_for(mso).post(change.get_absolute_url(), {"decision": "approve"}).status_code
            == 403
        )
        with pytest.raises(ValidationError):
            change_requests.decide(by=mso, request=change, approve=True)

        change_requests.decide(by=lead, request=change, approve=True)

        cdao = Appointment.objects.get(post=Post.CDAO)
        assert cdao.user == mso and cdao.start_on == TODAY + datetime.timedelta(days=1)
        told = set(
            Notification.objects.filter(subject=f"appointment:{cdao.pk}").values_list(
                "recipient_id", flat=True
            )
        )
        assert told == {mso.pk, director.pk}  # the lead who applied it knows

    def test_a_cdao_last_day_in_the_past_is_the_approvers_to_set(self, icb):
        mso = post_holder(icb, Post.MSO)
        cdao = post_holder(icb, Post.CDAO, start_on=datetime.date(2024, 1, 1))
        post = Appointment.objects.get(user=cdao)
        post.end_on = TODAY - datetime.timedelta(days=10)
        with pytest.raises(ValidationError, match="today or later"):
            services.appointment_save(by=mso, appointment=post)
        change = ask(mso, icb, Kind.CDAO_LEAVES, ends_on=TODAY - datetime.timedelta(days=10))
        change_requests.decide(by=network_lead(Region.LONDON), request=change, approve=True)
        post.refresh_from_db()
        assert post.end_on == TODAY - datetime.timedelta(days=10)


class TestTheMsoAndTheBoardDirector:
    def test_the_mso_cannot_backdate_the_board_director_and_take_the_post(self, trust, mso):
        director = post_holder(trust, Post.BOARD_DIRECTOR)
        post = Appointment.objects.get(user=director)
        post.end_on = TODAY - datetime.timedelta(days=1)
        with pytest.raises(ValidationError, match="today or later"):
            services.appointment_save(by=mso, appointment=post)
        with pytest.raises(ValidationError, match="named through a change to the register"):
            services.appointment_save(
                by=mso,
                appointment=Appointment(
                    organisation=trust, post=Post.BOARD_DIRECTOR, user=mso, start_on=TODAY
                ),
            )
        post.refresh_from_db()
        assert post.end_on is None
        assert list(Appointment.objects.filter(post=Post.BOARD_DIRECTOR)) == [post]

    def test_asking_to_be_both_is_refused_on_the_form(self, trust, mso, client_for):
        Appointment.objects.filter(post=Post.BOARD_DIRECTOR).delete()
        url = reverse("register:change_create", args=[trust.ods_code, Kind.NEW_BOARD_DIRECTOR])
        response = client_for(mso).post(
            url,
            {
                "name": mso.full_name,
                "email": mso.email,
                "starts_on_day": "1",
                "starts_on_month": "12",
                "starts_on_year": "2026",
            },
        )
        assert response.status_code == 200
        assert "cannot also be Board director for medication safety" in response.text
        assert not ChangeRequest.objects.exists()

    def test_nor_approved_if_it_became_so_meanwhile(self, trust, mso, director, lead):
        """Asked for someone else, who is named MSO before it is decided."""
        deputy = post_holder(trust, Post.DEPUTY_MSO, full_name="Dee Puty")
        Appointment.objects.filter(user=director).delete()
        change = ask(
            mso,
            trust,
            Kind.NEW_BOARD_DIRECTOR,
            name="Dee Puty",
            email=deputy.email,
            starts_on=TODAY + datetime.timedelta(days=30),
        )
        mine = Appointment.objects.get(user=mso, post=Post.MSO)
        mine.end_on = TODAY
        services.appointment_save(by=mso, appointment=mine)
        AppointmentFactory(
            organisation=trust, post=Post.MSO, user=deputy, start_on=TODAY + datetime.timedelta(1)
        )
        with pytest.raises(ValidationError, match="cannot also be"):
            change_requests.decide(by=lead, request=change, approve=True)
        assert not Appointment.objects.filter(post=Post.BOARD_DIRECTOR).exists()

    def test_the_database_refuses_one_person_in_both_on_the_same_day(self, trust, mso):
        with pytest.raises(IntegrityError), transaction.atomic():
            AppointmentFactory(
                organisation=trust,
                post=Post.BOARD_DIRECTOR,
                user=mso,
                start_on=datetime.date(2026, 6, 1),
                end_on=datetime.date(2026, 12, 31),
            )
        # One after the other, or in another organisation, is allowed.
        mine = Appointment.objects.get(user=mso, post=Post.MSO)
        Appointment.objects.filter(pk=mine.pk).update(end_on=datetime.date(2026, 5, 31))
        AppointmentFactory(
            organisation=trust,
            post=Post.BOARD_DIRECTOR,
            user=mso,
            start_on=datetime.date(2026, 6, 1),
        )
        AppointmentFactory(organisation=OrganisationFactory(), post=Post.MSO, user=mso)
        # And a change of dates that makes them meet is refused too.
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.filter(pk=mine.pk).update(end_on=datetime.date(2026, 6, 1))


class TestTwoPeopleAlwaysTakePart:
    def test_a_lead_does_not_decide_what_they_asked_for(self, trust, client_for):
        both = post_holder(trust, Post.BOARD_DIRECTOR)
        from networks.models import Network, NetworkMembership
        from tests.factories import NetworkFactory

        network = NetworkFactory(kind=Network.Kind.NATIONAL, region="")
        NetworkMembership.objects.create(
            network=network, user=both, role=NetworkMembership.Role.LEAD
        )
        change = ask(both, trust, Kind.CONTACT, mso_mailbox="mso.new@nhs.example")
        page = client_for(both).get(change.get_absolute_url())
        assert "You asked for this change: another lead decides it" in page.text
        assert "Save the decision" not in page.text
        with pytest.raises(ValidationError, match="another lead decides it"):
            change_requests.decide(by=both, request=change, approve=True)
        change.refresh_from_db()
        assert change.is_pending

    def test_nor_one_that_names_them(self, trust, mso):
        lead = network_lead(full_name="Nadia Osei")
        change = ask(
            mso,
            trust,
            Kind.NEW_MDSO,
            name="Nadia Osei",
            email=lead.email.upper(),
            starts_on=TODAY,
        )
        with pytest.raises(ValidationError, match="This change names you"):
            change_requests.decide(by=lead, request=change, approve=True)

    def test_a_site_administrator_asks_for_a_first_mso_and_a_lead_approves(
        self, site_admin, client_for
    ):
        new = OrganisationFactory(name="New Hospitals NHS Trust")
        person = member(new, Role.STAFF)
        change = ask(
            site_admin,
            new,
            Kind.NEW_MSO,
            name=person.full_name,
            email=person.email,
            starts_on=TODAY,
        )
        assert not access_for(site_admin).has(Perm.CHANGES_DECIDE, new)
        change_requests.decide(by=network_lead(Region.LONDON), request=change, approve=True)
        assert Appointment.objects.get(organisation=new, post=Post.MSO).user == person

    def test_the_executive_director_for_patient_safety_is_the_national_teams_to_decide(
        self, trust, director, lead
    ):
        from networks.models import Network

        team = network_lead(community=Network.Community.SPECIALISTS)
        change = ask(
            director,
            trust,
            Kind.NEW_PATIENT_SAFETY_DIRECTOR,
            name="Pat Safety",
            email="pat.safety@nhs.example",
            starts_on=TODAY,
        )
        assert change.decided_with == Perm.SPECIALISTS_DECIDE
        assert not ChangeRequest.objects.visible_to(lead).filter(pk=change.pk).exists()
        change_requests.decide(by=team, request=change, approve=True)
        assert Appointment.objects.get(post=Post.PATIENT_SAFETY_DIRECTOR).name == "Pat Safety"


class TestEveryPostChangeIsTold:
    def test_the_holder_the_board_director_and_the_mso_are_told(self, trust, mso, director):
        deputy = member(trust, Role.SAFETY_TEAM)
        post = services.appointment_save(
            by=mso,
            appointment=Appointment(
                organisation=trust, post=Post.DEPUTY_MSO, user=deputy, start_on=TODAY
            ),
        )
        subject = f"appointment:{post.pk}"
        assert set(
            Notification.objects.filter(subject=subject).values_list("recipient_id", flat=True)
        ) == {deputy.pk, director.pk}

        post.end_on = TODAY + datetime.timedelta(days=90)
        services.appointment_save(by=director, appointment=post)

        ended = Notification.objects.filter(subject=subject, kind__startswith="post-dates-")
        assert set(ended.values_list("recipient_id", flat=True)) == {deputy.pk, mso.pk}
        assert "until 21 February 2027" in ended.first().body

    def test_a_correction_that_moves_no_date_tells_nobody(self, trust, mso, director):
        post = AppointmentFactory(
            organisation=trust, post=Post.CHIEF_PHARMACIST, user=None, name="Sam", email=""
        )
        post.email = "sam@nhs.example"
        services.appointment_save(by=mso, appointment=post)
        assert not Notification.objects.filter(subject=f"appointment:{post.pk}").exists()


# An organisation of a kind that has each post, with an ODS code of its shape.
HOLDERS = {
    "community-pharmacy": {"kind": "community-pharmacy", "ods_code": "FQ001"},
    "gp-practice": {"practice": True},
    "pcn": {"pcn": True},
    "independent-provider": {"kind": "independent-provider", "ods_code": "NQ01"},
}


@pytest.mark.parametrize("post", APPROVED_POSTS)
def test_no_post_that_grants_powers_is_recorded_directly(trust, mso, site_admin, post):
    from organisations.choices import POST_KINDS
    from tests.factories import OrganisationFactory, post_holder

    if trust.kind not in POST_KINDS[post]:
        trust = OrganisationFactory(**HOLDERS[sorted(POST_KINDS[post])[0]])
        mso = post_holder(trust, Post.MSO)
    for by in (mso, site_admin):
        with pytest.raises(ValidationError, match="change to the register"):
            services.appointment_save(
                by=by,
                appointment=Appointment(
                    organisation=trust, post=post, name="Someone", start_on=TODAY
                ),
            )
