"""Two workers given the same submission at the same moment (a retry and the sweep, a double
hand-on) on PostgreSQL, where each claims it in its own transaction: one sends it, once."""

import os
import threading

import pytest
from django.db import connection

from incidents.lfpse import client, submission
from incidents.models import ExportState, LfpseSubmission
from lfpse_simulator.models import Record
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI runs the claims at once on PostgreSQL (DATABASE_URL)")
        pytest.skip("row locks need PostgreSQL: set DATABASE_URL")


def at_once(monkeypatch, workers: int):
    """Make ``workers`` threads reach their claim at the same moment."""
    barrier = threading.Barrier(workers)
    claim = submission._claim

    def together(pk, now):
        barrier.wait(timeout=30)
        return claim(pk, now)

    monkeypatch.setattr(submission, "_claim", together)


def run(workers: int, target):
    results = []

    def work():
        try:
            results.append(target())
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_claims_at_once_send_it_once(trust, staff, mso, monkeypatch):
    incident = report(trust, staff)
    with monkeypatch.context() as held:
        held.setattr(submission, "hand_on", lambda *pks: None)  # the workers below take it
        row = submission.lfpse_submit(by=mso, incident=incident)
    sent = []
    create = client.create
    monkeypatch.setattr(client, "create", lambda resource: sent.append(1) or create(resource))
    at_once(monkeypatch, 3)
    results = run(3, lambda: submission.deliver(row.pk))
    assert sorted(results) == [False, False, True]
    assert len(sent) == 1 and Record.objects.count() == 1
    incident.refresh_from_db()
    assert incident.lfpse_state == ExportState.ACCEPTED
    row.refresh_from_db()
    assert row.attempts == 1


def test_the_sweep_twice_at_once_sends_each_once(trust, staff, mso, monkeypatch):
    with monkeypatch.context() as held:
        held.setattr(submission, "hand_on", lambda *pks: None)
        incidents = [report(trust, staff) for _ in range(3)]
        for incident in incidents:
            submission.lfpse_submit(by=mso, incident=incident)
    from datetime import timedelta

    at_once(monkeypatch, 2)  # the first claim of each sweep at the same moment
    run(2, lambda: submission.deliver_pending(inline=True, older_than=timedelta(0)))
    assert Record.objects.count() == 3
    assert {r.identifier_value for r in Record.objects.all()} == {i.reference for i in incidents}
    assert set(LfpseSubmission.objects.values_list("state", "attempts")) == {("accepted", 1)}
