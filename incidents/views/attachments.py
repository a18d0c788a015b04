"""An incident's attachments: added by its reviewers, checked by content and size
(core/uploads.py), stored privately under random names, and sent only to those who read
the incident whole (not its reporter alone), as attachments."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.forms import form_page
from core.http import allow
from core.uploads import LimitedUploadHandler
from incidents.permissions import Perm

from .. import services
from ..forms import AttachmentForm
from ..models import IncidentAttachment
from .incidents import detail_context, incident_for, reader


@csrf_exempt
@allow("POST")
def attachment_create(request, reference):
    # Only reviewers get as far as sending a file (the check reads nothing of the body), and
    # the size limit applies while the upload is read; the CSRF check follows (csrf_protect).
    incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    request.upload_handlers.insert(0, LimitedUploadHandler(request))
    return _attachment_create(request, reference)


@csrf_protect
def _attachment_create(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    return form_page(
        request,
        AttachmentForm(
            request.POST, request.FILES, too_big=getattr(request, "upload_too_big", False)
        ),
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
    attachment = get_object_or_404(IncidentAttachment, incident=incident, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
