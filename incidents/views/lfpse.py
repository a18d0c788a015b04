"""Exporting incidents to LFPSE: one incident as an AdverseEvent, and recording what LFPSE said
of it. The filtered list exports as a Bundle (incidents.incident_export, format "json")."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core.forms import add_service_error
from core.http import allow
from incidents.permissions import Perm

from .. import services
from ..forms import LfpseForm
from ..lfpse import fhir
from .incidents import incident_for


@allow("GET")
def incident_lfpse(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    body = json.dumps(fhir.adverse_event(incident), indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}.json"'
    return response


@allow("GET", "POST")
def incident_lfpse_record(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    form = LfpseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lfpse_record(
                by=request.user,
                incident=incident,
                accepted=form.cleaned_data["outcome"] == "accepted",
                reference=form.cleaned_data["lfpse_reference"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error, default_field="outcome")
        else:
            messages.success(request, "What LFPSE said is recorded")
            return redirect(incident)
    return render(request, "incidents/lfpse_form.html", {"incident": incident, "form": form})
