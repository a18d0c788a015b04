"""Evidence files for an alert's required actions: added while the response is open, checked by
content and size as they are read, on the response's timeline, and a sign-off given before them
asked for again. A refused file leaves nothing behind."""

import pytest
from django.urls import reverse

from alerts import services
from alerts.models import AlertEvidence, AlertResponseEvent
from tests.alerts.conftest import finish
from tests.uploads import EXECUTABLE, HTML, PDF, upload

pytestmark = pytest.mark.django_db


def add(client, answer, name="audit.pdf", content=PDF):
    response = answer.response
    url = reverse(
        "alerts:evidence_create",
        args=[response.alert_id, response.organisation.ods_code, answer.action_id],
    )
    return client.post(url, {"file": upload(name, content)})


def test_the_mso_adds_a_file_to_an_action(client_for, mso, answer):
    client = client_for(mso)
    page = add(client, answer, name="weekly dose audit.pdf")
    assert page.status_code == 302
    evidence = AlertEvidence.objects.get()
    assert evidence.action_response == answer and evidence.uploaded_by == mso
    assert evidence.filename == "weekly_dose_audit.pdf"
    assert "weekly" not in evidence.file.name  # stored under a random name
    event = AlertResponseEvent.objects.filter(response=answer.response).last()
    assert (event.kind, event.by, event.note) == ("evidence", mso, "weekly_dose_audit.pdf")
    page = client.get(page.url)
    assert "“weekly_dose_audit.pdf” is added" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("audit.pdf", EXECUTABLE, "This one looks like"),
        ("audit.pdf", HTML, "This one looks like"),
        ("audit.png", PDF, "rename it to end .pdf"),
    ],
)
def test_a_disguised_file_is_refused(client_for, mso, answer, name, content, message):
    page = add(client_for(mso), answer, name, content)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not AlertEvidence.objects.exists()
    assert not AlertResponseEvent.objects.filter(kind="evidence").exists()


def test_an_oversized_file_is_refused_while_it_is_read(client_for, mso, answer, settings):
    settings.RESOURCE_MAX_BYTES = 100
    page = add(client_for(mso), answer, content=PDF + b"0" * 500)
    assert page.status_code == 200
    assert "The file must be smaller than" in page.content.decode()
    assert not AlertEvidence.objects.exists()


def test_a_closed_response_takes_no_files(client_for, mso, response, answer):
    services.response_decide(by=mso, response=response, applies=False, rationale="No stock held")
    page = add(client_for(mso), answer)
    assert page.status_code == 200
    assert "The response is not applicable: reopen it first" in page.content.decode()
    assert not AlertEvidence.objects.exists()


def test_a_file_added_after_the_sign_off_asks_for_it_again(
    client_for, mso, director, response, answer
):
    services.response_decide(by=mso, response=response, applies=True)
    finish(mso, response, mso)
    services.response_sign_off(by=director, response=response)
    assert add(client_for(mso), answer).status_code == 302
    response.refresh_from_db()
    assert response.signed_off_at is None and response.signed_off_by is None
