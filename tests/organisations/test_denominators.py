"""Denominators: an organisation's safety team records its own month by month; network leads
import a file of them for the organisations they reach, rows rejected by line with why, and
the same file imported twice changes nothing; every write audited."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisations import denominators
from organisations.choices import OrganisationKind, Post, Region, Role
from organisations.models import Denominator
from tests.factories import (
    OrganisationFactory,
    RelationshipFactory,
    member,
    network_lead,
    post_holder,
)
from tests.uploads import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_december():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


NOVEMBER = datetime.date(2026, 11, 1)


def csv_file(*lines: str, name="denominators.csv"):
    return upload(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def logged(row) -> list:
    return list(LogEntry.objects.get_for_object(row).order_by("timestamp", "pk"))


class TestRecording:
    def test_the_safety_team_records_a_month_and_corrects_it(
        self, assert_access, trust, mso, staff, other_mso
    ):
        team = member(trust, Role.SAFETY_TEAM)
        url = reverse("incidents:denominators", args=[trust.ods_code])
        page = assert_access(url, allowed=team, wrong_role=staff, other_organisation=other_mso)
        assert "Occupied bed days in the month" in page.text
        response = assert_access(
            url,
            method="post",
            data={"month": "2026-11", "value": "12,500"},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        assert response["Location"] == url
        row = Denominator.objects.get()
        assert (row.organisation, row.month, row.value) == (trust, NOVEMBER, 12_500)
        assert row.recorded_by == mso and row.source == Denominator.Source.ENTERED
        # Corrected: the month's value replaced, both writes kept in the audit log.
        with_change = assert_access(f"{url}?month=2026-11", allowed=mso)
        assert with_change.context["form"].initial == {"month": "2026-11", "value": 12_500}
        denominators.denominator_record(by=team, organisation=trust, month=NOVEMBER, value=13_000)
        row.refresh_from_db()
        assert row.value == 13_000 and row.recorded_by == team
        assert Denominator.objects.count() == 1
        first, second = logged(row)
        assert first.action == LogEntry.Action.CREATE and first.actor == mso
        assert second.action == LogEntry.Action.UPDATE and second.actor == team
        assert second.changes["value"] == ["12500", "13000"]

    def test_the_same_value_again_writes_nothing(self, trust, mso):
        row = denominators.denominator_record(by=mso, organisation=trust, month=NOVEMBER, value=9)
        again = denominators.denominator_record(by=mso, organisation=trust, month=NOVEMBER, value=9)
        assert again.pk == row.pk and len(logged(row)) == 1

    def test_a_month_not_begun_is_refused(self, trust, mso):
        with pytest.raises(ValidationError):
            denominators.denominator_record(
                by=mso, organisation=trust, month=datetime.date(2027, 1, 1), value=10
            )

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "Enter the occupied bed days in the month"),
            ("12.5", "as a whole number more than 0"),
            ("0", "as a whole number more than 0"),
            ("-3", "as a whole number more than 0"),
            ("2000000", "is more than 155,000 occupied bed days in the month"),
        ],
    )
    def test_a_value_that_is_not_a_month_s_is_refused(self, client_for, trust, mso, value, message):
        url = reverse("incidents:denominators", args=[trust.ods_code])
        page = client_for(mso).post(url, {"month": "2026-11", "value": value})
        assert page.status_code == 200 and message in page.text
        assert not Denominator.objects.exists()

    def test_each_kind_records_its_own_measure(self, client_for):
        practice = OrganisationFactory(practice=True)
        pharmacy = OrganisationFactory(pharmacy=True)
        for organisation, words in (
            (practice, "Patients registered in the month (the list size)"),
            (pharmacy, "Items dispensed in the month"),
        ):
            team = member(organisation, Role.SAFETY_TEAM)
            url = reverse("incidents:denominators", args=[organisation.ods_code])
            assert words in client_for(team).get(url).text

    def test_the_mso_who_covers_a_practice_records_its_list_size(self, client_for):
        pcn = OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice)
        pcn_mso = post_holder(pcn, Post.MSO)
        url = reverse("incidents:denominators", args=[practice.ods_code])
        page = client_for(pcn_mso).post(url, {"month": "2026-11", "value": "8,400"})
        assert page.status_code == 302
        assert Denominator.objects.get().organisation == practice
        # The practice's own staff do not.
        assert client_for(member(practice, Role.STAFF)).get(url).status_code == 403

    def test_a_kind_without_a_denominator_says_so_and_records_none(self, client_for):
        icb = OrganisationFactory(icb=True)
        team = member(icb, Role.SAFETY_TEAM)
        url = reverse("incidents:denominators", args=[icb.ods_code])
        page = client_for(team).get(url)
        assert "counts its incidents against no denominator" in page.text
        assert client_for(team).post(url, {"month": "2026-11", "value": "5"}).status_code == 200
        assert not Denominator.objects.exists()

    def test_the_dashboard_links_to_them_for_whoever_records_them(self, client_for, trust, mso):
        director = member(trust, Role.COMMITTEE_CHAIR)
        url = reverse("incidents:dashboard", args=[trust.ods_code])
        link = reverse("incidents:denominators", args=[trust.ods_code])
        assert link in client_for(mso).get(url).text
        assert link not in client_for(director).get(url).text


class TestImporting:
    def test_the_import_is_for_network_leads(self, assert_access, lead, mso):
        url = reverse("incidents:denominator_import")
        assert_access(url, allowed=lead, wrong_role=mso)
        trust = OrganisationFactory()
        response = assert_access(
            url,
            method="post",
            data={"file": csv_file("ods_code,month,value", f"{trust.ods_code},2026-11,900")},
            allowed=lead,
            wrong_role=mso,
        )
        assert "1 new, 0 changed, 0 unchanged, 0 rejected" in response.text
        assert not Denominator.objects.exists()  # checked only: a dry run

    def test_the_national_patient_safety_team_imports_too(self, client_for, patient_safety_team):
        url = reverse("incidents:denominator_import")
        assert client_for(patient_safety_team).get(url).status_code == 200

    def test_rows_rejected_by_line_and_the_rest_imported(self, client_for, lead):
        trust = OrganisationFactory(ods_code="RX1")
        practice = OrganisationFactory(practice=True, ods_code="A81001")
        icb = OrganisationFactory(icb=True, ods_code="QXY")
        lines = [
            "ODS code,Month,Value",  # the header, in any case and spacing
            "rx1,2026-11,12500",  # 2: imported (codes in any case)
            "A81001,2026-10,6200",  # 3: imported
            "ZZZ99,2026-11,100",  # 4: no such organisation
            "RX1,2026-13,100",  # 5: not a month
            "RX1,2027-01,100",  # 6: not begun
            "RX1,2026-09,lots",  # 7: not a number
            "RX1,2026-08,0",  # 8: not more than 0
            "RX1,2026-07,900000",  # 9: a year's, not a month's
            "QXY,2026-11,100",  # 10: an ICB has no denominator
            "RX1,2026-11,12600",  # 11: the same month twice
            "RX1,2026-06",  # 12: a column short
        ]
        client = client_for(lead)
        url = reverse("incidents:denominator_import")
        page = client.post(url, {"file": csv_file(*lines), "action": "import"})
        assert page.status_code == 200
        assert "Imported: 2 new, 0 changed, 0 unchanged, 9 rejected" in page.text
        rejected = page.context["plan"].rejected
        assert [line for line, _ in rejected] == [4, 5, 6, 7, 8, 9, 10, 11, 12]
        words = dict(rejected)
        assert words[4] == "no organisation with ODS code “ZZZ99” among those you import for"
        assert words[5] == "the month “2026-13” is not a month: write it as 2026-03"
        assert words[6] == "the month 2027-01 has not begun"
        assert words[7] == "the value “lots” is not a whole number"
        assert words[8] == "RX1's value must be a whole number more than 0"
        assert words[9].startswith("RX1's value is more than 155,000 occupied bed days")
        assert words[10] == ("QXY is of a kind with no denominator (Integrated care board (ICB))")
        assert words[11] == "RX1 2026-11 is in the file twice (first on line 2)"
        assert words[12] == "it has 2 columns, not 3"
        for line, _ in rejected:
            assert f"Line {line}:" in page.text
        assert {(row.organisation, row.month, row.value) for row in Denominator.objects.all()} == {
            (trust, NOVEMBER, 12_500),
            (practice, datetime.date(2026, 10, 1), 6_200),
        }
        assert icb.ods_code == "QXY"

    def test_importing_the_same_file_again_changes_nothing(self, client_for, lead):
        trust = OrganisationFactory()
        practice = OrganisationFactory(practice=True)
        file = csv_file(
            "ods_code,month,value",
            f"{trust.ods_code},2026-10,12000",
            f"{trust.ods_code},2026-11,12500",
            f"{practice.ods_code},2026-11,6200",
        )
        client = client_for(lead)
        url = reverse("incidents:denominator_import")
        first = client.post(url, {"file": file, "action": "import"})
        assert "Imported: 3 new, 0 changed, 0 unchanged, 0 rejected" in first.text
        kept = list(Denominator.objects.order_by("pk").values())
        entries = LogEntry.objects.get_for_model(Denominator).count()
        again = client.post(url, {"file": file, "action": "import"})
        assert "Imported: 0 new, 0 changed, 3 unchanged, 0 rejected" in again.text
        assert list(Denominator.objects.order_by("pk").values()) == kept
        assert LogEntry.objects.get_for_model(Denominator).count() == entries == 3

    def test_a_changed_month_is_replaced_and_audited(self, client_for, lead, trust, mso):
        row = denominators.denominator_record(by=mso, organisation=trust, month=NOVEMBER, value=1)
        file = csv_file("month,value,ods_code", f"2026-11,12500,{trust.ods_code}")
        found = denominators.plan(file.read(), by=lead)
        assert [each.outcome for each in found.rows] == ["changed"]
        denominators.apply(found, by=lead)
        row.refresh_from_db()
        assert (row.value, row.source, row.recorded_by) == (
            12_500,
            Denominator.Source.IMPORTED,
            lead,
        )
        change = logged(row)[-1]
        assert change.action == LogEntry.Action.UPDATE and change.actor == lead
        assert change.changes["value"] == ["1", "12500"]

    def test_a_regional_lead_imports_for_their_region_only(self, client_for):
        london = OrganisationFactory(region=Region.LONDON)
        midlands = OrganisationFactory(region=Region.MIDLANDS)
        lead = network_lead(region=Region.LONDON)
        file = csv_file(
            "ods_code,month,value",
            f"{london.ods_code},2026-11,100",
            f"{midlands.ods_code},2026-11,100",
        )
        found = denominators.plan(file.read(), by=lead)
        assert [each.organisation for each in found.rows] == [london]
        assert found.rejected == [
            (
                3,
                f"no organisation with ODS code “{midlands.ods_code}” among those you import for",
            )
        ]

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            (b"code,when,how many\nRX1,2026-11,1\n", "The first line must name the columns"),
            (b"", "The first line must name the columns"),
            (b"ods_code,month,value\n\xff\xfe", "The file is not UTF-8 text"),
        ],
    )
    def test_a_file_that_cannot_be_read_says_why(self, lead, content, problem):
        found = denominators.plan(content, by=lead)
        assert found.problem.startswith(problem) and not found.rows

    def test_only_a_csv_file_is_taken(self, client_for, lead):
        url = reverse("incidents:denominator_import")
        pdf = upload("denominators.pdf", b"%PDF-1.7\n%%EOF\n")
        page = client_for(lead).post(url, {"file": pdf, "action": "check"})
        assert "The file must be a CSV file" in page.text

    def test_a_pharmacy_s_items_and_a_practice_s_list_may_be_large(self, lead):
        pharmacy = OrganisationFactory(pharmacy=True)
        assert pharmacy.kind == OrganisationKind.COMMUNITY_PHARMACY
        file = csv_file("ods_code,month,value", f"{pharmacy.ods_code},2026-11,950000")
        assert not denominators.plan(file.read(), by=lead).rejected


def test_the_national_seed_gives_every_measured_organisation_a_year_once():
    from demo.national.denominators import seed_denominators
    from demo.national.organisations import seed_organisations
    from organisations.choices import DENOMINATOR_FOR_KIND
    from organisations.models import Organisation

    seed_organisations(0.03)
    first = seed_denominators()
    measured = Organisation.objects.filter(kind__in=list(DENOMINATOR_FOR_KIND)).count()
    recorded = Denominator.objects.values("organisation").distinct().count()
    assert 0.9 * measured < recorded < measured  # a few have none, to chase
    assert set(Denominator.objects.values_list("month", flat=True)) == {
        datetime.date(2025, 12, 1)
    } | {datetime.date(2026, month, 1) for month in range(1, 12)}
    assert not Denominator.objects.exclude(organisation__kind__in=list(DENOMINATOR_FOR_KIND))
    assert seed_denominators() == first  # a second run adds nothing
