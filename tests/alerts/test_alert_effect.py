"""Is the alert working? Only for alerts about how medicines are used; medicines matched by
dm+d code (a substance covers its products and brands; hydromorphone is not morphine); equal
periods either side of the month of issue, their lengths said; no percentage on fewer than ten
incidents; whole-number ticks on its chart."""

import datetime

import pytest

from alerts.effect import effect
from incidents.charts import columns
from tests.alerts.conftest import draft
from tests.factories import UserFactory
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
ISSUED = datetime.date(2026, 3, 10)
ON = datetime.date(2026, 7, 15)  # March, the month of issue, then April to June complete


REFERENCES = {
    "natpsa": "NatPSA/2026/004/NHSPS",
    "recall-1": "NatPSA/2026/005/MHRA",
    "recall-2": "EL (26)A/02",
    "supply": "SDA/2026/001",
    "device": "MDA/2026/001",
}


def alert(medicine="Morphine", alert_type="natpsa"):
    made = draft(
        UserFactory(),
        reference=REFERENCES[alert_type],
        alert_type=alert_type,
        issued_on=ISSUED,
        actions=[],
    )
    made.medicines.all().delete()
    made.medicines.create(name=medicine)
    return made


def incidents(trust, staff, name, days):
    for day in days:
        report(trust, staff, occurred_on=day, medicines=(name,))


def test_a_substance_covers_its_products_and_brands_and_nothing_else(dmd, trust, staff):
    incidents(trust, staff, "Oramorph 10mg/5ml oral solution", [datetime.date(2026, 1, 5)])
    incidents(
        trust,
        staff,
        "Morphine sulfate 10mg/1ml solution for injection ampoules",
        [datetime.date(2026, 2, 5)],
    )
    incidents(trust, staff, "Hydromorphone 1.3mg capsules", [datetime.date(2026, 2, 6)])
    incidents(trust, staff, "morphine tablets from home", [datetime.date(2026, 2, 7)])  # not coded
    found = effect(alert(), [trust.pk], on=ON)
    counts = {month: n for month, n, _ in found.months}
    assert counts["Jan 2026"] == 1 and counts["Feb 2026"] == 1


def test_equal_periods_either_side_and_too_few_to_say(dmd, trust, staff):
    incidents(trust, staff, "Warfarin 3mg tablets", [datetime.date(2026, 2, 1)] * 3)
    incidents(trust, staff, "Warfarin 3mg tablets", [datetime.date(2026, 3, 20)] * 5)  # neither
    incidents(trust, staff, "Warfarin 3mg tablets", [datetime.date(2025, 11, 1)] * 4)  # too early
    found = effect(alert("Warfarin"), [trust.pk], on=ON)
    # April to June since; December to February before (not November).
    assert (found.period, found.before, found.after) == (3, 3, 0)
    assert found.too_few and found.change == ""


def test_a_change_in_words_when_there_are_enough(dmd, trust, staff):
    incidents(trust, staff, "Warfarin 3mg tablets", [datetime.date(2026, 1, 3)] * 8)
    incidents(trust, staff, "Warfarin 3mg tablets", [datetime.date(2026, 5, 3)] * 2)
    found = effect(alert("Warfarin"), [trust.pk], on=ON)
    assert (found.before, found.after) == (8, 2)
    assert found.change == "75% fewer"


def test_a_recall_or_supply_notice_is_not_counted(dmd, trust, staff):
    for kind in ("recall-1", "recall-2", "supply", "device"):
        assert not effect(alert(alert_type=kind), [trust.pk], on=ON).about_use


def test_a_medicine_the_dmd_does_not_code_is_named_and_not_counted(dmd, trust):
    found = effect(alert("Grandma's tonic"), [trust.pk], on=ON)
    assert found.not_coded == ["Grandma's tonic"] and found.terms == []


def test_the_chart_ticks_are_whole_numbers_on_its_gridlines():
    chart = columns([("Jan", 3, False), ("Feb", 1, True)])
    assert [tick["value"] for tick in chart["ticks"]] == [0, 1, 2, 3]
    tallest = chart["columns"][0]
    assert tallest["y"] == chart["ticks"][-1]["y"]  # the column of 3 meets the top gridline
