from celery import shared_task


@shared_task(acks_late=True)
def make_report_pdf(report_id: int) -> bool:
    """The approved report's PDF (committees.pdf.store): made once, however often this runs.
    Its time limits are settings.REPORT_PDF_SECONDS (CELERY_TASK_ANNOTATIONS): past the soft
    one it is marked could not be made."""
    from .pdf import store

    return store(report_id)
