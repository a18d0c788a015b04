"""The incidents a person may read: the list (filters, search, keyset pages) and one
incident, shown as its reader may see it."""

from django.db.models import Prefetch
from django.shortcuts import render

from mso_portal.http import Refused, allow
from organisations.access import access_for
from organisations.permissions import Perm
from organisations.scoping import get_object_for

from .. import choices, queries, services
from ..forms import CommentForm, FilterForm, MoveForm
from ..models import Incident, IncidentAction, IncidentEvent, Status


def may_list(user) -> bool:
    return access_for(user).has_anywhere(Perm.INCIDENTS_LIST)


@allow("GET")
def incident_list(request):
    if not may_list(request.user):
        raise Refused(
            "Only the medication safety team, the MSO and the CDAO list incidents. Your own "
            "reports are in My reports."
        )
    form = FilterForm(request.GET or None)
    filters = form.filters()
    incidents = queries.filtered(
        Incident.objects.visible_to(request.user).select_related("organisation"), filters
    ).prefetch_related("medicines")
    page = queries.page_of(
        incidents,
        filters.sort,
        after=request.GET.get("after", "")[:200],
        before=request.GET.get("before", "")[:200],
    )
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "filtered": bool(request.GET.keys() - {"after", "before", "sort"}),
    }
    return render(request, "incidents/incident_list.html", context)


def reader(user, incident: Incident) -> dict:
    """What the person may do with an incident they can read: review it, read it whole (the
    team, the CDAO), or only as its reporter."""
    access = access_for(user)
    team = Perm.INCIDENTS_VIEW in access.permissions(incident.organisation)
    reporter_only = not team and incident.reporter_id == user.pk
    return {
        "can_review": access.has(Perm.INCIDENTS_REVIEW, incident),
        "reporter_only": reporter_only,
    }


def incident_for(user, reference, perm=None) -> Incident:
    return get_object_for(
        user,
        Incident.objects.select_related("organisation", "reporter", "duplicate_of"),
        perm,
        reference=reference,
    )


def detail_context(request, incident: Incident, **forms) -> dict:
    can = reader(request.user, incident)
    incident = (
        Incident.objects.visible_to(request.user)
        .filter(pk=incident.pk)
        .select_related("organisation", "reporter", "duplicate_of")
        .prefetch_related(
            "medicines",
            "themes",
            "related",
            Prefetch("events", IncidentEvent.objects.select_related("by")),
            Prefetch("actions", IncidentAction.objects.select_related("owner")),
            "comments__author",
        )
        .get()
    )
    context = {
        "incident": incident,
        **can,
        "choices": choices,
        "Status": Status,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "move_form": forms.get("move_form") or MoveForm(),
    }
    if can["can_review"]:
        context["duplicates"] = services.possible_duplicates(incident)
    return context


@allow("GET")
def incident_detail(request, reference):
    incident = incident_for(request.user, reference)
    return render(request, "incidents/incident_detail.html", detail_context(request, incident))
