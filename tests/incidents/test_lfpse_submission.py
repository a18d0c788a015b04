"""Incidents submitted to LFPSE through the outbox, against the local simulator: marked ready
(or at once), accepted with LFPSE's reference, changes sent as updates, a refusal shown with
LFPSE's reasons and the MSO told, corrected and sent again; never sent twice, never lost."""

from datetime import timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.lfpse import client, fhir, submission
from incidents.models import ExportState, Incident, LfpseChoice, LfpseSubmission
from lfpse_simulator.models import Record
from notifications.models import Notification
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
State = LfpseSubmission.State


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Run what a service hands to the workers once its transaction commits (tasks run
    in-process in the tests, as under ``make run``)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def state(incident) -> str:
    incident.refresh_from_db()
    return incident.lfpse_state


def test_marked_ready_it_is_accepted_with_lfpse_s_reference(trust, staff, mso, send_now):
    incident = report(trust, staff)
    assert state(incident) == ExportState.NOT_SENT
    send_now(submission.lfpse_submit, by=mso, incident=incident)
    assert state(incident) == ExportState.ACCEPTED
    kept = Record.objects.get()
    assert incident.lfpse_reference == kept.reference and incident.lfpse_id == kept.record_id
    assert kept.identifier_value == incident.reference
    row = incident.lfpse_submissions.get()
    assert (row.kind, row.state, row.attempts, row.version) == ("create", "accepted", 1, 1)
    assert incident.events.filter(kind="lfpse-accepted", note__contains=kept.reference).exists()


def test_a_change_to_an_accepted_incident_is_sent_as_an_update(trust, staff, mso, send_now):
    incident = report(trust, staff)
    send_now(submission.lfpse_submit, by=mso, incident=incident)
    send_now(
        services.incident_correct,
        by=mso,
        incident=incident,
        changes={"physical_harm": "3", "what_happened": "Insulin given twice; found at 2am."},
    )
    assert state(incident) == ExportState.ACCEPTED
    kept = Record.objects.get()
    assert kept.version == 2 and kept.resource["event"]["text"].endswith("found at 2am.")
    assert list(incident.lfpse_submissions.values_list("version", "kind", "state")) == [
        (2, "update", "accepted"),
        (1, "create", "accepted"),
    ]
    send_now(
        services.incident_correct,
        by=mso,
        incident=incident,
        changes={},
        medicines=[{"name": "Insulin glargine", "route": "subcutaneous", "dose": "10 units"}],
    )
    kept.refresh_from_db()
    assert kept.version == 3 and "Insulin glargine" in str(kept.resource["contained"])


def test_a_change_before_it_is_sent_goes_with_it(
    trust, staff, mso, django_capture_on_commit_callbacks
):
    """A version waiting sends the incident as it is when it goes: no second version."""
    incident = report(trust, staff)
    submission.lfpse_submit(by=mso, incident=incident)  # handed on at commit: not yet
    services.incident_correct(by=mso, incident=incident, changes={"physical_harm": "3"})
    assert incident.lfpse_submissions.count() == 1
    submission.deliver_pending(inline=True, older_than=timedelta(0))
    assert state(incident) == ExportState.ACCEPTED
    assert '"code": "3"' in str(Record.objects.get().resource).replace("'", '"')


def refused_incident(trust, staff, mso, send_now):
    """An incident LFPSE refuses: a Never Event without its type (the form asks for it; an
    incident recorded before it did, or corrected through the service, may lack it)."""
    incident = report(trust, staff, never_event=True, never_event_type="")
    send_now(submission.lfpse_submit, by=mso, incident=incident)
    return incident


def test_a_refusal_shows_lfpse_s_reasons_and_tells_the_mso(trust, staff, mso, send_now, client_for):
    incident = refused_incident(trust, staff, mso, send_now)
    assert state(incident) == ExportState.REFUSED
    assert not Record.objects.exists() and not incident.lfpse_reference
    row = incident.lfpse_submissions.get()
    assert row.state == State.REFUSED
    assert row.reasons == [
        {
            "severity": "error",
            "code": "required",
            "text": "NeverEventType is required when NeverEvent is true",
            "where": (
                f"AdverseEvent.extension('{fhir.BASE}/StructureDefinition/"
                "adverse-event-governance-5').extension('NeverEventType')"
            ),
        }
    ]
    notice = Notification.objects.get(kind="lfpse-refused-1")
    assert notice.recipient == mso and incident.reference in notice.title
    page = client_for(mso).get(incident.get_absolute_url()).content.decode()
    assert "LFPSE refused the record" in page
    assert "NeverEventType is required when NeverEvent is true" in page
    assert "Send to LFPSE again" in page


def test_corrected_after_a_refusal_it_is_sent_again_and_accepted(
    trust, staff, mso, send_now, client_for
):
    incident = refused_incident(trust, staff, mso, send_now)
    send_now(
        services.incident_correct, by=mso, incident=incident, changes={"never_event_type": "5"}
    )
    assert state(incident) == ExportState.REFUSED  # a correction alone does not send it
    response = send_now(
        client_for(mso).post, reverse("incidents:lfpse_send", args=[incident.reference])
    )
    assert response.status_code == 302
    assert state(incident) == ExportState.ACCEPTED and incident.lfpse_reference
    assert list(incident.lfpse_submissions.values_list("version", "state")) == [
        (2, "accepted"),
        (1, "refused"),
    ]
    assert incident.events.filter(kind="lfpse-ready", note="Sent again after a refusal").exists()


def test_delivered_twice_it_is_sent_once(trust, staff, mso, monkeypatch):
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)
    sent = []
    real = client.create
    monkeypatch.setattr(client, "create", lambda resource: sent.append(1) or real(resource))
    assert submission.deliver(row.pk) is True
    assert submission.deliver(row.pk) is False  # a retry, a double hand-on
    assert submission.deliver_pending(inline=True, older_than=timedelta(0)) == 0
    assert len(sent) == 1 and Record.objects.count() == 1


def test_a_crash_between_sending_and_recording_sends_it_again_harmlessly(
    trust, staff, mso, monkeypatch
):
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)

    def crash(*args):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(submission, "_accepted", crash)
        with pytest.raises(SystemExit):
            submission.deliver(row.pk)
    assert Record.objects.count() == 1  # LFPSE has it; we never heard
    assert state(incident) == ExportState.SENT
    assert submission.deliver_pending(inline=True, older_than=timedelta(0)) == 0  # claimed
    LfpseSubmission.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)  # its lease ran out
    )
    assert submission.deliver_pending(inline=True, older_than=timedelta(0)) == 1
    assert state(incident) == ExportState.ACCEPTED
    kept = Record.objects.get()
    assert incident.lfpse_reference == kept.reference
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("accepted", 2)


def test_with_the_broker_down_the_sweep_sends_it_later(trust, staff, mso, send_now, monkeypatch):
    incident = report(trust, staff)

    def broker_down(*args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(submission, "queue_task", broker_down)
    send_now(submission.lfpse_submit, by=mso, incident=incident)  # handed on: refused
    assert state(incident) == ExportState.WAITING and not Record.objects.exists()
    monkeypatch.undo()
    assert submission.deliver_pending(older_than=timedelta(minutes=1)) == 0  # too new yet
    row = incident.lfpse_submissions.get()
    LfpseSubmission.objects.filter(pk=row.pk).update(
        created_at=row.created_at - timedelta(minutes=2)
    )
    from incidents.tasks import submit_waiting_to_lfpse

    assert submit_waiting_to_lfpse.delay().get() == 1  # the beat's sweep, through its task
    assert state(incident) == ExportState.ACCEPTED


def answering(status, body=None, error=None):
    """LFPSE's submission API answering ``status`` (or failing with ``error``)."""

    def handler(request):
        if error:
            raise error
        return httpx.Response(status, json=body)

    return lambda: httpx.Client(
        base_url="https://lfpse.example.nhs.uk", transport=httpx.MockTransport(handler)
    )


@pytest.mark.parametrize(
    "lfpse",
    [
        answering(503, {"resourceType": "OperationOutcome", "issue": []}),
        answering(500),
        answering(401, {"statusCode": 401, "message": "Access denied"}),
        answering(404, None),  # a wrong address: no OperationOutcome
        answering(0, error=httpx.ConnectTimeout("timed out")),
        answering(0, error=httpx.ConnectError("no route")),
    ],
    ids=["503", "500", "401", "404-page", "timeout", "no-connection"],
)
def test_an_outage_is_tried_again_never_shown_as_a_refusal(trust, staff, mso, monkeypatch, lfpse):
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)
    monkeypatch.setattr(client, "_client", lfpse)
    assert submission.deliver(row.pk) is False
    row.refresh_from_db()
    assert row.state == State.WAITING and row.claimed_until is None and row.last_error
    assert state(incident) == ExportState.SENT and not row.reasons
    assert not Notification.objects.filter(kind__startswith="lfpse-refused").exists()
    monkeypatch.undo()
    assert submission.deliver(row.pk) is True  # LFPSE back: the next pass sends it
    assert state(incident) == ExportState.ACCEPTED


def test_a_refusal_from_lfpse_keeps_each_issue(trust, staff, mso, monkeypatch):
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "code-invalid",
                "details": {"text": "Unknown location"},
                "expression": ["AdverseEvent.location"],
            },
            {"severity": "warning", "code": "informational", "diagnostics": "Check the date"},
        ],
    }
    monkeypatch.setattr(client, "_client", answering(422, outcome))
    assert submission.deliver(row.pk) is True
    row.refresh_from_db()
    assert [(r["text"], r["where"]) for r in row.reasons] == [
        ("Unknown location", "AdverseEvent.location"),
        ("Check the date", ""),
    ]
    assert state(incident) == ExportState.REFUSED


def test_with_submission_off_it_waits_until_it_is_on(trust, staff, mso, settings):
    settings.LFPSE_SUBMISSION = False
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)
    assert submission.deliver(row.pk) is False
    assert submission.deliver_pending(inline=True, older_than=timedelta(0)) == 0
    settings.LFPSE_SUBMISSION = True
    assert submission.deliver_pending(inline=True, older_than=timedelta(0)) == 1
    assert state(incident) == ExportState.ACCEPTED


def test_an_organisation_that_chose_at_once_sends_each_report_as_it_comes(
    trust, staff, mso, send_now
):
    submission.lfpse_choice_set(by=mso, organisation=trust, when="at-once")
    incident = send_now(report, trust, staff)
    assert state(incident) == ExportState.ACCEPTED
    anonymous = send_now(report, trust, staff, anonymous=True)
    assert state(anonymous) == ExportState.NOT_SENT  # its time is not kept: the team sends it
    not_ready = send_now(report, trust, staff, process="")
    assert state(not_ready) == ExportState.NOT_SENT
    send_now(services.incident_correct, by=mso, incident=not_ready, changes={"process": "6"})
    assert state(not_ready) == ExportState.ACCEPTED  # answered: it goes


def test_by_default_a_report_waits_for_the_team(trust, staff, mso, send_now):
    assert LfpseChoice.for_organisation(trust.pk) == "ready"
    incident = send_now(report, trust, staff)
    assert state(incident) == ExportState.NOT_SENT and not incident.lfpse_submissions.exists()


def test_an_incident_not_ready_says_what_is_missing(trust, staff, mso, client_for):
    incident = report(trust, staff, process="")
    client = client_for(mso)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Not ready for LFPSE yet" in page and "Mark ready for LFPSE" not in page
    response = client.post(reverse("incidents:lfpse_send", args=[incident.reference]), follow=True)
    assert "What was happening when it went wrong" in response.content.decode()
    assert not incident.lfpse_submissions.exists()
    ready = report(trust, staff)
    assert "Mark ready for LFPSE" in client.get(ready.get_absolute_url()).content.decode()


def test_marking_ready_is_for_the_reviewers(assert_access, mso, other_mso, staff, incident):
    assert_access(
        reverse("incidents:lfpse_send", args=[incident.reference]),
        method="post",
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    assert state(incident) == ExportState.WAITING  # handed on when the request's work commits
    assert incident.lfpse_submissions.count() == 1


def test_an_incident_sent_already_is_not_marked_again(trust, staff, mso, send_now):
    incident = report(trust, staff)
    send_now(submission.lfpse_submit, by=mso, incident=incident)
    with pytest.raises(Exception, match="gone to LFPSE already"):
        submission.lfpse_submit(by=mso, incident=incident)


def test_the_mso_chooses_when_incidents_go(
    assert_access, mso, other_mso, staff, trust, safety_team
):
    url = reverse("incidents:lfpse_settings", args=[trust.ods_code])
    page = assert_access(url, allowed=mso, other_organisation=other_mso, wrong_role=safety_team)
    assert "As soon as it is reported" in page.content.decode()
    response = assert_access(
        url,
        method="post",
        data={"when": "at-once"},
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=safety_team,
        ok=302,
    )
    assert response["Location"] == url
    assert LfpseChoice.for_organisation(trust.pk) == "at-once"


def test_the_list_leads_the_mso_to_the_choice(client_for, mso, safety_team, trust):
    url = reverse("incidents:lfpse_settings", args=[trust.ods_code])
    assert url in client_for(mso).get(reverse("incidents:list")).content.decode()
    assert url not in client_for(safety_team).get(reverse("incidents:list")).content.decode()


def test_the_choice_must_be_one_offered(client_for, mso, trust):
    url = reverse("incidents:lfpse_settings", args=[trust.ods_code])
    page = client_for(mso).post(url, {"when": "tomorrow"}).content.decode()
    assert "Select when incidents go to LFPSE" in page
    assert LfpseChoice.for_organisation(trust.pk) == "ready"


def test_the_list_filters_by_lfpse_state(client_for, trust, staff, mso, send_now):
    accepted = report(trust, staff)
    send_now(submission.lfpse_submit, by=mso, incident=accepted)
    refused = refused_incident(trust, staff, mso, send_now)
    waiting = report(trust, staff)
    submission.lfpse_submit(by=mso, incident=waiting)  # not yet handed on
    not_sent = report(trust, staff)
    client = client_for(mso)
    url = reverse("incidents:list")
    for wanted, expected in [
        ("accepted", accepted),
        ("refused", refused),
        ("waiting", waiting),
        ("not-sent", not_sent),
    ]:
        page = client.get(url, {"lfpse": wanted}).content.decode()
        shown = {i.reference for i in Incident.objects.all() if i.reference in page}
        assert shown == {expected.reference}, wanted
    page = client.get(url, {"lfpse": ["accepted", "refused"]}).content.decode()
    assert accepted.reference in page and refused.reference in page
    assert 'value="sent"' in client.get(url).content.decode()


def test_a_later_version_written_while_one_is_being_sent_follows_it(trust, staff, mso, send_now):
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)
    claimed = submission._claim(row.pk, timezone.now())  # a worker is sending version 1
    assert claimed is not None
    send_now(services.incident_correct, by=mso, incident=incident, changes={"physical_harm": "3"})
    newer = incident.lfpse_submissions.get(version=2)
    assert newer.state == State.WAITING  # waits its turn: version 1 is being sent
    send_now(submission._send, claimed)  # version 1 goes, then hands on version 2
    assert state(incident) == ExportState.ACCEPTED
    newer.refresh_from_db()
    assert (newer.kind, newer.state) == ("update", "accepted")
    assert Record.objects.get().version == 2


def test_a_record_that_cannot_be_made_is_shown_not_left_waiting(trust, staff, mso):
    """An answer LFPSE requires taken away after the incident was marked ready."""
    incident = report(trust, staff)
    row = submission.lfpse_submit(by=mso, incident=incident)
    Incident.objects.filter(pk=incident.pk).update(process="")
    assert submission.deliver(row.pk) is True
    row.refresh_from_db()
    assert row.state == State.REFUSED and not Record.objects.exists()
    assert row.reasons[0]["text"].startswith("Not sent: Answer before it can go to LFPSE")
    assert state(incident) == ExportState.REFUSED
    assert Notification.objects.filter(kind="lfpse-refused-1", recipient=mso).exists()


def test_sending_to_the_simulator_in_process_keeps_the_caller_s_connection(trust, staff):
    """Found running the demo: the simulator's request, ended after its answer was read, closed
    the database connection of the transaction that called it."""
    from django.db import connection, transaction

    resource = fhir.adverse_event(report(trust, staff))
    with transaction.atomic():
        client.create(resource)
        assert not connection.closed_in_transaction
        assert Incident.objects.count() == 1


def test_an_update_of_a_record_lfpse_does_not_know_goes_again_as_a_new_record(
    trust, staff, mso, send_now
):
    incident = report(trust, staff)
    send_now(submission.lfpse_submit, by=mso, incident=incident)
    Record.objects.all().delete()  # LFPSE lost it
    send_now(services.incident_correct, by=mso, incident=incident, changes={"physical_harm": "3"})
    assert state(incident) == ExportState.REFUSED and not incident.lfpse_id
    send_now(submission.lfpse_submit, by=mso, incident=incident)
    assert state(incident) == ExportState.ACCEPTED
    assert incident.lfpse_id == Record.objects.get().record_id


def test_the_states_typed_by_hand_become_the_submission_s(trust, staff):
    """Migration 0026: recorded as exported is accepted (its reference kept); failed is
    refused; not exported is not sent."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("incidents.migrations.0026_lfpse_submissions")
    exported, failed, untouched = (report(trust, staff) for _ in range(3))
    Incident.objects.filter(pk=exported.pk).update(
        lfpse_state="exported", lfpse_reference="LFPSE-0042"
    )
    Incident.objects.filter(pk=failed.pk).update(lfpse_state="failed")
    Incident.objects.filter(pk=untouched.pk).update(lfpse_state="not-exported")
    migration.rename_states(apps, None)
    assert state(exported) == ExportState.ACCEPTED and exported.lfpse_reference == "LFPSE-0042"
    assert state(failed) == ExportState.REFUSED
    assert state(untouched) == ExportState.NOT_SENT


def test_the_lfpse_pages_cost_the_same_however_many_versions_and_reasons(
    client_for, page_queries, trust, staff, mso, send_now
):
    """The incident's LFPSE card reads the last refusal's reasons in one query, however many
    versions were refused; the list filtered by LFPSE state reads no row's submissions."""
    client = client_for(mso)
    incident = refused_incident(trust, staff, mso, send_now)
    pages = [
        incident.get_absolute_url(),
        reverse("incidents:list") + "?lfpse=refused",
        reverse("incidents:lfpse_settings", args=[trust.ods_code]),
    ]
    few = [page_queries(client, url) for url in pages]
    for _ in range(3):
        send_now(submission.lfpse_submit, by=mso, incident=incident)  # refused again
        refused_incident(trust, staff, mso, send_now)
    assert incident.lfpse_submissions.filter(state=State.REFUSED).count() == 4
    assert [page_queries(client, url) for url in pages] == few


def test_marked_ready_with_the_broker_down_the_page_still_answers(
    client_for, trust, staff, mso, monkeypatch, django_capture_on_commit_callbacks
):
    incident = report(trust, staff)

    def broker_down(*args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(submission, "queue_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(mso).post(reverse("incidents:lfpse_send", args=[incident.reference]))
    assert response.status_code == 302  # saved and kept waiting for the sweep, not an error
    assert state(incident) == ExportState.WAITING


def test_only_the_reviewers_see_the_incident_s_lfpse_card(client_for, trust, staff, mso, send_now):
    incident = refused_incident(trust, staff, mso, send_now)
    assert 'id="lfpse"' in client_for(mso).get(incident.get_absolute_url()).content.decode()
    response = client_for(staff).get(incident.get_absolute_url())  # its reporter
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="lfpse"' not in page and "LFPSE refused the record" not in page
