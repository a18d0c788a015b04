"""An organisation's alerts and its response to each: the inbox; acknowledge, decide whether it
applies, name a lead; each required action's owner, progress and evidence; the board
director's sign-off, or sending it back saying what is needed, and the MSO asking for it again;
complete and reopen; incidents linked; and the timeline. Who may do what
is in organisations/permissions.py; every write goes through services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from alerts.permissions import Perm
from core.forms import error_codes, form_page, show_refusal, submitted
from core.http import Refused, allow
from core.uploads import accepts_upload, upload_too_big
from incidents.forms import AttachmentForm
from incidents.models import Incident
from incidents.permissions import Perm as IncidentPerm
from organisations.access import access_for
from organisations.current import get_current_organisation
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import choices, services
from ..effect import effect
from ..forms import (
    ActionAnswerForm,
    CasClosedForm,
    DecisionForm,
    InboxFilterForm,
    IncidentLinkForm,
    LeadForm,
    ReopenForm,
    SendBackForm,
    SignOffForm,
)
from ..models import (
    AlertActionResponse,
    AlertEvidence,
    AlertIncident,
    AlertResponse,
)

INBOX_SIZE = 300  # the inbox's alerts at most, newest first


@allow("GET")
def inbox(request):
    """The alerts of the organisation the person works in."""
    organisation = get_current_organisation(request)
    access = access_for(request.user)
    if organisation is None or Perm.ALERTS_VIEW not in access.permissions(organisation):
        if access.has(Perm.ALERTS_COMPLIANCE) or access.has(Perm.ALERTS_PUBLISH):
            return redirect("alerts:list")
        raise Refused(
            "The MSO, the medication safety team and whoever gives senior sign-off see their "
            "organisation's alerts. If an action of one is yours, its reminder links to it."
        )
    form = InboxFilterForm(request.GET or None)
    show = form.show_value()
    today = timezone.localdate()
    responses = (
        AlertResponse.objects.visible_to(request.user)
        .filter(organisation=organisation, alert__published_at__isnull=False)
        .select_related("alert", "organisation", "lead")
        .order_by("-alert__issued_on", "-alert_id")
    )
    counts = responses.aggregate(
        open=Count("pk", filter=Q(state__in=choices.OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=choices.OPEN_STATES, next_due_on__lt=today)),
        new=Count("pk", filter=Q(state=choices.ResponseState.NEW)),
        sent_back=Count(
            "pk", filter=Q(state=choices.ResponseState.IN_PROGRESS, sent_back_at__isnull=False)
        ),
    )
    if show == "open":
        responses = responses.open()
    elif show == "overdue":
        responses = responses.overdue(today)
    elif show == "sign-off":
        responses = responses.waiting_for_sign_off()
    elif show == "sent-back":
        responses = responses.sent_back()
    elif show in choices.ResponseState.values:
        responses = responses.filter(state=show)
    if Perm.ALERTS_SIGN_OFF in access.permissions(organisation):
        counts["sign_off"] = (
            AlertResponse.objects.visible_to(request.user)
            .filter(organisation=organisation)
            .waiting_for_sign_off()
            .count()
        )
    listed = list(responses[: INBOX_SIZE + 1])
    context = {
        "organisation": organisation,
        "responses": listed[:INBOX_SIZE],
        "more": len(listed) > INBOX_SIZE,
        "form": form,
        "show": show,
        "counts": counts,
        "today": today,
    }
    return render(request, "alerts/inbox.html", context)


def response_for(request, alert_id, ods_code, perm=None) -> AlertResponse:
    """The organisation's response to the alert: 404 for an organisation the person does not
    see, 403 for one they see but whose response they may not."""
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    return get_object_for(
        request.user,
        AlertResponse.objects.select_related(
            "alert", "organisation", "lead", "signed_off_by", "sent_back_by", "completed_by"
        ).prefetch_related("alert__medicines"),
        perm,
        within=organisation,
        alert_id=alert_id,
    )


def _context(request, response: AlertResponse, **forms) -> dict:
    access = access_for(request.user)
    perms = access.permissions(response.organisation)
    answers = list(
        AlertActionResponse.objects.visible_to(request.user)
        .filter(response=response)
        .select_related("action", "owner")
        .prefetch_related(Prefetch("files", AlertEvidence.objects.visible_to(request.user)))
    )
    actable = set(
        AlertActionResponse.objects.visible_to(request.user, Perm.ALERTS_ACT)
        .filter(response=response)
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    can_respond = Perm.ALERTS_RESPOND in perms
    context = {
        "response": response,
        "alert": response.alert,
        "organisation": response.organisation,
        "actions": response.alert.actions.all(),
        "answers": answers,
        "actable": actable,
        "events": response.events.select_related("by"),
        "linked": response.linked_incidents.select_related("incident"),
        "can_respond": can_respond,
        "can_sign_off": Perm.ALERTS_SIGN_OFF in perms,
        "signer": services.signer_label(response.organisation),
        "all_finished": not any(answer.is_open for answer in answers),
        "overdue": response.is_overdue(today),
        "today": today,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "lead_form": forms.get("lead_form")
        or LeadForm(organisation=response.organisation, initial={"lead": response.lead}),
        "sign_off_form": forms.get("sign_off_form") or SignOffForm(),
        "send_back_form": forms.get("send_back_form") or SendBackForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "cas_form": forms.get("cas_form") or CasClosedForm(),
        "link_form": forms.get("link_form") or IncidentLinkForm(),
    }
    if IncidentPerm.INCIDENTS_FIGURES in perms or IncidentPerm.INCIDENTS_LIST in perms:
        from incidents.charts import columns

        found = effect(response.alert, [response.organisation_id], on=today)
        context["effect"] = found
        context["effect_chart"] = columns(found.months)
    return context


def _page(request, response, status=200, **forms):
    return render(
        request, "alerts/response_detail.html", _context(request, response, **forms), status=status
    )


@allow("GET")
def response_detail(request, alert_id, ods_code):
    return _page(request, response_for(request, alert_id, ods_code))


def _done(request, response, message):
    messages.success(request, message)
    return redirect(response)


def _refused(request, response, error: ValidationError):
    """A service's refusal, as a message on the response's page; a second press of a button
    whose work is done already (``services.ALREADY``) says so, as news rather than an error."""
    if services.ALREADY in error_codes(error):
        messages.info(request, error.messages[0])
    else:
        messages.error(request, error.messages[0])
    return redirect(response)


@allow("POST")
def response_acknowledge(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    services.response_acknowledge(by=request.user, response=response)
    return _done(request, response, "The alert is acknowledged")


@allow("POST")
def response_decide(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    form = DecisionForm(request.POST)
    return form_page(
        request,
        form,
        save=lambda data: services.response_decide(
            by=request.user,
            response=response,
            applies=data["applies"] == "yes",
            rationale=data["rationale"],
        ),
        saved=lambda _: (
            "The alert applies: give each action an owner"
            if form.cleaned_data["applies"] == "yes"
            else "Recorded: the alert does not apply"
        ),
        then=response,
        refusal_field="applies",
        page=lambda form: _page(request, response, decision_form=form),
    )


@allow("POST")
def response_lead(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    return form_page(
        request,
        LeadForm(request.POST, organisation=response.organisation),
        save=lambda data: services.response_lead_set(
            by=request.user, response=response, lead=data["lead"]
        ),
        saved="The lead is saved",
        then=response,
        refusal_field="lead",
        page=lambda form: _page(request, response, lead_form=form),
    )


def _answer_for(request, response, action_pk, perm) -> AlertActionResponse:
    return get_object_for(
        request.user,
        AlertActionResponse.objects.select_related("action", "response__organisation"),
        perm,
        within=response.organisation,
        response=response,
        action_id=action_pk,
    )


@allow("GET", "POST")
def action_answer(request, alert_id, ods_code, action_pk):
    response = response_for(request, alert_id, ods_code)
    answer = _answer_for(request, response, action_pk, Perm.ALERTS_ACT)
    may_assign = access_for(request.user).has(Perm.ALERTS_RESPOND, response)
    form = ActionAnswerForm(
        submitted(request),
        organisation=response.organisation,
        action=answer,
        initial={"owner": answer.owner},
    )
    if not may_assign:  # an owner records what they did; the MSO says who owns it
        form.fields["owner"].disabled = True
    return form_page(
        request,
        form,
        save=lambda data: services.action_response_save(by=request.user, answer=answer, **data),
        saved="The action is saved",
        then=response,
        refusal_field="state",
        page=lambda form: _answer_page(
            request, response, answer, form=form, evidence_form=AttachmentForm()
        ),
    )


def _answer_page(request, response, answer, *, form, evidence_form):
    context = {
        "response": response,
        "alert": response.alert,
        "organisation": response.organisation,
        "answer": answer,
        "form": form,
        "evidence_form": evidence_form,
        "files": answer.files.all(),
    }
    return render(request, "alerts/action_answer.html", context)


def _acting_on(request, alert_id, ods_code, action_pk):
    """The response and the answer to one of its actions, for those who act on it (who alone
    may send its evidence)."""
    response = response_for(request, alert_id, ods_code)
    return response, _answer_for(request, response, action_pk, Perm.ALERTS_ACT)


@allow("POST")
@accepts_upload(_acting_on)
def evidence_create(request, alert_id, ods_code, action_pk):
    response, answer = _acting_on(request, alert_id, ods_code, action_pk)
    return form_page(
        request,
        AttachmentForm(request.POST, request.FILES, too_big=upload_too_big(request)),
        save=lambda data: services.evidence_add(
            by=request.user,
            answer=answer,
            upload=data["file"],
            filename=data["identified"][1],
            content_type=data["identified"][0],
        ),
        saved=lambda evidence: f"“{evidence.filename}” is added",
        then=reverse(
            "alerts:action",
            kwargs={"alert_id": alert_id, "ods_code": ods_code, "action_pk": action_pk},
        ),
        refusal_field="file",
        page=lambda form: _answer_page(
            request,
            response,
            answer,
            form=ActionAnswerForm(
                organisation=response.organisation, action=answer, initial={"owner": answer.owner}
            ),
            evidence_form=form,
        ),
    )


@allow("GET")
def evidence_download(request, alert_id, ods_code, evidence_pk):
    response = response_for(request, alert_id, ods_code)
    return get_object_or_404(
        AlertEvidence.objects.visible_to(request.user),
        action_response__response=response,
        pk=evidence_pk,
    ).download()


@allow("POST")
def response_sign_off(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_SIGN_OFF)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.response_sign_off(
                by=request.user, response=response, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            return _refused(request, response, error)
        return _done(request, response, "Signed off: the MSO can now declare it complete")
    return _page(request, response, sign_off_form=form)


@allow("POST")
def response_send_back(request, alert_id, ods_code):
    """Whoever signs the response off, not assured, sends it back saying what is needed. A
    refusal other than a second press keeps the note typed, on the page."""
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_SIGN_OFF)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            services.response_send_back(
                by=request.user, response=response, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            if services.ALREADY in error_codes(error):
                return _refused(request, response, error)
            show_refusal(form, error, "note")
        else:
            return _done(
                request,
                response,
                "Sent back: the lead and the MSO are told what is needed. It comes back to "
                "your list when they ask for sign-off again",
            )
    return _page(request, response, send_back_form=form)


@allow("POST")
def response_sign_off_ask(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    try:
        services.response_sign_off_ask(by=request.user, response=response)
    except ValidationError as error:
        return _refused(request, response, error)
    return _done(
        request,
        response,
        f"Sign-off is asked for again: {services.signer_label(response.organisation)} is told",
    )


@allow("POST")
def response_complete(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    try:
        services.response_complete(by=request.user, response=response)
    except ValidationError as error:
        return _refused(request, response, error)
    return _done(request, response, "The response is complete")


@allow("POST")
def response_reopen(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    return form_page(
        request,
        ReopenForm(request.POST),
        save=lambda data: services.response_reopen(
            by=request.user, response=response, reason=data["reason"]
        ),
        saved="The response is reopened",
        then=response,
        refusal_field="reason",
        page=lambda form: _page(request, response, reopen_form=form),
    )


@allow("POST")
def response_cas_closed(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    return form_page(
        request,
        CasClosedForm(request.POST),
        save=lambda data: services.response_cas_closed(
            by=request.user, response=response, closed_on=data["closed_on"]
        ),
        saved="Recorded as closed in CAS",
        then=response,
        refusal_field="closed_on",
        page=lambda form: _page(request, response, cas_form=form),
    )


@allow("POST")
def incident_link(request, alert_id, ods_code):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    return form_page(
        request,
        IncidentLinkForm(request.POST),
        save=lambda data: services.incident_link(
            by=request.user,
            response=response,
            incident=_incident(request, response, data["reference"]),
        ),
        saved=lambda link: f"{link.incident.reference} is linked to the alert",
        then=response,
        refusal_field="reference",
        page=lambda form: _page(request, response, link_form=form),
    )


def _incident(request, response, reference) -> Incident:
    """The organisation's incident of that reference, if the person sees it."""
    incident = (
        Incident.objects.visible_to(request.user)
        .filter(organisation=response.organisation, reference=reference)
        .first()
    )
    if incident is None:
        raise ValidationError(
            f"No incident of {response.organisation.name} that you can see has the reference "
            f"{reference}"
        )
    return incident


@allow("POST")
def incident_unlink(request, alert_id, ods_code, link_pk):
    response = response_for(request, alert_id, ods_code, Perm.ALERTS_RESPOND)
    link = get_object_or_404(AlertIncident, response=response, pk=link_pk)
    services.incident_unlink(by=request.user, link=link)
    return _done(request, response, "The incident is no longer linked")
