"""Network leads see counts of incidents by region and kind, for the organisations they reach,
and never an incident."""

import pytest
from django.urls import reverse

from organisations.choices import Region, Role
from tests.factories import OrganisationFactory, member, network_lead
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def test_a_regional_lead_counts_their_region_only(assert_access, staff, db):
    london = OrganisationFactory(region=Region.LONDON)
    midlands = OrganisationFactory(region=Region.MIDLANDS)
    secret = report(london, member(london, Role.STAFF), physical_harm="3")
    report(midlands, member(midlands, Role.STAFF))
    lead = network_lead(region=Region.LONDON)
    response = assert_access(reverse("incidents:statistics"), allowed=lead, wrong_role=staff)
    rows = response.context["rows"]
    assert [(r["region"], r["total"], r["moderate_or_worse"]) for r in rows] == [("London", 1, 1)]
    html = response.content.decode()
    assert secret.reference not in html and secret.what_happened not in html


def test_a_national_lead_counts_every_region(client_for, db):
    for region in (Region.LONDON, Region.MIDLANDS):
        organisation = OrganisationFactory(region=region)
        report(organisation, member(organisation, Role.STAFF))
    response = client_for(network_lead()).get(reverse("incidents:statistics"))
    assert response.context["totals"]["total"] == 2
