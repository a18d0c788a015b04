"""Incidents across care transitions: the receiving organisation's reviewers name where an
incident arose; that organisation's MSO is told and reads what happened and the medicines
(never the reporter); both sides keep a thread; a third organisation sees nothing."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident, IncidentEvent, SharedNote
from incidents.permissions import Perm
from notifications.models import Notification
from organisations.access import access_for
from organisations.choices import Post, Role
from tests.factories import OrganisationFactory, member, post_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcn(db):
    return OrganisationFactory(pcn=True, name="Riverside Primary Care Network")


@pytest.fixture
def pcn_mso(pcn):
    return post_holder(pcn, Post.MSO, full_name="Tom Bright")


@pytest.fixture
def shared(incident, mso, pcn, pcn_mso):
    return services.incident_share(by=mso, incident=incident, organisation=pcn)


def share_url(incident):
    return reverse("incidents:share", args=[incident.reference])


class TestSharing:
    def test_access(self, assert_access, incident, mso, staff, other_mso, pcn, pcn_mso):
        assert_access(share_url(incident), allowed=mso, other_organisation=other_mso)
        assert_access(
            share_url(incident),
            method="post",
            data={"ods_code": pcn.ods_code},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        assert_access(incident.get_shared_url(), allowed=pcn_mso, other_organisation=other_mso)
        assert_access(
            incident.get_shared_url(),
            method="post",
            data={"kind": "learning", "body": "Our discharge template now lists insulin"},
            allowed=pcn_mso,
            other_organisation=other_mso,
            ok=302,
        )
        assert_access(reverse("incidents:shared_list"), allowed=pcn_mso, wrong_role=staff)

    def test_naming_where_it_arose_shares_it_and_tells_their_mso(
        self, client_for, incident, mso, pcn, pcn_mso
    ):
        response = client_for(mso).post(share_url(incident), {"ods_code": pcn.ods_code.lower()})
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.arose_in == pcn and incident.organisation != pcn
        told = Notification.objects.get(recipient=pcn_mso)
        assert told.url == incident.get_shared_url()
        assert IncidentEvent.objects.filter(
            incident=incident, kind=IncidentEvent.Kind.SHARED
        ).exists()

    def test_they_read_what_happened_never_who_reported_it(
        self, client_for, shared, staff, pcn_mso
    ):
        page = client_for(pcn_mso).get(shared.get_shared_url()).content.decode()
        assert shared.what_happened in page and "Insulin aspart" in page
        assert staff.full_name not in page and staff.email not in page
        # The incident itself, its review and its list stay the receiving organisation's.
        assert client_for(pcn_mso).get(shared.get_absolute_url()).status_code == 404
        assert shared not in Incident.objects.visible_to(pcn_mso, Perm.INCIDENTS_LIST)

    def test_a_third_organisation_sees_nothing(self, client_for, shared, other_mso):
        assert client_for(other_mso).get(shared.get_shared_url()).status_code == 404
        assert not Incident.objects.visible_to(other_mso, Perm.INCIDENTS_SHARED).exists()
        assert not access_for(other_mso).has(Perm.INCIDENTS_SHARED, shared)

    def test_the_rule_and_the_object_check_agree(self, shared, pcn_mso, mso, staff, other_mso):
        for person, sees in ((pcn_mso, True), (mso, True), (staff, False), (other_mso, False)):
            listed = Incident.objects.visible_to(person, Perm.INCIDENTS_SHARED).filter(pk=shared.pk)
            assert listed.exists() is sees, person
            assert access_for(person).has(Perm.INCIDENTS_SHARED, shared) is sees, person

    def test_shared_with_a_practice_its_pcns_mso_is_told_and_reads_it(
        self, client_for, incident, mso, pcn, pcn_mso
    ):
        from tests.factories import RelationshipFactory

        practice = OrganisationFactory(practice=True, name="Riverside Surgery")
        RelationshipFactory(parent=pcn, child=practice)
        from organisations import closure

        closure.rebuild()
        shared = services.incident_share(by=mso, incident=incident, organisation=practice)
        assert Notification.objects.get(recipient=pcn_mso).url == shared.get_shared_url()
        assert client_for(pcn_mso).get(shared.get_shared_url()).status_code == 200

    def test_their_staff_see_nothing_only_their_mso(self, client_for, shared, pcn):
        pcn_staff = member(pcn, Role.SAFETY_TEAM)
        # The safety team of where it arose: not the receiving organisation's, not its MSO.
        assert client_for(pcn_staff).get(shared.get_shared_url()).status_code == 404

    def test_bad_codes_are_explained_and_nothing_changes(self, client_for, incident, mso, trust):
        client = client_for(mso)
        unknown = client.post(share_url(incident), {"ods_code": "ZZZ99"})
        assert unknown.context["form"].errors["ods_code"] == [
            "No organisation has the ODS code ZZZ99"
        ]
        same = client.post(share_url(incident), {"ods_code": trust.ods_code})
        assert "Name another organisation" in same.context["form"].errors["ods_code"][0]
        incident.refresh_from_db()
        assert incident.arose_in is None

    def test_a_closed_organisation_is_refused(self, incident, mso):
        closed = OrganisationFactory(closed_on=datetime.date(2025, 3, 31))
        with pytest.raises(ValidationError):
            services.incident_share(by=mso, incident=incident, organisation=closed)


class TestThread:
    def test_both_sides_add_and_read_and_the_other_side_is_told(
        self, client_for, shared, mso, pcn_mso
    ):
        response = client_for(pcn_mso).post(
            shared.get_shared_url(),
            {
                "kind": "action",
                "body": "Add insulin to the discharge checklist",
                "due_on_day": "31",
                "due_on_month": "1",
                "due_on_year": "2027",
            },
        )
        assert response.status_code == 302
        note = SharedNote.objects.get()
        assert (note.organisation, note.kind, note.due_on) == (
            shared.arose_in,
            SharedNote.Kind.ACTION,
            datetime.date(2027, 1, 31),
        )
        assert Notification.objects.filter(recipient=mso, subject=f"shared-note:{note.pk}").exists()
        client_for(mso).post(shared.get_shared_url(), {"kind": "comment", "body": "Thank you"})
        reply = SharedNote.objects.get(body="Thank you")
        assert reply.organisation == shared.organisation
        for person in (mso, pcn_mso):
            page = client_for(person).get(shared.get_shared_url()).content.decode()
            assert "Add insulin to the discharge checklist" in page and "Thank you" in page

    def test_the_same_note_pressed_twice_is_one_and_told_once(self, shared, mso, pcn_mso):
        def chase():
            return services.shared_note_add(
                by=pcn_mso, incident=shared, side=shared.arose_in, kind="comment", body="Chased"
            )

        first = chase()
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=30)):
            assert chase() == first
        assert SharedNote.objects.count() == 1
        assert Notification.objects.filter(recipient=mso).count() == 1

    def test_the_same_note_a_week_later_is_new_and_the_other_side_told_again(
        self, shared, mso, pcn_mso
    ):
        def chase():
            return services.shared_note_add(
                by=pcn_mso, incident=shared, side=shared.arose_in, kind="comment", body="Chased"
            )

        first = chase()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
            again = chase()
        assert again != first and SharedNote.objects.count() == 2
        told = Notification.objects.filter(recipient=mso).values_list("subject", flat=True)
        assert set(told) == {f"shared-note:{first.pk}", f"shared-note:{again.pk}"}

    def test_the_same_action_due_another_day_is_another_action(self, shared, pcn_mso):
        for due_on in (datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)):
            services.shared_note_add(
                by=pcn_mso,
                incident=shared,
                side=shared.arose_in,
                kind="action",
                body="Audit discharge letters",
                due_on=due_on,
            )
        assert SharedNote.objects.count() == 2

    def test_an_action_needs_its_date_and_nothing_is_half_saved(self, client_for, shared, pcn_mso):
        response = client_for(pcn_mso).post(
            shared.get_shared_url(), {"kind": "action", "body": "Audit discharge letters"}
        )
        assert response.context["form"].errors["due_on"] == ["Enter when the action is due"]
        assert not SharedNote.objects.exists()
        assert response.context["form"]["body"].value() == "Audit discharge letters"

    def test_stopping_the_sharing_stops_it_for_them(self, client_for, shared, mso, pcn_mso):
        response = client_for(mso).post(share_url(shared), {"ods_code": ""})
        assert response.status_code == 302
        assert client_for(pcn_mso).get(shared.get_shared_url()).status_code == 404


class TestNamedAgain:
    def test_the_organisation_named_now_does_not_read_the_notes_of_one_named_before(
        self, client_for, shared, mso, pcn_mso, other_trust, other_mso
    ):
        services.shared_note_add(
            by=pcn_mso, incident=shared, side=shared.arose_in, kind="learning", body="Ours alone"
        )
        moved = services.incident_share(by=mso, incident=shared, organisation=other_trust)
        page = client_for(other_mso).get(moved.get_shared_url()).content.decode()
        assert "Ours alone" not in page
        with pytest.raises(ValidationError):  # the organisation named before, posting late
            services.shared_note_add(
                by=pcn_mso, incident=shared, side=shared.arose_in, kind="comment", body="Late"
            )

    def test_a_note_after_the_sharing_stopped_is_refused_not_an_error(self, shared, mso, pcn_mso):
        services.incident_share(by=mso, incident=shared, organisation=None)
        with pytest.raises(ValidationError):
            services.shared_note_add(
                by=mso, incident=shared, side=shared.organisation, kind="comment", body="x"
            )


def test_the_pages_queries_do_not_grow_with_their_rows(
    client_for, page_queries, shared, mso, pcn, pcn_mso, staff
):
    from tests.incidents.conftest import report

    pages = [
        (client_for(pcn_mso), reverse("incidents:shared_list")),
        (client_for(pcn_mso), shared.get_shared_url()),
        (client_for(mso), shared.get_shared_url()),
        (client_for(mso), share_url(shared)),
    ]
    few = [page_queries(client, url) for client, url in pages]
    for n in range(4):
        other = report(shared.organisation, staff, medicines=("Warfarin", "Insulin aspart"))
        services.incident_share(by=mso, incident=other, organisation=pcn)
        services.shared_note_add(
            by=pcn_mso, incident=shared, side=pcn, kind="comment", body=f"Note {n}"
        )
        services.shared_note_add(
            by=mso, incident=shared, side=shared.organisation, kind="comment", body=f"Reply {n}"
        )
    assert [page_queries(client, url) for client, url in pages] == few


class TestTheReporterNamesWhereItArose:
    """The reporter names the organisation where the incident arose when they send it: shared
    at once, that organisation's MSO told (the next day for an anonymous report)."""

    @pytest.fixture
    def draft(self, client_for, staff):
        from incidents.models import Draft
        from tests.incidents.test_reporting import step_1

        step_1(client_for(staff))
        return Draft.objects.get(user=staff)

    def test_a_named_report_is_shared_and_their_mso_told(
        self, client_for, staff, draft, pcn, pcn_mso, trust
    ):
        from tests.incidents.test_reporting import send

        response = send(client_for(staff), draft, {"arose_in": pcn.ods_code.lower()})
        incident = Incident.objects.get()
        assert response.status_code == 200 and "Report sent" in response.text
        assert incident.arose_in == pcn and incident.organisation == trust
        assert Notification.objects.filter(recipient=pcn_mso, kind="shared").exists()
        event = IncidentEvent.objects.get(incident=incident, kind="shared")
        assert event.by == staff and "by the reporter" in event.note
        page = client_for(pcn_mso).get(incident.get_shared_url()).content.decode()
        assert "Two doses of morphine" in page and staff.full_name not in page

    def test_an_anonymous_report_tells_them_in_the_next_days_sweep(
        self, client_for, staff, draft, pcn, pcn_mso
    ):
        from notifications.services import sweep
        from tests.incidents.test_reporting import send

        send(client_for(staff), draft, {"arose_in": pcn.ods_code, "anonymous": "yes"})
        incident = Incident.objects.get()
        assert incident.arose_in == pcn and incident.reporter is None
        assert not Notification.objects.filter(recipient=pcn_mso).exists()
        assert IncidentEvent.objects.get(incident=incident, kind="shared").by is None
        from django.utils import timezone

        sent_on = timezone.localdate(incident.reported_at)
        sweep(sent_on)  # not on the day it was sent
        assert not Notification.objects.filter(recipient=pcn_mso).exists()
        sweep(sent_on + datetime.timedelta(days=1))
        sweep(sent_on + datetime.timedelta(days=2))
        assert Notification.objects.filter(recipient=pcn_mso, kind="shared").count() == 1

    def test_an_unknown_or_own_code_is_explained_and_nothing_is_sent(
        self, client_for, staff, draft, trust
    ):
        from tests.incidents.test_reporting import send

        client = client_for(staff)
        unknown = send(client, draft, {"arose_in": "ZZZ99"})
        assert unknown.context["form"].errors["arose_in"] == [
            "No organisation has the ODS code ZZZ99"
        ]
        own = send(client, draft, {"arose_in": trust.ods_code})
        assert own.context["form"].errors["arose_in"] == [
            "Name another organisation than the one that received the report"
        ]
        assert not Incident.objects.exists()
        assert own.context["form"]["arose_in"].value() == trust.ods_code
