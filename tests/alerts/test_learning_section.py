"""The alerts' section of the quarterly national learning summary (alerts/learning.py): the
alerts issued in the quarter, with how the organisations the lead sees have answered."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alerts import services
from organisations.choices import Region
from tests.alerts.conftest import draft
from tests.factories import OrganisationFactory, network_lead

pytestmark = pytest.mark.django_db


def test_the_alerts_issued_in_the_quarter_and_their_answers(
    client_for, patient_safety_team, django_capture_on_commit_callbacks
):
    OrganisationFactory(region=Region.LONDON)
    OrganisationFactory(region=Region.MIDLANDS)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 8, 3, 9)), tick=False):
        issued = draft(patient_safety_team, issued_on=datetime.date(2026, 8, 3))
        later = draft(
            patient_safety_team,
            reference="NatPSA/2026/009/NHSPS",
            issued_on=datetime.date(2026, 10, 5),
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.alert_publish(by=patient_safety_team, alert=issued)
            services.alert_publish(by=patient_safety_team, alert=later)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 11, 20, 9)), tick=False):
        lead = network_lead(region=Region.LONDON)
        response = client_for(lead).get(reverse("incidents:learning") + "?quarter=2026-Q3")
    template, section = response.context["sections"][0]
    assert template == "alerts/includes/learning_alerts.html"
    assert [(row["alert"].reference, row["total"]) for row in section["alerts"]] == [
        (issued.reference, 1)  # London's organisation, not the Midlands'
    ]
    assert issued.reference in response.content.decode()
