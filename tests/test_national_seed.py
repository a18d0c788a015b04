"""The whole national seed (``seed_national``) at a small scale, on PostgreSQL (incidents are
loaded by COPY, alerts by set-based SQL): the numbers it promises, shaped as it says, the
figures the national views read equal to a live count, repeatable, and a report made after it
takes the next reference number."""

import datetime
import os

import pytest
from django.core.management import CommandError, call_command
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


def kept() -> dict[str, int]:
    """What the demo holds that the national incidents and alerts would replace."""
    from alerts.models import Alert
    from notifications.models import Notification
    from organisations.models import Denominator

    return {
        "incidents": Incident.objects.count(),
        "alerts": Alert.objects.count(),
        "alert responses": AlertResponse.objects.count(),
        "notifications": Notification.objects.count(),
        "committees": Committee.objects.count(),
        "denominators": Denominator.objects.count(),
    }


def test_it_refuses_a_database_holding_the_demo_and_keeps_it(seeded_demo):
    before = kept()
    assert before["incidents"] and before["alerts"] and before["notifications"]
    with pytest.raises(CommandError) as refused:
        call_command("seed_national", scale=SCALE, force=True)
    said = str(refused.value)
    assert f"did not load: {before['incidents']:,} incidents, {before['alerts']:,} alerts" in said
    assert "a database of its own" in said
    assert kept() == before
    assert not Organisation.objects.filter(ods_code="Q01").exists()  # nothing loaded
    with pytest.raises(CommandError, match=r"did not load: \d+ alerts"):
        call_command("seed_national", scale=SCALE, force=True, no_incidents=True)


def test_beside_the_demo_it_adds_the_rest_and_keeps_the_demos(seeded_demo):
    from demo.national.committees import NAME
    from organisations.models import Denominator

    before = kept()
    demos_committees = set(Committee.objects.values_list("pk", "organisation_id"))
    demos_denominators = set(Denominator.objects.values_list("organisation_id", "month", "value"))
    call_command("seed_national", scale=SCALE, force=True, no_incidents=True, no_alerts=True)
    after = kept()
    assert {name: after[name] for name in ("incidents", "alerts", "notifications")} == {
        name: before[name] for name in ("incidents", "alerts", "notifications")
    }
    assert demos_committees <= set(Committee.objects.values_list("pk", "organisation_id"))
    assert demos_denominators <= set(
        Denominator.objects.values_list("organisation_id", "month", "value")
    )
    national = Organisation.objects.filter(name__startswith="Area ")  # the seed's own
    trusts = national.filter(kind__in=["nhs-trust", "foundation-trust"], closed_on__isnull=True)
    assert trusts.count() == trusts.filter(committees__name=NAME).distinct().count() > 0
    assert Denominator.objects.filter(organisation__in=national).exists()
    # Run again, it adds nothing.
    again = kept()
    call_command("seed_national", scale=SCALE, force=True, no_incidents=True, no_alerts=True)
    assert kept() == again


def test_alerts_loaded_again_keep_the_rest_of_the_ledger():
    """On a later day the alerts are loaded again, with the notifications about them; the
    ledger's other notifications stay."""
    from alerts.models import Alert
    from demo.national.alerts import seed_alerts
    from demo.national.organisations import seed_organisations
    from notifications.models import Notification
    from tests.factories import UserFactory

    seed_organisations(SCALE)
    seed_alerts(total=3)
    person = UserFactory()
    response = AlertResponse.objects.order_by("pk").first()

    def told(subject):
        return Notification.objects.create(
            recipient=person,
            subject=subject,
            topic=subject.partition(":")[0],
            kind="due",
            due_on=datetime.date.today(),
            title=subject,
            body="",
            url="/",
        )

    about_an_incident = told("incident-action:1")
    about_an_alert = told(f"alert-response:{response.pk}")
    Alert.objects.update(created_at=Alert.objects.first().created_at - datetime.timedelta(days=1))
    seed_alerts(total=3)
    assert not Alert.objects.filter(pk=response.alert_id).exists()  # loaded again
    assert Notification.objects.filter(pk=about_an_incident.pk).exists()
    assert not Notification.objects.filter(pk=about_an_alert.pk).exists()


def test_it_refuses_to_take_what_points_to_none_of_its_alerts():
    """Emptying the alerts' table takes every table that may point to an alert: an agenda item
    about no alert is not the seed's to take."""
    from django.utils import timezone

    from alerts.models import Alert
    from committees.models import AgendaItem
    from demo.national.alerts import seed_alerts
    from demo.national.organisations import seed_organisations

    seed_organisations(SCALE)
    seed_alerts(total=3)
    committee = Committee.objects.create(
        organisation=largest_trust(), name="Drugs and Therapeutics", frequency="monthly"
    )
    meeting = Meeting.objects.create(
        committee=committee, starts_at=timezone.now(), ends_at=timezone.now()
    )
    item = AgendaItem.objects.create(meeting=meeting, title="Terms of reference")
    Alert.objects.update(created_at=Alert.objects.first().created_at - datetime.timedelta(days=1))
    with pytest.raises(RuntimeError, match="did not load these and would replace them: 1 agenda"):
        seed_alerts(total=3)
    assert AgendaItem.objects.filter(pk=item.pk).exists()
