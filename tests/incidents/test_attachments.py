"""An incident's files: added by its reviewers, checked by content and size, stored under
random names, and sent as attachments only to those who read the incident whole."""

import pytest
from django.urls import reverse

from incidents.models import IncidentAttachment
from tests.uploads import EXECUTABLE, HTML, PDF, upload

pytestmark = pytest.mark.django_db


def add(client, incident, name="chart.pdf", content=PDF):
    url = reverse("incidents:attachment_create", args=[incident.reference])
    return client.post(url, {"file": upload(name, content)})


def test_a_reviewer_adds_a_file_and_the_team_downloads_it(
    assert_access, client_for, mso, other_mso, staff, incident
):
    response = assert_access(
        reverse("incidents:attachment_create", args=[incident.reference]),
        method="post",
        data={"file": upload("drug chart.pdf", PDF)},
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    attachment = IncidentAttachment.objects.get()
    assert attachment.filename == "drug_chart.pdf" and attachment.content_type == "application/pdf"
    assert "drug" not in attachment.file.name  # stored under a random name
    url = reverse("incidents:attachment_download", args=[incident.reference, attachment.pk])
    response = assert_access(url, allowed=mso, other_organisation=other_mso)
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    # The reporter reads their report, not the review's files.
    assert client_for(staff).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.pdf", EXECUTABLE, "This one looks like"),
        ("notes.pdf", HTML, "This one looks like"),
        ("chart.png", PDF, "rename it to end .pdf"),
        ("chart 943 476 5919.pdf", PDF, "which looks like an NHS number. Rename the file"),
        ("DOB 12-03-1956 chart.pdf", PDF, "which looks like a date of birth"),
    ],
)
def test_a_disguised_file_is_refused(client_for, mso, incident, name, content, message):
    response = add(client_for(mso), incident, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IncidentAttachment.objects.exists()


def test_a_long_name_is_shortened_and_keeps_its_extension(client_for, mso, incident):
    """Found by a security probe: a name over 150 characters lost its ".pdf" and was refused."""
    name = "drug-chart-" + "x" * 185 + ".pdf"
    response = add(client_for(mso), incident, name)
    assert response.status_code == 302
    assert IncidentAttachment.objects.get().filename == name[:146] + ".pdf"


def test_an_oversized_file_is_refused_while_it_is_read(client_for, mso, incident, settings):
    settings.RESOURCE_MAX_BYTES = 100
    response = add(client_for(mso), incident, content=PDF + b"0" * 500)
    assert "The file must be smaller than" in response.content.decode()
    assert not IncidentAttachment.objects.exists()
