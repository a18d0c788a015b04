from celery import shared_task


@shared_task
def purge_empty_drafts() -> int:
    """Daily: the drafts with nothing typed in them, untouched for 30 days, are removed."""
    from .services import drafts_purge

    return drafts_purge()
