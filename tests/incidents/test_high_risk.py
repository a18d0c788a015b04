"""The high-risk medicines list, kept by dm+d code (incidents/medicines.py): the national list
keyed to the dm+d loaded, with the alert each group comes from; an MSO's own substances and
products; national ones switched off and back on; and new reports flagged by code, never by
words in a name."""

import pytest
from django.urls import reverse

from incidents import medicines
from incidents.models import HighRiskMedicine
from medicines import lookup
from medicines.dmd import SAMPLE_RELEASE, import_release
from tests.factories import CONFIRMED
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def flag(trust, staff, name):
    medicine = report(trust, staff, medicines=(name,)).medicines.get()
    return medicine.high_risk_group, medicine.cd_schedule


@pytest.mark.parametrize(
    ("name", "group", "schedule"),
    [
        ("Oramorph 10mg/5ml oral solution", "Opioid", "5"),
        ("morphine sulfate 10 mg/5 ml oral solution", "Opioid", "5"),
        ("Codeine phosphate 60mg/1ml solution for injection ampoules", "Opioid", "2"),
        ("Hypurin Porcine Neutral 100units/ml solution for injection 10ml vials", "Insulin", ""),
        ("Lantus 100units/ml solution for injection 3ml pre-filled SoloStar pen", "Insulin", ""),
        ("Sativex oromucosal spray", "", "4"),
        ("Losartan potassium 50mg tablets", "", ""),
        (
            "Potassium chloride 15% (potassium 2mmol/ml) concentrate for solution for infusion "
            "10ml ampoules",
            "Potassium concentrate",
            "",
        ),
        (
            "Potassium chloride 0.3% (potassium 20mmol/500ml) / Sodium chloride 0.9% solution "
            "for infusion 500ml bags",
            "",
            "",
        ),
        ("Hydromorphone 1.3mg capsules", "Opioid", "2"),
        ("Warfarin", "Anticoagulant", ""),
        ("Midazolam 10mg/2ml solution for injection ampoules", "Midazolam", "3"),
        ("Paracetamol 500mg tablets", "", ""),
    ],
)
def test_medicines_are_flagged_by_their_dmd_codes(dmd, trust, staff, name, group, schedule):
    assert flag(trust, staff, name) == (group, schedule)


def test_hydromorphone_is_not_morphine(dmd):
    hydromorphone = lookup.by_name("Hydromorphone 1.3mg capsules")
    morphine = lookup.by_name("Morphine")
    assert morphine.code not in hydromorphone.codes
    assert medicines.schedule_from_name("Hydromorphone 2mg") == "2"  # as itself


def test_a_medicine_not_coded_is_not_flagged_high_risk_by_its_words(dmd, trust, staff):
    # "potassium" and "insulin" in a name the dm+d does not know flag nothing.
    assert flag(trust, staff, "potassium tablets from home") == ("", "")
    assert flag(trust, staff, "the insulin pen") == ("", "")


def test_the_national_list_is_keyed_to_the_release_and_again_the_same(dmd):
    national = HighRiskMedicine.objects.filter(organisation=None)
    first = sorted(national.values_list("dmd_code", "level", "name", "group"))
    assert ("VTM", "Warfarin", "Anticoagulant") in [row[1:] for row in first]
    assert all(code for code, *_ in first)
    again = import_release(SAMPLE_RELEASE)
    assert sorted(national.values_list("dmd_code", "level", "name", "group")) == first
    assert any(note.startswith("High-risk medicines: ") for note in again.notes)
    assert "not found: " in again.notes[0] and "Rivaroxaban" in again.notes[0]


def test_the_page_names_the_source_and_says_when_no_release_is_loaded(client_for, mso, trust):
    url = reverse("incidents:high_risk", args=[trust.ods_code])
    assert "No dm+d release is loaded here yet" in client_for(mso).get(url).text
    import_release(SAMPLE_RELEASE)
    page = client_for(mso).get(url).text
    assert "NPSA/2007/18: Actions that can make anticoagulant therapy safer" in page
    assert "Warfarin" in page and "Every product of it" in page


def test_the_mso_changes_the_list(assert_access, client_for, dmd, mso, other_mso, staff, trust):
    url = reverse("incidents:high_risk", args=[trust.ods_code])
    assert_access(url, allowed=mso, other_organisation=other_mso, wrong_role=staff)
    assert flag(trust, staff, "Amiodarone 200mg tablets")[0] == ""
    assert_access(
        url,
        method="post",
        data={"medicine": "amiodarone", "group": "Antiarrhythmic"},
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    own = HighRiskMedicine.objects.get(organisation=trust)
    assert (own.level, own.name) == ("VTM", "Amiodarone")
    assert flag(trust, staff, "Amiodarone 200mg tablets")[0] == "Antiarrhythmic"
    warfarin = HighRiskMedicine.objects.get(organisation=None, name="Warfarin")
    assert_access(
        reverse("incidents:high_risk_remove", args=[trust.ods_code, warfarin.pk]),
        method="post",
        data=CONFIRMED,
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    assert flag(trust, staff, "Warfarin 3mg tablets")[0] == ""


def test_a_brand_adds_its_product(client_for, dmd, mso, trust, staff):
    client_for(mso).post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"medicine": "Cozaar 50mg tablets", "group": "Sartan"},
    )
    own = HighRiskMedicine.objects.get(organisation=trust)
    assert (own.level, own.name) == ("VMP", "Losartan potassium 50mg tablets")
    assert flag(trust, staff, "Cozaar 50mg tablets")[0] == "Sartan"


def test_a_medicine_the_dmd_does_not_name_is_a_clear_message(client_for, dmd, mso, trust):
    response = client_for(mso).post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"medicine": "amiodarone tabs", "group": "Antiarrhythmic"},
    )
    assert "Enter a medicine as the dm+d names it" in response.text
    assert 'value="amiodarone tabs"' in response.text
    assert not HighRiskMedicine.objects.filter(organisation=trust).exists()


def test_a_medicine_already_listed_is_a_clear_message(client_for, dmd, mso, trust):
    response = client_for(mso).post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"medicine": "Warfarin", "group": "Anticoagulant"},
    )
    assert "Warfarin is already on the national list (Anticoagulant)" in response.text


def test_a_national_medicine_switched_off_comes_back(client_for, dmd, mso, trust, staff):
    client = client_for(mso)
    warfarin = HighRiskMedicine.objects.get(organisation=None, name="Warfarin")
    client.post(
        reverse("incidents:high_risk_remove", args=[trust.ods_code, warfarin.pk]), CONFIRMED
    )
    assert (
        "Switched off here"
        in client.get(reverse("incidents:high_risk", args=[trust.ods_code])).text
    )
    client.post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"medicine": warfarin.dmd_code, "group": "Anticoagulant"},
    )
    assert flag(trust, staff, "Warfarin 3mg tablets")[0] == "Anticoagulant"


def test_each_organisation_keeps_its_own_list(dmd, trust, other_trust):
    warfarin = HighRiskMedicine.objects.get(organisation=None, name="Warfarin")
    HighRiskMedicine.objects.create(
        organisation=trust, dmd_code=warfarin.dmd_code, name="Warfarin", group="x", excluded=True
    )
    assert warfarin.dmd_code not in medicines.high_risk_codes(trust)
    assert medicines.high_risk_codes(other_trust)[warfarin.dmd_code] == "Anticoagulant"


def test_another_organisations_medicine_cannot_be_touched(client_for, mso, trust, other_trust):
    theirs = HighRiskMedicine.objects.create(
        organisation=other_trust, dmd_code="1", name="x", group="y"
    )
    url = reverse("incidents:high_risk_remove", args=[trust.ods_code, theirs.pk])
    assert client_for(mso).post(url).status_code == 404


def test_switched_back_on_when_the_national_list_no_longer_has_it_it_is_the_organisations_own(
    client_for, dmd, mso, trust, staff
):
    warfarin = HighRiskMedicine.objects.get(organisation=None, name="Warfarin")
    client = client_for(mso)
    client.post(
        reverse("incidents:high_risk_remove", args=[trust.ods_code, warfarin.pk]), CONFIRMED
    )
    warfarin.delete()  # the national list, keyed again, dropped it
    client.post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"medicine": "Warfarin", "group": "Anticoagulant"},
    )
    own = HighRiskMedicine.objects.get(organisation=trust)
    assert not own.excluded and flag(trust, staff, "Warfarin 3mg tablets")[0] == "Anticoagulant"


def test_taking_off_a_national_medicine_the_organisation_also_added_switches_it_off(
    client_for, dmd, mso, trust, staff
):
    warfarin = HighRiskMedicine.objects.get(organisation=None, name="Warfarin")
    HighRiskMedicine.objects.create(
        organisation=trust, dmd_code=warfarin.dmd_code, name="Warfarin", group="Mine"
    )
    remove = reverse("incidents:high_risk_remove", args=[trust.ods_code, warfarin.pk])
    client_for(mso).post(remove, CONFIRMED)
    assert flag(trust, staff, "Warfarin 3mg tablets")[0] == ""


def test_a_medicine_whose_code_the_dmd_replaced_keeps_flagging(dmd, trust, staff):
    from medicines.models import Vtm

    amiodarone = Vtm.objects.get(name="Amiodarone")
    HighRiskMedicine.objects.create(
        organisation=trust, dmd_code="1111", level="VTM", name="Amiodarone", group="Mine"
    )
    Vtm.objects.filter(pk=amiodarone.pk).update(previous_id="1111")
    note = medicines.refresh_national()
    assert "1 of the organisations' medicines moved" in note
    assert flag(trust, staff, "Amiodarone 200mg tablets")[0] == "Mine"


def test_a_dmd_name_with_spaces_between_numbers_and_words_is_found_as_written(dmd):
    from medicines.models import Vmp

    name = "Adrenaline (base) 1mg/1ml (1 in 1,000) solution for injection ampoules"
    Vmp.objects.create(id="9991999000001105", name=name, cd_category="0000")
    assert lookup.by_name(name.lower()).code == "9991999000001105"
