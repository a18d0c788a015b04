"""An organisation's hospital numbers: its MSO gives their shape by an example, and text of that
shape is refused in its reports (drafts included) and their review, as an NHS number is; other
organisations' reports are not affected."""

import pytest
from django.urls import reverse

from incidents.models import Draft, HospitalNumber
from tests.factories import CONFIRMED
from tests.incidents.conftest import report
from tests.incidents.test_reporting import step_1

pytestmark = pytest.mark.django_db


def test_the_mso_gives_the_shape(assert_access, mso, other_mso, staff, trust):
    url = reverse("incidents:hospital_numbers", args=[trust.ods_code])
    assert_access(url, allowed=mso, other_organisation=other_mso, wrong_role=staff)
    assert_access(
        url,
        method="post",
        data={"example": "rx 1234567"},
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    entry = HospitalNumber.objects.get()
    assert (entry.organisation, entry.example) == (trust, "RX1234567")
    assert_access(
        reverse("incidents:hospital_number_remove", args=[trust.ods_code, entry.pk]),
        method="post",
        data=CONFIRMED,
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    assert not HospitalNumber.objects.exists()


@pytest.mark.parametrize("example", ["12345", "RX-12345", "ABCDEFGH1", "1234567890123456"], ids=str)
def test_a_shape_that_would_refuse_too_much_is_refused(client_for, mso, trust, example):
    response = client_for(mso).post(
        reverse("incidents:hospital_numbers", args=[trust.ods_code]), {"example": example}
    )
    assert response.status_code == 200
    assert "like RX1234567" in response.content.decode()
    assert not HospitalNumber.objects.exists()


def test_text_of_the_shape_is_refused_in_the_organisations_reports_only(
    client_for, mso, staff, trust, other_trust, other_mso
):
    HospitalNumber.objects.create(organisation=other_trust, example="Q1234567", added_by=other_mso)
    client = client_for(staff)
    assert (
        step_1(client, {"what_happened": "Q7654321 given twice"}, action="save").status_code == 302
    )
    Draft.objects.all().delete()
    HospitalNumber.objects.create(organisation=trust, example="RX1234567", added_by=mso)
    response = step_1(client, {"what_happened": "Patient rx7654321 given twice"}, action="save")
    assert "looks like a hospital number" in response.content.decode()
    assert not Draft.objects.exists()
    incident = report(trust, staff)
    comment = client_for(mso).post(
        reverse("incidents:comment_create", args=[incident.reference]),
        {"body": "Checked the notes of RX1111111"},
    )
    assert "looks like a hospital number" in comment.content.decode()
    assert not incident.comments.exists()


def test_pressing_twice_keeps_one_shape_and_says_why(client_for, mso, trust):
    client = client_for(mso)
    url = reverse("incidents:hospital_numbers", args=[trust.ods_code])
    assert client.post(url, {"example": "RX1234567"}).status_code == 302
    again = client.post(url, {"example": "rx1234567"})
    assert "RX1234567 is already on the list" in again.content.decode()
    entry = HospitalNumber.objects.get()
    remove = reverse("incidents:hospital_number_remove", args=[trust.ods_code, entry.pk])
    assert HospitalNumber.objects.exists() and client.post(remove).status_code == 200  # asked
    assert client.post(remove, CONFIRMED).status_code == 302
    assert client.post(remove, CONFIRMED, follow=True).status_code == 200
    assert not HospitalNumber.objects.exists()


def test_the_page_reads_in_a_few_queries_however_many_shapes(
    client_for, mso, trust, django_assert_max_num_queries
):
    client = client_for(mso)
    url = reverse("incidents:hospital_numbers", args=[trust.ods_code])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(5):
        HospitalNumber.objects.create(organisation=trust, example=f"RX12345{n}0", added_by=mso)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
