"""The assurance report says which day each figure counts by: learning responses by the day
the incident was closed, the incidents by the day they happened (as the incident list does);
on its page and in its PDF, and true to how the figures are worked out."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from committees import figures, services
from incidents.models import Incident, Status
from tests.committees.conftest import at
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)

LEARNING = (
    "Learning responses are counted by the day the incident was closed, not the day it "
    "happened: each incident closed in the period (and still closed when these figures were "
    "worked out) is counted under the learning response recorded for it, whenever it happened. "
    "The other incident figures in this report, like the incident list, count incidents by the "
    "day they happened, so the two can differ."
)
INCIDENTS = (
    "Incidents are counted by the day they happened, as the incident list and the incident "
    "figures page date them, with duplicates left out"
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(datetime.date(2026, 10, 20), 9), tick=False):
        yield


def closed(incident, on, response):
    Incident.objects.filter(pk=incident.pk).update(
        status=Status.CLOSED, learning_response=response, closed_at=at(on)
    )


@pytest.fixture
def draft(trust, staff, committee, chair):
    """An incident that happened in June and was closed in August with an after action review;
    one that happened in August, still open; one that happened in July, closed in the period
    with a SWARM huddle and reopened since."""
    closed(
        report(trust, staff, occurred_on=datetime.date(2026, 6, 10)),
        datetime.date(2026, 8, 15),
        "aar",
    )
    report(trust, staff, occurred_on=datetime.date(2026, 8, 3))
    reopened = report(trust, staff, occurred_on=datetime.date(2026, 7, 2))
    closed(reopened, datetime.date(2026, 7, 20), "swarm")
    Incident.objects.filter(pk=reopened.pk).update(status=Status.IN_REVIEW, closed_at=None)
    return services.report_create(by=chair, committee=committee, period_start=START, period_end=END)


def test_the_figures_count_as_the_note_says(draft):
    got = figures.report_figures(draft.committee, START, END)
    learning = {row["response"]: row["count"] for row in got["learning"]}
    assert learning["After action review (AAR)"] == 1  # happened before the period
    assert learning["SWARM huddle"] == 0  # reopened since
    assert got["incidents"]["total"] == 2  # August's and July's, by the day they happened


def test_the_report_page_says_which_day_each_count_is_by(draft, chair, client_for):
    page = client_for(chair).get(
        reverse(
            "committees:report",
            args=[draft.committee.organisation.ods_code, draft.committee.pk, draft.pk],
        )
    )
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert LEARNING in text
    assert INCIDENTS in text


def test_the_pdf_says_it_too(draft):
    from pypdf import PdfReader

    from committees import pdf

    pages = PdfReader(io.BytesIO(pdf.render(draft))).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert LEARNING in text
    assert INCIDENTS in text
