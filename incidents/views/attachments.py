"""An incident's attachments: added by its reviewers, checked by content and size
(core/uploads.py), stored privately under random names, and sent only to those who read
the incident whole (not its reporter alone), as attachments."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.forms import form_page
from core.http import allow
from core.uploads import accepts_upload, upload_too_big
from incidents.permissions import Perm

from .. import services
from ..forms import AttachmentForm
from ..models import IncidentAttachment
from .incidents import detail_context, incident_for, reader


def _reviewer(request, reference):
    return incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)


@allow("POST")
@accepts_upload(_reviewer)
def attachment_create(request, reference):
    incident = _reviewer(request, reference)
    return form_page(
        request,
        AttachmentForm(request.POST, request.FILES, too_big=upload_too_big(request)),
        save=lambda data: services.attachment_add(
            by=request.user,
            incident=incident,
            upload=data["file"],
            filename=data["identified"][1],
            content_type=data["identified"][0],
        ),
        saved=lambda attachment: f"“{attachment.filename}” is added",
        then=incident,
        page=lambda form: render(
            request,
            "incidents/incident_detail.html",
            detail_context(request, incident, attachment_form=form),
        ),
    )


@allow("GET")
def attachment_download(request, reference, pk):
    incident = incident_for(request.user, reference)
    if reader(request.user, incident)["reporter_only"]:
        raise Http404("No such file")
    return get_object_or_404(IncidentAttachment, incident=incident, pk=pk).download()
