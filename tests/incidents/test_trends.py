"""National and regional trends (incidents/trends.py): kept by region, month and coded value
with every write and equal to a rebuild; charted as Making Data Count does; small numbers kept
from view, with the series that would give one away by subtraction; emerging medicines flagged
by the SPC rules; read in a constant number of queries."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core import spc
from incidents import services, summary, trends
from incidents.models import Dimension, IncidentTrend
from organisations.choices import Region, Role
from tests.factories import OrganisationFactory, member, network_lead
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)
INSULIN = "Insulin aspart 100units/ml solution for injection 10ml vials"
INSULIN_VTM = "9990010000001101"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 11, 20, 9)), tick=False):
        yield


def kept() -> dict:
    return {
        (row.dimension, row.value, row.region, row.month): (row.count, row.organisations)
        for row in IncidentTrend.objects.all()
        if row.count
    }


def tallied() -> dict:
    from incidents.models import IncidentTally

    return {
        (row.region, row.kind, row.month): (row.total, row.open)
        for row in IncidentTally.objects.all()
        if row.total
    }


def test_the_trends_follow_every_write_and_equal_a_rebuild(dmd, trust, other_trust, mso):
    staff = member(trust, Role.STAFF)
    october = datetime.date(2026, 10, 3)
    first = report(
        trust,
        staff,
        medicines=(INSULIN,),
        occurred_on=october,
        physical_harm="3",
        drugs_involved=["2"],
        too_little=["6"],
    )
    report(other_trust, member(other_trust, Role.STAFF), medicines=(INSULIN,), occurred_on=october)
    month, region = datetime.date(2026, 10, 1), trust.region
    rows = kept()
    assert rows[("substance", INSULIN_VTM, region, month)] == (2, 2)
    assert rows[("theme", "too_little:6", region, month)] == (1, 1)
    assert rows[("harm", "3", region, month)] == (1, 1)
    assert rows[("all", "", region, month)] == (2, 2)

    services.review_start(by=mso, incident=first)
    services.incident_correct(
        by=mso, incident=first.__class__.objects.get(pk=first.pk), changes={"physical_harm": "4"}
    )
    rows = kept()
    assert ("harm", "3", region, month) not in rows
    assert rows[("harm", "4", region, month)][0] == 1 + (trust.region == other_trust.region)
    before = kept()
    summary.rebuild_tallies()
    assert kept() == before


def series_rows(value, region, counts, *, dimension=Dimension.STAGE, organisations=3):
    """Kept trend rows of one value: ``counts`` a month, the last month the one filling."""
    months = trends.months_to(TODAY)
    return [
        IncidentTrend(
            dimension=dimension,
            value=value,
            region=region,
            month=month,
            count=count,
            organisations=organisations if count else 0,
        )
        for month, count in zip(months, counts, strict=True)
    ]


def load(*groups):
    IncidentTrend.objects.bulk_create([row for group in groups for row in group])


def steady(level=10):
    return [level, level + 2, level - 1, level + 1] * 6


def test_a_series_with_a_small_month_is_not_charted_nor_the_one_beside_it():
    london = Region.LONDON
    small = steady()
    small[5] = 3  # a month of 3 incidents
    load(
        series_rows(
            "",
            london,
            [sum(x) for x in zip(steady(20), steady(), small, strict=True)],
            dimension=Dimension.ALL,
        ),
        series_rows("5", london, steady(20), dimension=Dimension.HARM),
        series_rows("4", london, steady(), dimension=Dimension.HARM),
        series_rows("3", london, small, dimension=Dimension.HARM),
    )
    found = trends.trends(Dimension.HARM, london, [london], on=TODAY)
    by_value = {each.value: each for each in found.series}
    assert found.all.shown and found.all.chart is not None
    assert by_value["3"].why == trends.HIDDEN and by_value["3"].chart is None
    # Moderate harm would be all incidents less the rest: the smallest other level goes too.
    assert by_value["4"].why == trends.WOULD_DISCLOSE
    assert by_value["5"].shown


def test_a_month_from_fewer_than_3_organisations_is_not_shown():
    load(series_rows("1", Region.LONDON, steady(), organisations=2))
    found = trends.trends(Dimension.STAGE, Region.LONDON, [Region.LONDON], on=TODAY)
    assert found.series[0].why == trends.HIDDEN


def test_a_lone_hidden_region_takes_the_next_smallest_with_it():
    small = steady()
    small[3] = 2
    load(
        series_rows("1", Region.LONDON, steady(30)),
        series_rows("1", Region.MIDLANDS, steady(12)),
        series_rows("1", Region.NORTH_WEST, small),
    )
    england = trends.trends(Dimension.STAGE, trends.ENGLAND, None, on=TODAY)
    assert england.series[0].shown  # the sum names nobody
    midlands = trends.trends(Dimension.STAGE, Region.MIDLANDS, None, on=TODAY)
    assert midlands.series[0].why == trends.WOULD_DISCLOSE  # else England less London gives it
    london = trends.trends(Dimension.STAGE, Region.LONDON, None, on=TODAY)
    assert london.series[0].shown


def test_a_rising_medicine_is_emerging_by_the_spc_rules(dmd):
    rising = [20, 22, 19, 21] * 5 + [20, 21, 60, 30]  # the last complete month above the limit
    load(
        series_rows(INSULIN_VTM, Region.LONDON, rising, dimension=Dimension.SUBSTANCE),
        series_rows("9990011000001101", Region.LONDON, steady(20), dimension=Dimension.SUBSTANCE),
    )
    found = trends.trends(Dimension.SUBSTANCE, Region.LONDON, [Region.LONDON], on=TODAY)
    assert [(each.words, each.signal) for each in found.emerging] == [
        ("Insulin aspart", spc.Cause.ABOVE_LIMIT.label)
    ]
    assert found.series[0].value == INSULIN_VTM  # emerging first


def test_network_leads_see_the_trends_of_the_regions_they_lead(assert_access, staff):
    load(series_rows("1", Region.LONDON, steady(30)), series_rows("1", Region.MIDLANDS, steady()))
    lead = network_lead(region=Region.LONDON)
    url = reverse("incidents:trends") + "?dimension=stage&region=midlands"
    response = assert_access(url, allowed=lead, wrong_role=staff)
    assert response.context["trends"].region == Region.LONDON  # not a region they lead
    assert [code for code, _ in response.context["form"].fields["region"].choices] == ["london"]
    assert response.context["trends"].series[0].counts == steady(30)


def test_the_page_reads_a_few_queries_however_many_values(
    client_for, django_assert_max_num_queries
):
    lead = network_lead()
    client = client_for(lead)
    url = reverse("incidents:trends") + "?dimension=theme"
    load(series_rows("too_much:1", Region.LONDON, steady(), dimension=Dimension.THEME))
    client.get(url)
    load(
        *(
            series_rows(f"too_little:{code}", region, steady(), dimension=Dimension.THEME)
            for code in range(1, 7)
            for region in (Region.LONDON, Region.SOUTH_WEST)
        )
    )
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["trends"].series) == 7
    html = response.content.decode()
    assert html.count('class="mso-chart"') == 8 and 'id="trend-7-title"' in html


def test_no_words_of_an_incident_reach_the_page(client_for, trust, staff):
    for _ in range(3):
        OrganisationFactory(region=trust.region)
    incident = report(trust, staff, occurred_on=datetime.date(2026, 9, 2))
    html = client_for(network_lead()).get(reverse("incidents:trends")).content.decode()
    assert incident.what_happened not in html and incident.reference not in html


def test_what_is_hidden_on_one_page_cannot_be_worked_out_from_the_others():
    """A hidden harm level and the region beside it are hidden on every page, so that no
    level can be found by taking England's, the other regions' or the other levels' away."""
    london, midlands, north_west = Region.LONDON, Region.MIDLANDS, Region.NORTH_WEST
    small = steady()
    small[5] = 3
    rows = []
    for region in (london, midlands, north_west):
        parts = {"5": steady(40), "4": steady(20), "3": small if region == london else steady(30)}
        for value, counts in parts.items():
            rows += series_rows(value, region, counts, dimension=Dimension.HARM)
        rows += series_rows(
            "", region, [sum(x) for x in zip(*parts.values(), strict=True)], dimension=Dimension.ALL
        )
    load(rows)
    shown = {
        (region, each.value)
        for region in (trends.ENGLAND, london, midlands, north_west)
        for each in trends.trends(Dimension.HARM, region, None, on=TODAY).series
        if each.shown
    }
    for value in ("3", "4"):  # London's: hidden, and hidden beside it
        assert (london, value) not in shown
        # England's less the other regions' would give London's: one of them is hidden too.
        assert not {(trends.ENGLAND, value), (midlands, value), (north_west, value)} <= shown


def test_a_lone_hidden_region_hides_another_even_where_england_is_hidden():
    months = trends.months_to(TODAY)
    lone = [0] * trends.MONTHS
    lone[5] = 2
    load(
        series_rows("1", Region.LONDON, lone, organisations=1),
        series_rows("1", Region.MIDLANDS, [0 if i == 5 else n for i, n in enumerate(steady())]),
        series_rows("1", Region.NORTH_WEST, [0 if i == 5 else n for i, n in enumerate(steady(20))]),
    )
    assert len(months) == trends.MONTHS
    charted = [
        region
        for region in (Region.MIDLANDS, Region.NORTH_WEST)
        if trends.trends(Dimension.STAGE, region, None, on=TODAY).series[0].shown
    ]
    assert charted == [Region.NORTH_WEST]  # the smaller hidden beside London


def test_an_organisations_own_high_risk_group_is_never_counted_nationally(
    dmd, trust, staff, client_for
):
    from incidents.models import HighRiskMedicine
    from medicines.models import Vtm

    morphine = Vtm.objects.get(name="Morphine")
    HighRiskMedicine.objects.create(
        organisation=trust, dmd_code=morphine.pk, level="VTM", name="Morphine", group="Bay 4 plan"
    )
    report(trust, staff, occurred_on=datetime.date(2026, 9, 3), medicines=("Morphine",))
    assert not IncidentTrend.objects.filter(dimension=Dimension.GROUP, value="Bay 4 plan")
    summary.rebuild_tallies()
    assert not IncidentTrend.objects.filter(dimension=Dimension.GROUP, value="Bay 4 plan")
    html = client_for(network_lead()).get(reverse("incidents:trends") + "?dimension=group")
    assert "Bay 4 plan" not in html.content.decode()


def test_an_organisation_moving_region_takes_its_counts_with_it(trust, staff):
    report(trust, staff, occurred_on=datetime.date(2026, 10, 3))
    trust.region = Region.MIDLANDS if trust.region != Region.MIDLANDS else Region.LONDON
    trust.save()
    report(trust, staff, occurred_on=datetime.date(2026, 10, 4))
    moved, tallies = kept(), tallied()
    summary.rebuild_tallies()
    assert kept() == moved and tallied() == tallies
    assert moved[("all", "", trust.region, datetime.date(2026, 10, 1))] == (2, 1)
