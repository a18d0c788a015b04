"""Reviewing an incident: start the review, correct what was reported, record the learning,
add actions and comments, wait for actions, close with feedback, reject as a duplicate,
reopen. Each needs ``incidents.review`` on the incident; each writes through services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import add_service_error
from core.http import allow
from incidents.permissions import Perm

from .. import services
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


def _reviewable(request, reference) -> Incident:
    return incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)


def _done(request, incident, message):
    messages.success(request, message)
    return redirect(incident)


@allow("POST")
def review_start(request, reference):
    incident = _reviewable(request, reference)
    try:
        services.review_start(by=request.user, incident=incident)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(incident)
    return _done(request, incident, "Review started")


@allow("POST")
def incident_move(request, reference):
    incident = _reviewable(request, reference)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.incident_move(
                by=request.user,
                incident=incident,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error, default_field="note")
        else:
            return _done(request, incident, "The incident has moved on")
    context = detail_context(request, incident, move_form=form)
    return render(request, "incidents/incident_detail.html", context, status=200)


def _report_initial(incident: Incident) -> dict:
    initial = {name: getattr(incident, name) for name in ReportForm.base_fields}
    initial.pop("not_an_nhs_number", None)
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
        report = ReportForm(request.POST)
        detail = DetailForm(request.POST)
        medicines = medicine_formset(request.POST, reviewer=True)
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
        form = LearningForm(request.POST)
        if form.is_valid():
            wanted = form.related_references()
            related = list(
                Incident.objects.visible_to(request.user).filter(
                    organisation_id=incident.organisation_id, reference__in=wanted
                )
            )
            unknown = sorted(set(wanted) - {other.reference for other in related})
            if unknown:
                form.add_error(
                    "related",
                    f"No incident of {incident.organisation.name} has the reference "
                    f"{', '.join(unknown)}",
                )
            else:
                services.learning_record(
                    by=request.user,
                    incident=incident,
                    response=form.cleaned_data["learning_response"],
                    summary=form.cleaned_data["learning_summary"],
                    themes=form.theme_names(),
                    related=related,
                )
                return _done(request, incident, "The learning is recorded")
    else:
        form = LearningForm(
            initial={
                "learning_response": incident.learning_response,
                "learning_summary": incident.learning_summary,
                "themes": ", ".join(t.name for t in incident.themes.all()),
                "related": ", ".join(r.reference for r in incident.related.all()),
            }
        )
    return render(request, "incidents/learning_form.html", {"incident": incident, "form": form})


@allow("GET", "POST")
def incident_close(request, reference):
    incident = _reviewable(request, reference)
    form = CloseForm(request.POST or None, initial={"feedback": incident.feedback})
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_close(
                by=request.user, incident=incident, feedback=form.cleaned_data["feedback"]
            )
        except ValidationError as error:
            add_service_error(form, error, default_field="feedback")
        else:
            return _done(request, incident, "The incident is closed and the reporter told")
    return render(request, "incidents/close_form.html", {"incident": incident, "form": form})


@allow("GET", "POST")
def incident_duplicate(request, reference):
    incident = _reviewable(request, reference)
    form = DuplicateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        original = (
            Incident.objects.visible_to(request.user)
            .filter(
                organisation_id=incident.organisation_id,
                reference=form.cleaned_data["original"].strip().upper(),
            )
            .first()
        )
        if original is None:
            form.add_error(
                "original", f"No incident of {incident.organisation.name} has that reference"
            )
        else:
            try:
                services.incident_mark_duplicate(
                    by=request.user, incident=incident, original=original
                )
            except ValidationError as error:
                add_service_error(form, error, default_field="original")
            else:
                return _done(request, incident, f"Rejected as a duplicate of {original}")
    context = {
        "incident": incident,
        "form": form,
        "duplicates": services.possible_duplicates(incident),
    }
    return render(request, "incidents/duplicate_form.html", context)


@allow("GET", "POST")
def action_create(request, reference):
    incident = _reviewable(request, reference)
    form = ActionForm(request.POST or None, organisation=incident.organisation)
    if request.method == "POST" and form.is_valid():
        services.action_add(
            by=request.user,
            incident=incident,
            description=form.cleaned_data["description"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
        )
        return _done(request, incident, "The action is added")
    return render(request, "incidents/action_form.html", {"incident": incident, "form": form})


@allow("GET", "POST")
def action_change(request, reference, pk):
    incident = _reviewable(request, reference)
    action = get_object_or_404(IncidentAction, incident=incident, pk=pk)
    form = ActionForm(request.POST or None, instance=action, organisation=incident.organisation)
    if request.method == "POST" and form.is_valid():
        services.action_update(
            by=request.user,
            action=action,
            **{name: form.cleaned_data[name] for name in ActionForm.Meta.fields},
        )
        return _done(request, incident, "The action is updated")
    context = {"incident": incident, "form": form, "action": action}
    return render(request, "incidents/action_form.html", context)


@allow("POST")
def comment_create(request, reference):
    incident = _reviewable(request, reference)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(by=request.user, incident=incident, body=form.cleaned_data["body"])
        return _done(request, incident, "Your comment is added")
    context = detail_context(request, incident, comment_form=form)
    return render(request, "incidents/incident_detail.html", context)
