"""The national seed (``seed_national``): the hierarchy and the register it names, at a small
scale, repeatable and shaped like the real thing."""

import datetime

import pytest

from demo.national.organisations import seed_organisations, seed_register
from organisations import register
from organisations.models import Appointment, ChangeRequest, Handover, Organisation
from tests.factories import network_lead

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def test_the_register_has_every_state_and_a_second_run_adds_nothing(db):
    counts = seed_organisations(0.03)
    assert counts["organisations"] == Organisation.objects.count() > 400  # one ICB area
    first = seed_register(today=TODAY)
    assert seed_register(today=TODAY) == first
    assert first["open handovers"] == Handover.objects.open().count() > 0
    assert first["changes waiting"] == ChangeRequest.objects.pending().count() > 0
    states = {
        state for row in register.rows(network_lead(), on=TODAY) for state in register.states(row)
    }
    assert states == set(register.State)
    leaving = Appointment.objects.filter(end_on__isnull=False).first()
    assert TODAY < leaving.end_on <= TODAY + datetime.timedelta(days=60)
