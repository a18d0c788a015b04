"""Who must name an MSO, and who covers the rest (organisations.choices.MSO_REQUIRED and
MSO_COVERED_BY, after NHS/PSA/D/2014/005): the access rules reach only the kinds a covering
MSO covers, the register says "Vacant" only where an MSO must be named, the nearest covering
MSO is told, and the national alert pages show who answers."""

import csv
import datetime

import pytest
from django.urls import reverse

from alerts import services as alert_services
from alerts.models import AlertResponse
from alerts.permissions import Perm as AlertPerm
from notifications.models import Notification
from organisations import register
from organisations.access import Access
from organisations.choices import MSO_COVERED_BY, MSO_REQUIRED, OrganisationKind, Post
from organisations.models import Appointment
from organisations.permissions import Rule
from organisations.reminders import managers
from tests.alerts.conftest import ISSUED, draft
from tests.factories import OrganisationFactory, RelationshipFactory, post_holder

pytestmark = pytest.mark.django_db

Kind = OrganisationKind


def test_every_kind_either_names_its_own_mso_or_is_covered():
    assert MSO_REQUIRED.isdisjoint(MSO_COVERED_BY)
    assert MSO_REQUIRED | set(MSO_COVERED_BY) == set(Kind)
    # Nobody is covered by a kind that is covered itself, but a PCN, which its ICB covers.
    assert all(
        above in MSO_REQUIRED or above == Kind.PCN
        for kinds in MSO_COVERED_BY.values()
        for above in kinds
    )


def test_a_rule_reaching_some_kinds_must_reach_an_area():
    with pytest.raises(ValueError, match="only an area rule"):
        Rule(Post.MSO, {AlertPerm.ALERTS_VIEW}, over={Kind.GP_PRACTICE})


@pytest.fixture
def area():
    """An ICB with a trust, a PCN and a practice in its area; the ICB's MSO in post."""
    icb = OrganisationFactory(icb=True, name="Demo ICB")
    trust = OrganisationFactory(name="Demo Trust")
    pcn = OrganisationFactory(pcn=True, name="Riverside PCN")
    practice = OrganisationFactory(practice=True, name="Riverside Practice")
    for parent, child in ((icb, trust), (icb, pcn), (pcn, practice)):
        RelationshipFactory(parent=parent, child=child)
    icb_mso = post_holder(icb, Post.MSO, full_name="Laura Kent")
    return {"icb": icb, "trust": trust, "pcn": pcn, "practice": practice, "icb_mso": icb_mso}


class TestTheICBsMSO:
    def test_covers_the_practices_and_pcns_of_the_area_never_its_trusts(self, area):
        access = Access(area["icb_mso"])
        for name in ("practice", "pcn"):
            assert access.has(AlertPerm.ALERTS_RESPOND, area[name]), name
        assert not access.has(AlertPerm.ALERTS_RESPOND, area["trust"])
        # The ICB itself through its own rules.
        assert access.has(AlertPerm.ALERTS_RESPOND, area["icb"])

    def test_the_query_side_agrees(self, area, patient_safety_team):
        alert = draft(
            patient_safety_team,
            applicable_kinds=[Kind.NHS_TRUST, Kind.PCN, Kind.GP_PRACTICE, Kind.ICB],
        )
        alert_services.alert_publish(by=patient_safety_team, alert=alert)
        seen = set(
            AlertResponse.objects.visible_to(area["icb_mso"], AlertPerm.ALERTS_RESPOND)
            .filter(alert=alert)
            .values_list("organisation__name", flat=True)
        )
        assert seen == {"Demo ICB", "Riverside PCN", "Riverside Practice"}

    def test_a_trusts_response_is_not_found_for_them(self, area, patient_safety_team, client_for):
        alert = draft(patient_safety_team, applicable_kinds=[Kind.NHS_TRUST])
        alert_services.alert_publish(by=patient_safety_team, alert=alert)
        url = reverse("alerts:response", args=[alert.pk, area["trust"].ods_code])
        assert client_for(area["icb_mso"]).get(url).status_code == 404


class TestWhoIsTold:
    def test_the_nearest_covering_mso_is_told(self, area):
        practice, pcn = area["practice"], area["pcn"]
        on = datetime.date.today()
        assert managers([practice.pk, pcn.pk], on) == {
            practice.pk: [area["icb_mso"].pk],
            pcn.pk: [area["icb_mso"].pk],
        }
        pcn_mso = post_holder(pcn, Post.MSO)
        assert managers([practice.pk], on) == {practice.pk: [pcn_mso.pk]}

    def test_a_deputy_above_does_not_cover_the_mso_does(self, area):
        """The covering rules are the MSO's: a PCN with only a deputy leaves its practice to
        the ICB's MSO, who can open what they are told of."""
        post_holder(area["pcn"], Post.DEPUTY_MSO)
        practice = area["practice"]
        assert managers([practice.pk], datetime.date.today()) == {practice.pk: [area["icb_mso"].pk]}

    def test_a_pharmacy_linked_to_its_company_and_the_national_body_has_its_company_s(self):
        company = OrganisationFactory(kind=Kind.PHARMACY_HEAD_OFFICE, ods_code="FHQ01")
        body = OrganisationFactory(kind=Kind.PHARMACY_BODY, ods_code="FNB01")
        pharmacy = OrganisationFactory(pharmacy=True)
        for above in (body, company):
            RelationshipFactory(parent=above, child=pharmacy)
        company_mso = post_holder(company, Post.MSO)
        post_holder(body, Post.MSO)
        assert managers([pharmacy.pk], datetime.date.today()) == {pharmacy.pk: [company_mso.pk]}
        [(state, mso)] = [(a.state, a.mso.user) for a in register.mso_answers([pharmacy]).values()]
        assert (state, mso) == (register.State.COVERED, company_mso)

    def test_an_independent_pharmacy_s_alerts_go_to_its_national_body_s_mso(
        self, patient_safety_team
    ):
        body = OrganisationFactory(kind=Kind.PHARMACY_BODY, ods_code="FNB01")
        pharmacy = OrganisationFactory(pharmacy=True)
        RelationshipFactory(parent=body, child=pharmacy)
        body_mso = post_holder(body, Post.MSO)
        owner = post_holder(pharmacy, Post.SUPERINTENDENT_PHARMACIST)
        alert = draft(patient_safety_team, applicable_kinds=[Kind.COMMUNITY_PHARMACY])
        alert_services.alert_publish(by=patient_safety_team, alert=alert)
        alert_services.fan_out(alert)
        told = set(
            Notification.objects.filter(kind="published").values_list("recipient", flat=True)
        )
        assert {body_mso.pk, owner.pk} <= told

    def test_a_post_falls_vacant_only_where_an_mso_must_be_named(self, area):
        today = datetime.date.today()
        ended = today - datetime.timedelta(days=2)
        for organisation in (area["trust"], area["practice"]):
            appointment = Appointment.objects.create(
                organisation=organisation,
                post=Post.MSO,
                name="Former MSO",
                start_on=today - datetime.timedelta(days=400),
                end_on=ended,
            )
            assert appointment.pk
        vacated = Appointment.objects.vacated(today).values_list("organisation", flat=True)
        assert list(vacated) == [area["trust"].pk]


class TestTheRegister:
    def rows(self, lead, **filters):
        return {
            row.name: (register.states(row), row)
            for row in register.attach_cover(register.rows(lead, register.Filters(**filters)))
        }

    def test_vacant_only_where_an_mso_must_be_named(self, area, lead):
        rows = self.rows(lead)
        assert rows["Demo Trust"][0] == [register.State.VACANT]
        # Covered by the ICB's MSO while the PCN names none.
        assert rows["Riverside Practice"][0] == [register.State.COVERED]
        assert rows["Riverside Practice"][1].covered_by.user == area["icb_mso"]

    def test_a_practice_nobody_covers_has_no_cover_and_is_not_vacant(self, lead):
        OrganisationFactory(practice=True, name="Lone Practice")
        rows = self.rows(lead)
        assert rows["Lone Practice"][0] == [register.State.NOT_COVERED]
        assert "Lone Practice" not in self.rows(lead, state="vacant")
        assert set(self.rows(lead, state="not-covered")) == {"Lone Practice"}

    def test_the_page_and_export_say_who_covers(self, area, lead, client_for):
        client = client_for(lead)
        page = client.get(reverse("register:list"), {"q": "Riverside Practice"})
        assert "Covered by Laura Kent, MSO of Demo ICB" in page.text
        export = client.get(reverse("register:export", args=["csv"]), {"q": "Riverside"})
        lines = list(csv.reader(b"".join(export.streaming_content).decode().splitlines()))
        header = lines[0]
        practice = next(line for line in lines if "Riverside Practice" in line)
        assert practice[header.index("MSO cover")] == "Laura Kent, MSO of Demo ICB"


class TestThePastDeadlineList:
    def test_says_who_answers_and_never_calls_a_covered_organisation_vacant(
        self, area, lead, patient_safety_team, client_for, time_machine
    ):
        body = OrganisationFactory(kind=Kind.PHARMACY_BODY, ods_code="FNB01", name="The Body")
        pharmacy = OrganisationFactory(pharmacy=True, name="Corner Pharmacy")
        RelationshipFactory(parent=body, child=pharmacy)
        post_holder(body, Post.MSO, full_name="Grace Obi")
        alert = draft(
            patient_safety_team,
            applicable_kinds=[Kind.NHS_TRUST, Kind.GP_PRACTICE, Kind.COMMUNITY_PHARMACY],
        )
        alert_services.alert_publish(by=patient_safety_team, alert=alert)
        time_machine.move_to(ISSUED + datetime.timedelta(days=60))
        page = client_for(lead).get(reverse("alerts:overdue")).text
        rows = {
            name: page.split(name, 1)[1].split("</tr>", 1)[0]
            for name in ("Demo Trust", "Riverside Practice", "Corner Pharmacy")
        }
        assert "Vacant" in rows["Demo Trust"]
        assert "Covered by Laura Kent, MSO of Demo ICB" in rows["Riverside Practice"]
        assert "Covered by Grace Obi, MSO of The Body" in rows["Corner Pharmacy"]
        assert "Vacant" not in rows["Riverside Practice"] + rows["Corner Pharmacy"]
        compliance = client_for(lead).get(reverse("alerts:compliance", args=[alert.pk])).text
        assert "Covered by Grace Obi, MSO of The Body" in compliance
