from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_as
from notifications.registry import Reminder
from notifications.services import notify
from organisations.choices import DESIGNATED_BODIES, OrganisationKind, Post
from organisations.models import Appointment, Organisation

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


def keeper(organisation):
    """The body whose CDAO takes a concern raised at ``organisation``: the organisation itself
    when it is a designated body (a trust, an independent hospital, an NHS England team); for
    any other (a practice, a pharmacy, an ICB), the NHS England regional team of its region
    (The Controlled Drugs (Supervision of Management and Use) Regulations 2013, regulations 8
    and 11). None when there is no such team here."""
    if organisation.kind in DESIGNATED_BODIES:
        return organisation
    return (
        Organisation.objects.filter(
            kind=OrganisationKind.NHS_ENGLAND_REGION, region=organisation.region
        )
        .order_by("pk")
        .first()
    )


def concern_raise(*, by, organisation, data: dict) -> Concern:
    """A concern raised in confidence by a member of ``organisation``: kept by its CDAO
    (``keeper``), who is told at once; the one who raised it does not read it again."""
    body = keeper(organisation)
    if body is None:
        raise ValidationError(
            "There is no controlled drugs accountable officer here to take it: tell your "
            "organisation's medicines lead, or NHS England's regional team, instead"
        )
    works_at = data["works_at"].strip() or organisation.name
    with transaction.atomic(), audit_as(by):
        concern = Concern.objects.create(
            organisation=body,
            received_on=timezone.localdate(),
            source=Concern.Source.STAFF,
            recorded_by=by,
            **(data | {"works_at": works_at}),
        )
        notify(_raised_notices(concern))
    return concern


def _raised_notices(concern):
    """The body's CDAOs told of a raised concern: no detail in an email."""
    holders = (
        Appointment.objects.filter(
            organisation=concern.organisation,
            post=Post.CDAO,
            user__isnull=False,
            user__is_active=True,
        )
        .current()
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in holders:
        yield Reminder(
            subject=f"cd-concern:{concern.pk}",
            kind="cd-concern-raised",
            due_on=concern.received_on,
            recipient_id=user_id,
            title="A concern about controlled drugs was raised with you",
            body="A member of staff raised a concern about someone's handling of controlled "
            "drugs. Read it in MSO Portal.",
            url=reverse(
                "controlled_drugs:concern", args=[concern.organisation.ods_code, concern.pk]
            ),
        )
