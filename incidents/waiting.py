"""What waits for a person in incidents (core.waiting): incidents to review and those LFPSE
refused, counted as the incident list shows them with the filter its link gives; reports they
began and have not sent (My reports); and the incident actions they own."""

from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse

from core.waiting import ActionKind, Counted, Owned, waiting
from organisations.access import access_for

from . import queries
from .models import ExportState, Incident, IncidentAction, Status
from .permissions import Perm

# An incident waits for its reviewers from the report until its review finishes (then its
# actions are the owners' to do).
TO_REVIEW = [Status.SUBMITTED, Status.IN_REVIEW]


def _list_url(**filters) -> str:
    return f"{reverse('incidents:list')}?{urlencode(filters, doseq=True)}"


def listed(user, filters: queries.Filters):
    """The incidents the incident list shows the person with these filters (its own query:
    views.incidents._listed)."""
    return queries.filtered(Incident.objects.visible_to(user), filters)


def to_review(user, organisation):
    if not access_for(user).has_anywhere(Perm.INCIDENTS_REVIEW):
        return []
    return [
        Counted(
            "incident to review (reported, or in review)",
            "incidents to review (reported, or in review)",
            listed(user, queries.Filters(statuses=TO_REVIEW)),
            _list_url(status=TO_REVIEW),
        ),
        Counted(
            "incident LFPSE refused, to correct and send again",
            "incidents LFPSE refused, to correct and send again",
            listed(user, queries.Filters(lfpse_states=[ExportState.REFUSED])),
            _list_url(lfpse=ExportState.REFUSED),
        ),
    ]


def drafts(user, organisation):
    return waiting(
        len(queries.unsent_drafts(user)),
        "incident report you began and have not sent",
        "incident reports you began and have not sent",
        reverse("incidents:mine"),
    )


PROVIDERS = [to_review, drafts]


def _my_actions(user):
    """The open incident actions the person owns, of incidents they may read."""
    readable = Incident.objects.visible_to(user).filter(pk=OuterRef("incident_id"))
    return (
        IncidentAction.objects.open()
        .filter(owner=user)
        .filter(Exists(readable))
        .select_related("incident")
    )


def _describe(action: IncidentAction) -> Owned:
    return Owned(
        what=action.description,
        of=f"Incident {action.incident.reference}",
        due_on=action.due_on,
        url=action.incident.get_absolute_url(),
    )


ACTIONS = [ActionKind("incident", "incident action", "incident actions", _my_actions, _describe)]
