"""The whole national seed (``seed_national``) at a small scale, on PostgreSQL (incidents are
loaded by COPY, alerts by set-based SQL): the numbers it promises, shaped as it says, the
figures the national views read equal to a live count, repeatable, and a report made after it
takes the next reference number."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum

from accounts.models import User
from alerts.models import AlertResponse, AlertTally
from committees.models import Committee, Meeting
from demo.national.organisations import largest_trust
from incidents.models import Incident, IncidentMedicine, ReferenceCounter
from organisations.models import Membership, Organisation
from tests.alerts.conftest import assert_deadlines_are_live

pytestmark = pytest.mark.django_db(transaction=True)
SCALE = 0.01


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI runs the national seed on PostgreSQL (DATABASE_URL)")
        pytest.skip("the national seed needs PostgreSQL: set DATABASE_URL")


def test_the_national_seed_at_a_small_scale(capsys):
    call_command("seed_national", scale=SCALE, force=True)
    first = capsys.readouterr().out
    assert "National data ready" in first

    organisations = Organisation.objects.count()
    assert organisations > 400  # one ICB area
    assert Incident.objects.count() == IncidentMedicine.objects.count() == 20_000
    assert User.objects.count() >= 1_200 and Membership.objects.count() >= 1_150
    # Skewed: the largest trust holds the most (2% of all on top of its share as a trust), and
    # the trusts with a tenth of the others about three quarters.
    trust = largest_trust()
    by_organisation = sorted(
        Incident.objects.values("organisation").annotate(n=Count("id")).values_list("n", flat=True),
        reverse=True,
    )
    assert Incident.objects.filter(organisation=trust).count() == by_organisation[0] > 400
    top_tenth = sum(by_organisation[: organisations // 10])
    assert 0.6 < top_tenth / 20_000 < 0.9
    harms = dict(Incident.objects.values_list("physical_harm").annotate(n=Count("id")))
    assert harms["5"] > harms["4"] > harms["3"] > harms["2"] > 0
    assert Incident.objects.filter(status="closed").exists()
    assert Incident.objects.filter(status="submitted").exists()
    assert Incident.objects.filter(high_risk=True).exists()
    assert Incident.objects.filter(controlled_drug=True).exists()
    # The monthly counts the dashboards read (counted in SQL after the load) are the incidents,
    # counted one month at a time as every later write counts them.
    from incidents.models import IncidentMonth
    from incidents.summary import compute

    months = IncidentMonth.objects.order_by("-counts__total", "pk")
    assert months.count() == len(
        {
            (pk, day.replace(day=1))
            for pk, day in Incident.objects.exclude(status="duplicate").values_list(
                "organisation_id", "occurred_on"
            )
        }
    )
    for row in [*months[:10], *months.order_by("?")[:20]]:
        live = compute(row.organisation_id, row.month)
        kept = dict(row.counts)
        assert kept.pop("closure_days") == pytest.approx(live.pop("closure_days"), abs=1e-3)
        assert kept == live
    # Every incident says what went wrong and its medicine is coded where the dm+d sample
    # holds it, so the national trends of both have something to show.
    from incidents.models import Dimension, IncidentTrend

    assert not Incident.objects.filter(drugs_involved=[]).exists()
    trends = set(IncidentTrend.objects.values_list("dimension", flat=True).distinct())
    assert {Dimension.THEME, Dimension.SUBSTANCE, Dimension.PRODUCT} <= trends
    # The alert tallies the national views read are the responses, counted.
    assert AlertResponse.objects.count() > 10_000
    assert AlertTally.objects.aggregate(n=Sum("count"))["n"] == AlertResponse.objects.count()
    live = dict(AlertResponse.objects.values_list("alert_id").annotate(n=Count("id")).order_by())
    tallied = dict(AlertTally.objects.values_list("alert_id").annotate(n=Sum("count")).order_by())
    assert tallied == live
    # So is each organisation's earliest deadline, which the past-deadline view reads.
    assert AlertResponse.objects.overdue().exists()
    assert_deadlines_are_live()
    assert (
        Committee.objects.count()
        == Organisation.objects.filter(
            kind__in=["nhs-trust", "foundation-trust"], closed_on__isnull=True
        ).count()
    )
    assert Meeting.objects.filter(quorate=True).exists()

    # A second run adds nothing.
    counts = (Incident.objects.count(), User.objects.count(), AlertResponse.objects.count())
    call_command("seed_national", scale=SCALE, force=True)
    assert (Incident.objects.count(), User.objects.count(), AlertResponse.objects.count()) == (
        counts
    )


def test_a_report_after_the_seed_takes_the_next_number(django_user_model):
    from demo.national.incidents import seed_incidents
    from demo.national.organisations import seed_organisations

    seed_organisations(SCALE)
    seed_incidents(SCALE)
    trust = largest_trust()
    year = datetime.date.today().year
    counter = ReferenceCounter.objects.get(organisation=trust, year=year, anonymous=False)
    last = Incident.objects.filter(
        organisation=trust, reference__startswith=f"{trust.ods_code}-{year}-0"
    ).count()
    assert counter.last == last
    from django.db import transaction

    from incidents.services import _next_reference

    with transaction.atomic():
        assert _next_reference(trust, year) == f"{trust.ods_code}-{year}-{last + 1:06d}"
