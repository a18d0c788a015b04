"""Exporting incidents to LFPSE: one incident as an AdverseEvent, and recording what LFPSE said
of it. The filtered list exports as a Bundle (incidents.incident_export, format "json")."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm

from .. import services
from ..forms import LfpseForm
from ..lfpse import fhir
from .incidents import incident_for


@allow("GET")
def incident_lfpse(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    try:
        resource = fhir.adverse_event(incident)
    except fhir.NotReady as missing:
        messages.error(request, str(missing))
        return redirect("incidents:lfpse_record", reference=incident.reference)
    body = json.dumps(resource, indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}.json"'
    return response


@allow("GET", "POST")
def incident_lfpse_record(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    return form_page(
        request,
        LfpseForm(submitted(request)),
        "incidents/lfpse_form.html",
        {"incident": incident, "missing": fhir.missing_answers(incident)},
        save=lambda data: services.lfpse_record(
            by=request.user,
            incident=incident,
            accepted=data["outcome"] == "accepted",
            reference=data["lfpse_reference"],
            note=data["note"],
        ),
        saved="What LFPSE said is recorded",
        then=incident,
        refusal_field="outcome",
    )
