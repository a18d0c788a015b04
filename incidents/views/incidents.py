"""The incidents a person may read: the list (filters, search, keyset pages) and one
incident, shown as its reader may see it."""

import logging
from functools import cache

from django.db.models import Exists, OuterRef
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core import exports
from core.http import Refused, allow
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.scoping import get_object_for

from .. import choices, queries, services
from ..forms import AttachmentForm, CommentForm, FilterForm, MoveForm
from ..lfpse import fhir
from ..models import (
    ExportState,
    Incident,
    IncidentAction,
    IncidentAttachment,
    IncidentComment,
    IncidentEvent,
    LfpseChoice,
    LfpseSubmission,
    Status,
    Theme,
)

logger = logging.getLogger(__name__)


def may_list(user) -> bool:
    return access_for(user).has_anywhere(Perm.INCIDENTS_LIST)


def _listed(request):
    """The incidents the person may list, filtered as the address says."""
    if not may_list(request.user):
        raise Refused(
            "Only the medication safety team, the MSO and the CDAO list incidents. Your own "
            "reports are in My reports."
        )
    form = FilterForm(request.GET or None)
    filters = form.filters()
    incidents = queries.filtered(
        Incident.objects.visible_to(request.user).select_related("organisation"), filters
    )
    return form, filters, incidents


@allow("GET")
def incident_list(request):
    form, filters, incidents = _listed(request)
    after, before = request.GET.get("after", "")[:200], request.GET.get("before", "")[:200]
    page = queries.page_of(incidents.for_list(), filters.sort, after=after, before=before)
    count, more = queries.counted(incidents, page, first=not (after or before))
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "count": count,
        "more": more,
        "export_query": query.urlencode(),
        "query_string": query.urlencode(),
        "filtered": bool(request.GET.keys() - {"after", "before", "sort"}),
        "sees_shared": access_for(request.user).has(Perm.INCIDENTS_SHARED),
        "lfpse_choosers": _lfpse_choosers(request.user),
    }
    return render(request, "incidents/incident_list.html", context)


def _lfpse_choosers(user) -> list:
    """The organisations where the person chooses when incidents go to LFPSE (as read with
    their grants: no query)."""
    access = access_for(user)
    return [
        organisation
        for organisation in access.organisations.values()
        if access.has(Perm.LFPSE_MANAGE, organisation)
    ]


def reader(user, incident: Incident) -> dict:
    """What the person may do with an incident they can read, as the rule set says: review it,
    read it whole (the team, the CDAO), or only as its reporter (the rule that gives every
    reporter their own reports)."""
    access = access_for(user)
    return {
        "can_review": access.has(Perm.INCIDENTS_REVIEW, incident),
        "reporter_only": not access.has(Perm.INCIDENTS_VIEW, incident, own_rows=False),
    }


def incident_for(user, reference, perm=None) -> Incident:
    """The incident with its organisation and reporter (the incident it duplicates, rarely
    one, is read when asked for)."""
    return get_object_for(
        user, Incident.objects.select_related("organisation", "reporter"), perm, reference=reference
    )


def _with_person(model, person: str):
    """A model's rows with what the page shows of the person each names (not their password,
    sign-in dates and flags)."""
    own = [field.name for field in model._meta.concrete_fields]
    return model.objects.select_related(person).only(
        *own, f"{person}__full_name", f"{person}__email"
    )


# What an incident's page lists besides its medicines and timeline, each read only when the
# incident has some (most have none of several): name -> (its rows for a reader, the field by
# which a row names its incident, the table that says whether it has any).
_LISTS = {
    "themes": (lambda user: Theme.objects.all(), "incidents", Incident.themes.through),
    "related": (
        lambda user: Incident.objects.visible_to(user).only("reference"),
        "related",
        Incident.related.through,
    ),
    "actions": (lambda user: _with_person(IncidentAction, "owner"), "incident", IncidentAction),
    "comments": (lambda user: _with_person(IncidentComment, "author"), "incident", IncidentComment),
    "attachments": (lambda user: IncidentAttachment.objects.all(), "incident", IncidentAttachment),
}


@cache
def _has_lists() -> dict:
    """Whether an incident has any of the lists its page shows (``has_themes``, ...), read
    with it so that its page reads only those it has. Built once: each is copied where used."""
    links = {Incident.themes.through: "incident", Incident.related.through: "from_incident"}
    return {
        f"has_{name}": Exists(
            table._default_manager.filter(**{links.get(table, "incident"): OuterRef("pk")})
        )
        for name, (_rows, _link, table) in _LISTS.items()
    }


def detail_context(request, incident: Incident, **forms) -> dict:
    """The incident's page: its medicines, timeline and each list it has (``_has_lists`` says
    which; every list when the incident was read without asking) are read alongside, a query
    for each."""
    can = reader(request.user, incident)
    lists = {
        name: list(rows(request.user).filter(**{link: incident}))
        if getattr(incident, f"has_{name}", True)
        else []
        for name, (rows, link, _table) in _LISTS.items()
    }
    context = {
        "incident": incident,
        "medicines": list(incident.medicines.all()),
        "events": list(_with_person(IncidentEvent, "by").filter(incident=incident)),
        **lists,
        **can,
        "choices": choices,
        "Status": Status,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "move_form": forms.get("move_form") or MoveForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        # What keeps it from being closed, said before anyone writes the feedback.
        "open_actions": [action for action in lists["actions"] if action.is_open],
    }
    if can["can_review"]:
        context.update(_lfpse_context(request.user, incident))
    if can["can_review"] and incident.status in (Status.SUBMITTED, Status.IN_REVIEW):
        # While it may still be rejected as a duplicate: others like it.
        context["duplicates"] = list(services.possible_duplicates(incident).only("reference"))
    return context


def _lfpse_context(user, incident: Incident) -> dict:
    """The incident with LFPSE, for its reviewers: what LFPSE still needs, its reasons for
    refusing the last version sent, and whether the reader chooses when incidents go."""
    chooses = access_for(user).has(Perm.LFPSE_MANAGE, incident.organisation)
    context = {"lfpse_missing": fhir.missing_answers(incident), "lfpse_chooses": chooses}
    if incident.lfpse_state == ExportState.REFUSED:
        refused = (
            incident.lfpse_submissions.filter(state=LfpseSubmission.State.REFUSED)
            .values_list("reasons", flat=True)
            .first()
        )
        context["lfpse_reasons"] = refused or []
    if chooses:
        when = LfpseChoice.When(LfpseChoice.for_organisation(incident.organisation_id))
        context["lfpse_when"] = when.label
    return context


@allow("GET")
def incident_detail(request, reference):
    incident = get_object_for(
        request.user,
        Incident.objects.select_related("organisation", "reporter", "arose_in").annotate(
            **_has_lists()
        ),
        reference=reference,
    )
    return render(request, "incidents/incident_detail.html", detail_context(request, incident))


@allow("GET")
def incident_export(request, fmt):
    """Exactly the incidents the list shows with these filters, every page of them."""
    if fmt not in ("csv", "xlsx", "json"):
        raise Http404("No such format")
    _form, filters, incidents = _listed(request)
    if fmt == "json":  # for LFPSE: the incidents the person reviews, as a FHIR Bundle
        reviewed = incidents.filter(
            pk__in=Incident.objects.visible_to(request.user, Perm.INCIDENTS_REVIEW).values("pk")
        )
        rows = queries.in_chunks(
            fhir.ready(reviewed).select_related("organisation").prefetch_related("medicines"),
            filters.sort,
            size=500,
        )
        response = StreamingHttpResponse(fhir.bundle(rows), content_type="application/fhir+json")
        name = f"incidents-lfpse-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    logger.info("Incidents exported as %s by user %s", fmt, request.user.pk)
    rows = queries.export_rows(incidents, filters.sort)
    name = f"incidents-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(queries.EXPORT_COLUMNS, rows, name)
    return exports.xlsx_response("Incidents", queries.EXPORT_COLUMNS, rows, name)
