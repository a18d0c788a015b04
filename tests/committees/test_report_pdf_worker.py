"""A report's PDF through a real Celery worker and the real Redis broker (as in production): a
worker killed while making it leaves it being made; once that is longer than a PDF may take,
the page offers to make it again; asked again, the next worker makes it, and the killed
worker's task, which Redis hands back after its visibility timeout, finds it made and does
nothing. Needs PostgreSQL and Redis: tests/celery_worker.py."""

import datetime
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db.models import F
from django.urls import reverse

from committees import figures, services
from committees.models import AssuranceReport
from tests.celery_worker import WAIT, own_queue, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


@pytest.fixture
def worker_media(tmp_path, monkeypatch, settings):
    """The workers' file store, and the test's: a folder of the test's own."""
    media = tmp_path / "worker-media"
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = media
    return media


def _state(report) -> str:
    return AssuranceReport.objects.values_list("pdf_state", flat=True).get(pk=report.pk)


def _all_taken(broker) -> bool:
    """Every PDF task queued has been taken and finished: none waiting, none unacknowledged."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    waiting = client.llen(own_queue(settings.CELERY_WORK_QUEUES["pdfs"], broker))
    return not waiting and not client.hlen("unacked")


def test_a_worker_killed_while_making_the_pdf_leaves_it_to_be_asked_again(
    worker_media, broker, workers, committee, chair, client_for
):
    draft = services.report_create(
        by=chair, committee=committee, period_start=START, period_end=END
    )
    for section in figures.REQUIRED:
        services.narrative_save(by=chair, report=draft, section=section, text="Assured.")
    first = workers()
    report = services.report_approve(by=chair, report=draft)  # its task goes to the broker
    wait_until(lambda: _state(report) == "making", every=0.005)
    first.kill()
    first.wait(WAIT)
    assert _state(report) == "making"  # killed before it was made

    args = [committee.organisation.ods_code, committee.pk, report.pk]
    chair_client = client_for(chair)
    text = chair_client.get(reverse("committees:report", args=args)).content.decode()
    assert "Being made" in text and "Make the PDF again" not in text
    # As it stands once it has been on its way longer than a PDF may take.
    AssuranceReport.objects.filter(pk=report.pk).update(
        pdf_state_since=F("pdf_state_since") - timedelta(seconds=settings.REPORT_PDF_SECONDS)
    )
    text = chair_client.get(reverse("committees:report", args=args)).content.decode()
    assert "The PDF could not be made" in text and "Make the PDF again" in text
    again = chair_client.post(reverse("committees:report_pdf_again", args=args))
    assert again.status_code == 302

    workers()
    wait_until(lambda: _state(report) == "ready")
    wait_until(lambda: _all_taken(broker))  # the killed worker's task too, handed back
    report.refresh_from_db()
    assert report.pdf_state == "ready" and report.pdf
    assert [path.name for path in worker_media.rglob("*.pdf")] == [
        report.pdf.name.rpartition("/")[2]
    ]
