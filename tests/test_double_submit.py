"""Every form that changes something, sent twice (issue 28: "every write a person can repeat is
idempotent"): a second press of a button, a reload that sends the form again, a second tab.

The URLconf is walked: every view that answers POST (or PUT, PATCH, DELETE) is either in
``CASES`` or in ``NOT_REPEATED`` with the reason; a new one that is in neither fails
``test_every_form_that_changes_something_is_sent_twice_here``.

Each case is sent on the demo's data (``seeded_demo``), as a person of the demo who may: the
form as its page shows it (``page``: its values, hidden or chosen), with what a person types
on top (``data``). The first answer must be the form's success (a redirect, or the page the
case names); the second must not be a server error, and must leave every count as the first
left it: each table of the project's apps (records, timeline events, the notifications
ledger), the audit log, and the emails sent. Each case is rolled back before the next. The
buttons are disabled after the first press (static/js/init.js), which spares doubt but is not
the guard: the services are (their locks, and what they find done already).
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.access import methods_of, routes
from tests.factories import CONFIRMED

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Tables whose rows are not the product's records: the sessions a sign-in keeps, the database
# cache (the fallback while Redis does not answer), the API's log of its calls (one for each).
NOT_COUNTED = {"django_session", "core_cache", "api_apicall"}


# What the demo holds ---------------------------------------------------------------------


TRUST_A = "RZA"


def _organisation(ods_code):
    from organisations.models import Organisation

    return Organisation.objects.get(ods_code=ods_code)


def _user(email):
    from accounts.models import User

    return User.objects.get(email=email)


def _incident(**filters):
    from incidents.models import Incident

    return (
        Incident.objects.filter(organisation__ods_code=TRUST_A, anonymous=False, **filters)
        .order_by("reported_at")
        .first()
    )


def _ref(**filters) -> dict:
    return {"reference": _incident(**filters).reference}


def _day(date: datetime.date, prefix: str) -> dict:
    return {f"{prefix}_day": date.day, f"{prefix}_month": date.month, f"{prefix}_year": date.year}


def _today():
    return timezone.localdate()


# The cases -----------------------------------------------------------------------------------


MSO_A = "mso@trust-a.example"
REPORTER_A = "reporter@trust-a.example"


@dataclass
class Case:
    """A form that changes something, as a person of the demo sends it."""

    name: str  # the URL name
    who: Callable[[], str] | str | None  # the email of the person of the demo who sends it
    args: Callable[[], dict] | dict = field(default_factory=dict)  # the URL's parameters
    data: Callable[[], dict] | dict = field(default_factory=dict)  # what is typed
    page: Callable[[], str] | str | None = ""  # where the form is shown ("": its own URL)
    confirm: bool = False  # the step asks first (core.confirm): sent with CONFIRMED
    ok: int = 302  # the first answer
    method: str = "post"
    api: bool = False  # sent through the API, with a token of the person's, as JSON

    def __str__(self):
        return self.name


def _value(thing):
    return thing() if callable(thing) else thing


def _draft() -> dict:
    """A draft of the reporter's with step 1 answered."""
    from incidents import services
    from organisations.models import Organisation
    from tests.incidents.test_reporting import STEP_1

    draft = services.draft_save(
        by=_user(REPORTER_A),
        organisation=Organisation.objects.get(ods_code=TRUST_A),
        data={"step1": {key: [value] for key, value in STEP_1.items()}, "step2": {}},
    )
    return {"pk": draft.pk}


def _step_1() -> dict:
    from tests.incidents.test_reporting import STEP_1

    return {**STEP_1, "occurred_on_year": str(_today().year - 1), "action": "continue"}


def _process_change() -> dict:
    from incidents import services
    from incidents.models import ProcessChange
    from organisations.models import Organisation

    change = services.process_change_record(
        by=_user(MSO_A),
        change=ProcessChange(
            organisation=Organisation.objects.get(ods_code=TRUST_A),
            changed_on=_today(),
            what="Second checks on insulin",
        ),
    )
    return {"ods_code": TRUST_A, "pk": change.pk}


def _national_high_risk() -> dict:
    from incidents.models import HighRiskMedicine

    entry = HighRiskMedicine.objects.filter(organisation__isnull=True).order_by("pk").first()
    return {"ods_code": TRUST_A, "pk": entry.pk}


def _hospital_number() -> dict:
    from incidents.models import HospitalNumber

    return {
        "ods_code": TRUST_A,
        "pk": HospitalNumber.objects.get(organisation__ods_code=TRUST_A).pk,
    }


def _uncoded() -> dict:
    """A medicine of an incident in review that its reporter's words left uncoded (the demo's
    words all code: one is uncoded here), which the dm+d's search finds."""
    from incidents.models import IncidentMedicine

    medicine = IncidentMedicine.objects.filter(
        incident__reference=_in_review()["reference"]
    ).first()
    IncidentMedicine.objects.filter(pk=medicine.pk).update(dmd_code="", name="Warfarin")
    return {"reference": medicine.incident.reference, "pk": medicine.pk}


def _medicine_code():
    """The first dm+d product the words of the uncoded medicine find (as the page offers)."""
    from incidents.models import IncidentMedicine
    from medicines.search import search

    return {"code": search(IncidentMedicine.objects.get(pk=_uncoded()["pk"]).name)[0].code}


def _not_high_risk() -> dict:
    """A dm+d product on no high-risk list."""
    from incidents.models import HighRiskMedicine
    from medicines.models import Vmp

    listed = HighRiskMedicine.objects.values("dmd_code")
    return {"medicine": Vmp.objects.exclude(pk__in=listed).order_by("pk").first().pk}


def _open_action() -> dict:
    from incidents.models import IncidentAction

    action = (
        IncidentAction.objects.filter(incident__organisation__ods_code=TRUST_A, state="open")
        .select_related("incident")
        .order_by("pk")
        .first()
    )
    return {"reference": action.incident.reference, "pk": action.pk}


def _shared_here() -> dict:
    from incidents.models import Incident

    incident = Incident.objects.filter(arose_in__ods_code=TRUST_A).order_by("pk").first()
    return {"reference": incident.reference}


def _closable() -> dict:
    from incidents.models import IncidentAction

    incident = (
        _incident_query(status="in-review")
        .exclude(pk__in=IncidentAction.objects.filter(state="open").values("incident_id"))
        .first()
    )
    return {"reference": incident.reference}


def _incident_query(**filters):
    from incidents.models import Incident

    return Incident.objects.filter(
        organisation__ods_code=TRUST_A, anonymous=False, **filters
    ).order_by("reported_at")


def _detail(args: Callable[[], dict]) -> Callable[[], str]:
    return lambda: reverse("incidents:detail", kwargs=args())


def _last_month() -> str:
    return (_today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")


def _denominators_file():
    from tests.uploads import upload

    lines = f"ODS code,Month,Value\n{TRUST_A},{_last_month()},4321\n".encode()
    return {"file": upload("denominators.csv", lines, "text/csv"), "action": "import"}


def _in_review() -> dict:
    return _ref(status="in-review")


def _file():
    from tests.uploads import PDF, upload

    return {"file": upload("second-check.pdf", PDF)}


# Alerts ---------------------------------------------------------------------------------------

DIRECTOR_A = "director@trust-a.example"
PUBLISHER = "admin@example.com"  # the site administrator writes, imports and publishes alerts


def _response(alert_id: int) -> dict:
    return {"alert_id": alert_id, "ods_code": TRUST_A}


def _response_row(alert_id: int):
    from alerts.models import AlertResponse

    return AlertResponse.objects.get(alert_id=alert_id, organisation__ods_code=TRUST_A)


def _response_where(**filters) -> dict:
    """Trust A's response to the first alert (by id) whose response is so."""
    from alerts.models import AlertResponse

    row = (
        AlertResponse.objects.filter(organisation__ods_code=TRUST_A, **filters)
        .order_by("alert_id")
        .first()
    )
    return _response(row.alert_id)


def _ready_to_sign() -> dict:
    """Trust A's response in progress with every action finished, not signed off."""
    from alerts.models import AlertResponse

    for row in AlertResponse.objects.filter(
        organisation__ods_code=TRUST_A, state="in-progress", signed_off_at__isnull=True
    ).order_by("alert_id"):
        if not row.action_responses.filter(state__in=("to-do", "in-progress")).exists():
            return _response(row.alert_id)
    raise AssertionError("the demo has no response ready to sign off")


def _sent_back() -> dict:
    from alerts import services

    args = _ready_to_sign()
    services.response_send_back(
        by=_user(DIRECTOR_A), response=_response_row(args["alert_id"]), note="Add the audit"
    )
    return args


def _signed_off() -> dict:
    from alerts import services

    args = _ready_to_sign()
    services.response_sign_off(by=_user(DIRECTOR_A), response=_response_row(args["alert_id"]))
    return args


def _answer(**filters) -> dict:
    """An unfinished answer of Trust A's to a required action of a response in progress."""
    from alerts.models import AlertActionResponse

    answer = (
        AlertActionResponse.objects.filter(
            response__organisation__ods_code=TRUST_A,
            response__state="in-progress",
            state__in=("to-do", "in-progress"),
            **filters,
        )
        .select_related("response")
        .order_by("pk")
        .first()
    )
    return {**_response(answer.response.alert_id), "action_pk": answer.action_id}


def _answer_pk() -> dict:
    from alerts.models import AlertActionResponse

    found = _answer()
    return {
        "pk": AlertActionResponse.objects.get(
            response__alert_id=found["alert_id"],
            response__organisation__ods_code=TRUST_A,
            action_id=found["action_pk"],
        ).pk
    }


def _linked() -> dict:
    from alerts.models import AlertIncident

    link = (
        AlertIncident.objects.filter(response__organisation__ods_code=TRUST_A)
        .select_related("response")
        .first()
    )
    return {**_response(link.response.alert_id), "link_pk": link.pk}


def _draft_alert() -> dict:
    from alerts.models import Alert

    return {"alert_id": Alert.objects.drafts().order_by("pk").first().pk}


def _alerts_file():
    from tests.alerts.test_alert_import import csv_of, rows
    from tests.uploads import upload

    return {"file": upload("alerts.csv", csv_of(rows()), "text/csv"), "action": "import"}


# Committees -----------------------------------------------------------------------------------

SECRETARY_A, CHAIR_A = "secretary@trust-a.example", "chair@trust-a.example"


def _committee(**more) -> dict:
    from committees.models import Committee

    committee = Committee.objects.get(organisation__ods_code=TRUST_A)
    return {"ods_code": TRUST_A, "pk": committee.pk, **more}


def _meeting(past: bool) -> dict:
    from committees.models import Meeting

    meetings = Meeting.objects.filter(committee__organisation__ods_code=TRUST_A)
    now = timezone.now()
    meeting = (
        meetings.filter(starts_at__lt=now).order_by("-starts_at")
        if past
        else meetings.filter(starts_at__gt=now).order_by("starts_at")
    ).first()
    return _committee(meeting_pk=meeting.pk)


def _seat() -> dict:
    from committees.models import CommitteeMember

    seat = (
        CommitteeMember.objects.filter(
            committee__organisation__ods_code=TRUST_A, user__isnull=True, end_on__isnull=True
        )
        .order_by("pk")
        .first()
    )
    return _committee(member_pk=seat.pk)


def _apologies() -> dict:
    """The first seat of the last meeting, sending apologies."""
    from committees import services
    from committees.models import Meeting

    meeting = Meeting.objects.get(pk=_meeting(past=True)["meeting_pk"])
    return {f"seat_{services.seats_on(meeting)[0].pk}": "apologies"}


def _meeting_action() -> dict:
    from committees.models import MeetingAction

    action = MeetingAction.objects.filter(
        meeting__committee__organisation__ods_code=TRUST_A, state="open"
    ).first()
    return _committee(meeting_pk=action.meeting_id, action_pk=action.pk)


def _report(state: str) -> dict:
    from committees.models import AssuranceReport

    report = AssuranceReport.objects.get(committee__organisation__ods_code=TRUST_A, state=state)
    return _committee(report_pk=report.pk)


def _narrated() -> dict:
    """The draft report with every narrative the chair must write."""
    from committees import services
    from committees.models import AssuranceReport

    args = _report("draft")
    report = AssuranceReport.objects.get(pk=args["report_pk"])
    for section in services.REQUIRED:
        services.narrative_save(
            by=_user(CHAIR_A), report=report, section=section, text="Reviewed by the committee."
        )
    return args


def _approved() -> dict:
    from committees import services
    from committees.models import AssuranceReport

    args = _narrated()
    services.report_approve(
        by=_user(CHAIR_A), report=AssuranceReport.objects.get(pk=args["report_pk"])
    )
    return args


def _pdf_lost() -> dict:
    """An approved report whose PDF could not be made."""
    from committees.models import AssuranceReport, PdfState

    args = _approved()
    AssuranceReport.objects.filter(pk=args["report_pk"]).update(pdf="", pdf_state=PdfState.FAILED)
    return args


def _period() -> dict:
    return {
        **_day(datetime.date(2026, 4, 1), "period_start"),
        **_day(datetime.date(2026, 6, 30), "period_end"),
    }


# Networks -------------------------------------------------------------------------------------

LEAD = "lead@network.example"  # leads the national MSO network
REGIONAL_LEAD = "lead@midlands.example"


def _event(**more) -> dict:
    from networks.models import Event

    event = (
        Event.objects.filter(network__slug="national", starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    return {"slug": "national", "pk": event.pk, **more}


def _resource() -> dict:
    from networks.models import Resource

    resource = Resource.objects.filter(network__slug="national").order_by("pk").first()
    return {"slug": "national", "pk": resource.pk}


def _workplan_item() -> dict:
    from networks.models import WorkplanItem

    return {
        "slug": "midlands",
        "pk": WorkplanItem.objects.filter(network__slug="midlands").first().pk,
    }


def _webinar_offer() -> dict:
    from networks.models import WebinarOffer

    offer = WebinarOffer.objects.filter(status=WebinarOffer.Status.OFFERED).first()
    return {"slug": offer.network.slug, "pk": offer.pk}


def _waiting_request() -> dict:
    from networks.models import BuddyRequest

    return {"pk": BuddyRequest.objects.get(status=BuddyRequest.Status.WAITING).pk}


def _pairing() -> dict:
    from networks.models import BuddyOffer, BuddyRequest

    request = BuddyRequest.objects.get(status=BuddyRequest.Status.WAITING)
    offer = BuddyOffer.objects.filter(active=True).exclude(user=request.user).order_by("pk")[0]
    return {"pk": request.pk, "offer_pk": offer.pk}


def _new_mso_item() -> dict:
    """An item of a new MSO's getting-started checklist that a tick marks done."""
    from networks import getting_started
    from networks.models import BuddyRequest

    mso = BuddyRequest.objects.get(status=BuddyRequest.Status.WAITING)
    items = getting_started.checklist(mso.user, mso.organisation)
    item = next(entry for entry in items if not entry.ticks_itself and not entry.done)
    return {"ods_code": mso.organisation.ods_code, "item": item.key}


# Organisations and the register ---------------------------------------------------------------


def _member(email: str) -> dict:
    return {"ods_code": TRUST_A, "user_id": _user(email).pk}


def _invitation() -> dict:
    from organisations import services
    from organisations.models import Organisation

    invitation = services.invitation_create(
        by=_user(MSO_A),
        organisation=Organisation.objects.get(ods_code=TRUST_A),
        email="new.nurse@trust-a.example",
        roles=["staff"],
    )
    cache.delete(services._sending(invitation))  # sent a while ago
    return {"ods_code": TRUST_A, "pk": invitation.pk}


def _invitation_link() -> str:
    """An invitation's link, as its email gives it (opening it keeps its token in the
    session, and leads to the page that accepts it)."""
    from organisations.models import Invitation

    args = _invitation()
    token, digest = Invitation.new_token()
    Invitation.objects.filter(pk=args["pk"]).update(token_hash=digest)
    return reverse("invitation_open", kwargs={"token": token})


def _handover_item() -> dict:
    from organisations.models import HandoverItem

    item = HandoverItem.objects.filter(done_on__isnull=True).order_by("pk").first()
    return {"ods_code": item.handover.organisation.ods_code, "pk": item.pk}


def _post(post: str) -> dict:
    from organisations.models import Appointment

    appointment = Appointment.objects.current().get(organisation__ods_code=TRUST_A, post=post)
    return {"ods_code": TRUST_A, "pk": appointment.pk}


def _waiting_change() -> dict:
    from organisations.models import ChangeRequest

    return {
        "pk": ChangeRequest.objects.filter(organisation__ods_code=TRUST_A, status="pending")
        .get()
        .pk
    }


# Improvement ----------------------------------------------------------------------------------


def _project(status="active", **more) -> dict:
    from improvement.models import Project

    project = Project.objects.filter(organisation__ods_code=TRUST_A, status=status).first()
    return {"ods_code": TRUST_A, "pk": project.pk, **more}


def _cycle() -> dict:
    from improvement.models import PdsaCycle

    args = _project()
    cycle = PdsaCycle.objects.filter(project_id=args["pk"]).order_by("-number").first()
    return {**args, "cycle_pk": cycle.pk}


def _protocol() -> dict:
    from improvement.models import Protocol

    protocol = (
        Protocol.objects.filter(organisation__ods_code=TRUST_A, retired_on__isnull=True)
        .order_by("-pk")
        .first()
    )  # the anticoagulants', which the library does not have
    return {"ods_code": TRUST_A, "pk": protocol.pk}


def _first_network(email: str) -> dict:
    """The first network the person may share with (its id, whatever the sequence gave it)."""
    from django.contrib.auth import get_user_model

    from improvement.views.projects import share_networks

    person = get_user_model().objects.get(email=email)
    return {"network": str(next(iter(share_networks(person))).pk)}


def _point() -> dict:
    from improvement.models import MeasurePoint

    args = _project()
    point = MeasurePoint.objects.filter(project_id=args["pk"]).order_by("-period_start").first()
    return {**args, "point": point.pk}


# Accounts ---------------------------------------------------------------------------------------


def _training() -> dict:
    from accounts.models import Training

    return {"pk": Training.objects.filter(user__email=MSO_A).order_by("pk").first().pk}


def _syllabus() -> dict:
    from accounts.models import SyllabusTraining

    return {"pk": SyllabusTraining.objects.filter(user__email=MSO_A).order_by("pk").first().pk}


def _second_factor() -> dict:
    """The MSO has an authenticator app (a token is made only by a session that gave one)."""
    import pyotp
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(_user(MSO_A), pyotp.random_base32())
    return {}


def _api_token() -> dict:
    from tests.conftest import api_token

    token, _secret = api_token(_user(MSO_A), name="Ward dashboard")
    return {"pk": token.pk}


# Notifications -----------------------------------------------------------------------------------


def _unread() -> dict:
    from notifications.models import Notification

    notice = (
        Notification.objects.filter(recipient__email=MSO_A, read_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    return {"pk": notice.pk}


def _unread_group() -> dict:
    from notifications.models import Notification

    notice = (
        Notification.objects.filter(recipient__email=MSO_A, read_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    return {
        "topic": notice.subject.split(":")[0],
        "kind": notice.kind,
        "day": notice.due_on.isoformat(),
    }


# Controlled drugs ---------------------------------------------------------------------------

CDAO_A = "cdao@trust-a.example"


def _concern() -> dict:
    """An open concern kept by Trust A's CDAO."""
    from controlled_drugs import services

    concern = services.concern_record(
        by=_user(CDAO_A),
        organisation=_organisation(TRUST_A),
        data={
            "received_on": _today(),
            "source": "audit",
            "about": "Ward 7's team",
            "concern": "Register and stock differ for morphine.",
        },
    )
    return {"ods_code": TRUST_A, "pk": concern.pk}


CASES = [
    # Reporting.
    Case("incidents:report", REPORTER_A, data=_step_1, page=None),
    Case("incidents:report_draft", REPORTER_A, _draft, _step_1, page=None),
    Case(
        "incidents:report_send", REPORTER_A, _draft, {"anonymous": "no", "action": "send"}, ok=200
    ),
    Case("incidents:draft_discard", REPORTER_A, _draft, page=None, confirm=True),
    # The incidents' figures and lists of an organisation.
    Case(
        "incidents:process_change_create",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {**_day(_today(), "changed_on"), "what": "Insulin charts with a second check"},
    ),
    Case("incidents:process_change_remove", MSO_A, _process_change, page=None, confirm=True),
    Case(
        "incidents:denominators",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {"month": _last_month(), "value": "1234"},
    ),
    Case(
        "incidents:feedback_create",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {
            **_day(_today(), "received_on"),
            "source": "carer",
            "medicines": "Insulin",
            "summary": "The ward explained the change of insulin clearly.",
            "themes": "insulin, communication",
        },
    ),
    Case(
        "incidents:high_risk",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {**_not_high_risk(), "group": "Sedatives"},
    ),
    Case("incidents:high_risk_remove", MSO_A, _national_high_risk, page=None, confirm=True),
    Case(
        "incidents:denominator_import",
        REGIONAL_LEAD,
        data=_denominators_file,
        page=None,
        ok=200,
    ),
    Case("incidents:hospital_numbers", MSO_A, {"ods_code": TRUST_A}, {"example": "AB1234567"}),
    Case("incidents:hospital_number_remove", MSO_A, _hospital_number, page=None, confirm=True),
    Case("incidents:lfpse_settings", MSO_A, {"ods_code": TRUST_A}, {"when": "at-once"}),
    # An incident's review.
    Case(
        "incidents:review_start",
        MSO_A,
        lambda: _ref(status="submitted"),
        page=_detail(lambda: _ref(status="submitted")),
    ),
    Case(
        "incidents:move",
        MSO_A,
        lambda: _ref(status="awaiting-actions"),
        {"to": "in-review", "note": ""},
        page=None,
    ),
    Case("incidents:edit", MSO_A, _in_review, {"service_area": "Ward 9"}),
    Case("incidents:medicine_code", MSO_A, _uncoded, _medicine_code, page=None),
    Case(
        "incidents:learning",
        MSO_A,
        _in_review,
        {
            "learning_response": "swarm",
            "learning_summary": "Charts now show doses given.",
            "themes": "charts",
        },
    ),
    Case("incidents:close", MSO_A, _closable, {"feedback": "Thank you: the chart has changed."}),
    Case(
        "incidents:duplicate",
        MSO_A,
        _in_review,
        lambda: {"original": _incident(status="closed").reference},
    ),
    Case(
        "incidents:action_create",
        MSO_A,
        _in_review,
        lambda: {
            "description": "Add a second check to the chart",
            "owner": str(_user(MSO_A).pk),
            **_day(_today() + datetime.timedelta(days=30), "due_on"),
        },
    ),
    Case(
        "incidents:action_change",
        MSO_A,
        _open_action,
        {"state": "done", "evidence": "The chart is reprinted."},
    ),
    Case(
        "incidents:comment_create",
        MSO_A,
        _in_review,
        {"body": "The second check is on the new chart."},
        page=_detail(_in_review),
    ),
    Case("incidents:attachment_create", MSO_A, _in_review, _file, page=None),
    Case(
        "incidents:shared",
        MSO_A,
        _shared_here,
        {"kind": "learning", "body": "We check discharge letters against the chart now."},
    ),
    Case("incidents:share", MSO_A, _in_review, {"ods_code": "RZB"}),
    Case("incidents:lfpse_send", MSO_A, _in_review, page=None),
    # Alerts: an organisation's response.
    Case("alerts:acknowledge", MSO_A, lambda: _response_where(state="new"), page=None),
    Case(
        "alerts:decide",
        MSO_A,
        lambda: _response_where(state="acknowledged"),
        {"applies": "yes", "rationale": ""},
        page=None,
    ),
    Case(
        "alerts:lead",
        MSO_A,
        lambda: _response_where(state="in-progress", lead__isnull=True),
        lambda: {"lead": str(_user(MSO_A).pk)},
        page=None,
    ),
    Case(
        "alerts:action",
        MSO_A,
        _answer,
        lambda: {
            "owner": str(_user(MSO_A).pk),
            "state": "done",
            "evidence": "Stock checked and quarantined.",
            **_day(_today(), "done_on"),
        },
    ),
    Case("alerts:evidence_create", MSO_A, _answer, _file, page=None),
    Case("alerts:sign_off", DIRECTOR_A, _ready_to_sign, {"note": "Assured."}, page=None),
    Case(
        "alerts:send_back",
        DIRECTOR_A,
        _ready_to_sign,
        {"note": "Attach the audit of the wards."},
        page=None,
    ),
    Case("alerts:sign_off_ask", MSO_A, _sent_back, page=None),
    Case("alerts:complete", MSO_A, _signed_off, page=None),
    Case(
        "alerts:reopen",
        MSO_A,
        lambda: _response_where(state="completed"),
        {"reason": "A new batch was recalled."},
        page=None,
    ),
    Case(
        "alerts:cas_closed",
        MSO_A,
        lambda: _response_where(state="completed"),
        lambda: _day(_today(), "closed_on"),
        page=None,
    ),
    Case(
        "alerts:incident_link",
        MSO_A,
        lambda: _response_where(state="in-progress"),
        lambda: {"reference": _incident(status="closed").reference},
        page=None,
    ),
    Case("alerts:incident_unlink", MSO_A, _linked, page=None),
    # Alerts: writing and publishing them.
    Case(
        "alerts:create",
        PUBLISHER,
        data=lambda: {
            "reference": "NatPSA/2026/009/NHSPS",
            "title": "Insulin pens: one patient, one pen",
            "issuer": "nhs-england",
            "alert_type": "natpsa",
            **_day(_today(), "issued_on"),
            "summary": "Pens shared between patients.",
            "link": "https://www.england.nhs.uk/patient-safety/",
            "applicable_kinds": ["nhs-trust"],
            "actions-0-description": "Check that each patient has their own pen",
            **_day(_today() + datetime.timedelta(days=30), "actions-0-due_on"),
        },
    ),
    Case("alerts:update", PUBLISHER, _draft_alert, {"title": "Strong potassium: remove it"}),
    Case("alerts:publish", PUBLISHER, _draft_alert),
    Case("alerts:import", PUBLISHER, data=_alerts_file, page=None),
    Case(
        "api:alert_action",
        MSO_A,
        _answer_pk,
        lambda: {"state": "in-progress", "owner": MSO_A, "evidence": "Under way"},
        method="patch",
        api=True,
        ok=200,
    ),
    # Committees.
    Case(
        "committees:create",
        SECRETARY_A,
        {"ods_code": TRUST_A},
        {
            "name": "Controlled Drugs Group",
            "reports_to": "Medication Safety Committee",
            "frequency": "quarterly",
            "quorum_members": "3",
            "quorum_disciplines": ["pharmacy"],
        },
    ),
    Case("committees:update", SECRETARY_A, _committee, {"reports_to": "Quality Committee"}),
    Case(
        "committees:terms_create",
        SECRETARY_A,
        _committee,
        lambda: {
            "text": "The committee assures the board on medication safety.",
            **_day(_today(), "approved_on"),
            "approved_by": "The board",
        },
    ),
    Case(
        "committees:member_create",
        SECRETARY_A,
        _committee,
        lambda: {
            "has_account": "no",
            "name": "Dr Ada Price",
            "seat": "member",
            "discipline": "medical",
            **_day(_today(), "start_on"),
        },
    ),
    Case("committees:member_end", SECRETARY_A, _seat),
    Case(
        "committees:meeting_create",
        SECRETARY_A,
        _committee,
        lambda: {
            **_day(_today() + datetime.timedelta(days=60), "on"),
            "starts": "14:00",
            "ends": "16:00",
            "location": "Board room",
        },
    ),
    Case(
        "committees:meeting_update",
        SECRETARY_A,
        lambda: _meeting(past=False),
        {"location": "Seminar room 2"},
    ),
    Case(
        "committees:agenda",
        SECRETARY_A,
        lambda: _meeting(past=False),
        {"agenda-0-notes": "Matters arising first."},
    ),
    Case("committees:attendance", SECRETARY_A, lambda: _meeting(past=True), _apologies),
    Case(
        "committees:minutes",
        SECRETARY_A,
        lambda: _meeting(past=True),
        {"minutes": "The committee reviewed the incidents.", "decisions": "Adopt the chart"},
    ),
    Case(
        "committees:action_create",
        SECRETARY_A,
        lambda: _meeting(past=True),
        lambda: {
            "description": "Audit the charts",
            "owner": str(_user(MSO_A).pk),
            **_day(_today() + datetime.timedelta(days=30), "due_on"),
        },
    ),
    Case(
        "committees:action",
        SECRETARY_A,
        _meeting_action,
        lambda: {"state": "done", **_day(_today(), "done_on"), "evidence": "Audit done"},
    ),
    Case("committees:report_create", SECRETARY_A, _committee, _period),
    Case(
        "committees:narrative",
        CHAIR_A,
        lambda: {**_report("draft"), "section": "summary"},
        {"text": "A quarter of steady reporting."},
    ),
    Case("committees:report_refigure", CHAIR_A, lambda: _report("draft"), page=None),
    Case("committees:report_approve", CHAIR_A, _narrated, page=None),
    Case("committees:report_submit", CHAIR_A, _approved, page=None),
    Case("committees:report_pdf_again", CHAIR_A, _pdf_lost, page=None),
    # Networks.
    Case("networks:join", "mso@trust-b.example", {"slug": "midlands"}, page=None),
    Case("networks:leave", MSO_A, {"slug": "midlands"}, page=None, confirm=True),
    Case(
        "networks:event_create",
        LEAD,
        {"slug": "national"},
        lambda: {
            "title": "Monthly MSO webinar, special",
            **_day(_today() + datetime.timedelta(days=20), "on"),
            "starts": "12:30",
            "ends": "13:30",
            "joining_link": "https://meet.example/mso",
        },
    ),
    Case("networks:event_update", LEAD, _event, {"title": "Monthly MSO webinar (moved)"}),
    Case("networks:event_cancel", LEAD, _event, confirm=True),
    Case(
        "networks:resource_create",
        MSO_A,
        {"slug": "national"},
        {
            "title": "Insulin passport",
            "shape": "link",
            "link": "https://www.example.org/passport",
            "description": "For patients.",
            "tags": "insulin",
        },
    ),
    Case("networks:resource_remove", MSO_A, _resource, page=None, confirm=True),
    Case(
        "networks:workplan_item_create",
        REGIONAL_LEAD,
        {"slug": "midlands"},
        lambda: {
            "priority": "Insulin",
            "title": "Insulin passports in every trust",
            "owner": str(_user(MSO_A).pk),
            **_day(_today() + datetime.timedelta(days=90), "due_on"),
            "state": "planned",
            "involved": "RZA",
        },
    ),
    Case("networks:workplan_item", REGIONAL_LEAD, _workplan_item, {"state": "done"}),
    Case(
        "networks:workplan_item_update",
        REGIONAL_LEAD,
        _workplan_item,
        {"title": "Audit opioids on discharge"},
    ),
    Case(
        "networks:webinar_offer",
        MSO_A,
        {"slug": "national"},
        lambda: {
            "topic": "Our insulin passport",
            "summary": "How we did it.",
            "preferred_month": _today().replace(day=1).isoformat(),
        },
    ),
    Case(
        "networks:webinar_offer_decide",
        LEAD,
        _webinar_offer,
        {"decision": "decline", "reason": "The programme is full this year."},
    ),
    Case("networks:buddy_offer", "mso@trust-b.example", data={"capacity": "2"}),
    Case(
        "networks:buddy_request",
        "mso@pharmacies.example",
        data=lambda: {"organisation": str(_organisation("FZZ90").pk), "note": "New to it."},
    ),
    Case(
        "networks:buddy_request_withdraw",
        "mso@icb.example",
        _waiting_request,
        page=None,
        confirm=True,
    ),
    Case("networks:buddy_pair", LEAD, _pairing, page=None),
    Case(
        "networks:getting_started_tick",
        "mso@icb.example",
        _new_mso_item,
        {"done": "on"},
        page=None,
    ),
    # Organisations, their posts and the register.
    Case(
        "organisations:member_roles",
        MSO_A,
        lambda: _member(REPORTER_A),
        {"roles": ["staff", "committee-member"]},
    ),
    Case(
        "organisations:member_remove", MSO_A, lambda: _member(REPORTER_A), page=None, confirm=True
    ),
    Case(
        "organisations:invitation_create",
        MSO_A,
        {"ods_code": TRUST_A},
        {"email": "new.nurse@trust-a.example", "roles": ["staff"]},
    ),
    Case("organisations:invitation_resend", MSO_A, _invitation, page=None),
    Case("organisations:invitation_revoke", MSO_A, _invitation, page=None, confirm=True),
    Case(
        "invitation_accept",
        None,
        data={
            "full_name": "Nina Newton",
            "password1": "a long demo passphrase 2026",
            "password2": "a long demo passphrase 2026",
        },
        page=_invitation_link,
    ),
    Case(
        "organisations:handover_item",
        "mso@trust-b.example",
        _handover_item,
        lambda: _day(_today() + datetime.timedelta(days=3), "due_on"),
    ),
    Case(
        "organisations:handover_item_done",
        "mso@trust-b.example",
        _handover_item,
        {"done": "on"},
        page=None,
    ),
    Case(
        "organisations:appointment_create",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {
            "post": "governance-lead",
            "has_account": "yes",
            "user": str(_user(REPORTER_A).pk),
            **_day(_today(), "start_on"),
        },
    ),
    Case(
        "organisations:appointment_update",
        MSO_A,
        lambda: _post("patient-safety-specialist"),
        lambda: _day(_today() + datetime.timedelta(days=60), "end_on"),
    ),
    Case(
        "organisations:appointment_replace",
        DIRECTOR_A,
        lambda: _post("mso"),
        lambda: {
            "has_account": "yes",
            "user": str(_user(REPORTER_A).pk),
            **_day(_today() + datetime.timedelta(days=30), "starts_on"),
        },
    ),
    Case(
        "register:change_start",
        DIRECTOR_A,
        data={"ods_code": TRUST_A, "kind": "new-cdao"},
    ),
    Case(
        "register:change_create",
        DIRECTOR_A,
        {"ods_code": TRUST_A, "kind": "contact"},
        {"mso_mailbox": "medication.safety@trust-a.example", "note": "The new shared mailbox."},
    ),
    Case(
        "register:change",
        "patient.safety@network.example",
        _waiting_change,
        {"decision": "approve"},
    ),
    Case("register:change_withdraw", DIRECTOR_A, _waiting_change, page=None, confirm=True),
    # Improvement.
    Case(
        "improvement:project_create",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {
            "title": "Insulin passports",
            "aim": "Every patient on insulin has a passport.",
            "lead": str(_user(MSO_A).pk),
            **_day(_today(), "started_on"),
            "measure": "Patients with a passport",
            "measure_unit": "%",
            "frequency": "monthly",
            "better": "higher",
        },
    ),
    Case("improvement:project_update", MSO_A, _project, {"measure_unit": "per cent"}),
    Case(
        "improvement:point_create",
        MSO_A,
        _project,
        lambda: {**_day(_today(), "period_start"), "value": "42"},
    ),
    Case(
        "improvement:point_remove",
        MSO_A,
        _project,
        lambda: {"point": _point()["point"]},
        page=None,
        confirm=True,
    ),
    Case(
        "improvement:cycle_create",
        MSO_A,
        _project,
        lambda: {
            "change": "Passports handed out at discharge",
            "plan": "Ward 7 first",
            **_day(_today(), "starts_on"),
        },
    ),
    Case("improvement:cycle", MSO_A, _cycle, {"study": "Fewer doses late."}),
    Case(
        "improvement:project_finish",
        MSO_A,
        _project,
        lambda: {
            "status": "finished",
            **_day(_today(), "finished_on"),
            "results": "Doses on time rose to 95%.",
        },
    ),
    Case("improvement:project_reopen", MSO_A, lambda: _project(status="finished"), page=None),
    Case("improvement:project_share", MSO_A, _project, lambda: _first_network(MSO_A)),
    Case(
        "improvement:protocol_create",
        MSO_A,
        {"ods_code": TRUST_A},
        lambda: {
            "title": "Opioids at discharge",
            "medicines": "Morphine",
            "version": "1.0",
            **_day(_today(), "approved_on"),
            **_day(_today() + datetime.timedelta(days=365), "review_on"),
            "owner": str(_user(MSO_A).pk),
            **_file(),
        },
    ),
    Case("improvement:protocol_update", MSO_A, _protocol, {"version": "4.3"}),
    Case("improvement:protocol_retire", MSO_A, _protocol, page=None, confirm=True),
    Case("improvement:protocol_share", MSO_A, _protocol, lambda: _first_network(MSO_A)),
    # Controlled drugs.
    Case(
        "controlled_drugs:concerns",
        CDAO_A,
        {"ods_code": TRUST_A},
        lambda: {
            **_day(_today(), "received_on"),
            "source": "audit",
            "about": "Ward 7's team",
            "works_at": "Ward 7",
            "concern": "Register and stock differ for morphine.",
            "medicines": "Morphine",
        },
    ),
    Case(
        "controlled_drugs:concern_raise",
        REPORTER_A,
        {"ods_code": TRUST_A},
        {
            "about": "A nurse on Ward 7",
            "works_at": "Ward 7",
            "concern": "Morphine stock counts do not match the register.",
            "medicines": "Morphine",
        },
    ),
    Case(
        "controlled_drugs:concern",
        CDAO_A,
        _concern,
        {"action_taken": "The ward's counts are checked weekly.", "state": "closed"},
    ),
    # Accounts.
    Case("account_registration", MSO_A, data={"number": "2071235"}),
    Case(
        "account_training_add",
        MSO_A,
        data=lambda: {
            "title": "Medication safety level 2",
            "provider": "e-LfH",
            **_day(_today(), "completed_on"),
        },
    ),
    Case("account_training_remove", MSO_A, _training, page=None, confirm=True),
    Case("account_syllabus", MSO_A, data=lambda: {"level": "3", **_day(_today(), "completed_on")}),
    Case("account_syllabus_remove", MSO_A, _syllabus, page=None, confirm=True),
    Case(
        "api_token_create",
        MSO_A,
        _second_factor,
        lambda: {
            "name": "Ward dashboard",
            "scopes": ["incidents:read"],
            **_day(_today() + datetime.timedelta(days=30), "expires_on"),
        },
        ok=200,
    ),
    Case("api_token_revoke", MSO_A, _api_token, confirm=True),
    # Notifications.
    Case("notifications:read", MSO_A, _unread, page=None),
    Case("notifications:all_read", MSO_A, page=None),
    Case("notifications:group_read", MSO_A, data=_unread_group, page=None),
    Case("notifications:preferences", MSO_A, data={"delivery": "daily"}),
]


# Sending ---------------------------------------------------------------------------------------


class Forms(HTMLParser):
    """The forms of a page that post, each with the values it would send as shown (its
    buttons apart)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = None
            if (attrs.get("method") or "get").lower() == "post":
                self._form = {"action": attrs.get("action") or "", "values": {}, "buttons": []}
                self.forms.append(self._form)
            return
        form = self._form
        if form is not None and tag == "option" and self._select:
            if "selected" in attrs:
                form["values"][self._select].append(attrs.get("value", ""))
            return
        if form is None or not attrs.get("name") or "disabled" in attrs:
            return
        name = attrs["name"]
        kind = (attrs.get("type") or "text").lower()
        if tag == "button" or (tag == "input" and kind in ("submit", "image")):
            form["buttons"].append((name, attrs.get("value", "")))
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                form["values"].setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "input" and kind == "file":
            pass
        elif tag == "input":
            form["values"].setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select":
            self._select = name
            form["values"].setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            form["values"][name] = [""]

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["values"][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea and self._form is not None:
                text = self._form["values"][self._textarea][-1]
                self._form["values"][self._textarea][-1] = text.removeprefix("\n")
            self._textarea = None


def form_values(client, page: str, url: str) -> dict:
    """What the form that posts to ``url`` on ``page`` (or where it leads) sends as shown."""
    answer = client.get(page, follow=True)
    assert answer.status_code == 200, f"{page} answered {answer.status_code}"
    shown = answer.request["PATH_INFO"]
    parser = Forms()
    parser.feed(answer.content.decode())
    for form in parser.forms:
        action = urlsplit(form["action"]).path or shown
        if action == urlsplit(url).path:
            values = dict(form["values"])
            values.pop("csrfmiddlewaretoken", None)
            return values
    raise AssertionError(f"no form on {page} posts to {url}")


def counts() -> dict[str, int]:
    """The rows of every table of the project's apps and the audit log, in one statement."""
    from tests.test_layers import floors

    ours = set(floors())
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in ours or model._meta.app_label == "auditlog"
        }
        - NOT_COUNTED
    )
    quote = connection.ops.quote_name
    # The names are the models' own tables, quoted.
    listed = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {listed}")  # noqa: S608
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _changed(before: dict, after: dict) -> dict:
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def send_twice(case: Case, client_for, capture) -> list[str]:
    """Send the case's form twice; what went wrong, in words (nothing: it is sent once)."""
    url = reverse(case.name, kwargs=_value(case.args))
    if case.api:
        from tests.conftest import api_client

        client, page = api_client(_user(case.who)), None
    elif case.who is None:  # someone not signed in
        client, page = Client(), _value(case.page)
    else:
        client, page = client_for(_user(_value(case.who))), _value(case.page)
    values = form_values(client, page or url, url) if page is not None else {}
    data = {**values, **_value(case.data)}
    if case.confirm:
        data |= CONFIRMED

    def send():
        if case.api:
            return getattr(client, case.method)(url, data, content_type="application/json")
        return getattr(client, case.method)(url, data)

    mail.outbox.clear()
    start = counts()
    with capture(execute=True):
        first = send()
    if first.status_code != case.ok:
        return [f"the first answered {first.status_code}, not {case.ok}: {_said(first)}"]
    after_first, sent = counts(), len(mail.outbox)
    with capture(execute=True):
        second = send()
    problems = []
    if second.status_code >= 500:
        problems.append(f"the second answered {second.status_code}")
    changed = _changed(after_first, counts())
    if changed:
        problems.append(f"the second changed {changed}")
    if len(mail.outbox) != sent:
        problems.append(f"the second sent {len(mail.outbox) - sent} more emails")
    FIRST[str(case)] = _changed(start, after_first)
    return problems


FIRST: dict[str, dict] = {}  # what each case's first press changed (read when one changes none)


def _said(answer) -> str:
    text = answer.content.decode(errors="replace")
    errors = re.findall(r'class="nhsuk-error-message"[^>]*>(.*?)</span>', text, re.S)
    errors += re.findall(r"nhsuk-error-summary__list.*?</ul>", text, re.S)[:1]
    words = " ".join(re.sub(r"<[^>]+>", " ", " ".join(errors)).split())
    return words[:300] or answer.get("Location", "") or text[:0]


# The tests -----------------------------------------------------------------------------------


def write_routes() -> set[str]:
    """The URL names of the views that answer a method that writes."""
    return {name for _, name, pattern in routes() if methods_of(pattern.callback) & WRITES}


SESSION_ONLY = "keeps nothing but the session: signing in, out or again"
ALLAUTH = "django-allauth's own step of a second factor, whose state allauth keeps and checks"
NOT_REPEATED: dict[str, str] = {
    "incidents:receipt": "a lookup: it writes nothing (a failed one is counted in the cache)",
    "organisations:switch": "keeps nothing but the session: the organisation worked in",
    "account_login": SESSION_ONLY,
    "account_logout": SESSION_ONLY,
    "account_reauthenticate": SESSION_ONLY,
    "mfa_authenticate": SESSION_ONLY,
    "mfa_reauthenticate": SESSION_ONLY,
    "mfa_reauthenticate_webauthn": SESSION_ONLY,
    "account_change_password": "django-allauth's: the second press gives the old password, "
    "which no longer matches, and is refused",
    "account_set_password": "django-allauth's: only for an account with no password yet, "
    "which the first press ends",
    "account_reset_password": "django-allauth's: each press emails a new link, as it must for a "
    "lost email, within its rate limit (ACCOUNT_RATE_LIMITS['reset_password'])",
    "account_reset_password_from_key": "django-allauth's: the key works once; the second press "
    "is told the link is not valid",
    "mfa_activate_totp": ALLAUTH + ": a second activation is refused",
    "mfa_deactivate_totp": ALLAUTH + ": a second finds none to take away",
    "mfa_generate_recovery_codes": ALLAUTH + ": each press makes new codes by design, the last "
    "ones stopping",
    "mfa_add_webauthn": ALLAUTH + ": each key is signed for by the browser once",
    "mfa_remove_webauthn": ALLAUTH + ": a second finds the key gone (404)",
    "mfa_edit_webauthn": ALLAUTH + ": it names the key, the same name twice",
    "lfpse_simulator:create": "the stand-in for NHS England's LFPSE service, answering the "
    "product's own submissions (sent once: tests/incidents/test_lfpse_concurrency.py)",
    "lfpse_simulator:update": "the stand-in for NHS England's LFPSE service (as above)",
    "api:incidents": "the API's report: each call reports an incident, as a POST to a "
    "collection does; a client that retries is told of each by its Location",
    "api:no_such_call": "answers 404, in the API's shape, to every method",
}


def test_every_form_that_changes_something_is_sent_twice_here():
    covered = {case.name for case in CASES}
    missing = sorted(write_routes() - covered - set(NOT_REPEATED))
    assert not missing, f"send these twice in CASES, or say in NOT_REPEATED why not: {missing}"
    assert not covered & set(NOT_REPEATED)
    assert not (covered | set(NOT_REPEATED)) - write_routes(), "a listed view is gone"


@pytest.fixture
def demo(db, seeded_demo, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_each_form_sent_twice_writes_and_sends_once(
    demo, client_for, django_capture_on_commit_callbacks
):
    failed = {}
    for case in CASES:
        cache.clear()
        with transaction.atomic():
            try:
                problems = send_twice(case, client_for, django_capture_on_commit_callbacks)
            except Exception as error:  # noqa: BLE001 (every case is tried; each failure named)
                problems = [f"{type(error).__name__}: {error}"]
            transaction.set_rollback(True)
        if problems:
            failed[str(case)] = problems
    assert not failed, "\n".join(f"{name}: {'; '.join(p)}" for name, p in failed.items())
