"""The agenda a meeting is offered, from the organisation's data since the committee last met
(or the 3 months before, for its first meeting): new incidents of moderate harm or worse, never
events, thematic reviews, alerts open or past a deadline, improvement projects started or
finished, and actions past their dates, its own first. The secretary edits it before it is
saved.

Items name a record by its reference, harm and date, never by what happened: the committee's
members see figures, and whoever may read the incident opens it from its reference.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from alerts.models import AlertResponse
from improvement.models import Project
from incidents.choices import MODERATE_OR_WORSE, PHYSICAL_HARM, LearningResponse
from incidents.models import Incident, IncidentAction, Status

from .choices import AgendaSource
from .models import Committee, Meeting, MeetingAction

FIRST_MEETING_LOOKS_BACK = datetime.timedelta(days=91)


@dataclass(frozen=True)
class Suggestion:
    title: str
    notes: str
    source: str
    about: str

    def as_item(self) -> tuple[str, str, str, str]:
        return (self.title, self.notes, self.source, self.about)


def since_last_meeting(committee: Committee, before) -> datetime.datetime:
    """When the committee last met before ``before`` (a date and time), or 3 months back."""
    last = (
        Meeting.objects.filter(committee=committee, starts_at__lt=before)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return last or before - FIRST_MEETING_LOOKS_BACK


def suggest(committee: Committee, before) -> list[Suggestion]:
    """The agenda offered for a meeting of ``committee`` at ``before``."""
    organisation = committee.organisation_id
    since = since_last_meeting(committee, before)
    today = timezone.localdate()
    harm = dict(PHYSICAL_HARM.choices)
    found = [Suggestion("Minutes of the last meeting and matters arising", "", "", "")]

    for action in (
        MeetingAction.objects.filter(meeting__committee=committee)
        .overdue(today)
        .select_related("owner")
        .order_by("due_on")
    ):
        found.append(
            Suggestion(
                f"Action past its date: {action.description[:200]}",
                f"Owned by {action.owner.full_name or action.owner.email}, due "
                f"{action.due_on:%-d %B %Y}",
                AgendaSource.ACTION,
                "",
            )
        )

    incidents = Incident.objects.filter(
        organisation_id=organisation, reported_at__gte=since, reported_at__lt=before
    ).exclude(status=Status.DUPLICATE)
    for incident in incidents.filter(
        Q(physical_harm__in=MODERATE_OR_WORSE) | Q(never_event=True)
    ).order_by("reported_at", "tiebreak"):
        source = AgendaSource.NEVER_EVENT if incident.never_event else AgendaSource.INCIDENT
        what = "Never event" if incident.never_event else "Incident"
        found.append(
            Suggestion(
                f"{what} {incident.reference}: {str(harm[incident.physical_harm]).lower()}",
                f"Happened on {incident.occurred_on:%-d %B %Y}; {incident.get_status_display()}",
                source,
                incident.reference,
            )
        )
    for incident in Incident.objects.filter(
        organisation_id=organisation,
        learning_response=LearningResponse.THEMATIC,
        closed_at__gte=since,
        closed_at__lt=before,
    ).order_by("closed_at"):
        found.append(
            Suggestion(
                f"Thematic review completed: {incident.reference}",
                incident.learning_summary[:300],
                AgendaSource.REVIEW,
                incident.reference,
            )
        )

    for response in (
        AlertResponse.objects.filter(organisation_id=organisation)
        .open()
        .select_related("alert")
        .order_by("next_due_on", "alert__reference")
    ):
        late = response.is_overdue(today)
        found.append(
            Suggestion(
                f"Alert {response.alert.reference}: {response.alert.title[:200]}",
                f"{response.get_state_display()}"
                + (f"; past its deadline of {response.next_due_on:%-d %B %Y}" if late else ""),
                AgendaSource.ALERT,
                response.alert.reference,
            )
        )

    for project in Project.objects.filter(
        organisation_id=organisation,
        started_on__gte=since.date(),
        started_on__lt=before.date(),
    ).order_by("started_on", "pk"):
        found.append(
            Suggestion(
                f"Improvement project started: {project.title[:200]}",
                f"Aim: {project.aim[:300]}",
                AgendaSource.PROJECT,
                "",
            )
        )
    for project in (
        Project.objects.filter(
            organisation_id=organisation,
            finished_on__gte=since.date(),
            finished_on__lt=before.date(),
        )
        .exclude(status=Project.Status.ACTIVE)
        .order_by("finished_on", "pk")
    ):
        found.append(
            Suggestion(
                f"Improvement project {project.get_status_display().lower()}: "
                f"{project.title[:200]}",
                f"Results: {project.results[:300]}" if project.results else "",
                AgendaSource.PROJECT,
                "",
            )
        )

    late_actions = IncidentAction.objects.filter(
        incident__organisation_id=organisation,
        state=IncidentAction.State.OPEN,
        due_on__lt=today,
    ).count()
    if late_actions:
        found.append(
            Suggestion(
                f"{late_actions} incident action{'s' if late_actions != 1 else ''} past "
                "their due date",
                "From the incidents' reviews",
                AgendaSource.ACTION,
                "",
            )
        )
    found.append(Suggestion("Any other business", "", "", ""))
    return found
