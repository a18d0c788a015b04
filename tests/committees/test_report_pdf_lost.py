"""A report's PDF lost on its way: a worker killed while making it, or its task lost before a
worker took it. It waits no longer than a PDF may take (settings.REPORT_PDF_SECONDS, the making
task's hard time limit); then its page says it could not be made and offers the chair to make
it again, which queues one task however often she presses. A task that finds the PDF made, or
being made by a live attempt, does nothing; past the soft time limit the PDF could not be made
at once."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse

from committees import figures, pdf, services
from committees.models import AssuranceReport
from committees.tasks import make_report_pdf
from tests.committees.conftest import at

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
APPROVED = at(datetime.date(2026, 10, 20), 9)


@pytest.fixture
def clock():
    with time_machine.travel(APPROVED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def approved(committee, chair, clock):
    """Approved at 09:00, its PDF asked for; its task has not run."""
    draft = services.report_create(
        by=chair, committee=committee, period_start=START, period_end=END
    )
    for section in figures.REQUIRED:
        services.narrative_save(by=chair, report=draft, section=section, text="Assured.")
    return services.report_approve(by=chair, report=draft)


@pytest.fixture
def limit(settings):
    return timedelta(seconds=settings.REPORT_PDF_SECONDS)


def _args(report_):
    return [report_.committee.organisation.ods_code, report_.committee.pk, report_.pk]


def page(client, report_) -> str:
    return client.get(reverse("committees:report", args=_args(report_))).content.decode()


def status(client, report_) -> dict:
    return client.get(reverse("committees:report_pdf_status", args=_args(report_))).json()


def killed_while_making(report_, monkeypatch):
    """The task begins making the PDF and its worker is killed: nothing after that runs."""

    def killed(report):
        raise SystemExit("the worker was killed")

    with monkeypatch.context() as patched:
        patched.setattr(pdf, "render", killed)
        with pytest.raises(SystemExit):
            pdf.store(report_.pk)
    report_.refresh_from_db()
    assert report_.pdf_state == "making" and not report_.pdf


def test_a_pdf_being_made_longer_than_it_may_could_not_be_made(
    approved, clock, limit, client_for, chair, director, monkeypatch
):
    killed_while_making(approved, monkeypatch)
    clock.shift(limit - timedelta(seconds=1))
    chair_client = client_for(chair)
    assert status(chair_client, approved)["state"] == "making"
    text = page(chair_client, approved)
    assert "Being made" in text and "Make the PDF again" not in text

    clock.shift(timedelta(seconds=2))
    assert status(chair_client, approved) == {
        "state": "failed",
        "label": "Could not be made",
        "ready": False,
    }
    text = page(chair_client, approved)
    assert "The PDF could not be made" in text and "Make the PDF again" in text
    text = page(client_for(director), approved)
    assert "The PDF could not be made" in text and "Make the PDF again" not in text


def test_a_pdf_no_worker_took_could_not_be_made(approved, clock, limit, client_for, chair):
    chair_client = client_for(chair)
    clock.shift(limit - timedelta(seconds=1))
    text = page(chair_client, approved)
    assert "Waiting to be made" in text and "Make the PDF again" not in text
    clock.shift(timedelta(seconds=2))
    text = page(chair_client, approved)
    assert "The PDF could not be made" in text and "Make the PDF again" in text


def test_asked_again_twice_one_task_makes_it(
    approved, clock, limit, client_for, chair, monkeypatch, django_capture_on_commit_callbacks
):
    killed_while_making(approved, monkeypatch)
    clock.shift(limit + timedelta(seconds=1))
    queued = []
    monkeypatch.setattr(make_report_pdf, "delay", queued.append)
    chair_client = client_for(chair)
    again = reverse("committees:report_pdf_again", args=_args(approved))
    with django_capture_on_commit_callbacks(execute=True):
        first = chair_client.post(again)
    with django_capture_on_commit_callbacks(execute=True):
        second = chair_client.post(again, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert queued == [approved.pk]
    assert "The PDF is being made already: asked for at 09:03" in second.content.decode()
    assert status(chair_client, approved)["state"] == "queued"

    assert pdf.store(approved.pk) is True
    approved.refresh_from_db()
    assert approved.pdf_state == "ready" and approved.pdf
    assert "Download the report as a PDF" in page(chair_client, approved)


def test_a_task_run_again_leaves_a_live_attempt_and_takes_over_a_lost_one(
    approved, clock, limit, monkeypatch
):
    """Redis hands a task back when its worker died (after its visibility timeout), and a task
    may be queued twice: one that finds the PDF being made by a live attempt leaves it; one
    that finds it lost makes it; one that finds it made does nothing."""
    killed_while_making(approved, monkeypatch)
    clock.shift(limit - timedelta(seconds=1))
    with monkeypatch.context() as patched:
        patched.setattr(pdf, "render", lambda report: pytest.fail("made by a second attempt"))
        assert pdf.store(approved.pk) is False
    approved.refresh_from_db()
    assert (approved.pdf_state, approved.pdf_state_since) == ("making", APPROVED)

    clock.shift(timedelta(seconds=2))
    assert pdf.store(approved.pk) is True
    approved.refresh_from_db()
    name = approved.pdf.name
    assert approved.pdf_state == "ready" and name
    assert pdf.store(approved.pk) is False
    assert AssuranceReport.objects.get(pk=approved.pk).pdf.name == name


def test_past_the_soft_time_limit_it_could_not_be_made_at_once(
    approved, client_for, chair, monkeypatch
):
    def too_long(report):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pdf, "render", too_long)
    assert pdf.store(approved.pk) is False
    approved.refresh_from_db()
    assert approved.pdf_state == "failed" and not approved.pdf
    text = page(client_for(chair), approved)
    assert "The PDF could not be made" in text and "Make the PDF again" in text
