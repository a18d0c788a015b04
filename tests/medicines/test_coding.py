"""A reported medicine is coded from the dm+d when it is given by code or named in full, and
then its controlled-drug schedule is the dm+d's, not guessed from the name; a medicine the dm+d
does not know stays as typed, marked not coded, and is classed from its name until the safety
team codes it."""

from pathlib import Path

import pytest

from medicines import lookup
from medicines.dmd import import_release
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "medicines" / "sample_release"


@pytest.fixture(autouse=True)
def release():
    import_release(SAMPLE)


def schedule_of(trust, staff, name):
    medicine = report(trust, staff, medicines=(name,)).medicines.get()
    return medicine.dmd_code, medicine.cd_schedule


def test_a_brand_name_in_full_is_coded_with_its_vmps_schedule(trust, staff):
    code, schedule = schedule_of(trust, staff, "oramorph  10mg/5ml oral solution")
    assert lookup.by_code(code).name == "Oramorph 10mg/5ml oral solution"
    assert schedule == "5"  # by its name alone it would be taken for Schedule 2 morphine


def test_codeine_injection_is_schedule_2_and_its_tablets_schedule_5(trust, staff):
    injection = "Codeine phosphate 60mg/1ml solution for injection ampoules"
    assert schedule_of(trust, staff, injection)[1] == "2"
    assert schedule_of(trust, staff, "Codeine phosphate 30mg tablets")[1] == "5"


def test_a_code_given_wins_over_the_name(trust, staff):
    from incidents import services
    from tests.incidents.conftest import DETAILS

    vmp = lookup.by_name("Losartan potassium 50mg tablets")
    incident, _ = services.report_submit(
        by=staff,
        organisation=trust,
        details=DETAILS,
        medicines=[{"name": "the potassium tablets", "dmd_code": vmp.code}],
    )
    medicine = incident.medicines.get()
    assert (medicine.dmd_code, medicine.cd_schedule) == (vmp.code, "")


def test_a_substance_alone_keeps_the_schedule_from_its_name(trust, staff):
    code, schedule = schedule_of(trust, staff, "Morphine")
    assert lookup.by_code(code).level == "VTM"
    assert schedule == "2"  # the strictest of its products, until a product is named


def test_a_medicine_the_dmd_does_not_know_is_not_coded(trust, staff, client_for, mso):
    incident = report(trust, staff, medicines=("Grandma's herbal tea",))
    assert incident.medicines.get().dmd_code == ""
    page = client_for(mso).get(incident.get_absolute_url()).content.decode()
    assert "Not coded from the dm+d" in page
