"""Patient Safety Specialists: identified by the organisation's executive director for patient
safety (or board director) through the register's change requests, decided by the national
patient safety team, and listed on their own register with their syllabus levels. (Told of
national alerts as the MSO is: tests/alerts/test_alert_reminders.py.)"""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import SyllabusLevel, SyllabusTraining
from networks.models import Network
from notifications.models import Notification
from notifications.services import sweep
from organisations import change_requests
from organisations.choices import OrganisationKind, Post, Region
from organisations.models import Appointment, ChangeRequest
from tests.factories import CONFIRMED, OrganisationFactory, network_lead, post_holder

pytestmark = pytest.mark.django_db
Kind = ChangeRequest.Kind
Basis = ChangeRequest.Basis
TODAY = "2026-11-23 10:00 +0000"  # a Monday
SPECIALISTS = Network.Community.SPECIALISTS


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def safety_director(trust):
    return post_holder(trust, Post.PATIENT_SAFETY_DIRECTOR, full_name="Ruth Mensah")


@pytest.fixture
def patient_safety_team(db):
    """A lead of the national Patient Safety Specialist network."""
    return network_lead(community=SPECIALISTS, full_name="Tomas Berg")


@pytest.fixture
def london_specialists_lead(db):
    return network_lead(Region.LONDON, community=SPECIALISTS, full_name="Ife Bello")


@pytest.fixture
def north_west_specialists_lead(db):
    return network_lead(Region.NORTH_WEST, community=SPECIALISTS, full_name="Owen Hale")


def identify(by, organisation, **fields):
    details = {
        "basis": Basis.FIRST,
        "name": "Sam Okafor",
        "email": "sam.okafor@nhs.example",
        "phone": "020 7946 0000",
        "starts_on": datetime.date(2027, 1, 4),
        "job_title": "Head of patient safety",
        "pay_band": ChangeRequest.PayBand.BAND_8B,
        "guidance_considered": True,
        **fields,
    }
    return change_requests.submit(
        by=by,
        request=ChangeRequest(organisation=organisation, kind=Kind.NEW_SPECIALIST, **details),
    )


def form_data(**fields):
    return {
        "basis": Basis.FIRST,
        "name": "Sam Okafor",
        "email": "sam.okafor@nhs.example",
        "phone": "020 7946 0000",
        "starts_on_day": "4",
        "starts_on_month": "1",
        "starts_on_year": "2027",
        "job_title": "Head of patient safety",
        "pay_band": "8b",
        "guidance_considered": "on",
        **fields,
    }


def create_url(organisation):
    return reverse("register:change_create", args=[organisation.ods_code, Kind.NEW_SPECIALIST])


class TestAsking:
    def test_the_executive_director_for_patient_safety_identifies_one(
        self, client_for, trust, safety_director
    ):
        response = client_for(safety_director).post(create_url(trust), form_data())
        assert response.status_code == 302
        change = ChangeRequest.objects.get()
        assert (change.kind, change.basis, change.status) == (
            Kind.NEW_SPECIALIST,
            Basis.FIRST,
            ChangeRequest.Status.PENDING,
        )
        assert (change.phone, change.job_title, change.pay_band) == (
            "020 7946 0000",
            "Head of patient safety",
            "8b",
        )

    def test_the_board_director_may_too(self, trust, director):
        assert identify(director, trust).submitted_by == director

    def test_the_mso_does_not_identify_specialists(self, client_for, trust, mso):
        assert client_for(mso).get(create_url(trust)).status_code == 403
        with pytest.raises(ValidationError) as refused:
            identify(mso, trust)
        assert "executive director for patient safety" in refused.value.message_dict["kind"][0]
        response = client_for(mso).post(
            reverse("register:change_start"),
            {"ods_code": trust.ods_code, "kind": Kind.NEW_SPECIALIST},
        )
        assert response.status_code == 200
        assert "asks for this" in response.context["form"].errors["kind"][0]

    def test_the_executive_director_does_not_change_the_mso_register(
        self, client_for, trust, safety_director
    ):
        url = reverse("register:change_create", args=[trust.ods_code, Kind.NEW_MSO])
        assert client_for(safety_director).get(url).status_code == 403

    def test_each_answer_is_needed_and_nothing_is_saved_without(
        self, client_for, trust, safety_director
    ):
        response = client_for(safety_director).post(
            create_url(trust),
            form_data(basis="", phone="", job_title="", pay_band="", guidance_considered=""),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["basis"] == [
            "Select whether they are the first, a replacement or an addition"
        ]
        assert errors["phone"] == ["Enter their contact number"]
        assert errors["job_title"] == ["Enter their job title"]
        assert errors["pay_band"] == ["Select their pay band"]
        assert "national guidance" in errors["guidance_considered"][0]
        assert not ChangeRequest.objects.exists()
        # What was typed is kept.
        assert response.context["form"]["name"].value() == "Sam Okafor"

    def test_a_first_specialist_when_it_has_one_already(self, trust, safety_director):
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Ada Lee")
        with pytest.raises(ValidationError) as refused:
            identify(safety_director, trust)
        assert "choose a replacement or an addition" in refused.value.message_dict["basis"][0]

    def test_an_addition_when_it_has_none(self, trust, safety_director):
        with pytest.raises(ValidationError) as refused:
            identify(safety_director, trust, basis=Basis.ADDITION)
        assert "no Patient Safety Specialist yet" in refused.value.message_dict["basis"][0]

    def test_a_replacement_names_whom_it_replaces(self, client_for, trust, safety_director):
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Ada Lee")
        response = client_for(safety_director).post(
            create_url(trust), form_data(basis=Basis.REPLACEMENT)
        )
        assert response.context["form"].errors["replaces"] == [
            "Select the Patient Safety Specialist who is replaced"
        ]
        assert not ChangeRequest.objects.exists()

    def test_a_replacement_offers_only_the_organisations_specialists(
        self, client_for, trust, other_trust, safety_director
    ):
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Ada Lee")
        post_holder(other_trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Elsewhere Person")
        page = client_for(safety_director).get(create_url(trust)).content.decode()
        assert "Ada Lee" in page and "Elsewhere Person" not in page
        theirs = Appointment.objects.get(organisation=other_trust)
        response = client_for(safety_director).post(
            create_url(trust), form_data(basis=Basis.REPLACEMENT, replaces=theirs.pk)
        )
        assert response.status_code == 200 and "replaces" in response.context["form"].errors

    def test_the_service_asks_for_the_basis_too(self, trust, safety_director):
        with pytest.raises(ValidationError) as refused:
            identify(safety_director, trust, basis="")
        assert "first, a replacement or an addition" in refused.value.message_dict["basis"][0]

    def test_the_mso_register_does_not_count_them_among_its_changes_waiting(
        self, client_for, trust, safety_director, lead
    ):
        identify(safety_director, trust)
        assert client_for(lead).get(reverse("register:list")).context["waiting"] == 0

    def test_someone_who_is_a_specialist_already(self, trust, safety_director):
        post_holder(
            trust, Post.PATIENT_SAFETY_SPECIALIST, email="sam.okafor@nhs.example", full_name="Sam"
        )
        with pytest.raises(ValidationError) as refused:
            identify(safety_director, trust, basis=Basis.ADDITION, email="Sam.Okafor@NHS.example")
        assert "already" in refused.value.message_dict["email"][0]


class TestDeciding:
    def test_the_national_patient_safety_team_approves_the_first(
        self, client_for, trust, safety_director, patient_safety_team
    ):
        change = identify(safety_director, trust)
        response = client_for(patient_safety_team).post(
            change.get_absolute_url(), {"decision": "approve"}
        )
        assert response.status_code == 302
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.APPROVED
        specialist = Appointment.objects.get(post=Post.PATIENT_SAFETY_SPECIALIST)
        assert (specialist.organisation, specialist.name, specialist.start_on) == (
            trust,
            "Sam Okafor",
            datetime.date(2027, 1, 4),
        )
        told = Notification.objects.get(recipient=safety_director)
        assert "Sam Okafor is one of the organisation's Patient Safety Specialists" in told.body

    def test_a_replacement_ends_the_post_of_whom_it_replaces(
        self, trust, safety_director, patient_safety_team
    ):
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Ada Lee")
        ada = Appointment.objects.get(post=Post.PATIENT_SAFETY_SPECIALIST)
        change = identify(safety_director, trust, basis=Basis.REPLACEMENT, replaces=ada)
        change_requests.decide(by=patient_safety_team, request=change, approve=True)
        ada.refresh_from_db()
        assert ada.end_on == datetime.date(2027, 1, 3)
        assert Appointment.objects.get(name="Sam Okafor").start_on == datetime.date(2027, 1, 4)

    def test_an_addition_keeps_the_specialists_it_has(
        self, trust, safety_director, patient_safety_team
    ):
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Ada Lee")
        change = identify(safety_director, trust, basis=Basis.ADDITION)
        change_requests.decide(by=patient_safety_team, request=change, approve=True)
        held = Appointment.objects.filter(post=Post.PATIENT_SAFETY_SPECIALIST, end_on__isnull=True)
        assert held.count() == 2

    def test_a_rejection_gives_its_reason(
        self, client_for, trust, safety_director, patient_safety_team
    ):
        change = identify(safety_director, trust)
        response = client_for(patient_safety_team).post(
            change.get_absolute_url(), {"decision": "reject", "reason": "Not at board level"}
        )
        assert response.status_code == 302
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.REJECTED
        assert not Appointment.objects.filter(post=Post.PATIENT_SAFETY_SPECIALIST).exists()

    def test_mso_network_leads_neither_see_nor_decide_specialists(
        self, client_for, trust, safety_director, lead
    ):
        change = identify(safety_director, trust)
        assert client_for(lead).get(change.get_absolute_url()).status_code == 404
        response = client_for(lead).post(change.get_absolute_url(), {"decision": "approve"})
        assert response.status_code == 404
        listed = client_for(lead).get(reverse("register:changes")).content.decode()
        assert "Sam Okafor" not in listed
        change.refresh_from_db()
        assert change.is_pending

    def test_the_patient_safety_team_does_not_decide_mso_changes(
        self, client_for, trust, mso, patient_safety_team
    ):
        change = change_requests.submit(
            by=mso,
            request=ChangeRequest(
                organisation=trust, kind=Kind.MSO_LEAVES, ends_on=datetime.date(2027, 1, 31)
            ),
        )
        response = client_for(patient_safety_team).get(change.get_absolute_url())
        assert response.status_code == 404  # not among the changes they see

    def test_a_regional_lead_follows_their_regions_identifications_only(
        self, assert_access, trust, safety_director, london_specialists_lead
    ):
        change = identify(safety_director, trust)
        elsewhere = network_lead(Region.NORTH_WEST, community=SPECIALISTS)
        assert_access(
            change.get_absolute_url(), allowed=london_specialists_lead, other_organisation=elsewhere
        )
        response = assert_access(
            change.get_absolute_url(),
            method="post",
            data={"decision": "approve"},
            allowed=safety_director,
            wrong_role=london_specialists_lead,
            other_organisation=elsewhere,
            ok=403,
        )
        assert response.status_code == 403

    def test_the_job_title_and_pay_band_are_for_the_national_team_only(
        self, client_for, trust, safety_director, patient_safety_team, london_specialists_lead, lead
    ):
        change = identify(safety_director, trust)
        seen = client_for(patient_safety_team).get(change.get_absolute_url()).content.decode()
        assert "Head of patient safety" in seen and "band 8b" in seen
        for person in (safety_director, london_specialists_lead):
            page = client_for(person).get(change.get_absolute_url()).content.decode()
            assert "Sam Okafor" in page
            assert "Head of patient safety" not in page and "band 8b" not in page

    def test_the_national_team_is_told_one_is_waiting(
        self, trust, safety_director, patient_safety_team, lead
    ):
        identify(safety_director, trust)
        sweep()
        assert Notification.objects.filter(recipient=patient_safety_team).exists()
        assert not Notification.objects.filter(recipient=lead).exists()


class TestRegister:
    @pytest.fixture
    def specialists(self, trust, other_trust):
        """Ada at the trust (with two syllabus levels), none at the other trust, Bo at a north
        west trust."""
        ada = post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Ada Lee")
        SyllabusTraining.objects.create(
            user=ada, level=SyllabusLevel.ESSENTIALS, completed_on=datetime.date(2025, 3, 1)
        )
        SyllabusTraining.objects.create(
            user=ada, level=SyllabusLevel.ACCESS, completed_on=datetime.date(2025, 6, 1)
        )
        north = OrganisationFactory(name="Northern Care NHS Trust", region=Region.NORTH_WEST)
        post_holder(north, Post.PATIENT_SAFETY_SPECIALIST, full_name="Bo Chan")
        return ada

    def url(self, **query):
        return reverse("register:specialists") + (
            "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
        )

    def test_access(self, assert_access, patient_safety_team, mso, site_admin):
        assert_access(self.url(), allowed=patient_safety_team, wrong_role=mso)
        assert_access(self.url(), allowed=patient_safety_team, wrong_role=site_admin)
        for fmt in ("csv", "xlsx"):
            assert_access(
                reverse("register:specialists_export", args=[fmt]),
                allowed=patient_safety_team,
                wrong_role=mso,
            )

    def test_each_organisation_with_its_specialists_and_their_levels(
        self, client_for, specialists, patient_safety_team
    ):
        page = client_for(patient_safety_team).get(self.url()).content.decode()
        assert "Ada Lee" in page and "Bo Chan" in page
        assert "Level 1: Essentials of patient safety, 1 Mar 2025" in page
        assert "Elsewhere Hospitals NHS Trust" in page and "None identified" in page

    def test_filters(self, client_for, specialists, patient_safety_team):
        client = client_for(patient_safety_team)
        without = client.get(self.url(state="without")).content.decode()
        assert "Elsewhere Hospitals NHS Trust" in without and "Ada Lee" not in without
        found = client.get(self.url(q="bo+chan")).content.decode()
        assert "Bo Chan" in found and "Ada Lee" not in found
        london = client.get(self.url(region=Region.LONDON)).content.decode()
        assert "Ada Lee" in london and "Bo Chan" not in london
        # A value that does not fit is left out; the rest still apply.
        odd = client.get(self.url(region="atlantis", state="with")).content.decode()
        assert "Ada Lee" in odd and "None identified" not in odd

    def test_a_regional_lead_sees_their_region(
        self, client_for, specialists, london_specialists_lead
    ):
        page = client_for(london_specialists_lead).get(self.url()).content.decode()
        assert "Ada Lee" in page and "Bo Chan" not in page

    def test_its_queries_do_not_grow_with_its_rows(
        self, client_for, specialists, patient_safety_team, page_queries
    ):
        client = client_for(patient_safety_team)
        few = page_queries(client, self.url())
        for n in range(6):
            organisation = OrganisationFactory(kind=OrganisationKind.ICB)
            holder = post_holder(organisation, Post.PATIENT_SAFETY_SPECIALIST)
            SyllabusTraining.objects.create(
                user=holder, level=SyllabusLevel.ACCESS, completed_on=datetime.date(2025, 1, n + 1)
            )
        assert page_queries(client, self.url()) == few

    def test_the_export_has_exactly_the_rows_filtered(
        self, client_for, specialists, patient_safety_team
    ):
        response = client_for(patient_safety_team).get(
            reverse("register:specialists_export", args=["csv"]) + f"?region={Region.LONDON}"
        )
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][4] == "Patient Safety Specialist"
        named = {row[4] for row in rows[1:]}
        assert named == {"Ada Lee", ""}
        ada = next(row for row in rows if row[4] == "Ada Lee")
        assert "Level 2: Access to practice (1 June 2025)" in ada[7]

    def test_the_export_writes_a_formula_as_text(self, client_for, trust, patient_safety_team):
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="=HYPERLINK(1)")
        response = client_for(patient_safety_team).get(
            reverse("register:specialists_export", args=["csv"])
        )
        assert "'=HYPERLINK(1)" in b"".join(response.streaming_content).decode()

    def test_the_menu_offers_it_to_its_leads_only(self, client_for, patient_safety_team, mso):
        url = reverse("register:specialists")
        assert url in client_for(patient_safety_team).get(reverse("home")).content.decode()
        assert url not in client_for(mso).get(reverse("home")).content.decode()


class TestWhatTheReviewFound:
    def test_each_side_withdraws_only_its_own_kind(self, client_for, trust, mso, safety_director):
        identification = identify(safety_director, trust)
        new_mso = change_requests.submit(
            by=mso,
            request=ChangeRequest(
                organisation=trust,
                kind=Kind.NEW_MSO,
                name="Grace Obi",
                email="grace.obi@nhs.example",
                starts_on=datetime.date(2027, 1, 1),
            ),
        )
        for person, change in ((mso, identification), (safety_director, new_mso)):
            client = client_for(person)
            assert client.get(change.get_absolute_url()).context["can_withdraw"] is False
            client.post(reverse("register:change_withdraw", args=[change.pk]))
            change.refresh_from_db()
            assert change.is_pending
        # Whoever asked withdraws it.
        change_requests.withdraw(by=safety_director, request=identification)
        identification.refresh_from_db()
        assert identification.status == ChangeRequest.Status.WITHDRAWN

    def test_a_first_is_refused_when_one_is_named_to_start_later(
        self, trust, safety_director, patient_safety_team
    ):
        first = identify(safety_director, trust)
        change_requests.decide(by=patient_safety_team, request=first, approve=True)
        with pytest.raises(ValidationError) as refused:
            identify(safety_director, trust, email="another@nhs.example")
        assert "already" in refused.value.message_dict["basis"][0]
        with pytest.raises(ValidationError) as again:
            identify(safety_director, trust, basis=Basis.ADDITION)
        assert "already" in again.value.message_dict["email"][0]

    def test_a_specialist_is_never_recorded_directly(self, client_for, trust, mso):
        from organisations import services

        url = reverse("organisations:appointment_create", args=[trust.ods_code])
        page = client_for(mso).get(url).content.decode()
        assert 'value="patient-safety-specialist"' not in page
        with pytest.raises(ValidationError) as refused:
            services.appointment_save(
                by=mso,
                appointment=Appointment(
                    organisation=trust,
                    post=Post.PATIENT_SAFETY_SPECIALIST,
                    name="Sam",
                    email="sam@nhs.example",
                    start_on=datetime.date(2026, 11, 1),
                ),
            )
        assert "which the national patient safety team approves" in refused.value.messages[0]

    def test_a_specialised_specialist_networks_lead_is_not_the_national_team(
        self, client_for, trust, safety_director
    ):
        from networks.models import NetworkMembership
        from tests.factories import NetworkFactory, UserFactory

        network = NetworkFactory(kind=Network.Kind.SPECIALISED, community=SPECIALISTS)
        lead = UserFactory()
        NetworkMembership.objects.create(
            network=network, user=lead, role=NetworkMembership.Role.LEAD
        )
        change = identify(safety_director, trust)
        assert client_for(lead).get(change.get_absolute_url()).status_code == 404
        assert client_for(lead).get(reverse("register:specialists")).status_code == 403

    def test_the_admin_leaves_out_the_job_title_and_pay_band(
        self, client_for, trust, safety_director, site_admin
    ):
        change = identify(safety_director, trust)
        page = client_for(site_admin).get(
            reverse("admin:organisations_changerequest_change", args=[change.pk])
        )
        assert page.status_code == 200
        assert "Head of patient safety" not in page.content.decode()


class TestWhoDecidesIsNamedAndTold:
    """The national patient safety team decides an identification: every word says so, it is
    told at once, and a withdrawn one leaves it nothing to decide."""

    def test_the_pages_name_the_national_patient_safety_team(
        self, client_for, trust, safety_director
    ):
        client = client_for(safety_director)
        page = client.get(create_url(trust)).text
        assert "Send to the national patient safety team" in page
        assert "Anything the national patient safety team should know" in page
        assert "network lead" not in page
        response = client.post(create_url(trust), form_data())
        page = client.get(response["Location"]).text
        assert "Your change is sent to the national patient safety team" in page
        assert "Waiting for the national patient safety team" in page
        assert "network lead" not in page

    def test_the_team_is_told_as_soon_as_one_is_identified(
        self,
        trust,
        safety_director,
        patient_safety_team,
        london_specialists_lead,
        lead,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            change = identify(safety_director, trust)
        [told] = Notification.objects.all()
        assert told.recipient == patient_safety_team
        assert told.url == change.get_absolute_url()
        assert told.title.startswith("To decide: A Patient Safety Specialist identified")

    def test_a_second_identification_links_to_the_one_waiting(
        self, client_for, trust, safety_director
    ):
        waiting = identify(safety_director, trust)
        response = client_for(safety_director).post(
            reverse("register:change_start"),
            {"ods_code": trust.ods_code, "kind": Kind.NEW_SPECIALIST},
        )
        assert (
            "already waiting for the national patient safety team"
            in (response.context["form"].errors["kind"][0])
        )
        assert f'href="{waiting.get_absolute_url()}"' in response.text

    def test_withdrawing_asks_first_and_leaves_the_team_nothing_to_decide(
        self, client_for, trust, safety_director, patient_safety_team
    ):
        change = identify(safety_director, trust)
        url = reverse("register:change_withdraw", args=[change.pk])
        client = client_for(safety_director)
        asking = client.post(url)
        assert "Withdraw this change?" in asking.text
        assert "It no longer waits for the national patient safety team" in asking.text
        change.refresh_from_db()
        assert change.is_pending
        client.post(url, CONFIRMED)
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.WITHDRAWN
        [notice] = Notification.objects.filter(recipient=patient_safety_team)
        team = client_for(patient_safety_team)
        page = team.get(notice.url).text
        assert "Ruth Mensah withdrew this change" in page
        assert "Save the decision" not in page
        response = team.post(notice.url, {"decision": "approve"})
        assert "no longer waiting: it was withdrawn" in team.get(response["Location"]).text
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.WITHDRAWN
        assert not Appointment.objects.filter(post=Post.PATIENT_SAFETY_SPECIALIST).exists()
