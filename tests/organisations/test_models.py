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


def test_user_emails_are_stored_in_lower_case_and_unique():
    User.objects.create_user("Mso@Trust.example", password="x", full_name="A")
    assert User.objects.get_by_natural_key("MSO@trust.example").email == "mso@trust.example"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="MSO@TRUST.EXAMPLE", full_name="B")  # the lower-case check
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="mso@trust.example", full_name="B")  # the unique index


def test_an_email_is_found_by_an_exact_match_on_the_unique_index(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    User.objects.create_user("mso@trust.example", password="x", full_name="A")
    with CaptureQueriesContext(connection) as queries:
        User.objects.get_by_natural_key("MSO@Trust.Example")
    assert "LOWER" not in queries[0]["sql"].upper().replace("LOWER_CASE", "")
    assert "'mso@trust.example'" in queries[0]["sql"] or "%s" in queries[0]["sql"]


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
