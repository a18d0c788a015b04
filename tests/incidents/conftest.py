import datetime

import pytest

from incidents import services
from organisations.choices import Role
from tests.factories import member

DETAILS = {
    "occurred_on": datetime.date(2026, 11, 20),
    "occurred_time": None,
    "time_bracket": "1",
    "location": "4",
    "service_area": "Ward 12",
    "what_happened": "Insulin given twice: the first dose was not recorded on the chart.",
    "immediate_actions": "Blood glucose checked hourly; doctor told.",
    "reached_patient": "y",
    "physical_harm": "4",
    "psychological_harm": "4",
    "age_bracket": "10",
    "gender": "1",
    "process": "6",  # LFPSE: intervention, treatment, care provision... administering
}


def report(organisation, reporter, *, medicines=("Insulin aspart",), anonymous=False, **details):
    """An incident reported through the service, as the form would."""
    incident, _receipt = services.report_submit(
        by=reporter,
        organisation=organisation,
        details=DETAILS | details,
        medicines=[
            {"name": name, "route": "subcutaneous", "dose": "10 units"} for name in medicines
        ],
        anonymous=anonymous,
    )
    return incident


@pytest.fixture
def safety_team(trust):
    return member(trust, Role.SAFETY_TEAM, full_name="Sam Patel")


@pytest.fixture
def incident(trust, staff):
    return report(trust, staff)


@pytest.fixture
def other_incident(other_trust, other_mso):
    return report(other_trust, other_mso)
