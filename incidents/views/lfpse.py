"""Incidents and LFPSE: one incident's record to download, marking it ready (or sending it again
after a refusal), and the organisation's choice of when its incidents go. The filtered list
downloads as a Bundle (incidents.incident_export, format "json"). What is sent, and how, is in
incidents/lfpse/submission.py."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from ..forms import LfpseChoiceForm
from ..lfpse import fhir, submission
from ..models import LfpseChoice
from .incidents import incident_for


@allow("GET")
def incident_lfpse(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    try:
        resource = fhir.adverse_event(incident)
    except fhir.NotReady as missing:
        messages.error(request, str(missing))
        return redirect(incident)
    body = json.dumps(resource, indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}.json"'
    return response


@allow("POST")
def incident_lfpse_send(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    try:
        submission.lfpse_submit(by=request.user, incident=incident)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, "The incident is on its way to LFPSE")
    return redirect(incident)


@allow("GET", "POST")
def lfpse_settings(request, ods_code):
    organisation = get_object_for(request.user, Organisation, Perm.LFPSE_MANAGE, ods_code=ods_code)
    here = reverse("incidents:lfpse_settings", kwargs={"ods_code": organisation.ods_code})
    return form_page(
        request,
        LfpseChoiceForm(
            submitted(request),
            initial={"when": LfpseChoice.for_organisation(organisation.pk)},
        ),
        "incidents/lfpse_settings.html",
        {"organisation": organisation},
        save=lambda data: submission.lfpse_choice_set(
            by=request.user, organisation=organisation, when=data["when"]
        ),
        saved="The choice is saved",
        then=here,
        refusal_field="when",
    )
