"""Incidents shared between the organisation that received the report and the one where it
arose: the receiving organisation's reviewers name it; both sides read what happened and the
medicines (never the reporter) and keep a thread of comments, learning and actions. Who sees a
shared incident is a rule of the permission rule set (``incidents.shared``, reached through
``arose_in`` for the MSO of the organisation where it arose)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.forms import SearchForm
from organisations.scoping import get_object_for

from .. import privacy, services
from ..forms import SharedNoteForm, ShareForm
from ..models import Incident, SharedNote

PAGE_SIZE = 25


def _shared(request):
    return (
        Incident.objects.visible_to(request.user, Perm.INCIDENTS_SHARED)
        .filter(arose_in__isnull=False)
        .select_related("organisation", "arose_in")
    )


@allow("GET")
def shared_list(request):
    """The incidents shared with (or by) the person's organisations."""
    if not access_for(request.user).has(Perm.INCIDENTS_SHARED):
        raise PermissionDenied
    form = SearchForm(request.GET)
    # Newest first; the random key, never the id, among those reported alike (an anonymous
    # report keeps the day only).
    incidents = _shared(request).order_by("-reported_at", "-tiebreak")
    context = {"page": Paginator(incidents, PAGE_SIZE).get_page(form.page_number)}
    return render(request, "incidents/shared_list.html", context)


@allow("GET", "POST")
def shared_detail(request, reference):
    incident = get_object_or_404(_shared(request), reference=reference)
    receiving = access_for(request.user).has(Perm.INCIDENTS_SHARED, incident.organisation)
    side = incident.organisation if receiving else incident.arose_in
    return form_page(
        request,
        SharedNoteForm(
            submitted(request),
            identifier_shapes=privacy.shapes_for(incident.organisation_id, incident.arose_in_id),
        ),
        "incidents/shared_detail.html",
        {
            "incident": incident,
            "medicines": list(incident.medicines.all()),
            # The two organisations' notes: an organisation named before (by mistake) keeps its
            # own, unseen by the one named now.
            "notes": SharedNote.objects.filter(
                incident=incident,
                organisation__in=(incident.organisation_id, incident.arose_in_id),
            ).select_related("author", "organisation"),
            "side": side,
            "receiving": receiving,
        },
        save=lambda data: services.shared_note_add(
            by=request.user,
            incident=incident,
            side=side,
            kind=data["kind"],
            body=data["body"],
            due_on=data["due_on"],
        ),
        saved="Your note is added to the thread",
        then=incident.get_shared_url(),
        refusal_field="body",
    )


@allow("GET", "POST")
def incident_share(request, reference):
    """The receiving organisation's reviewers name where the incident arose (or stop sharing
    it)."""
    incident = get_object_for(
        request.user,
        Incident.objects.select_related("organisation", "arose_in"),
        Perm.INCIDENTS_REVIEW,
        reference=reference,
    )
    form = ShareForm(
        submitted(request),
        initial={"ods_code": incident.arose_in.ods_code if incident.arose_in else ""},
    )
    return form_page(
        request,
        form,
        "incidents/share_form.html",
        {"incident": incident},
        save=lambda data: services.incident_share(
            by=request.user, incident=incident, organisation=form.organisation
        ),
        saved=lambda _: (
            f"The incident is shared with {form.organisation.name}"
            if form.organisation
            else "The incident is no longer shared"
        ),
        then=lambda _: incident.get_shared_url() if form.organisation else incident,
        refusal_field="ods_code",
    )
