"""Network leads see counts of incidents by region and kind, for the organisations they reach,
never an incident, and never a small number (core/disclosure.py); the counts come from the kept
tallies, which stay equal to a live count."""

import pytest
from django.db.models import Count, Q, Sum
from django.urls import reverse

from core import disclosure
from incidents import summary
from incidents.choices import MODERATE_OR_WORSE
from incidents.models import OPEN_STATUSES, Incident, IncidentTally, Status
from organisations.choices import OrganisationKind, Region, Role
from tests.factories import OrganisationFactory, member, network_lead
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def organisations(count, **fields):
    return [OrganisationFactory(**fields) for _ in range(count)]


def reported(organisation, count, **details):
    reporter = member(organisation, Role.STAFF)
    return [report(organisation, reporter, **details) for _ in range(count)]


def shown(cell):
    """A cell as the page gives it: its count, or why it is not shown."""
    return cell.value if cell.shown else cell.why


def test_a_regional_lead_counts_their_region_only(assert_access, staff):
    london = organisations(3, region=Region.LONDON)
    midlands = organisations(3, region=Region.MIDLANDS)
    secret = None
    for trust in london:
        secret = reported(trust, 2, physical_harm="3")[0]
    for trust in midlands:
        reported(trust, 2)
    lead = network_lead(region=Region.LONDON)
    response = assert_access(reverse("incidents:statistics"), allowed=lead, wrong_role=staff)
    rows = response.context["rows"]
    assert [(r["region"], shown(r["total"]), shown(r["moderate_or_worse"])) for r in rows] == [
        ("London", 6, 6)
    ]
    html = response.content.decode()
    assert secret.reference not in html and secret.what_happened not in html


def test_a_national_lead_counts_every_region(client_for):
    for region in (Region.LONDON, Region.MIDLANDS):
        for trust in organisations(3, region=region):
            reported(trust, 2)
    response = client_for(network_lead()).get(reverse("incidents:statistics"))
    assert shown(response.context["totals"]["cells"][0]) == 12


class TestSmallNumbers:
    def test_a_region_s_only_pharmacy_is_never_picked_out(self, client_for):
        """Found on the national data: a region's single community pharmacy and its 4
        incidents, a row that named it."""
        for trust in organisations(3, region=Region.LONDON):
            reported(trust, 3)
        pharmacy = OrganisationFactory(pharmacy=True, region=Region.LONDON)
        reported(pharmacy, 6)
        page = client_for(network_lead()).get(reverse("incidents:statistics"))
        rows = {row["kind"]: row for row in page.context["rows"]}
        assert shown(rows["Community pharmacy"]["total"]) == "fewer than 3 organisations"
        # Its 6 cannot be worked out from the total: the trusts' 9 is hidden beside it.
        assert shown(rows["NHS trust"]["total"]) == disclosure.WOULD_DISCLOSE
        assert shown(page.context["totals"]["cells"][0]) == 15
        assert "Fewer than 3 organisations" in page.text
        assert ">6<" not in page.text and ">9<" not in page.text

    def test_a_count_under_5_is_hidden_with_one_more_so_the_total_cannot_give_it_away(
        self, client_for
    ):
        for trust in organisations(3, region=Region.LONDON):
            reported(trust, 3)
        for trust in organisations(3, region=Region.MIDLANDS):
            reported(trust, 2, physical_harm="3")
        reported(OrganisationFactory(region=Region.MIDLANDS), 1, physical_harm="3")
        page = client_for(network_lead()).get(reverse("incidents:statistics"))
        london, midlands = page.context["rows"]
        # Moderate harm or worse: none in London (0 names nobody), 7 in the Midlands.
        assert shown(london["moderate_or_worse"]) == 0
        assert shown(midlands["moderate_or_worse"]) == 7
        # Open: 9 and 7 ... and the controlled-drug count: 0 and 0.
        assert shown(london["total"]) == 9 and shown(midlands["total"]) == 7
        assert shown(page.context["totals"]["cells"][0]) == 16


def _live():
    return {
        (row["organisation__region"], row["organisation__kind"]): (
            row["total"],
            row["moderate_or_worse"],
            row["open"],
        )
        for row in Incident.objects.exclude(status=Status.DUPLICATE)
        .values("organisation__region", "organisation__kind")
        .annotate(
            total=Count("id"),
            moderate_or_worse=Count("id", filter=Q(physical_harm__in=MODERATE_OR_WORSE)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        )
        .order_by()
    }


def _kept():
    return {
        (row["region"], row["kind"]): (row["total"], row["moderate_or_worse"], row["open"])
        for row in IncidentTally.objects.values("region", "kind")
        .annotate(total=Sum("total"), moderate_or_worse=Sum("moderate_or_worse"), open=Sum("open"))
        .order_by()
        if row["total"]
    }


def test_the_tallies_stay_equal_to_a_live_count(trust):
    incidents = reported(trust, 3, physical_harm="3")
    practice = OrganisationFactory(practice=True, region=Region.MIDLANDS)
    reported(practice, 2)
    assert (
        _kept()
        == _live()
        == {
            (Region.LONDON, OrganisationKind.NHS_TRUST): (3, 3, 3),
            (Region.MIDLANDS, OrganisationKind.GP_PRACTICE): (2, 0, 2),
        }
    )
    incidents[0].physical_harm = "4"  # low harm
    incidents[0].save()
    incidents[1].status = Status.DUPLICATE
    incidents[1].save()
    incidents[2].delete()
    assert (
        _kept()
        == _live()
        == {
            (Region.LONDON, OrganisationKind.NHS_TRUST): (1, 0, 1),
            (Region.MIDLANDS, OrganisationKind.GP_PRACTICE): (2, 0, 2),
        }
    )
    summary.rebuild_tallies()
    assert _kept() == _live()


def test_the_page_reads_the_same_few_queries_at_any_size(
    client_for, django_assert_num_queries, django_assert_max_num_queries
):
    lead = network_lead()
    client = client_for(lead)
    for trust in organisations(3):
        reported(trust, 2)
    url = reverse("incidents:statistics")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for trust in organisations(6, region=Region.MIDLANDS):
        reported(trust, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
