from core.forms import form_page, submitted
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
