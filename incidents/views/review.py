"""Reviewing an incident: start the review, correct what was reported, record the learning,
add actions and comments, wait for actions, close with feedback, reject as a duplicate,
reopen. Each needs ``incidents.review`` on the incident; each writes through services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import error_codes, form_page, submitted
from core.http import allow
from incidents.permissions import Perm

from .. import privacy, services
from ..forms import (
    ActionForm,
    CloseForm,
    CommentForm,
    DetailForm,
    DuplicateForm,
    LearningForm,
    MoveForm,
    ReportForm,
    medicine_formset,
)
from ..models import Incident, IncidentAction
from .incidents import detail_context, incident_for


def _shapes(incident):
    """The hospital numbers refused in the incident's review: its organisation's."""
    return privacy.shapes_for(incident.organisation_id)


def _reviewable(request, reference) -> Incident:
    return incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)


def _back(incident) -> dict:
    """Where a form page about the incident goes back to (templates/form_page.html)."""
    return {"back_url": incident.get_absolute_url()}


def _done(request, incident, message):
    messages.success(request, message)
    return redirect(incident)


@allow("POST")
def review_start(request, reference):
    incident = _reviewable(request, reference)
    try:
        services.review_start(by=request.user, incident=incident)
    except ValidationError as error:
        # Started already (a second press): news; any other refusal: an error.
        refused = messages.info if services.ALREADY in error_codes(error) else messages.error
        refused(request, error.messages[0])
        return redirect(incident)
    return _done(request, incident, "Review started")


@allow("POST")
def incident_move(request, reference):
    incident = _reviewable(request, reference)
    return form_page(
        request,
        MoveForm(request.POST, identifier_shapes=_shapes(incident)),
        save=lambda data: services.incident_move(
            by=request.user, incident=incident, to=data["to"], note=data["note"]
        ),
        saved="The incident has moved on",
        then=incident,
        refusal_field="note",
        page=lambda form: render(
            request,
            "incidents/incident_detail.html",
            detail_context(request, incident, move_form=form),
        ),
    )


def _report_initial(incident: Incident) -> dict:
    initial = {name: getattr(incident, name) for name in ReportForm.base_fields}
    return initial


@allow("GET", "POST")
def incident_edit(request, reference):
    """Correct anything that was reported: before and after are kept in the audit trail."""
    incident = _reviewable(request, reference)
    medicines_now = [
        {key: getattr(m, key) for key in ("name", "route", "dose", "dmd_code", "cd_schedule")}
        for m in incident.medicines.all()
    ]
    if request.method == "POST":
        shapes = _shapes(incident)
        report = ReportForm(request.POST, identifier_shapes=shapes)
        detail = DetailForm(request.POST)
        medicines = medicine_formset(request.POST, reviewer=True, identifier_shapes=shapes)
        if report.is_valid() and detail.is_valid() and medicines.is_valid():
            services.incident_correct(
                by=request.user,
                incident=incident,
                changes=report.details() | detail.details(),
                medicines=medicines.medicines(),
            )
            return _done(request, incident, "The incident is corrected")
    else:
        report = ReportForm(initial=_report_initial(incident))
        detail = DetailForm(initial=DetailForm.initial_from(incident))
        medicines = medicine_formset(
            initial=medicines_now, rows=len(medicines_now) + 1, reviewer=True
        )
    context = {"incident": incident, "form": report, "detail": detail, "medicines": medicines}
    return render(request, "incidents/incident_edit.html", context)


@allow("GET", "POST")
def incident_learning(request, reference):
    incident = _reviewable(request, reference)
    if request.method == "POST":
        form = LearningForm(request.POST, identifier_shapes=_shapes(incident))
    else:
        form = LearningForm(
            initial={
                "learning_response": incident.learning_response,
                "learning_summary": incident.learning_summary,
                "themes": ", ".join(t.name for t in incident.themes.all()),
                "related": ", ".join(r.reference for r in incident.related.all()),
            }
        )
    return form_page(
        request,
        form,
        "incidents/learning_form.html",
        {"incident": incident, **_back(incident)},
        save=lambda data: services.learning_record(
            by=request.user,
            incident=incident,
            response=data["learning_response"],
            summary=data["learning_summary"],
            themes=form.theme_names(),
            related=_related(request, incident, form.related_references()),
        ),
        saved="The learning is recorded",
        then=incident,
    )


def _related(request, incident: Incident, wanted: list[str]) -> list[Incident]:
    """The incidents of the same organisation named by ``wanted``, each of which must be one."""
    related = list(
        Incident.objects.visible_to(request.user).filter(
            organisation_id=incident.organisation_id, reference__in=wanted
        )
    )
    unknown = sorted(set(wanted) - {other.reference for other in related})
    if unknown:
        raise ValidationError(
            {
                "related": f"No incident of {incident.organisation.name} has the reference "
                f"{', '.join(unknown)}"
            }
        )
    return related


@allow("GET", "POST")
def incident_close(request, reference):
    incident = _reviewable(request, reference)
    # Open actions keep it open: said, with the way to them, before any feedback is written.
    open_actions = list(
        incident.actions.filter(IncidentAction.open_q()).select_related("owner").order_by("pk")
    )
    return form_page(
        request,
        CloseForm(
            submitted(request),
            initial={"feedback": incident.feedback},
            identifier_shapes=_shapes(incident),
        ),
        "incidents/close_form.html",
        {"incident": incident, "open_actions": open_actions, **_back(incident)},
        save=lambda data: services.incident_close(
            by=request.user, incident=incident, feedback=data["feedback"]
        ),
        saved="The incident is closed and the reporter told",
        then=incident,
        refusal_field="feedback",
    )


@allow("GET", "POST")
def incident_duplicate(request, reference):
    incident = _reviewable(request, reference)

    def mark_duplicate(data) -> Incident:
        original = _original(request, incident, data["original"])
        services.incident_mark_duplicate(by=request.user, incident=incident, original=original)
        return original

    return form_page(
        request,
        DuplicateForm(submitted(request)),
        "incidents/duplicate_form.html",
        {
            "incident": incident,
            "duplicates": services.possible_duplicates(incident),
            **_back(incident),
        },
        save=mark_duplicate,
        saved=lambda original: f"Rejected as a duplicate of {original}",
        then=incident,
        refusal_field="original",
    )


def _original(request, incident: Incident, reference: str) -> Incident:
    """The incident of the same organisation with ``reference``."""
    original = (
        Incident.objects.visible_to(request.user)
        .filter(organisation_id=incident.organisation_id, reference=reference.strip().upper())
        .first()
    )
    if original is None:
        raise ValidationError(
            {"original": f"No incident of {incident.organisation.name} has that reference"}
        )
    return original


@allow("GET", "POST")
def action_create(request, reference):
    incident = _reviewable(request, reference)
    return form_page(
        request,
        ActionForm(
            submitted(request),
            organisation=incident.organisation,
            identifier_shapes=_shapes(incident),
        ),
        "incidents/action_form.html",
        {"incident": incident, **_back(incident)},
        save=lambda data: services.action_add(
            by=request.user,
            incident=incident,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        ),
        saved="The action is added",
        then=incident,
    )


@allow("GET", "POST")
def action_change(request, reference, pk):
    incident = _reviewable(request, reference)
    action = get_object_or_404(IncidentAction, incident=incident, pk=pk)
    return form_page(
        request,
        ActionForm(
            submitted(request),
            instance=action,
            organisation=incident.organisation,
            identifier_shapes=_shapes(incident),
        ),
        "incidents/action_form.html",
        {"incident": incident, "action": action, **_back(incident)},
        save=lambda data: services.action_update(
            by=request.user, action=action, **{name: data[name] for name in ActionForm.Meta.fields}
        ),
        saved="The action is updated",
        then=incident,
    )


@allow("POST")
def comment_create(request, reference):
    incident = _reviewable(request, reference)
    return form_page(
        request,
        CommentForm(request.POST, identifier_shapes=_shapes(incident)),
        save=lambda data: services.comment_add(
            by=request.user, incident=incident, body=data["body"]
        ),
        saved="Your comment is added",
        then=incident,
        page=lambda form: render(
            request,
            "incidents/incident_detail.html",
            detail_context(request, incident, comment_form=form),
        ),
    )
