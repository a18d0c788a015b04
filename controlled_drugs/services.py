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


def _recorded_already(by, organisation, fields: dict) -> Concern | None:
    """The same concern recorded by the same person a moment ago (a second press of the
    button, a reload, another tab), looked for under the organisation's lock: open, and the
    same in every field the form gives (``fields``, as the concern would be created with
    them). The same words from another source, or received on another day, are a concern of
    their own."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    return Concern.objects.filter(
        organisation=organisation, recorded_by=by, state=Concern.State.OPEN, **fields
    ).first()


def concern_record(*, by, organisation, data: dict) -> Concern:
    with transaction.atomic(), audit_as(by):
        same = _recorded_already(by, organisation, data)
        return same or Concern.objects.create(organisation=organisation, recorded_by=by, **data)


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


def _has_a_cdao(organisation) -> bool:
    return _cdaos(organisation).exists()


def _cdaos(organisation):
    """The people holding the CDAO post in ``organisation`` today."""
    return (
        Appointment.objects.filter(
            organisation=organisation, post=Post.CDAO, user__isnull=False, user__is_active=True
        )
        .current()
        .values_list("user_id", flat=True)
        .distinct()
    )


def keeper(organisation, *, about_the_cdao=False):
    """The body whose CDAO takes a concern raised at ``organisation`` (The Controlled Drugs
    (Supervision of Management and Use) Regulations 2013, regulations 8 and 11): the
    organisation itself when it is a designated body with a CDAO in post; otherwise, or when the
    concern is about that CDAO, the NHS England regional team of its region, if its CDAO is in
    post. None when nobody here can take it."""
    if (
        not about_the_cdao
        and organisation.kind in DESIGNATED_BODIES
        and organisation.kind != OrganisationKind.NHS_ENGLAND_REGION
        and _has_a_cdao(organisation)
    ):
        return organisation
    teams = Organisation.objects.filter(
        kind=OrganisationKind.NHS_ENGLAND_REGION, region=organisation.region
    ).order_by("pk")
    if about_the_cdao and organisation.kind == OrganisationKind.NHS_ENGLAND_REGION:
        return None  # about a regional CDAO: NHS England's national controlled drugs team
    return next((team for team in teams if _has_a_cdao(team)), None)


def concern_raise(*, by, organisation, data: dict) -> Concern:
    """A concern raised in confidence by a member of ``organisation``: kept by its CDAO
    (``keeper``), who is told at once; the one who raised it does not read it again."""
    about_the_cdao = data.pop("about_the_cdao", False)
    body = keeper(organisation, about_the_cdao=about_the_cdao)
    if body is None:
        raise ValidationError(
            "There is no controlled drugs accountable officer here to take it: tell your "
            "organisation's medicines lead, or NHS England's regional team, instead"
        )
    fields = data | {
        "works_at": data["works_at"].strip() or organisation.name,
        "received_on": timezone.localdate(),
        "source": Concern.Source.STAFF,
    }
    with transaction.atomic(), audit_as(by):
        same = _recorded_already(by, body, fields)
        if same is not None:
            return same
        concern = Concern.objects.create(organisation=body, recorded_by=by, **fields)
        notify(_raised_notices(concern))
    return concern


def _raised_notices(concern):
    """The body's CDAOs told of a raised concern: no detail in an email."""
    for user_id in _cdaos(concern.organisation):
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
