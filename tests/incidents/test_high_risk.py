"""The MSO's list of high-risk medicines: national terms switched off and back on, terms of
its own added, and new reports flagged from it."""

import pytest
from django.urls import reverse

from incidents.models import HighRiskMedicine
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def test_the_mso_changes_the_list(assert_access, client_for, mso, other_mso, staff, trust):
    url = reverse("incidents:high_risk", args=[trust.ods_code])
    response = assert_access(url, allowed=mso, other_organisation=other_mso, wrong_role=staff)
    assert "warfarin" in response.content.decode()
    assert_access(
        url,
        method="post",
        data={"term": "Amiodarone", "group": "Antiarrhythmic"},
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    assert report(trust, staff, medicines=("Amiodarone 200 mg",)).high_risk
    digoxin = HighRiskMedicine.objects.get(organisation=None, term="digoxin")
    assert_access(
        reverse("incidents:high_risk_remove", args=[trust.ods_code, digoxin.pk]),
        method="post",
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
        ok=302,
    )
    assert not report(trust, staff, medicines=("Digoxin 62.5 micrograms",)).high_risk


def test_a_term_already_listed_is_a_clear_message(client_for, mso, trust):
    response = client_for(mso).post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"term": "Warfarin", "group": "Anticoagulant"},
    )
    assert "already on the national list" in response.content.decode()


def test_a_national_term_switched_off_comes_back(client_for, mso, trust, staff):
    client = client_for(mso)
    digoxin = HighRiskMedicine.objects.get(organisation=None, term="digoxin")
    client.post(reverse("incidents:high_risk_remove", args=[trust.ods_code, digoxin.pk]))
    client.post(
        reverse("incidents:high_risk", args=[trust.ods_code]),
        {"term": "digoxin", "group": "Digoxin"},
    )
    assert report(trust, staff, medicines=("Digoxin",)).high_risk


def test_another_organisations_term_cannot_be_touched(client_for, mso, trust, other_trust):
    theirs = HighRiskMedicine.objects.create(organisation=other_trust, term="x", group="y")
    url = reverse("incidents:high_risk_remove", args=[trust.ods_code, theirs.pk])
    assert client_for(mso).post(url).status_code == 404
