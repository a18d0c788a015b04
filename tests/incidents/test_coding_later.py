"""The safety team codes from the dm+d a medicine the reporter's words did not code: the words
find the candidates, the reviewer picks one, and the flags follow the code."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from incidents.models import IncidentEvent
from medicines import lookup
from notifications.models import Notification
from organisations.choices import Post
from tests.factories import post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def code_url(incident):
    medicine = incident.medicines.get()
    return reverse("incidents:medicine_code", args=[incident.reference, medicine.pk])


def test_the_reviewer_codes_a_brand_and_its_flags_follow(
    assert_access, dmd, trust, staff, mso, other_mso
):
    incident = report(trust, staff, medicines=("oramorph liquid",))
    medicine = incident.medicines.get()
    assert (medicine.dmd_code, medicine.cd_schedule, medicine.high_risk_group) == ("", "2", "")
    url = code_url(incident)
    page = assert_access(url, allowed=mso, other_organisation=other_mso, wrong_role=staff)
    assert "No dm+d medicine holds every one of these words" in page.text  # "liquid"
    page = assert_access(
        url + "?q=oramorph", allowed=mso, other_organisation=other_mso, wrong_role=staff
    )
    assert "Oramorph 10mg/5ml oral solution (morphine sulfate 10mg/5ml oral solution)" in page.text
    oramorph = lookup.by_name("Oramorph 10mg/5ml oral solution")
    assert_access(
        url + "?q=oramorph",
        method="post",
        data={"code": oramorph.code},
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    medicine.refresh_from_db()
    incident.refresh_from_db()
    assert medicine.name == "oramorph liquid"  # the reporter's words stay
    assert (medicine.dmd_code, medicine.cd_schedule, medicine.high_risk_group) == (
        oramorph.code,
        "5",
        "Opioid",
    )
    assert incident.high_risk and incident.controlled_drug
    note = IncidentEvent.objects.get(incident=incident, kind="corrected").note
    assert "as Oramorph 10mg/5ml oral solution" in note
    assert LogEntry.objects.get_for_object(medicine).filter(changes__icontains="dmd_code").exists()


def test_a_code_not_offered_is_a_clear_message_and_nothing_changes(client_for, dmd, trust, mso):
    incident = report(trust, mso, medicines=("the blue pills",))
    response = client_for(mso).post(code_url(incident), {"code": "123"})
    assert "Select the medicine from the list" in response.text
    assert incident.medicines.get().dmd_code == ""


def test_coding_that_makes_it_a_controlled_drug_incident_tells_the_cdao(
    client_for, dmd, trust, staff, mso
):
    cdao = post_holder(trust, Post.CDAO)
    incident = report(trust, staff, medicines=("the tablets from home",))
    assert not incident.controlled_drug
    diazepam = lookup.by_name("Diazepam 5mg tablets")
    client_for(mso).post(code_url(incident) + "?q=diazepam", {"code": diazepam.code})
    incident.refresh_from_db()
    assert incident.controlled_drug
    assert Notification.objects.filter(recipient=cdao, kind="controlled-drug-reported").exists()


def test_the_list_finds_the_incidents_with_a_medicine_not_coded(client_for, dmd, trust, staff, mso):
    coded = report(trust, staff, medicines=("Warfarin 3mg tablets",))
    not_coded = report(trust, staff, medicines=("the blue pills",))
    page = client_for(mso).get(reverse("incidents:list"), {"flags": "not-coded"}).text
    assert not_coded.reference in page and coded.reference not in page
    detail = client_for(mso).get(not_coded.get_absolute_url()).text
    assert code_url(not_coded) in detail


def test_a_medicine_of_an_anonymous_report_is_coded_too(client_for, dmd, trust, staff, mso):
    incident = report(trust, staff, medicines=("the blue pills",), anonymous=True)
    warfarin = lookup.by_name("Warfarin 3mg tablets")
    response = client_for(mso).post(code_url(incident) + "?q=warfarin", {"code": warfarin.code})
    assert response.status_code == 302
    assert incident.medicines.get().dmd_code == warfarin.code


def test_the_pages_cost_the_same_however_many_rows(
    client_for, page_queries, dmd, trust, staff, mso
):
    incident = report(trust, staff, medicines=("the blue pills",))
    pages = [
        code_url(incident) + "?q=morphine",
        reverse("incidents:high_risk", args=[trust.ods_code]),
    ]
    client = client_for(mso)
    few = [page_queries(client, page) for page in pages]
    for medicine, group in (
        ("Amiodarone", "Antiarrhythmic"),
        ("Paracetamol", "Analgesic"),
        ("Cozaar 50mg tablets", "Sartan"),  # a brand: its product is added
    ):
        client.post(
            reverse("incidents:high_risk", args=[trust.ods_code]),
            {"medicine": medicine, "group": group},
        )
    assert [page_queries(client, page) for page in pages] == few


def test_the_demo_has_a_medicine_for_the_safety_team_to_code():
    from demo.incidents import SCENARIOS
    from medicines.lookup import by_name

    names = [name for scenario in SCENARIOS for name, _, _ in scenario[2]]
    assert "Senna (own supply)" in names and by_name("Senna (own supply)") is None
