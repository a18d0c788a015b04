import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from organisations.choices import OrganisationKind, Post
from organisations.models import Appointment, Organisation, OrganisationRelationship
from tests.factories import AppointmentFactory, OrganisationFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def build(**fields):
    defaults = {"name": "Test", "kind": OrganisationKind.NHS_TRUST, "region": "london"}
    return Organisation(**{**defaults, **fields})


@pytest.mark.parametrize("code", ["", "R1", "RX1234Z", "RX-1", "123", "rx 1"])
def test_it_rejects_malformed_ods_codes(code):
    with pytest.raises(ValidationError) as error:
        build(ods_code=code, kind=OrganisationKind.OTHER).full_clean()
    assert "ods_code" in error.value.message_dict


def test_it_normalises_ods_codes_to_upper_case():
    organisation = build(ods_code=" rx1 ")
    organisation.full_clean()
    assert organisation.ods_code == "RX1"


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (OrganisationKind.GP_PRACTICE, "A81001", "AB1001"),
        (OrganisationKind.PCN, "U12345", "A12345"),
        (OrganisationKind.ICB, "QWE", "RWE"),
        (OrganisationKind.COMMUNITY_PHARMACY, "FA123", "GA123"),
        (OrganisationKind.NHS_TRUST, "RX1", "QX1"),
    ],
)
def test_it_checks_the_ods_code_shape_for_the_kind(kind, good, bad):
    build(ods_code=good, kind=kind).full_clean()
    with pytest.raises(ValidationError) as error:
        build(ods_code=bad, kind=kind).full_clean()
    assert "The ODS code of a" in error.value.message_dict["ods_code"][0]


def test_the_database_refuses_a_malformed_ods_code():
    with pytest.raises(IntegrityError):
        Organisation.objects.create(ods_code="rx!", name="x", kind="other", region="london")


def test_ods_codes_are_unique():
    OrganisationFactory(ods_code="RX1")
    with pytest.raises(ValidationError) as error:
        build(ods_code="RX1").full_clean()
    assert error.value.message_dict["ods_code"] == [
        "An organisation with this ODS code already exists."
    ]


def test_user_emails_are_unique_whatever_their_case():
    User.objects.create_user("Mso@Trust.example", password="x", full_name="A")
    assert User.objects.get_by_natural_key("MSO@trust.example").email == "mso@trust.example"
    with pytest.raises(IntegrityError):
        User.objects.create(email="MSO@TRUST.EXAMPLE", full_name="B")


class TestAppointments:
    def test_the_database_allows_one_current_mso(self, trust):
        AppointmentFactory(organisation=trust, post=Post.MSO)
        with pytest.raises(IntegrityError), transaction.atomic():
            AppointmentFactory(organisation=trust, post=Post.MSO)

    def test_the_database_allows_one_current_board_director(self, trust):
        AppointmentFactory(organisation=trust, post=Post.BOARD_DIRECTOR)
        with pytest.raises(IntegrityError), transaction.atomic():
            AppointmentFactory(organisation=trust, post=Post.BOARD_DIRECTOR)

    def test_other_posts_may_have_several_holders(self, trust):
        AppointmentFactory(organisation=trust, post=Post.DEPUTY_MSO)
        AppointmentFactory(organisation=trust, post=Post.DEPUTY_MSO)
        assert trust.appointments.count() == 2

    def test_another_organisation_has_its_own_mso(self, trust, other_trust):
        AppointmentFactory(organisation=trust, post=Post.MSO)
        AppointmentFactory(organisation=other_trust, post=Post.MSO)

    def test_a_successor_may_follow_an_mso_with_an_end_date(self, trust):
        AppointmentFactory(
            organisation=trust, post=Post.MSO, start_on="2024-01-01", end_on="2026-06-30"
        )
        successor = AppointmentFactory.build(
            organisation=trust, post=Post.MSO, start_on="2026-07-01"
        )
        successor.user.save()
        successor.user_id = successor.user.pk
        successor.full_clean()
        successor.save()

    def test_it_explains_an_overlapping_mso(self, trust):
        AppointmentFactory(
            organisation=trust,
            post=Post.MSO,
            start_on="2024-01-01",
            end_on="2026-06-30",
            user__full_name="Amir Shah",
        )
        overlapping = Appointment(
            organisation=trust, post=Post.MSO, name="Jo Bloggs", start_on="2026-06-01"
        )
        with pytest.raises(ValidationError) as error:
            overlapping.full_clean()
        assert error.value.message_dict["start_on"] == [
            "Amir Shah is Medication Safety Officer (MSO) until 30 June 2026. "
            "Choose dates that do not overlap."
        ]

    def test_it_refuses_overlapping_msos_that_both_have_end_dates(self, trust):
        AppointmentFactory(
            organisation=trust, post=Post.MSO, start_on="2024-01-01", end_on="2027-12-31"
        )
        overlapping = Appointment(
            organisation=trust,
            post=Post.MSO,
            name="Jo Bloggs",
            start_on="2026-01-01",
            end_on="2026-12-31",
        )
        with pytest.raises(ValidationError, match="until 31 December 2027"):
            overlapping.full_clean()

    def test_an_appointment_ending_today_is_still_current(self, trust):
        from django.utils import timezone

        today = timezone.localdate()
        ending = AppointmentFactory(organisation=trust, start_on="2020-01-01", end_on=today)
        assert ending in Appointment.objects.current()
        assert ending not in Appointment.objects.current(on=today + timezone.timedelta(days=1))

    def test_the_holder_has_an_account_or_a_name(self, trust):
        with pytest.raises(IntegrityError):
            Appointment.objects.create(organisation=trust, post=Post.MDSO, start_on="2025-01-01")

    def test_it_cannot_end_before_it_starts(self, trust):
        with pytest.raises(IntegrityError):
            AppointmentFactory(organisation=trust, start_on="2025-01-02", end_on="2025-01-01")

    def test_current_follows_the_dates(self, trust):
        past = AppointmentFactory(organisation=trust, start_on="2020-01-01", end_on="2021-01-01")
        now = AppointmentFactory(organisation=trust, start_on="2020-01-01")
        later = AppointmentFactory(organisation=trust, start_on="2099-01-01")
        current = set(Appointment.objects.current())
        assert now in current
        assert past not in current
        assert later not in current


class TestRelationships:
    def test_current_links_follow_their_dates(self, trust, other_trust):
        ended = RelationshipFactory(
            parent=trust, child=other_trust, start_on="2020-01-01", end_on="2021-01-01"
        )
        assert ended not in OrganisationRelationship.objects.current()
        assert ended in OrganisationRelationship.objects.current(on=ended.start_on)

    def test_an_organisation_cannot_be_its_own_parent(self, trust):
        with pytest.raises(IntegrityError):
            RelationshipFactory(parent=trust, child=trust)

    def test_one_open_link_of_a_kind_between_two_organisations(self, trust, other_trust):
        RelationshipFactory(parent=trust, child=other_trust)
        with pytest.raises(IntegrityError):
            RelationshipFactory(parent=trust, child=other_trust)
