from celery import shared_task


@shared_task(acks_late=True)
def make_report_pdf(report_id: int) -> bool:
    """The approved report's PDF (committees.pdf.store): made once, whatever how often this
    runs."""
    from .pdf import store

    return store(report_id)
