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
from tests.factories import (
    OrganisationFactory,
    RelationshipFactory,
    UserFactory,
    member,
    post_holder,
)

pytestmark = pytest.mark.django_db

KINDS = {
    "nhs-trust": {},
    "foundation-trust": {"kind": "foundation-trust"},
    "ambulance-trust": {"kind": "ambulance-trust"},
    "icb": {"icb": True},
    "pcn": {"pcn": True},
    "gp-practice": {"practice": True},
    "community-pharmacy": {"pharmacy": True},
    "pharmacy-head-office": {"kind": "pharmacy-head-office", "ods_code": "FHQ02"},
    "pharmacy-body": {"kind": "pharmacy-body", "ods_code": "FNB02"},
    "independent-provider": {"kind": "independent-provider", "ods_code": "NQ02"},
    "other": {"kind": "other", "ods_code": "XQ002"},
}
# The kinds that name their own MSO or are covered: the MSO of the organisation above answers.
COVERED_BY = {
    "gp-practice": {"pcn": True},
    "community-pharmacy": {"kind": "pharmacy-body", "ods_code": "FNB03"},
}


def test_every_kind_that_answers_alerts_is_tried():
    assert set(KINDS) == set(SENIOR_SIGN_OFF)


def respond(client_for, kind, needs_sign_off=True, covered=False):
    organisation = OrganisationFactory(**KINDS[kind])
    if covered:
        above = OrganisationFactory(**COVERED_BY[kind])
        RelationshipFactory(parent=above, child=organisation)
        mso = post_holder(above, Post.MSO)
    else:
        mso = post_holder(organisation, Post.MSO)
    alert = draft(UserFactory(), applicable_kinds=[kind], needs_sign_off=needs_sign_off)
    services.alert_publish(by=UserFactory(), alert=alert)
    response = AlertResponse.objects.get(alert=alert, organisation=organisation)
    services.response_decide(by=mso, response=response, applies=True)
    # The actions' owners are the organisation's own members (a covering MSO assigns them).
    owner = member(organisation) if covered else mso
    finish(mso, response, owner, on=datetime.date.today())
    return organisation, mso, response


def url(name, response):
    return reverse(f"alerts:{name}", args=[response.alert_id, response.organisation.ods_code])


@pytest.mark.parametrize(
    ("kind", "covered"),
    [(kind, False) for kind in sorted(KINDS)] + [(kind, True) for kind in sorted(COVERED_BY)],
)
def test_each_kind_completes_with_its_own_senior_lead(client_for, kind, covered):
    """Its own MSO, or the MSO who covers it (a practice's PCN's, an independent pharmacy's
    national body's), leads; the organisation's own senior lead signs off."""
    organisation, mso, response = respond(client_for, kind, covered=covered)
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
