import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from incidents.models import LfpseChoice
from lfpse_simulator.models import Record
from organisations.access import has_permission
from organisations.choices import Post, Role
from organisations.models import Appointment, Membership, Organisation
from organisations.permissions import Perm

pytestmark = pytest.mark.django_db

DEMO_SIGN_INS = [
    "reporter@trust-a.example",
    "mso@trust-a.example",
    "director@trust-a.example",
    "chair@trust-a.example",
    "mso@trust-b.example",
    "mso@pcn.example",
    "mso@pharmacies.example",
    "pharmacist@market-square.example",
    "cdao@icb.example",
    "cdao@trust-a.example",
    "cdao@nhse-midlands.example",
    "lead@network.example",
    "lead@midlands.example",
    "mso@icb.example",
    "safety.director@trust-a.example",
    "pss@trust-b.example",
    "patient.safety@network.example",
    "admin@example.com",
]


@pytest.fixture
def seeded(seeded_demo, settings):
    """What ``seed_demo`` leaves, seeded once in this worker and copied into each test (the
    tests read it, some run the command again: DEBUG, as the command asks)."""
    settings.DEBUG = True


def counts():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Appointment.objects.count(),
    )


def test_it_can_run_twice_without_duplicating(seeded):
    before = counts()
    call_command("seed_demo")
    assert counts() == before
    assert before[0] == 14  # 12 from the sample ODS extracts, the regional team, the body


def test_every_demo_sign_in_works(seeded, settings):
    for email in DEMO_SIGN_INS:
        assert Client().login(username=email, password=settings.DEMO_PASSWORD), email


def test_the_demo_people_hold_their_posts(seeded):
    trust_a = Organisation.objects.get(ods_code="RZA")
    assert Appointment.objects.current().get(organisation=trust_a, post=Post.MSO).user.email == (
        "mso@trust-a.example"
    )
    pcn_mso = User.objects.get(email="mso@pcn.example")
    practices = Organisation.objects.filter(kind="gp-practice").open()
    assert practices.count() == 2  # and Mill Street Surgery, closed (the sample ODS extracts)
    assert all(has_permission(pcn_mso, Perm.ORGANISATION_VIEW, p) for p in practices)
    assert User.objects.get(email="admin@example.com").is_site_admin
    assert Membership.objects.get(user__email="chair@trust-a.example").role == Role.COMMITTEE_CHAIR


def test_the_organisations_come_from_the_sample_ods_extracts(seeded):
    weir_lane = Organisation.objects.get(ods_code="Z99902")
    assert (weir_lane.name, weir_lane.postcode) == ("Weir Lane Surgery", "AB2 7WL")
    pcns = weir_lane.parent_links.filter(parent__kind="pcn").order_by("start_on")
    assert [(link.parent.ods_code, link.end_on) for link in pcns] == [
        ("U99902", datetime.date(2024, 3, 31)),
        ("U99901", None),
    ]
    branch = Organisation.objects.get(ods_code="FZZ02")
    assert branch.parent_links.get().parent.kind == "pharmacy-head-office"
    assert Organisation.objects.get(ods_code="Z99903").closed_on == datetime.date(2025, 6, 30)


def test_trust_a_reaches_the_trust_it_took_over(seeded):
    old_town = Organisation.objects.get(ods_code="RZC")
    assert old_town.is_closed
    mso = User.objects.get(email="mso@trust-a.example")
    assert has_permission(mso, Perm.ORGANISATION_VIEW, old_town)
    assert not has_permission(
        User.objects.get(email="mso@trust-b.example"), Perm.ORGANISATION_VIEW, old_town
    )


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="known password"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_the_community_and_the_register_are_alive(seeded):
    """What a new user should find: a handover under way, a vacancy, a change waiting, events,
    a library, a buddy pairing and one waiting, a new MSO's checklist, unread notifications."""
    from networks.getting_started import checklist
    from networks.models import BuddyRequest, Event, Resource
    from notifications.models import Notification
    from organisations import register
    from organisations.models import ChangeRequest, Handover

    trust_b = Organisation.objects.get(ods_code="RZB")
    assert Handover.objects.open().get().organisation == trust_b
    assert (
        ChangeRequest.objects.pending().get(kind=ChangeRequest.Kind.NEW_MSO).organisation == trust_b
    )
    lead = User.objects.get(email="lead@midlands.example")
    states = {row.ods_code: register.states(row) for row in register.rows(lead)}
    assert states["FZZ01"] == [register.State.COVERED]  # its own MSO left; its body's covers
    assert register.State.VACANT in states["Y60"]
    assert states["RZB"] == [
        register.State.IN_POST,
        register.State.HANDOVER,
        register.State.CHANGE_PENDING,
    ]
    rows = register.attach_professional(register.rows(lead))
    professional = {row.ods_code: register.professional(row) for row in rows}
    assert professional["RZA"][:2] == ["Pharmacist, GPhC 2071234", "Inside the pharmacy team"]
    assert professional["RZA"][2].startswith("Latest training: Patient safety syllabus level 2")
    assert professional["FZZ01"] == []  # nobody in post
    assert Event.objects.filter(starts_at__gte=timezone.now()).count() >= 3
    # The ward checklist, and Trust A's insulin protocol shared from its protocols.
    assert Resource.objects.exclude(file="").count() == 2
    from improvement.models import Project, Protocol

    running = Project.objects.get(title="Time-critical medicines on time")
    assert running.cycles.count() == 3 and running.points.count() == 24
    # Its chart starts again where the adopted change began: limits from the year before, a
    # run chart since (fewer than 12 months).
    from improvement import measures

    drawn = measures.chart(running, list(running.points.all()))
    assert len(drawn.groups) == 2 and drawn.groups[0].has_limits
    assert not drawn.groups[1].has_limits
    assert "since the change recorded" in drawn.interpretation()
    assert running.is_co_produced and running.incidents.exists() and running.alerts.exists()
    assert Project.objects.filter(status="finished").exclude(results="").count() == 1
    assert (
        Protocol.objects.due_for_review(timezone.localdate() + datetime.timedelta(days=30)).count()
        == 1
    )
    assert set(BuddyRequest.objects.values_list("status", flat=True)) == {"paired", "waiting"}
    new_mso = User.objects.get(email="mso@icb.example")
    assert checklist(new_mso, Organisation.objects.get(ods_code="QZZ"))
    unread = Notification.objects.filter(read_at__isnull=True)
    assert {n.recipient.email for n in unread} >= {
        "lead@midlands.example",
        "mso@trust-b.example",
        "mso@trust-a.example",
    }


def test_running_it_again_adds_nothing_to_the_community(seeded):
    from networks.models import BuddyRequest, Event, NetworkMembership, Resource
    from notifications.models import Notification
    from organisations.models import ChangeRequest, Handover

    models = (Event, Resource, BuddyRequest, NetworkMembership, ChangeRequest, Handover)
    before = [model.objects.count() for model in (*models, Notification)]
    call_command("seed_demo")
    assert [model.objects.count() for model in (*models, Notification)] == before


def test_the_incidents_are_there_for_everyone_who_looks(seeded):
    from incidents.models import Incident, IncidentAction, IncidentAttachment, Status

    incidents = Incident.objects.all()
    assert incidents.count() > 300
    assert set(incidents.values_list("status", flat=True)) == set(Status.values)
    assert incidents.filter(anonymous=True).exists()
    assert incidents.filter(status=Status.CLOSED).exclude(feedback="").exists()
    assert IncidentAction.objects.filter(state="open").exists()
    months = {(d.year, d.month) for d in incidents.dates("occurred_on", "month")}
    assert len(months) >= 13  # enough for the SPC chart to mean something
    # Each CDAO reads the controlled-drug incidents of their own body; the ICB's, those of the
    # practices and pharmacies of its area.
    cdao = User.objects.get(email="cdao@trust-a.example")
    seen = Incident.objects.visible_to(cdao)
    assert seen.exists() and not seen.filter(controlled_drug=False).exists()
    assert set(seen.values_list("organisation__ods_code", flat=True)) == {"RZA"}
    primary_care = Incident.objects.visible_to(User.objects.get(email="cdao@icb.example"))
    assert set(primary_care.values_list("organisation__kind", flat=True)) == {
        "gp-practice",
        "community-pharmacy",
    }
    reporter = User.objects.get(email="reporter@trust-a.example")
    assert Incident.objects.visible_to(reporter).filter(feedback__gt="").exists()
    # Every report has its reporter, unless it was sent anonymously (and then keeps the day).
    assert not incidents.filter(reporter__isnull=True, anonymous=False).exists()
    for anonymous in incidents.filter(anonymous=True):
        assert timezone.localtime(anonymous.reported_at).time() == datetime.time(0, 0)
        assert "-A" in anonymous.reference
    # Sent through the LFPSE simulator: accepted with its reference, and one refused.
    accepted = incidents.filter(lfpse_state="accepted").exclude(lfpse_reference="")
    assert set(accepted.values_list("lfpse_reference", flat=True)) <= set(
        Record.objects.values_list("reference", flat=True)
    )
    assert accepted.count() >= 4
    refused = incidents.get(lfpse_state="refused")
    assert refused.lfpse_submissions.get().reasons
    assert LfpseChoice.for_organisation(refused.organisation_id) == "ready"
    assert LfpseChoice.objects.filter(when="at-once").exists()
    assert IncidentAttachment.objects.exists()
    assert cdao.notifications.filter(kind="controlled-drug-reported").exists()
    before = incidents.count()
    call_command("seed_demo")
    assert Incident.objects.count() == before


def alert_counts():
    from alerts.models import (
        Alert,
        AlertActionResponse,
        AlertEvidence,
        AlertIncident,
        AlertResponse,
        AlertResponseEvent,
        AlertTally,
    )
    from notifications.models import Notification

    models = (
        Alert,
        AlertResponse,
        AlertActionResponse,
        AlertEvidence,
        AlertIncident,
        AlertResponseEvent,
        AlertTally,
        Notification,
    )
    return [model.objects.count() for model in models]


def test_the_alerts_and_every_kind_of_response_are_there(seeded):
    """Alerts of each kind the national team sends, a draft to publish, and responses in every
    state: the timelines in the past, in order, and the national view's tallies equal to a live
    count of the responses."""
    from django.db.models import Count

    from alerts import validators
    from alerts.choices import AlertType, ResponseState
    from alerts.models import (
        Alert,
        AlertEvidence,
        AlertIncident,
        AlertResponse,
        AlertResponseEvent,
        AlertTally,
    )

    # A completed response recorded as closed in the Central Alerting System.
    closed = AlertResponse.objects.filter(cas_closed_on__isnull=False)
    assert closed.exists() and all(r.state == ResponseState.COMPLETED for r in closed)

    today = timezone.localdate()
    alerts = Alert.objects.all()
    assert set(alerts.published().values_list("alert_type", flat=True)) >= {
        AlertType.NATPSA,
        AlertType.RECALL_1,
        AlertType.RECALL_2,
        AlertType.RECALL_3,
        AlertType.NOTIFICATION_4,
        AlertType.SUPPLY,
        AlertType.DEAR_DOCTOR,
    }
    draft = alerts.drafts().get(feed_entry="")
    assert draft.alert_type == AlertType.NATPSA and draft.actions.exists()
    # Two drafted from the MHRA's feed, waiting for the team to check and publish.
    fed = {a.alert_type: a for a in alerts.drafts().exclude(feed_entry="")}
    assert set(fed) == {AlertType.RECALL_2, AlertType.DEVICE}
    assert fed[AlertType.RECALL_2].actions.exists()
    alerts = alerts.filter(feed_entry="")
    for alert in alerts:
        validators.check_reference(alert.reference, alert.alert_type, alert.issued_on)
        assert alert.medicines.exists() and alert.actions.exists() and alert.applicable_kinds
    due = [action.due_on for alert in alerts.published() for action in alert.actions.all()]
    assert min(due) < today < max(due)

    responses = AlertResponse.objects.select_related("organisation", "alert")
    assert set(responses.values_list("state", flat=True)) == set(ResponseState.values)
    assert responses.overdue(today).exists()
    # Completed with each kind's senior sign-off, and one whose alert's terms need none.
    completed = responses.filter(state=ResponseState.COMPLETED)
    assert {
        (r.organisation.ods_code, r.signed_off_by and r.signed_off_by.email) for r in completed
    } == {
        ("RZA", "director@trust-a.example"),
        ("U99901", "cd@pcn.example"),
        ("Z99901", None),
        ("FZZ01", "pharmacist@market-square.example"),  # the independent pharmacy's owner
    }
    # The independent pharmacy, answered for by its national pharmacy body's MSO: a response
    # complete and closed in CAS, one waiting for the owner's sign-off, one past a deadline.
    pharmacy = responses.filter(organisation__ods_code="FZZ01")
    assert pharmacy.filter(state=ResponseState.COMPLETED, cas_closed_on__isnull=False).exists()
    assert [r for r in pharmacy.waiting_for_sign_off() if r.state == ResponseState.IN_PROGRESS]
    assert pharmacy.overdue(today).exists()
    assert pharmacy.filter(acknowledged_by__email="mso@pharmacies.example").exists()
    assert responses.get(
        organisation__ods_code="Z99902", signed_off_by__email="manager@weir-lane.example"
    ).is_open  # signed off by the practice manager, for the PCN's MSO to declare complete
    assert not responses.filter(state=ResponseState.NOT_APPLICABLE, rationale="").exists()
    reopened = responses.get(events__kind=AlertResponseEvent.Kind.REOPENED)
    assert reopened.is_open and reopened.signed_off_at is None
    waiting = [
        r
        for r in responses.filter(
            organisation__ods_code="RZA", state=ResponseState.IN_PROGRESS, signed_off_at=None
        )
        if not any(answer.is_open for answer in r.action_responses.all())
    ]
    assert waiting, "a response waiting for the board director's sign-off"
    in_progress = AlertEvidence.objects.get().action_response.response
    assert in_progress.state == ResponseState.IN_PROGRESS
    assert in_progress.action_responses.filter(state="done").exclude(evidence="").exists()
    assert in_progress.action_responses.exclude(state__in=["done", "not-needed"]).exists()
    link = AlertIncident.objects.select_related("incident", "response__alert").first()
    assert link.incident.organisation_id == link.response.organisation_id
    names = [m.name.lower() for m in link.response.alert.medicines.all()]
    assert any(name in link.incident.medicine_names.lower() for name in names)

    # The story happened over the weeks before the demo's day, in order.
    now = timezone.now()
    for response in responses.filter(alert__published_at__isnull=False):
        times = [event.at for event in response.events.all()]
        assert times == sorted(times)
        assert all(response.alert.published_at <= at <= now for at in times)

    live = {
        (row["alert"], row["region"], row["kind"], row["state"], row["next_due_on"]): row["n"]
        for row in AlertResponse.objects.values("alert", "region", "kind", "state", "next_due_on")
        .annotate(n=Count("pk"))
        .order_by()
    }
    kept = {
        (t.alert_id, t.region, t.kind, t.state, t.next_due_on): t.count
        for t in AlertTally.objects.filter(count__gt=0)
    }
    assert kept == live
    assert not AlertTally.objects.filter(count__lt=0).exists()


def test_trust_b_s_chart_starts_again_after_its_change_of_process(seeded, client_for):
    mso = User.objects.get(email="mso@trust-b.example")
    page = client_for(mso).get("/incidents/dashboard/RZB/")
    assert "Electronic prescribing went live in the community teams" in page.text
    chart = page.context["figures"].monthly
    assert len(chart.groups) == 2 and not chart.groups[1].has_limits
    assert "since the change recorded" in chart.interpretation()


def test_each_demo_sign_in_finds_the_alerts(seeded, client_for):
    """The MSOs their inbox and its notices, the board director a response to sign off, the
    network leads the compliance and past-deadline pages, the national lead a draft."""
    from alerts.models import Alert, AlertResponse

    for email in ("mso@trust-a.example", "mso@trust-b.example", "mso@pcn.example"):
        user = User.objects.get(email=email)
        assert user.notifications.filter(kind="published").exists(), email
        page = client_for(user).get("/alerts/?show=all")
        assert page.status_code == 200, email
        assert b"SDA/" in page.content, email  # the supply disruption alert reached them all
    laura = User.objects.get(email="mso@icb.example")
    assert laura.notifications.filter(kind="not-acknowledged").exists()

    director = User.objects.get(email="director@trust-a.example")
    to_sign = [
        r
        for r in AlertResponse.objects.filter(
            organisation__ods_code="RZA", state="in-progress", signed_off_at=None
        )
        if not any(answer.is_open for answer in r.action_responses.all())
    ]
    page = client_for(director).get(to_sign[0].get_absolute_url())
    assert page.status_code == 200
    assert b"/sign-off/" in page.content

    natpsa = Alert.objects.published().get(alert_type="natpsa")
    for email in ("lead@network.example", "lead@midlands.example"):
        lead = client_for(User.objects.get(email=email))
        assert lead.get(f"/alerts/{natpsa.pk}/responses/").status_code == 200
        page = lead.get("/alerts/past-deadline/")
        assert page.status_code == 200 and b"Market Square Pharmacy" in page.content
    draft = Alert.objects.drafts().get(feed_entry="")
    team_member = User.objects.get(email="patient.safety@network.example")
    team = client_for(team_member)
    page = team.get(f"/alerts/{draft.pk}/")
    assert page.status_code == 200 and f"/alerts/{draft.pk}/publish/".encode() in page.content
    fed = Alert.objects.drafts().exclude(feed_entry="").first()
    assert "Drafted from the alert feed" in team.get(f"/alerts/{fed.pk}/").text
    assert team_member.notifications.filter(kind="drafted-from-feed").count() == 2
    # The MSO network's lead does not publish: a draft is not theirs to see.
    lead = client_for(User.objects.get(email="lead@network.example"))
    assert lead.get(f"/alerts/{draft.pk}/").status_code == 404


def test_running_it_again_adds_no_alerts(seeded):
    before = alert_counts()
    call_command("seed_demo")
    assert alert_counts() == before


def test_trust_a_has_its_committee_with_meetings_in_every_state(seeded, client_for):
    """Seats with and without accounts, two versions of its terms, meetings held (quorate and
    not, minutes recorded and waiting, the secretary reminded), actions done and overdue, the
    next meeting with its suggested agenda; the secretary, chair, MSO and board director open it;
    seeding again adds nothing."""
    from committees.models import Committee, Meeting, MeetingAction

    committee = Committee.objects.get(organisation__ods_code="RZA")
    assert committee.terms.count() == 2
    assert committee.members.filter(user__isnull=True).count() == 3
    meetings = list(committee.meetings.order_by("starts_at"))
    assert [m.quorate for m in meetings] == [True, False, True, None]
    assert [bool(m.minutes_recorded_at) for m in meetings] == [True, True, False, False]
    assert meetings[-1].agenda.filter(source="alert").exists()
    actions = MeetingAction.objects.filter(meeting__committee=committee)
    assert set(actions.values_list("state", flat=True)) == {"done", "open"}
    secretary = User.objects.get(email="secretary@trust-a.example")
    assert secretary.notifications.filter(kind="minutes-missing").exists()
    for email in (
        "secretary@trust-a.example",
        "chair@trust-a.example",
        "mso@trust-a.example",
        "director@trust-a.example",
    ):
        page = client_for(User.objects.get(email=email)).get(committee.get_absolute_url())
        assert page.status_code == 200, email
    assert sorted(committee.reports.values_list("state", flat=True)) == ["draft", "submitted"]
    submitted = committee.reports.get(state="submitted")
    assert submitted.snapshot["incidents"]["total"] > 0
    page = client_for(User.objects.get(email="chair@trust-a.example")).get(
        f"{committee.get_absolute_url()}reports/{submitted.pk}/"
    )
    assert page.status_code == 200 and b"Submitted to the board" in page.content
    before = Meeting.objects.count(), committee.reports.count()
    call_command("seed_demo")
    assert (Meeting.objects.count(), committee.reports.count()) == before


def test_the_patient_safety_specialists_are_there(seeded, client_for):
    from django.urls import reverse

    from organisations.models import ChangeRequest

    team = User.objects.get(email="patient.safety@network.example")
    waiting = ChangeRequest.objects.get(kind=ChangeRequest.Kind.NEW_SPECIALIST)
    assert waiting.is_pending and waiting.organisation.ods_code == "RZA"
    assert team.notifications.filter(subject=f"change-request:{waiting.pk}").exists()
    page = client_for(team).get(reverse("register:specialists")).content.decode()
    assert "Hannah Wells" in page and "Level 3: Patient safety specialist training" in page
    assert "Sam Okafor" in page
    decision = client_for(team).get(waiting.get_absolute_url())
    assert decision.context["form"] is not None
    assert "Patient safety lead for medicines" in decision.content.decode()


def test_the_midlands_workplan_and_an_offer_to_present_are_there(seeded, client_for):
    from django.urls import reverse

    from networks.models import WebinarOffer, WorkplanItem

    national_lead = User.objects.get(email="lead@network.example")
    amir = User.objects.get(email="mso@trust-a.example")
    assert WorkplanItem.objects.filter(network__slug="midlands").count() == 2
    assert amir.notifications.filter(subject__startswith="workplan-item:").exists()
    page = client_for(amir).get(reverse("networks:detail", args=["midlands"])).content.decode()
    assert "Audit opioid prescribing on discharge" in page
    every = client_for(national_lead).get(reverse("networks:workplans")).content.decode()
    assert "Share one insulin passport across primary care" in every
    assert WebinarOffer.objects.get().status == WebinarOffer.Status.OFFERED


def test_a_discharge_incident_is_shared_between_trust_a_and_the_pcn(seeded, client_for):
    from incidents.models import Incident, SharedNote

    shared = Incident.objects.get(arose_in__ods_code="RZA")
    assert shared.organisation.ods_code == "Z99901"
    assert SharedNote.objects.filter(incident=shared).count() == 2
    for email in ("mso@trust-a.example", "mso@pcn.example"):
        page = client_for(User.objects.get(email=email)).get(shared.get_shared_url())
        assert "Add a &#x27;held, restart on&#x27; line" in page.content.decode(), email
    other = User.objects.get(email="mso@trust-b.example")
    assert client_for(other).get(shared.get_shared_url()).status_code == 404


def test_how_incidents_came_to_light_and_patient_feedback_are_there(seeded, client_for):
    from django.urls import reverse

    from incidents.models import Incident, PatientFeedback

    assert Incident.objects.filter(identified_through="medicines-advice").exists()
    assert PatientFeedback.objects.filter(organisation__ods_code="RZA").count() == 3
    amir = User.objects.get(email="mso@trust-a.example")
    page = client_for(amir).get(reverse("incidents:feedback", args=["RZA"])).content.decode()
    assert "did not say when to restart her evening insulin" in page


def test_the_chain_of_an_alert_has_something_to_show(seeded):
    """A new user sees an alert tabled at a committee that has met and carried in an approved
    board report, and the national trends say what went wrong."""
    from django.utils import timezone

    from committees.models import AgendaItem, ReportedAlert
    from incidents.models import Dimension, IncidentTrend

    assert ReportedAlert.objects.exists()
    assert AgendaItem.objects.filter(
        alert__isnull=False, meeting__starts_at__lte=timezone.now()
    ).exists()
    assert IncidentTrend.objects.filter(dimension=Dimension.THEME).exists()
