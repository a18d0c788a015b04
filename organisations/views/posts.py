from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.forms import add_service_error
from core.http import allow

from .. import services
from ..forms import (
    AppointmentChangeForm,
    AppointmentCreateForm,
    PostChoiceForm,
)
from ..models import Appointment, Organisation
from ..permissions import Perm
from ..scoping import get_object_for


def _organisation(request, ods_code):
    return get_object_for(request.user, Organisation, Perm.APPOINTMENTS_MANAGE, ods_code=ods_code)


def _done(request, organisation, message):
    messages.success(request, message)
    return redirect(organisation)


@allow("GET", "POST")
def appointment_create(request, ods_code):
    organisation = _organisation(request, ods_code)
    chosen = PostChoiceForm(request.GET)
    form = AppointmentCreateForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial={"post": chosen.cleaned_data["post"]} if chosen.is_valid() else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_save(by=request.user, appointment=form.appointment())
        except ValidationError as error:
            add_service_error(form, error, default_field="start_on")
        else:
            return _done(
                request,
                organisation,
                f"{appointment.holder_name} is recorded as {appointment.get_post_display()}",
            )
    context = {"organisation": organisation, "form": form}
    return render(request, "organisations/appointment_form.html", context)


@allow("GET", "POST")
def appointment_update(request, ods_code, pk):
    organisation = _organisation(request, ods_code)
    appointment = get_object_for(request.user, Appointment, pk=pk, organisation=organisation)
    form = AppointmentChangeForm(
        request.POST if request.method == "POST" else None, appointment=appointment
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_save(by=request.user, appointment=form.changed_appointment())
        except ValidationError as error:
            add_service_error(form, error, default_field="start_on")
        else:
            return _done(request, organisation, f"The dates of {appointment.holder_name} are saved")
    context = {"organisation": organisation, "form": form, "appointment": appointment}
    return render(request, "organisations/appointment_change.html", context)
