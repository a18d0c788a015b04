"""The quarterly national learning summary (incidents/learning.py): a quarter against the one
before and the same quarter a year earlier, from the kept trends; small numbers kept from view;
a regional lead's summary is their region's; the same as a PDF; a constant number of queries."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core import disclosure
from incidents import learning
from incidents.models import Dimension, IncidentTrend
from organisations.choices import Region
from tests.factories import network_lead

pytestmark = pytest.mark.django_db
Q3 = learning.Quarter(datetime.date(2026, 7, 1))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 11, 20, 9)), tick=False):
        yield


def quarter_rows(dimension, value, region, per_month, *, quarter=Q3, organisations=4):
    return [
        IncidentTrend(
            dimension=dimension,
            value=value,
            region=region,
            month=month,
            count=per_month,
            organisations=organisations,
        )
        for month in quarter.months
    ]


def load(*groups):
    IncidentTrend.objects.bulk_create([row for group in groups for row in group])


def shown(cell):
    return cell.value if cell.shown else cell.why


class TestQuarter:
    def test_quarters_read_and_written(self):
        assert learning.Quarter.parse("2026-Q3") == Q3
        assert Q3.code == "2026-Q3" and Q3.name == "July to September 2026"
        assert Q3.end == datetime.date(2026, 9, 30)
        assert Q3.shifted(-4) == learning.Quarter(datetime.date(2025, 7, 1))
        assert learning.Quarter(datetime.date(2026, 1, 1)).shifted(-1).code == "2025-Q4"
        for bad in ("", "2026-Q5", "Q3", "2026-q3", "<b>"):
            assert learning.Quarter.parse(bad) is None

    def test_only_complete_quarters_are_offered(self):
        offered = learning.offered(datetime.date(2026, 11, 20))
        assert offered[0] == Q3 and len(offered) == 8


def test_a_quarter_against_the_one_before_and_a_year_earlier():
    load(
        quarter_rows(Dimension.ALL, "", Region.LONDON, 40),
        quarter_rows(Dimension.ALL, "", Region.LONDON, 30, quarter=Q3.shifted(-1)),
        quarter_rows(Dimension.ALL, "", Region.LONDON, 20, quarter=Q3.shifted(-4)),
        quarter_rows(Dimension.HARM, "5", Region.LONDON, 39),
        quarter_rows(Dimension.HARM, "3", Region.LONDON, 1),
        quarter_rows(Dimension.HARM, "5", Region.LONDON, 30, quarter=Q3.shifted(-1)),
    )
    found = learning.summary(Q3, None, on=datetime.date(2026, 11, 20))
    assert [shown(found["all"][c]) for c in learning.COLUMNS] == [120, 90, 60]
    harm = {row["value"]: row for row in dict(found["tables"])[Dimension.HARM]["rows"]}
    assert shown(harm["3"]["this"]) == disclosure.FEWER_THAN_5  # 3 in the quarter
    # No harm alone hidden beside a total that gives it away: the next smallest goes too.
    assert shown(harm["5"]["this"]) == disclosure.WOULD_DISCLOSE
    assert shown(harm["5"]["before"]) == 90


def test_a_row_from_fewer_than_3_organisations_shows_nothing():
    load(quarter_rows(Dimension.STAGE, "1", Region.LONDON, 30, organisations=2))
    found = learning.summary(Q3, None, on=datetime.date(2026, 11, 20))
    row = dict(found["tables"])[Dimension.STAGE]["rows"][0]
    assert shown(row["this"]) == disclosure.TOO_FEW_ORGANISATIONS


def test_a_regional_lead_reads_their_region_as_a_page_and_a_pdf(assert_access, staff):
    load(
        quarter_rows(Dimension.ALL, "", Region.LONDON, 40),
        quarter_rows(Dimension.ALL, "", Region.MIDLANDS, 70),
    )
    lead = network_lead(region=Region.LONDON)
    url = reverse("incidents:learning") + "?quarter=2026-Q3"
    response = assert_access(url, allowed=lead, wrong_role=staff)
    assert response.context["where"] == "London"
    assert shown(response.context["all"]["this"]) == 120
    pdf = assert_access(reverse("incidents:learning_pdf") + "?quarter=2026-Q3", allowed=lead)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_quarter_not_offered_shows_the_latest(client_for):
    response = client_for(network_lead()).get(reverse("incidents:learning") + "?quarter=2031-Q1")
    assert response.context["quarter"] == Q3


def test_the_summary_reads_a_few_queries_however_many_values(
    client_for, django_assert_max_num_queries
):
    client = client_for(network_lead())
    url = reverse("incidents:learning")
    load(quarter_rows(Dimension.THEME, "too_much:1", Region.LONDON, 10))
    client.get(url)
    load(
        *(
            quarter_rows(Dimension.THEME, f"too_little:{code}", region, 10)
            for code in range(1, 7)
            for region in (Region.LONDON, Region.SOUTH_WEST)
        )
    )
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert len(dict(response.context["tables"])[Dimension.THEME]["rows"]) == 7
