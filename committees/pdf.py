"""An assurance report as a PDF for the board, written with WeasyPrint from the same
templates and SVG chart as its web page: the organisation, the period and the report's state
on every page, and page numbers ("Page 2 of 5")."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from . import figures
from .models import AssuranceReport

logger = logging.getLogger(__name__)
STYLESHEET = "css/report-pdf.css"


def render(report: AssuranceReport) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # needs Pango; only the worker that makes PDFs loads it

    html = render_to_string("committees/report_pdf.html", figures.report_context(report))
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])


def store(report_id: int) -> bool:
    """Make and keep the PDF of an approved report, once. Returns whether it made one."""
    report = (
        AssuranceReport.objects.select_related("committee__organisation", "approved_by")
        .filter(pk=report_id)
        .exclude(state="draft")
        .first()
    )
    if report is None or report.pdf:
        return False
    try:
        content = render(report)
    except OSError:  # WeasyPrint could not load Pango: the report page says it is not made
        logger.exception("The PDF of assurance report %s could not be made", report.pk)
        return False
    with transaction.atomic():
        locked = AssuranceReport.objects.select_for_update().get(pk=report.pk)
        if locked.pdf:
            return False
        locked.pdf.save(f"report-{report.pk}.pdf", ContentFile(content), save=False)
        locked.save(update_fields=["pdf"])
    return True
