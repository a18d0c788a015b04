"""Submissions to LFPSE through a real Celery worker and the real Redis broker (as in
production), the worker sending to the simulator in its own process: handed on three times
and swept, an incident is sent once; a later change goes as one update. Needs PostgreSQL and
Redis: tests/celery_worker.py."""

from datetime import timedelta

import pytest

from incidents import services
from incidents.lfpse import submission
from incidents.models import ExportState, LfpseSubmission
from incidents.tasks import submit_to_lfpse, submit_waiting_to_lfpse
from lfpse_simulator.models import Record
from tests.celery_worker import drain, wait_until
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db(transaction=True)


def accepted(incident, version=1):
    return LfpseSubmission.objects.filter(
        incident=incident, version=version, state=LfpseSubmission.State.ACCEPTED
    ).exists()


def test_handed_on_three_times_it_is_sent_once_and_its_change_once(workers, trust, staff, mso):
    workers()
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)  # handed on as it commits
    submit_to_lfpse.delay(row.pk)  # a retry, a double hand-on
    LfpseSubmission.objects.filter(pk=row.pk).update(
        created_at=row.created_at - timedelta(minutes=5)
    )
    submit_waiting_to_lfpse.delay()  # and the sweep
    wait_until(lambda: accepted(incident))
    drain()
    assert Record.objects.count() == 1
    row.refresh_from_db()
    assert row.attempts == 1

    services.incident_correct(by=mso, incident=incident, changes={"physical_harm": "3"})
    wait_until(lambda: accepted(incident, version=2))
    drain()
    kept = Record.objects.get()
    assert kept.version == 2
    incident.refresh_from_db()
    assert incident.lfpse_state == ExportState.ACCEPTED
    assert incident.lfpse_reference == kept.reference
