"""An assurance report as a PDF for the board, written with WeasyPrint from the same
templates and SVG chart as its web page: the organisation, the period and the report's state
on every page, and page numbers ("Page 2 of 5")."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from core import pdf

from . import figures
from .choices import PdfState, ReportState
from .models import AssuranceReport

logger = logging.getLogger(__name__)


def render(report: AssuranceReport) -> bytes:
    return pdf.render("committees/report_pdf.html", figures.report_context(report))


def store(report_id: int) -> bool:
    """Make and keep the PDF of an approved report, once, saying how far it has got
    (``pdf_state``) for its page to show. Returns whether it made one."""
    waiting = AssuranceReport.objects.filter(pk=report_id).exclude(state=ReportState.DRAFT)
    if not waiting.filter(pdf="").update(pdf_state=PdfState.MAKING):
        return False  # a draft, or made already
    report = waiting.select_related("committee__organisation", "approved_by").get()
    try:
        content = render(report)
    except Exception:  # Pango missing, a font or a template: the page offers to try again
        logger.exception("The PDF of assurance report %s could not be made", report.pk)
        waiting.filter(pdf="").update(pdf_state=PdfState.FAILED)
        return False
    with transaction.atomic():
        locked = AssuranceReport.objects.select_for_update().get(pk=report.pk)
        if locked.pdf:
            return False
        locked.pdf.save(f"report-{report.pk}.pdf", ContentFile(content), save=False)
        locked.pdf_state = PdfState.READY
        locked.save(update_fields=["pdf", "pdf_state"])
    return True
