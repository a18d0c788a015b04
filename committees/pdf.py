"""An assurance report as a PDF for the board, written with WeasyPrint from the same
templates and SVG chart as its web page: the organisation, the period and the report's state
on every page, and page numbers ("Page 2 of 5")."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import pdf

from . import figures
from .choices import PdfState, ReportState
from .models import AssuranceReport, pdf_being_made

logger = logging.getLogger(__name__)


def render(report: AssuranceReport) -> bytes:
    return pdf.render("committees/report_pdf.html", figures.report_context(report))


def store(report_id: int) -> bool:
    """Make and keep the PDF of an approved report, once, saying how far it has got
    (``pdf_state``, since ``pdf_state_since``) for its page to show. A run that finds the PDF
    made, or being made by a live attempt, does nothing: the task may run twice (Redis hands a
    killed worker's task to another, and the chair may ask again once it was lost). Returns
    whether it made one."""
    began = timezone.now()
    waiting = AssuranceReport.objects.filter(pk=report_id, pdf="").exclude(state=ReportState.DRAFT)
    claimed = waiting.exclude(pdf_being_made()).update(
        pdf_state=PdfState.MAKING, pdf_state_since=began
    )
    if not claimed:
        return False  # a draft, made already, or being made
    # This attempt, while no other has taken over from it.
    attempt = waiting.filter(pdf_state=PdfState.MAKING, pdf_state_since=began)
    try:
        report = AssuranceReport.objects.select_related(
            "committee__organisation", "approved_by"
        ).get(pk=report_id)
        content = render(report)
        with transaction.atomic():
            locked = AssuranceReport.objects.select_for_update().get(pk=report_id)
            if locked.pdf:
                return False
            locked.pdf.save(f"report-{report_id}.pdf", ContentFile(content), save=False)
            locked.pdf_state = PdfState.READY
            locked.save(update_fields=["pdf", "pdf_state"])
    except SoftTimeLimitExceeded:
        # Near the task's time limit (settings.CELERY_TASK_ANNOTATIONS): said at once, rather
        # than once the hard limit has stopped it.
        logger.error("The PDF of assurance report %s took longer than it may", report_id)
        attempt.update(pdf_state=PdfState.FAILED)
        return False
    except Exception:  # Pango missing, a font, a template, the file store: it may be asked again
        logger.exception("The PDF of assurance report %s could not be made", report_id)
        attempt.update(pdf_state=PdfState.FAILED)
        return False
    return True
