"""Exporting incidents to LFPSE: one incident as an AdverseEvent, and recording what LFPSE said
of it. The filtered list exports as a Bundle (incidents.incident_export, format "json")."""

import json

from django.http import HttpResponse

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
    body = json.dumps(fhir.adverse_event(incident), indent=2)
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
        {"incident": incident},
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
