"""Is the alert working, across every organisation a lead sees (alerts.effect.effect_in): read
from the kept national trends, equal to a count of the incidents themselves (an incident once
under a substance or a product, however many of its products and brands it names); an incident
naming two of an alert's medicines counts under each, and the page says so; a brand alone is
counted from the incidents; small numbers kept from view; the lead's page reads no incident."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.effect import effect, effect_in
from core import disclosure
from incidents.models import Dimension, IncidentTrend
from organisations.choices import Region, Role
from organisations.models import Organisation
from tests.alerts.conftest import draft
from tests.factories import OrganisationFactory, UserFactory, member, network_lead
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
ISSUED = datetime.date(2026, 3, 10)
ON = datetime.date(2026, 7, 15)
MORPHINE_ORAL = "Morphine sulfate 10mg/5ml oral solution"
MORPHINE_INJECTION = "Morphine sulfate 10mg/1ml solution for injection ampoules"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 7, 15, 9)), tick=False):
        yield


def alert(*medicines, actions=(), reference="NatPSA/2026/004/NHSPS"):
    made = draft(UserFactory(), reference=reference, issued_on=ISSUED, actions=list(actions) or [])
    made.medicines.all().delete()
    for name in medicines:
        made.medicines.create(name=name)
    return made


def everyone():
    return list(Organisation.objects.values_list("pk", flat=True))


@pytest.fixture
def reported(dmd):
    """Incidents in three London trusts before and after the alert, some naming two products."""
    trusts = [OrganisationFactory(region=Region.LONDON) for _ in range(3)]
    for trust in trusts:
        staff = member(trust, Role.STAFF)
        for day in (datetime.date(2026, 1, 5), datetime.date(2026, 2, 5)):
            report(trust, staff, occurred_on=day, medicines=(MORPHINE_ORAL,))
        report(
            trust,
            staff,
            occurred_on=datetime.date(2026, 5, 5),
            medicines=(MORPHINE_ORAL, MORPHINE_INJECTION),
        )
        report(
            trust, staff, occurred_on=datetime.date(2026, 6, 5), medicines=("Warfarin 3mg tablets",)
        )
    return trusts


@pytest.mark.parametrize("medicine", ["Morphine", MORPHINE_ORAL])
def test_the_kept_counts_equal_the_incidents(reported, medicine):
    named = alert(medicine)
    kept, live = effect_in(named, None, on=ON), effect(named, everyone(), on=ON)
    assert kept.months == live.months and (kept.before, kept.after) == (live.before, live.after)
    assert not kept.counted_for_each


def test_an_incident_naming_two_of_the_alerts_medicines_counts_under_each(reported):
    named = alert(MORPHINE_ORAL, MORPHINE_INJECTION)
    kept = effect_in(named, None, on=ON)
    may = {month: n for month, n, _ in kept.months}["May 2026"]
    assert may == 6 and effect(named, everyone(), on=ON).after == 3  # 3 incidents, each twice
    assert kept.counted_for_each


def test_a_brand_alone_is_counted_from_the_incidents(reported):
    named = alert("Oramorph 10mg/5ml oral solution")
    assert effect_in(named, None, on=ON).months == effect(named, everyone(), on=ON).months


def test_small_numbers_are_kept_from_view(reported):
    found = effect_in(alert("Morphine"), None, on=ON)
    assert found.hidden  # months of 3 incidents
    assert found.before_cell.value == 6  # January and February, 3 trusts each
    assert found.after_cell == disclosure.Cell(None, disclosure.FEWER_THAN_5)  # 3 in May
    assert found.change == ""


def test_a_regional_lead_counts_their_region(reported):
    IncidentTrend.objects.filter(dimension=Dimension.SUBSTANCE).update(region=Region.MIDLANDS)
    assert effect_in(alert("Morphine"), [Region.LONDON], on=ON).before == 0


def test_the_leads_page_reads_no_incident(client_for, reported, patient_safety_team):
    from alerts import services

    named = alert(
        "Morphine", actions=[{"description": "Check the stock", "due_on": ISSUED.replace(day=30)}]
    )
    services.alert_publish(by=patient_safety_team, alert=named)
    client = client_for(network_lead())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("alerts:detail", args=[named.pk]))
    assert page.context["effect"].before == 6
    assert not [q for q in queries.captured_queries if '"incidents_incident"' in q["sql"]]
    assert "fewer than 5" in page.content.decode().lower()


def test_what_one_organisation_reported_is_not_shown_to_a_lead(dmd, trust, staff):
    oramorph = "Oramorph 10mg/5ml oral solution"
    for day in range(1, 7):
        report(trust, staff, occurred_on=datetime.date(2026, 2, day), medicines=(oramorph,))
        report(trust, staff, occurred_on=datetime.date(2026, 5, day), medicines=(oramorph,))
    kept = alert("Morphine")  # from the kept trends
    live = alert(oramorph, reference="NatPSA/2026/005/NHSPS")  # a brand alone: the incidents
    for named in (kept, live):
        found = effect_in(named, None, on=ON)
        assert (found.before, found.after) == (6, 6)  # 6 in February, 6 in May: one trust's
        assert found.hidden and found.change == ""
        assert not found.before_cell.shown and not found.after_cell.shown
