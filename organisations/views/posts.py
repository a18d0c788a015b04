from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from mso_portal.forms import add_service_error
from mso_portal.http import allow

from .. import services
from ..forms import AppointmentForm, PostChoiceForm
from ..models import Appointment, Organisation
from ..permissions import Perm
from ..scoping import get_object_for


@allow("GET", "POST")
def appointment_create(request, ods_code):
    return _appointment_form(request, ods_code, None)


@allow("GET", "POST")
def appointment_update(request, ods_code, pk):
    return _appointment_form(request, ods_code, pk)


def _appointment_form(request, ods_code, pk):
    organisation = get_object_for(
        request.user, Organisation, Perm.APPOINTMENTS_MANAGE, ods_code=ods_code
    )
    appointment = (
        get_object_for(request.user, Appointment, pk=pk, organisation=organisation)
        if pk is not None
        else Appointment(organisation=organisation)
    )
    chosen = PostChoiceForm(request.GET)
    initial = {"post": chosen.cleaned_data["post"]} if pk is None and chosen.is_valid() else None
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        instance=appointment,
        organisation=organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_save(
                by=request.user,
                appointment=form.instance,
                replace=form.cleaned_data.get("replace", False),
            )
        except ValidationError as error:
            add_service_error(form, error, default_field="start_on")
        else:
            messages.success(
                request,
                f"{appointment.holder_name} is recorded as {appointment.get_post_display()}",
            )
            return redirect(organisation)
    context = {"organisation": organisation, "form": form, "appointment": appointment}
    return render(request, "organisations/appointment_form.html", context)
