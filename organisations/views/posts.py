from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.forms import form_page, submitted
from core.http import allow

from .. import change_requests, services
from ..forms import (
    AppointmentChangeForm,
    AppointmentCreateForm,
    AppointmentReplaceForm,
    PostChoiceForm,
)
from ..models import Appointment, ChangeRequest, Organisation
from ..permissions import Perm
from ..scoping import get_object_for


def _organisation(request, ods_code):
    return get_object_for(request.user, Organisation, Perm.APPOINTMENTS_MANAGE, ods_code=ods_code)


@allow("GET", "POST")
def appointment_create(request, ods_code):
    organisation = _organisation(request, ods_code)
    chosen = PostChoiceForm(request.GET)
    form = AppointmentCreateForm(
        submitted(request),
        organisation=organisation,
        initial={"post": chosen.cleaned_data["post"]} if chosen.is_valid() else None,
    )
    return form_page(
        request,
        form,
        "organisations/appointment_form.html",
        {"organisation": organisation},
        save=lambda data: services.appointment_save(
            by=request.user, appointment=form.appointment()
        ),
        saved=lambda appointment: (
            f"{appointment.holder_name} is recorded as {appointment.get_post_display()}"
        ),
        then=organisation,
        refusal_field="start_on",
    )


@allow("GET", "POST")
def appointment_update(request, ods_code, pk):
    organisation = _organisation(request, ods_code)
    appointment = get_object_for(request.user, Appointment, pk=pk, organisation=organisation)
    form = AppointmentChangeForm(submitted(request), appointment=appointment)
    return form_page(
        request,
        form,
        "organisations/appointment_change.html",
        {"organisation": organisation, "appointment": appointment},
        save=lambda data: services.appointment_save(
            by=request.user, appointment=form.changed_appointment()
        ),
        saved=lambda appointment: f"The dates of {appointment.holder_name} are saved",
        then=organisation,
        refusal_field="start_on",
    )


@allow("GET", "POST")
def appointment_replace(request, ods_code, pk):
    """Replace the holder of a post on the register: whoever decides changes of its kind for
    the organisation (a network lead) replaces them at once; whoever may ask for the change
    (the MSO, the board director) asks, and the register changes when it is approved."""
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    current = get_object_for(
        request.user,
        Appointment.objects.current().select_related("user", "organisation"),
        pk=pk,
        organisation=organisation,
    )
    kind = change_requests.replacing(current.post)
    if kind is None:
        raise Http404("This post is not replaced on the register")
    at_once = change_requests.may_decide(request.user, organisation, kind)
    if not at_once and not change_requests.may_ask(request.user, organisation, kind):
        raise PermissionDenied
    form = AppointmentReplaceForm(
        submitted(request), appointment=current, kind=kind, asking=not at_once
    )
    if at_once:
        save, then = change_requests.record, organisation
        saved = "The register shows the change now: {name} is {post} from {starts}"
    else:
        save, then = change_requests.submit, None  # the change's own page
        saved = "Your change is sent to {decider}. {holder} stays {post} until it is approved"

    def said(written):
        return saved.format(
            name=written.name,
            post=current.get_post_display(),
            starts=f"{written.starts_on:%-d %B %Y}",
            decider=services.approver(current.post),
            holder=current.holder_name,
        )

    return form_page(
        request,
        form,
        "organisations/appointment_replace.html",
        {
            "organisation": organisation,
            "appointment": current,
            "at_once": at_once,
            "decider": services.approver(current.post),
            # One change of a kind waits at a time: said before any typing, with a link to it.
            "waiting": ChangeRequest.objects.visible_to(request.user)
            .pending()
            .filter(organisation=organisation, kind=kind)
            .select_related("submitted_by")
            .first(),
        },
        save=lambda data: save(by=request.user, request=form.change()),
        saved=said,
        then=then,
        refusal_field="starts_on",
    )
