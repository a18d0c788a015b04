"""The monthly counts the dashboard reads (incidents/summary.py) equal a live count of the
incidents after every kind of write: a report, a review's correction of harm or of the day
(moving it to another month), closing, marking a duplicate, deleting; and a rebuild gives the
same rows."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from incidents import services, summary
from incidents.figures import figures
from incidents.models import Incident, IncidentMonth
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 11, 20, 9)), tick=False):
        yield


def kept() -> dict:
    """Every month counted, as kept, leaving out months with nothing in them."""
    return {
        (row.organisation_id, row.month): row.counts
        for row in IncidentMonth.objects.all()
        if row.counts.get("total")
    }


def live() -> dict:
    months = {
        (pk, summary.month_of(day))
        for pk, day in Incident.objects.exclude(status="duplicate").values_list(
            "organisation_id", "occurred_on"
        )
    }
    return {key: summary.compute(*key) for key in months}


def test_the_counts_follow_every_write(trust, other_trust, staff, mso, other_mso):
    first = report(trust, staff, occurred_on=datetime.date(2026, 10, 3), physical_harm="4")
    second = report(trust, staff, occurred_on=datetime.date(2026, 10, 9), physical_harm="5")
    report(other_trust, other_mso, occurred_on=datetime.date(2026, 11, 2), physical_harm="3")
    assert kept() == live()
    october = IncidentMonth.objects.get(organisation=trust, month=datetime.date(2026, 10, 1))
    assert october.counts["total"] == 2 and october.counts["open"] == 2
    assert october.counts["harm"]["4"] == 1 and october.counts["medicines"]

    services.review_start(by=mso, incident=first)
    services.incident_correct(
        by=mso,
        incident=Incident.objects.get(pk=first.pk),
        changes={"physical_harm": "2", "occurred_on": datetime.date(2026, 9, 28)},
    )
    assert kept() == live()
    september = IncidentMonth.objects.get(organisation=trust, month=datetime.date(2026, 9, 1))
    assert september.counts["moderate_or_worse"] == 1
    assert IncidentMonth.objects.get(pk=october.pk).counts["total"] == 1

    services.incident_mark_duplicate(
        by=mso,
        incident=Incident.objects.get(pk=second.pk),
        original=Incident.objects.get(pk=first.pk),
    )
    assert kept() == live()
    Incident.objects.get(pk=second.pk).delete()
    assert kept() == live()


def test_a_rebuild_gives_the_same_rows(trust, staff):
    for day in (datetime.date(2026, 8, 1), datetime.date(2026, 8, 30), datetime.date(2026, 11, 1)):
        report(trust, staff, occurred_on=day)
    before = kept()
    IncidentMonth.objects.all().delete()
    assert summary.rebuild() == 2
    assert kept() == before == live()


def test_the_dashboard_reads_them(trust, staff):
    report(trust, staff, occurred_on=datetime.date(2026, 10, 3), physical_harm="3")
    assert figures([trust], on=TODAY).moderate_or_worse == 1
    IncidentMonth.objects.all().delete()  # what the dashboard reads is the counts, not a count
    assert figures([trust], on=TODAY).total == 0


def test_saving_what_is_not_counted_counts_nothing(trust, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = report(trust, staff, occurred_on=datetime.date(2026, 10, 3))
    with CaptureQueriesContext(connection) as queries:
        incident.save(update_fields=["learning_summary"])
    assert not [q for q in queries.captured_queries if "incidentmonth" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        incident.save(update_fields=["physical_harm"])
    assert [q for q in queries.captured_queries if "incidentmonth" in q["sql"]]


def test_each_months_total_is_kept_beside_its_counts(trust, staff, mso):
    incident = report(trust, staff, occurred_on=datetime.date(2026, 10, 3))
    report(trust, staff, occurred_on=datetime.date(2026, 10, 4))
    services.review_start(by=mso, incident=incident)
    services.incident_correct(
        by=mso,
        incident=Incident.objects.get(pk=incident.pk),
        changes={"occurred_on": datetime.date(2026, 9, 28)},
    )
    summary.rebuild()
    report(trust, staff, occurred_on=datetime.date(2026, 9, 2))
    rows = {row.month: (row.total, row.counts["total"]) for row in IncidentMonth.objects.all()}
    assert rows == {datetime.date(2026, 9, 1): (2, 2), datetime.date(2026, 10, 1): (1, 1)}


def test_months_counted_before_this_release_are_counted_again_after_migrating(trust, staff):
    from incidents.models import IncidentTrend

    report(trust, staff, occurred_on=datetime.date(2026, 10, 3))
    before = kept()
    for row in IncidentMonth.objects.all():
        row.counts.pop(summary.NEWEST_KEY)
        row.save(update_fields=["counts"])
    IncidentTrend.objects.all().delete()
    summary.catch_up()
    assert kept() == before and IncidentTrend.objects.exists()
