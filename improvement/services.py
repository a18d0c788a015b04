"""Writes of improvement projects and protocols: each checks what the form cannot (who may
lead, which incidents and alerts exist, a value's period), then saves in one transaction,
audited as the person who made it."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from alerts.models import Alert
from core.audit import audit_as
from core.tasks import after_commit
from incidents.models import Incident
from incidents.permissions import Perm
from networks import services as network_services
from networks.access import network_access
from networks.models import Resource
from organisations.services import check_member, lock

from . import measures, writeup
from .models import MeasurePoint, PdsaCycle, Project, Protocol


def _made_already(record, by, **same):
    """The record of the organisation that ``by`` made with the same ``same`` fields: a second
    press, or another tab, sent the form again. Under a lock on the organisation, so two at
    once take turns (call inside the transaction that would make it)."""
    lock(record.organisation)
    return (
        type(record)
        .objects.filter(organisation_id=record.organisation_id, created_by=by, **same)
        .first()
    )


def _not_future(day, field: str, what: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"}, code="future")


def _by_reference(queryset, references: list[str]) -> list:
    """The rows of ``queryset`` with these references, whatever their case."""
    if not references:
        return []
    wanted = Q()
    for reference in references:
        wanted |= Q(reference__iexact=reference)
    return list(queryset.filter(wanted))


def _linked(by, project, references: dict[str, list[str]]):
    """The incidents (of the project's organisation, that the person may read) and published
    alerts named by their references; an unknown reference is refused by name."""
    incidents = _by_reference(
        Incident.objects.visible_to(by, Perm.INCIDENTS_VIEW).filter(
            organisation_id=project.organisation_id
        ),
        references.get("incidents", []),
    )
    alerts = _by_reference(Alert.objects.published(), references.get("alerts", []))
    errors = {}
    for field, found, wanted, what in (
        ("incident_references", incidents, references.get("incidents", []), "incident"),
        ("alert_references", alerts, references.get("alerts", []), "published alert"),
    ):
        known = {item.reference.upper() for item in found}
        missing = [reference for reference in wanted if reference.upper() not in known]
        if missing:
            where = " of the organisation" if what == "incident" else ""
            errors[field] = f"No {what} {', '.join(missing)}{where}: check the reference"
    if errors:
        raise ValidationError(errors, code="unknown")
    return incidents, alerts


def project_save(*, by, project, references: dict[str, list[str]]) -> Project:
    """Start a project, or change it: its lead is a member of the organisation; the incidents
    and alerts it responds to are named by reference."""
    check_member(project.organisation_id, project.lead, "lead")
    incidents, alerts = _linked(by, project, references)
    with transaction.atomic(), audit_as(by):
        if project.created_by_id is None:
            project.created_by = by
        project.full_clean()
        if project.pk is None and (
            same := _made_already(project, by, title=project.title, started_on=project.started_on)
        ):
            return same
        project.save()
        project.incidents.set(incidents)
        project.alerts.set(alerts)
    return project


def point_record(*, by, point) -> MeasurePoint:
    """Record a value of the measure for the week or month a day falls in; never a period
    that has not started, nor one that already has a value."""
    project = point.project
    _not_future(point.period_start, "period_start", "The date")
    point.period_start = measures.period_start(project.frequency, point.period_start)
    taken = measures.period_name(project.frequency, point.period_start)
    if MeasurePoint.objects.filter(project=project, period_start=point.period_start).exists():
        raise ValidationError(
            {"period_start": f"There is already a value for {taken}: remove it first to change it"},
            code="taken",
        )
    try:
        with transaction.atomic(), audit_as(by):
            point.recorded_by = by
            point.full_clean(validate_constraints=False)
            point.save()
    except IntegrityError:  # recorded by someone else a moment ago
        raise ValidationError(
            {"period_start": f"There is already a value for {taken}"}, code="taken"
        ) from None
    return point


def point_remove(*, by, point) -> None:
    with transaction.atomic(), audit_as(by):
        point.delete()


def cycle_save(*, by, cycle) -> PdsaCycle:
    """Plan a PDSA cycle (numbered in turn within its project), or record how it went and
    what was decided; a cycle ends with a decision."""
    _not_future(cycle.ends_on, "ends_on", "The date it ended")
    if cycle.ends_on and cycle.ends_on < cycle.starts_on:
        raise ValidationError(
            {"ends_on": "The date it ended must be on or after its start date"}, code="order"
        )
    with transaction.atomic(), audit_as(by):
        if cycle.pk is None:
            Project.objects.select_for_update().filter(pk=cycle.project_id).first()
            same = PdsaCycle.objects.filter(
                project_id=cycle.project_id, change=cycle.change, starts_on=cycle.starts_on
            ).first()
            if same is not None:  # the same cycle again: a second press
                return same
            last = PdsaCycle.objects.filter(project_id=cycle.project_id).aggregate(n=Max("number"))
            cycle.number = (last["n"] or 0) + 1
        cycle.full_clean()
        cycle.save()
    return cycle


def project_finish(*, by, project, status: str, finished_on, results: str) -> Project:
    """Finish a project with its results, or stop it (saying why)."""
    _not_future(finished_on, "finished_on", "The end date")
    if finished_on < project.started_on:
        started = f"{project.started_on:%-d %B %Y}"
        raise ValidationError(
            {"finished_on": f"The end date must be on or after its start, {started}"},
            code="order",
        )
    with transaction.atomic(), audit_as(by):
        project = Project.objects.select_for_update().get(pk=project.pk)
        if not project.is_active:
            raise ValidationError({"status": "The project has already ended"}, code="ended")
        project.status, project.finished_on, project.results = status, finished_on, results
        project.full_clean()
        project.save(update_fields=["status", "finished_on", "results", "updated_at"])
    return project


def project_reopen(*, by, project) -> None:
    """Take a project that ended back into progress (it ended by mistake, or starts again)."""
    with transaction.atomic(), audit_as(by):
        project.status, project.finished_on = Project.Status.ACTIVE, None
        project.save(update_fields=["status", "finished_on", "updated_at"])


def _check_member(by, network) -> None:
    if not network_access(by).is_member(network):
        raise ValidationError(
            {"network": f"Only members of {network.name} share with its library"},
            code="not_a_member",
        )


def _share(by, network, resource: Resource, content: bytes, tags: list[str]) -> Resource:
    """Store the file under its random name and add it to the library; the file goes again
    if the library refuses it."""
    resource.network, resource.size = network, len(content)
    resource.file.save(resource.filename, ContentFile(content), save=False)
    try:
        kept = network_services.resource_share(by=by, resource=resource, tags=tags)
    except Exception:
        resource.file.storage.delete(resource.file.name)
        raise
    if kept.pk != resource.pk:  # shared already (a second press): this copy is not needed
        resource.file.storage.delete(resource.file.name)
    return kept


def project_share(*, by, project, network, tags: list[str]) -> Resource:
    """Share a project with a network's library in one step: its write-up as a PDF (aim,
    measure and run chart, cycles and results; never the incidents, which stay in the
    organisation)."""
    _check_member(by, network)
    resource = Resource(
        title=f"{project.title} ({project.organisation.name})"[:200],
        description=project.aim[:2000],
        filename=f"{slugify(project.title)[:80] or 'project'}.pdf",
        content_type="application/pdf",
    )
    return _share(by, network, resource, writeup.render(project), tags)


def protocol_save(*, by, protocol) -> Protocol:
    """Add a protocol or change it: its keeper is a member of the organisation; a new
    document replaces the old, whose file goes once the change is committed."""
    check_member(protocol.organisation_id, protocol.owner, "owner")
    with transaction.atomic(), audit_as(by):
        replaced = None
        if protocol.pk is not None:
            before = Protocol.objects.filter(pk=protocol.pk).values_list("file", flat=True).first()
            if before and before != protocol.file.name:
                replaced = before
        if protocol.created_by_id is None:
            protocol.created_by = by
        protocol.full_clean()
        if protocol.pk is None and (
            same := _made_already(protocol, by, title=protocol.title, version=protocol.version)
        ):
            return same
        protocol.save()
        if replaced:
            storage = protocol.file.storage
            after_commit(lambda: storage.delete(replaced))
    return protocol


def protocol_retire(*, by, protocol) -> None:
    """Retire a protocol: staff no longer see it; the safety team keeps it on record."""
    with transaction.atomic(), audit_as(by):
        protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
        if protocol.retired_on is None:  # retired once: its date stays
            protocol.retired_on = timezone.localdate()
            protocol.save(update_fields=["retired_on", "updated_at"])


def protocol_share(*, by, protocol, network, tags: list[str]) -> Resource:
    """Share a protocol with a network's library in one step: a copy of its document, so the
    library keeps what was shared whatever the organisation changes later."""
    if protocol.retired_on is not None:
        raise ValidationError(
            {"network": "A retired protocol is not shared: it must not be used"}, code="retired"
        )
    _check_member(by, network)
    with protocol.file.open("rb") as stored:
        content = stored.read()
    resource = Resource(
        title=f"{protocol.title}, version {protocol.version} ({protocol.organisation.name})"[:200],
        description=(protocol.summary or f"Covers {protocol.medicines}")[:2000],
        filename=protocol.filename,
        content_type=protocol.content_type,
    )
    return _share(by, network, resource, content, tags)
