from django.db import transaction
from django.utils import timezone

from core.audit import audit_as

from .models import Concern


def concern_record(*, by, organisation, data: dict) -> Concern:
    with transaction.atomic(), audit_as(by):
        return Concern.objects.create(organisation=organisation, recorded_by=by, **data)


def concern_progress(*, by, concern: Concern, data: dict) -> Concern:
    """What was done, whether it went to the Local Intelligence Network, and whether it is
    closed (the day it closed kept; reopening clears it)."""
    with transaction.atomic(), audit_as(by):
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        concern.action_taken = data["action_taken"].strip()
        concern.shared_with_lin_on = data["shared_with_lin_on"]
        if data["state"] != concern.state:
            concern.state = data["state"]
            closed = concern.state == Concern.State.CLOSED
            concern.closed_on = timezone.localdate() if closed else None
        concern.save()
    return concern
