"""An organisation's medication safety committees: set up, terms of reference, seats, meetings
with their suggested agenda, attendance and quorum, minutes, decisions and actions, and each
meeting as a calendar invitation. Who may do what is in organisations/permissions.py (members,
the MSO and the board director read; the chair and secretary run it; an action's owner records
what was done); every write goes through services.py."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from committees.permissions import Perm
from core.forms import form_page, submitted
from core.http import Refused, allow
from core.ical import Entry, ical
from organisations.access import access_for
from organisations.current import get_current_organisation
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import agenda, services
from ..forms import (
    ActionForm,
    ActionUpdateForm,
    AgendaFormSet,
    AttendanceForm,
    CommitteeForm,
    EndSeatForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    TermsForm,
    agenda_items,
)
from ..models import Committee, CommitteeMember, Meeting, MeetingAction
from .common import get_committee

COMMITTEE_FIELDS = list(CommitteeForm.base_fields)


def _organisation(request, ods_code, perm=Perm.COMMITTEES_VIEW) -> Organisation:
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    if perm not in access_for(request.user).permissions(organisation):
        raise Refused(
            "The committee's members, the MSO and the board director see its papers; its chair "
            "and secretary keep them."
        )
    return organisation


def _meeting(request, ods_code, pk, meeting_pk, perm=None) -> Meeting:
    committee = get_committee(request, ods_code, pk, perm)
    meeting = get_object_for(
        request.user, Meeting.objects.filter(committee=committee), perm, pk=meeting_pk
    )
    meeting.committee = committee
    return meeting


@allow("GET")
def mine(request):
    """The committees of the organisation the person works in."""
    organisation = get_current_organisation(request)
    if organisation is None:
        raise Refused("Choose the organisation you work in first.")
    return redirect("committees:list", ods_code=organisation.ods_code)


@allow("GET")
def committee_list(request, ods_code):
    organisation = _organisation(request, ods_code)
    perms = access_for(request.user).permissions(organisation)
    committees = (
        Committee.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .order_by("name")
    )
    return render(
        request,
        "committees/committee_list.html",
        {
            "organisation": organisation,
            "committees": committees,
            "can_manage": Perm.COMMITTEES_MANAGE in perms,
        },
    )


@allow("GET", "POST")
def committee_create(request, ods_code):
    organisation = _organisation(request, ods_code, Perm.COMMITTEES_MANAGE)
    return form_page(
        request,
        CommitteeForm(submitted(request)),
        "committees/committee_form.html",
        {"organisation": organisation, "committee": None},
        save=lambda data: services.committee_create(
            by=request.user, organisation=organisation, **data
        ),
        saved=lambda committee: f"The {committee.name} is set up: now add its members",
        refusal_field="name",
    )


# What a committee's page leaves out of the people it names: all but their names and emails.
_ACCOUNT_DETAILS = (
    "user__password",
    "user__last_login",
    "user__is_superuser",
    "user__job_title",
    "user__is_active",
    "user__is_staff",
    "user__date_joined",
)


def _actions(committee, meetings) -> list[MeetingAction]:
    """The committee's open actions, each with its owner's name and its meeting (one of
    ``meetings``, the committee's)."""
    by_id = {meeting.pk: meeting for meeting in meetings}
    actions = list(
        committee.open_actions()
        .select_related("owner")
        .defer(*(f"owner__{name[6:]}" for name in _ACCOUNT_DETAILS))
    )
    for action in actions:
        action.meeting = by_id[action.meeting_id]
    return actions


@allow("GET")
def committee_detail(request, ods_code, pk):
    committee = get_committee(request, ods_code, pk)
    perms = access_for(request.user).permissions(committee.organisation)
    today = timezone.localdate()
    seats = list(
        committee.members.select_related("user")
        .defer(*_ACCOUNT_DETAILS)
        .order_by("seat", "start_on")
    )
    meetings = list(committee.meetings.defer("minutes").order_by("-starts_at"))
    for meeting in meetings:
        meeting.committee = committee  # for its address
    now = timezone.now()
    context = {
        "committee": committee,
        "organisation": committee.organisation,
        "terms": list(committee.terms.all()),
        "current": [seat for seat in seats if seat.is_current(today)],
        "past": [seat for seat in seats if seat.end_on is not None and seat.end_on < today],
        "coming": [seat for seat in seats if seat.start_on > today],
        "upcoming": [meeting for meeting in reversed(meetings) if meeting.starts_at > now],
        "held": [meeting for meeting in meetings if meeting.starts_at <= now],
        "actions": _actions(committee, meetings),
        # Whoever sees the committee sees its reports (the committee's own permission).
        "reports": list(
            committee.reports.only("committee", "period_start", "period_end", "state").order_by(
                "-period_end", "-pk"
            )
        ),
        "today": today,
        "can_manage": Perm.COMMITTEES_MANAGE in perms,
    }
    return render(request, "committees/committee_detail.html", context)


@allow("GET", "POST")
def committee_update(request, ods_code, pk):
    committee = get_committee(request, ods_code, pk, Perm.COMMITTEES_MANAGE)
    initial = {name: getattr(committee, name) for name in COMMITTEE_FIELDS}
    return form_page(
        request,
        CommitteeForm(submitted(request), initial=initial),
        "committees/committee_form.html",
        {"organisation": committee.organisation, "committee": committee},
        save=lambda data: services.committee_update(by=request.user, committee=committee, **data),
        saved="The committee is saved",
        refusal_field="name",
    )


@allow("GET", "POST")
def terms_create(request, ods_code, pk):
    committee = get_committee(request, ods_code, pk, Perm.COMMITTEES_MANAGE)
    last = committee.terms.first()
    return form_page(
        request,
        TermsForm(submitted(request), initial={"text": last.text if last else ""}),
        "committees/terms_form.html",
        {"committee": committee, "last": last},
        save=lambda data: services.terms_add(by=request.user, committee=committee, **data),
        saved=lambda terms: f"Version {terms.version} of the terms of reference is saved",
        then=committee,
        refusal_field="text",
    )


@allow("GET", "POST")
def member_create(request, ods_code, pk):
    committee = get_committee(request, ods_code, pk, Perm.COMMITTEES_MANAGE)
    return form_page(
        request,
        MemberForm(submitted(request), organisation=committee.organisation),
        "committees/member_form.html",
        {"committee": committee},
        save=lambda data: services.member_add(
            by=request.user,
            committee=committee,
            user=data["user"],
            name=data["name"],
            seat=data["seat"],
            discipline=data["discipline"],
            start_on=data["start_on"],
        ),
        saved=lambda seat: f"{seat.holder_name} is added to the committee",
        then=committee,
        refusal_field="has_account",
    )


@allow("GET", "POST")
def member_end(request, ods_code, pk, member_pk):
    committee = get_committee(request, ods_code, pk, Perm.COMMITTEES_MANAGE)
    seat = get_object_for(
        request.user,
        CommitteeMember.objects.filter(committee=committee).select_related("user"),
        pk=member_pk,
    )
    return form_page(
        request,
        EndSeatForm(submitted(request), initial={"end_on": timezone.localdate()}),
        "committees/member_end.html",
        {"committee": committee, "seat": seat},
        save=lambda data: services.member_end(by=request.user, member=seat, end_on=data["end_on"]),
        saved=lambda ended: f"{seat.holder_name}'s seat ends on {ended.end_on:%-d %B %Y}",
        then=committee,
        refusal_field="end_on",
    )


@allow("GET", "POST")
def meeting_create(request, ods_code, pk):
    """Arrange a meeting: its agenda is offered from what happened since the last one, and the
    secretary edits it on the meeting's page."""
    committee = get_committee(request, ods_code, pk, Perm.COMMITTEES_MANAGE)
    return form_page(
        request,
        MeetingForm(submitted(request)),
        "committees/meeting_form.html",
        {"committee": committee, "meeting": None},
        save=lambda data: services.meeting_create(
            by=request.user,
            committee=committee,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location=data["location"],
            agenda=[item.as_item() for item in agenda.suggest(committee, data["starts_at"])],
        ),
        saved=lambda meeting: (
            f"The meeting is arranged, with an agenda of {meeting.agenda.count()} items from what "
            "happened since the last one: change it as you need"
        ),
        then=lambda meeting: reverse("committees:agenda", args=[ods_code, pk, meeting.pk]),
        refusal_field="on",
    )


@allow("GET", "POST")
def meeting_update(request, ods_code, pk, meeting_pk):
    meeting = _meeting(request, ods_code, pk, meeting_pk, Perm.COMMITTEES_MANAGE)
    return form_page(
        request,
        MeetingForm(submitted(request), initial=MeetingForm.initial_for(meeting)),
        "committees/meeting_form.html",
        {"committee": meeting.committee, "meeting": meeting},
        save=lambda data: services.meeting_update(
            by=request.user,
            meeting=meeting,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location=data["location"],
        ),
        saved="The meeting is saved",
        then=meeting,
        refusal_field="on",
    )


@allow("GET")
def meeting_detail(request, ods_code, pk, meeting_pk):
    meeting = _meeting(request, ods_code, pk, meeting_pk)
    perms = access_for(request.user).permissions(meeting.committee.organisation)
    attendance = list(meeting.attendance.select_related("member__user").order_by("member__seat"))
    present = [a.member for a in attendance if a.status == "present"]
    context = {
        "meeting": meeting,
        "committee": meeting.committee,
        "organisation": meeting.committee.organisation,
        "agenda": meeting.agenda.all(),
        "attendance": attendance,
        "quorum": services.quorum(meeting.committee, present) if attendance else None,
        "decisions": meeting.decisions.all(),
        "actions": meeting.actions.select_related("owner"),
        "updatable": set(
            MeetingAction.objects.visible_to(request.user, Perm.COMMITTEE_ACTIONS_UPDATE)
            .filter(meeting=meeting)
            .values_list("pk", flat=True)
        ),
        "can_manage": Perm.COMMITTEES_MANAGE in perms,
    }
    return render(request, "committees/meeting_detail.html", context)


@allow("GET", "POST")
def agenda_update(request, ods_code, pk, meeting_pk):
    meeting = _meeting(request, ods_code, pk, meeting_pk, Perm.COMMITTEES_MANAGE)
    initial = [
        {"title": i.title, "notes": i.notes, "source": i.source, "about": i.about}
        for i in meeting.agenda.all()
    ]
    formset = AgendaFormSet(submitted(request), initial=initial, prefix="agenda")
    return form_page(
        request,
        formset,
        save=lambda data: services.agenda_set(
            by=request.user, meeting=meeting, agenda=agenda_items(formset)
        ),
        saved="The agenda is saved",
        then=meeting,
        page=lambda formset: render(
            request,
            "committees/agenda_form.html",
            {"formset": formset, "meeting": meeting, "committee": meeting.committee},
        ),
    )


@allow("GET", "POST")
def attendance_update(request, ods_code, pk, meeting_pk):
    meeting = _meeting(request, ods_code, pk, meeting_pk, Perm.COMMITTEES_MANAGE)
    seats = services.seats_on(meeting)
    recorded = {a.member_id: a.status for a in meeting.attendance.all()}
    form = AttendanceForm(
        submitted(request),
        seats=seats,
        initial={f"seat_{pk}": status for pk, status in recorded.items()},
    )
    refusal = None
    if request.method == "POST" and not seats:
        refusal = "Nobody held a seat on the committee that day: add its members first"
    elif not meeting.is_past:
        refusal = "The meeting has not taken place yet: record who attended after it"
    return form_page(
        request,
        form,
        "committees/attendance_form.html",
        {"meeting": meeting, "committee": meeting.committee, "refusal": refusal},
        save=lambda data: services.attendance_record(
            by=request.user, meeting=meeting, statuses=form.statuses()
        ),
        saved=_attendance_saved,
        then=meeting,
        refusal_field=next(iter(form.fields), None),
    )


def _attendance_saved(found) -> str:
    if found.quorate:
        return "The attendance is saved: the meeting was quorate"
    needed = "; ".join(found.missing)
    return f"The attendance is saved: the meeting was not quorate (it needed {needed})"


@allow("GET", "POST")
def minutes_update(request, ods_code, pk, meeting_pk):
    meeting = _meeting(request, ods_code, pk, meeting_pk, Perm.COMMITTEES_MANAGE)
    initial = {
        "minutes": meeting.minutes,
        "decisions": "\n".join(d.text for d in meeting.decisions.all()),
    }
    form = MinutesForm(submitted(request), initial=initial)
    return form_page(
        request,
        form,
        "committees/minutes_form.html",
        {"meeting": meeting, "committee": meeting.committee},
        save=lambda data: services.minutes_record(
            by=request.user,
            meeting=meeting,
            minutes=data["minutes"],
            decisions=form.decision_list(),
        ),
        saved="The minutes are saved",
        then=meeting,
        refusal_field="minutes",
    )


@allow("GET", "POST")
def action_create(request, ods_code, pk, meeting_pk):
    meeting = _meeting(request, ods_code, pk, meeting_pk, Perm.COMMITTEES_MANAGE)
    return form_page(
        request,
        ActionForm(submitted(request), organisation=meeting.committee.organisation),
        "committees/action_form.html",
        {"meeting": meeting, "committee": meeting.committee},
        save=lambda data: services.action_add(by=request.user, meeting=meeting, **data),
        saved="The action is added, and its owner will be reminded",
        then=meeting,
        refusal_field="description",
    )


@allow("GET", "POST")
def action_update(request, ods_code, pk, meeting_pk, action_pk):
    """What was done about an action: by its owner (who may see nothing else of the
    committee) or the chair and secretary."""
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    action = get_object_for(
        request.user,
        MeetingAction.objects.filter(
            meeting_id=meeting_pk, meeting__committee_id=pk
        ).select_related("owner", "meeting__committee__organisation"),
        Perm.COMMITTEE_ACTIONS_UPDATE,
        within=organisation,
        pk=action_pk,
    )
    meeting = action.meeting
    can_read = Perm.COMMITTEES_VIEW in access_for(request.user).permissions(organisation)
    back = meeting.get_absolute_url() if can_read else "/"
    form = ActionUpdateForm(submitted(request), action=action)
    return form_page(
        request,
        form,
        "committees/action_update.html",
        {"meeting": meeting, "committee": meeting.committee, "action": action, "back": back},
        save=lambda data: services.action_update(by=request.user, action=action, **data),
        saved="The action is saved",
        then=back,
        refusal_field="state",
    )


@allow("GET")
def meeting_calendar(request, ods_code, pk, meeting_pk):
    """The meeting as an invitation to add to a calendar (RFC 5545, the icalendar library)."""
    meeting = _meeting(request, ods_code, pk, meeting_pk)
    titles = [f"{n}. {entry.title}" for n, entry in enumerate(meeting.agenda.all(), start=1)]
    entry = Entry(
        uid=f"committee-meeting-{meeting.pk}",
        summary=f"{meeting.committee.name}, {meeting.committee.organisation.name}",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        stamp=meeting.created_at,
        location=meeting.location,
        description="Agenda:\n" + "\n".join(titles) if titles else "",
        url=settings.SITE_URL.rstrip("/") + meeting.get_absolute_url(),
    )
    response = HttpResponse(
        ical(meeting.committee.name, [entry]), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
