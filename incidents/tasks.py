from celery import shared_task


@shared_task
def purge_empty_drafts() -> int:
    """Daily: the drafts with nothing typed in them, untouched for 30 days, are removed."""
    from .services import drafts_purge

    return drafts_purge()


@shared_task(acks_late=True)
def submit_to_lfpse(pk: int) -> bool:
    """Send one waiting version of an incident to LFPSE (incidents/lfpse/submission.py)."""
    from .lfpse.submission import deliver

    return deliver(pk)


@shared_task
def submit_waiting_to_lfpse() -> int:
    """Every five minutes: hand on the submissions to LFPSE still waiting."""
    from .lfpse.submission import deliver_pending

    return deliver_pending()
