"""Senior sign-off that fits the organisation (organisations.choices.SENIOR_SIGN_OFF): each
kind of organisation takes a response to completion with its own senior lead; an alert whose
terms need no sign-off is completed by the MSO once every action is finished."""

import datetime

import pytest
from django.urls import reverse

from alerts import services
from alerts.models import AlertResponse
from organisations.choices import SENIOR_SIGN_OFF, Post
from tests.alerts.conftest import draft, finish
from tests.factories import OrganisationFactory, UserFactory, post_holder

pytestmark = pytest.mark.django_db

KINDS = {
    "nhs-trust": {},
    "icb": {"icb": True},
    "pcn": {"pcn": True},
    "gp-practice": {"practice": True},
    "community-pharmacy": {"kind": "community-pharmacy", "ods_code": "FQ002"},
    "independent-provider": {"kind": "independent-provider", "ods_code": "NQ02"},
}


def respond(client_for, kind, needs_sign_off=True):
    organisation = OrganisationFactory(**KINDS[kind])
    mso = post_holder(organisation, Post.MSO)
    alert = draft(UserFactory(), applicable_kinds=[kind], needs_sign_off=needs_sign_off)
    services.alert_publish(by=UserFactory(), alert=alert)
    response = AlertResponse.objects.get(alert=alert, organisation=organisation)
    services.response_decide(by=mso, response=response, applies=True)
    finish(mso, response, mso, on=datetime.date.today())
    return organisation, mso, response


def url(name, response):
    return reverse(f"alerts:{name}", args=[response.alert_id, response.organisation.ods_code])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_completes_with_its_own_senior_lead(client_for, kind):
    organisation, mso, response = respond(client_for, kind)
    signer = post_holder(organisation, SENIOR_SIGN_OFF[kind])
    page = client_for(mso).get(url("response", response)).text
    label = services.signer_label(organisation)
    if SENIOR_SIGN_OFF[kind] != Post.BOARD_DIRECTOR:
        assert str(SENIOR_SIGN_OFF[kind].label).lower() in label.lower()
    assert f"{label} signs the response off next" in page
    refused = client_for(mso).post(url("complete", response))
    assert refused.status_code == 302
    response.refresh_from_db()
    assert response.state == "in-progress"  # not before the sign-off
    assert client_for(signer).post(url("sign_off", response), {"note": ""}).status_code == 302
    assert client_for(mso).post(url("complete", response)).status_code == 302
    response.refresh_from_db()
    assert (response.state, response.signed_off_by) == ("completed", signer)


def test_the_mso_does_not_sign_off_in_their_stead(client_for):
    organisation, mso, response = respond(client_for, "community-pharmacy")
    assert client_for(mso).post(url("sign_off", response), {"note": ""}).status_code == 403


def test_an_alert_that_needs_no_sign_off_is_completed_by_the_mso(client_for):
    organisation, mso, response = respond(client_for, "gp-practice", needs_sign_off=False)
    page = client_for(mso).get(url("response", response)).text
    assert "needs no senior sign-off" in page
    assert client_for(mso).post(url("complete", response)).status_code == 302
    response.refresh_from_db()
    assert response.state == "completed" and response.signed_off_by is None
    assert (
        "with no senior sign-off as the alert's terms allow"
        in client_for(mso).get(url("response", response)).text
    )
