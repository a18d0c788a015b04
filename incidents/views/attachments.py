"""An incident's attachments: added by its reviewers, checked by content and size
(core/uploads.py), stored privately under random names, and sent only to those who read
the incident whole (not its reporter alone), as attachments."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

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
    form = AttachmentForm(
        request.POST, request.FILES, too_big=getattr(request, "upload_too_big", False)
    )
    if form.is_valid():
        content_type, name = form.cleaned_data["identified"]
        services.attachment_add(
            by=request.user,
            incident=incident,
            upload=form.cleaned_data["file"],
            filename=name,
            content_type=content_type,
        )
        messages.success(request, f"“{name}” is added")
        return redirect(incident)
    context = detail_context(request, incident, attachment_form=form)
    return render(request, "incidents/incident_detail.html", context)


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
