"""The home page leads with what waits for the person: counts, each linking to the list where
it is done, that show exactly what was counted; and their actions page. Nothing waiting says
so; the rest of the home page stays below."""

import datetime
import re
from html import unescape

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import User
from incidents.models import Draft, ExportState, Incident, IncidentAction, Status
from organisations.choices import Post, Role
from tests.factories import member, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def waiting_on(client) -> list:
    """What waits, as the home page lists it: (count, words, address)."""
    page = client.get(reverse("home"))
    assert page.status_code == 200
    return [(item.count, item.label, item.url) for item in page.context["waiting"]]


def shown_at(client, url) -> int:
    """How many things the page at ``url`` shows: what a waiting count must equal."""
    response = client.get(url)
    assert response.status_code == 200, url
    context, name = response.context, resolve(url.split("?")[0]).view_name
    if name == "incidents:list":  # pages of 25, read to the end
        shown, page = 0, context["page"]
        while True:
            shown += len(page.rows)
            if not page.older:
                return shown
            page = client.get(f"{url}&after={page.older}").context["page"]
    if name == "alerts:inbox":
        return len(context["responses"])
    if name == "register:changes":
        return context["page"].paginator.count
    if name == "actions":
        return context["total"]
    if name == "incidents:mine":
        return len(context["drafts"])
    if name == "committees:report":
        return int(context["report"].is_draft)
    raise AssertionError(f"No count known for {name}")


def test_access(assert_access, staff):
    assert_access(reverse("actions"), allowed=staff)
    assert_access(reverse("home"), allowed=staff)


def test_nothing_waiting_says_so_and_the_rest_of_the_page_stays(client_for, staff):
    page = client_for(staff).get(reverse("home")).text
    assert "What waits for you" in page and "Nothing waits for you." in page
    assert page.index("What waits for you") < page.index("Named posts")
    assert "What you can do" in page


class TestIncidents:
    def test_incidents_to_review_and_refused_by_lfpse_are_counted_as_the_list_shows_them(
        self, client_for, trust, other_trust, staff, mso, other_mso
    ):
        first, second, reviewing = (report(trust, staff) for _ in range(3))
        Incident.objects.filter(pk=reviewing.pk).update(status=Status.IN_REVIEW)
        Incident.objects.filter(pk=first.pk).update(lfpse_state=ExportState.REFUSED)
        report(other_trust, other_mso)  # another organisation's: not counted
        closed = report(trust, staff)
        Incident.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
        client = client_for(mso)
        items = waiting_on(client)
        assert [(count, words) for count, words, _ in items] == [
            (3, "incidents to review (reported, or in review)"),
            (1, "incident LFPSE refused, to correct and send again"),
        ]
        for count, _, url in items:
            assert shown_at(client, url) == count
        page = client.get(reverse("home")).text
        assert "<strong>3</strong> incidents to review (reported, or in review)" in page

    def test_the_reporter_is_not_asked_to_review_and_finds_their_unsent_report(
        self, client_for, trust, staff
    ):
        report(trust, staff)
        Draft.objects.create(user=staff, organisation=trust, data={})  # nothing typed yet
        Draft.objects.create(
            user=staff,
            organisation=trust,
            data={"step1": {"what_happened": ["Two doses of insulin"]}},
        )
        client = client_for(staff)
        [(count, words, url)] = waiting_on(client)
        assert (count, words) == (1, "incident report you began and have not sent")
        assert shown_at(client, url) == count

    def test_an_incident_action_due_this_week_or_overdue_is_counted_as_the_actions_page_shows(
        self, client_for, trust, staff, mso
    ):
        incident = report(trust, staff)
        today = timezone.localdate()
        for days in (-3, 6, 8):  # overdue, due this week, due later
            IncidentAction.objects.create(
                incident=incident,
                description=f"Due in {days}",
                owner=mso,
                due_on=today + datetime.timedelta(days=days),
            )
        IncidentAction.objects.create(
            incident=incident, description="Done", owner=mso, due_on=today, state="done"
        )
        client = client_for(mso)
        actions = [item for item in waiting_on(client) if "action" in item[1]]
        assert actions == [
            (2, "incident actions due within 7 days or overdue", "/actions/?show=due&kind=incident")
        ]
        assert shown_at(client, actions[0][2]) == 2
        page = client.get("/actions/?show=due&kind=incident").text
        assert "Due in -3" in page and "Due in 6" in page and "Due in 8" not in page
        assert "Overdue" in page
        assert incident.get_absolute_url() in page
        assert shown_at(client, "/actions/?show=open") == 3
        assert shown_at(client, "/actions/?show=overdue") == 1
        assert shown_at(client, "/actions/?show=open&kind=no-such-kind") == 3


class TestAlerts:
    @pytest.fixture
    def responses(self, lead, trust, mso, director, django_capture_on_commit_callbacks):
        from alerts import services
        from alerts.models import AlertResponse
        from tests.alerts.conftest import draft

        later = timezone.localdate() + datetime.timedelta(days=30)
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(1, 5):
                alert = draft(
                    lead,
                    reference=f"NatPSA/2026/00{n}/NHSPS",
                    actions=[{"description": "Check the systems", "due_on": later}],
                )
                services.alert_publish(by=lead, alert=alert)
        return list(AlertResponse.objects.filter(organisation=trust).order_by("pk"))

    def test_alerts_to_acknowledge_decide_and_sign_off_are_counted_as_the_inbox_shows(
        self, client_for, responses, mso, director
    ):
        from alerts import services
        from alerts.models import AlertResponse
        from tests.alerts.conftest import finish

        services.response_acknowledge(by=mso, response=responses[0])
        services.response_decide(by=mso, response=responses[1], applies=True)
        finish(mso, responses[1], mso, on=timezone.localdate())
        AlertResponse.objects.filter(pk=responses[2].pk).update(
            next_due_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        client = client_for(mso)
        items = waiting_on(client)
        assert [(count, words) for count, words, _ in items] == [
            (2, "alerts to acknowledge"),
            (1, "alert acknowledged, to decide whether it applies"),
            (1, "alert response past a deadline"),
        ]
        for count, _, url in items:
            assert shown_at(client, url) == count
        # The director signs off; they acknowledge nothing.
        director_client = client_for(director)
        [(count, words, url)] = waiting_on(director_client)
        assert (count, words) == (1, "alert response waiting for your sign-off")
        assert shown_at(director_client, url) == 1

    def test_an_alert_action_owned_is_counted_as_the_actions_page_shows(
        self, client_for, responses, mso, staff
    ):
        from alerts import services
        from alerts.models import AlertActionResponse

        services.response_decide(by=mso, response=responses[0], applies=True)
        answer = AlertActionResponse.objects.get(response=responses[0])
        services.action_response_save(
            by=mso, answer=answer, owner=staff, state="to-do", evidence="", done_on=None
        )
        client = client_for(staff)
        assert waiting_on(client) == []  # due in 30 days: not yet
        assert shown_at(client, "/actions/?show=open&kind=alert") == 1
        answer.action.due_on = timezone.localdate() + datetime.timedelta(days=2)
        answer.action.save(update_fields=["due_on"])
        [(count, words, url)] = waiting_on(client)
        assert (count, words) == (1, "alert action due within 7 days or overdue")
        assert shown_at(client, url) == 1
        assert responses[0].get_absolute_url() in client.get(url).text


class TestNetworkLeads:
    def test_a_lead_without_an_organisation_sees_the_changes_waiting_for_them(
        self, client_for, trust, mso, lead, patient_safety_team, django_capture_on_commit_callbacks
    ):
        from organisations import change_requests
        from organisations.models import ChangeRequest

        with django_capture_on_commit_callbacks(execute=True):
            change_requests.submit(
                by=mso,
                request=ChangeRequest(
                    organisation=trust,
                    kind=ChangeRequest.Kind.CONTACT,
                    mso_mailbox="mso@ashby.nhs.example",
                    submitted_by=mso,
                ),
            )
        client = client_for(lead)
        page = client.get(reverse("home"))
        assert page.context["organisation"] is None
        [(count, words, url)] = waiting_on(client)
        assert (count, words) == (1, "change to the register waiting for a decision")
        assert shown_at(client, url) == 1
        # The national patient safety team decides the specialists, not this one.
        team = client_for(patient_safety_team)
        assert waiting_on(team) == []
        assert "Nothing waits for you." in team.get(reverse("home")).text
        # With or without anything waiting, what each can do is a link away.
        lead_home = page.text
        assert "Read the national MSO register, and export it" in lead_home
        assert "See the changes to the register asked for, and decide them" in lead_home
        team_home = team.get(reverse("home")).text
        assert "Read the register of Patient Safety Specialists" in team_home
        assert "Read the national MSO register" not in team_home


class TestCommittees:
    def test_the_chair_is_asked_to_approve_a_draft_report_and_the_secretary_to_finish_it(
        self, client_for, trust, mso
    ):
        from committees import services
        from committees.models import Committee

        chair = member(trust, Role.COMMITTEE_CHAIR, full_name="Chris Chair")
        secretary = member(trust, Role.COMMITTEE_SECRETARY, full_name="Sol Secretary")
        committee = Committee.objects.create(organisation=trust, name="Medication Safety Group")
        report_ = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
        client = client_for(chair)
        [(count, words, url)] = waiting_on(client)
        assert words == (
            "assurance report to approve: the Medication Safety Group, 1 Jul 2026 to 30 Sep 2026"
        )
        assert shown_at(client, url) == count == 1
        [(_, words, _)] = waiting_on(client_for(secretary))
        assert words.startswith("assurance report to finish")
        type(report_).objects.filter(pk=report_.pk).update(state="approved", snapshot={})
        assert waiting_on(client) == []
        # With nothing waiting, the committee is still a link away.
        committees = reverse("committees:list", args=[trust.ods_code])
        link = f'<a href="{committees}">See the medication safety committees of {trust.name}'
        assert link in client.get(reverse("home")).text


def test_handover_items_and_workplan_items_are_listed_with_the_others(client_for, trust, mso):
    from core.waiting import ACTIONS

    assert [kind.key for kind in ACTIONS] == [
        "handover",
        "workplan",
        "incident",
        "alert",
        "committee",
    ]


class TestCost:
    def test_the_home_page_costs_a_few_counts_however_much_waits(
        self, client_for, trust, staff, mso, page_queries
    ):
        client = client_for(mso)
        empty = page_queries(client, reverse("home"))
        incident = report(trust, staff)
        for n in range(30):
            report(trust, staff)
            IncidentAction.objects.create(
                incident=incident,
                description=f"Action {n}",
                owner=mso,
                due_on=timezone.localdate() + datetime.timedelta(days=n % 9 - 3),
            )
        assert page_queries(client, reverse("home")) == empty
        assert empty <= 14  # what waits is a handful of counts

    def test_the_actions_page_costs_the_same_however_many_actions(
        self, client_for, trust, staff, mso, page_queries
    ):
        client = client_for(mso)
        url = reverse("actions") + "?show=open"
        incident = report(trust, staff)
        IncidentAction.objects.create(
            incident=incident, description="First", owner=mso, due_on=timezone.localdate()
        )
        one = page_queries(client, url)
        for n in range(20):
            IncidentAction.objects.create(
                incident=report(trust, staff),
                description=f"Action {n}",
                owner=mso,
                due_on=timezone.localdate(),
            )
        assert page_queries(client, url) == one


class TestEveryRoleOfTheDemo:
    """Each person of the demo: every count on their home page is what its link shows."""

    def test_each_count_is_what_its_link_shows(self, seeded_demo, client_for):
        from tests.test_seed_demo import DEMO_SIGN_INS

        counted = 0
        for email in DEMO_SIGN_INS:
            client = client_for(User.objects.get(email=email))
            for count, words, url in waiting_on(client):
                assert shown_at(client, url) == count, f"{email}: {count} {words}"
                counted += 1
        assert counted >= 8  # the demo has something waiting for most of its people


def test_the_waiting_words_are_plain_text_in_the_page(client_for, trust, staff, mso):
    report(trust, staff)
    page = client_for(mso).get(reverse("home")).text
    block = page.split('id="waiting"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"><strong>(\d+)</strong> ([^<]+)</a>', block)
    assert [(unescape(url), int(n), words) for url, n, words in links] == [
        (
            "/incidents/?status=submitted&status=in-review",
            1,
            "incident to review (reported, or in review)",
        )
    ]


def test_the_home_page_offers_the_named_posts_changes_the_organisation_page_offers(
    client_for, trust, mso, director
):
    """The board director identifies a Patient Safety Specialist from home, as from the
    organisation's page: the named posts' list offers the same changes on both."""
    post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, full_name="Sam Okafor")
    client = client_for(director)
    ask = 'Ask for a new holder<span class="nhsuk-u-visually-hidden"> of Patient Safety Specialist'
    assert ask in client.get(reverse("organisations:detail", args=[trust.ods_code])).text
    assert ask in client.get(reverse("home")).text
