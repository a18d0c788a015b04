import datetime

import pytest

from alerts import services as alerts
from alerts.models import AlertActionResponse
from committees import figures
from committees import services as committees
from tests.alerts.conftest import draft
from tests.committees.conftest import chair, committee, secretary  # noqa: F401 (fixtures)

START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)


@pytest.fixture
def answer(trust, other_trust, patient_safety_team, mso) -> AlertActionResponse:
    """The first action of a published alert, as the trust answers it; the other trust has its
    own response."""
    alert = draft(patient_safety_team)
    alerts.alert_publish(by=patient_safety_team, alert=alert)
    return (
        AlertActionResponse.objects.filter(response__organisation=trust)
        .order_by("action__position")
        .first()
    )


@pytest.fixture
def approved_report(committee, chair):  # noqa: F811
    report = committees.report_create(
        by=chair, committee=committee, period_start=START, period_end=END
    )
    for section in figures.REQUIRED:
        committees.narrative_save(by=chair, report=report, section=section, text="Written.")
    return committees.report_approve(by=chair, report=report)
