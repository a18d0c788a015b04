"""Who sees and runs a committee, through the rule set: its members, the MSO and the board
director read its papers; only its chair and secretary change them; whoever owns an action
records what was done about it; another organisation's people get 404."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from committees import services
from committees.models import Committee, Meeting, MeetingAction
from organisations.choices import Role
from tests.committees.conftest import at, seat_of
from tests.factories import member

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 16)
HELD = datetime.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=True):
        yield


@pytest.fixture
def meeting(committee, secretary):
    return services.meeting_create(by=secretary, committee=committee, starts_at=at(HELD))


@pytest.fixture
def action(meeting, secretary, staff):
    return services.action_add(
        by=secretary, meeting=meeting, description="Audit insulin charts", owner=staff, due_on=TODAY
    )


def url(name, committee, *args):
    return reverse(
        f"committees:{name}", args=[committee.organisation.ods_code, committee.pk, *args]
    )


def on(day):
    return {"on_day": day.day, "on_month": day.month, "on_year": day.year}


class TestReading:
    def test_the_list(self, assert_access, committee, director, staff, other_mso):
        page = assert_access(
            reverse("committees:list", args=[committee.organisation.ods_code]),
            allowed=director,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        assert "Medication Safety Committee" in page.content.decode()
        assert "Set up a committee" not in page.content.decode()

    def test_the_committee(self, assert_access, committee, director, staff, other_mso):
        page = assert_access(
            url("detail", committee),
            allowed=director,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        assert "Pat Green" in page.content.decode()
        assert "Arrange a meeting" not in page.content.decode()

    def test_a_meeting_and_its_invitation(
        self, assert_access, committee, meeting, mso, staff, other_mso
    ):
        assert_access(
            url("meeting", committee, meeting.pk),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        invitation = assert_access(
            url("calendar", committee, meeting.pk),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        assert invitation["Content-Type"].startswith("text/calendar")
        text = invitation.content.decode()
        assert "BEGIN:VEVENT" in text and "Medication Safety Committee" in text

    def test_a_committee_member_role_reads(self, client_for, committee, trust):
        reader = member(trust, Role.COMMITTEE_MEMBER)
        assert client_for(reader).get(url("detail", committee)).status_code == 200

    def test_mine_goes_to_the_current_organisations_list(self, assert_access, committee, mso):
        page = assert_access(reverse("committees:mine"), allowed=mso, ok=302)
        assert page.url == reverse("committees:list", args=[committee.organisation.ods_code])


class TestRunning:
    def test_setting_up(self, assert_access, trust, secretary, director, other_mso):
        assert_access(
            reverse("committees:create", args=[trust.ods_code]),
            allowed=secretary,
            wrong_role=director,
            other_organisation=other_mso,
        )
        assert_access(
            reverse("committees:create", args=[trust.ods_code]),
            method="post",
            data={
                "name": "Controlled Drugs Group",
                "reports_to": "Medication Safety Committee",
                "frequency": "quarterly",
                "quorum_members": "3",
            },
            allowed=secretary,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )
        assert Committee.objects.filter(name="Controlled Drugs Group").exists()

    def test_changing_it(self, assert_access, committee, chair, director, other_mso):
        data = {
            "name": "Medicines Safety Group",
            "reports_to": "Quality Committee",
            "frequency": "bimonthly",
            "quorum_members": "4",
            "quorum_disciplines": ["pharmacy"],
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("update", committee),
                method=method,
                data=data,
                allowed=chair,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        committee.refresh_from_db()
        assert (committee.name, committee.quorum_members) == ("Medicines Safety Group", 4)
        assert committee.quorum_patient_representative is False

    def test_terms(self, assert_access, committee, secretary, director, other_mso):
        data = {
            "text": "Purpose.",
            "approved_on_day": "1",
            "approved_on_month": "4",
            "approved_on_year": "2026",
            "approved_by": "Board",
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("terms_create", committee),
                method=method,
                data=data,
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        assert committee.terms.get().version == 1

    def test_seats(self, assert_access, committee, trust, secretary, director, other_mso):
        data = {
            "has_account": "no",
            "name": "Sam Lee",
            "seat": "member",
            "discipline": "nursing",
            "start_on_day": "1",
            "start_on_month": "11",
            "start_on_year": "2026",
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("member_create", committee),
                method=method,
                data=data,
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        seat = seat_of(committee, "Sam Lee")
        data = {"end_on_day": "30", "end_on_month": "11", "end_on_year": "2026"}
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("member_end", committee, seat.pk),
                method=method,
                data=data,
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        seat.refresh_from_db()
        assert seat.end_on == datetime.date(2026, 11, 30)

    def test_meetings(self, assert_access, committee, meeting, secretary, director, other_mso):
        data = {
            **on(datetime.date(2026, 12, 14)),
            "starts": "14:00",
            "ends": "16:00",
            "location": "Room 4",
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("meeting_create", committee),
                method=method,
                data=data,
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        new = Meeting.objects.exclude(pk=meeting.pk).get()
        assert new.agenda.count() >= 2  # matters arising and any other business at least
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("meeting_update", committee, new.pk),
                method=method,
                data={**data, "starts": "13:00"},
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )

    def test_agenda_attendance_and_minutes(
        self, assert_access, committee, meeting, secretary, director, other_mso
    ):
        agenda = {
            "agenda-TOTAL_FORMS": "1",
            "agenda-INITIAL_FORMS": "0",
            "agenda-0-title": "Insulin incidents",
        }
        attendance = {f"seat_{seat.pk}": "present" for seat in committee.members.all()}
        minutes = {"minutes": "Held.", "decisions": "Adopt the passport"}
        for name, data in (("agenda", agenda), ("attendance", attendance), ("minutes", minutes)):
            for method, ok in (("get", 200), ("post", 302)):
                assert_access(
                    url(name, committee, meeting.pk),
                    method=method,
                    data=data,
                    allowed=secretary,
                    wrong_role=director,
                    other_organisation=other_mso,
                    ok=ok,
                )
        meeting.refresh_from_db()
        assert meeting.quorate is True and meeting.minutes == "Held."
        assert list(meeting.agenda.values_list("title", flat=True)) == ["Insulin incidents"]

    def test_actions(
        self,
        assert_access,
        client_for,
        committee,
        meeting,
        action,
        secretary,
        director,
        staff,
        other_mso,
    ):
        data = {
            "description": "Share the learning",
            "owner": str(staff.pk),
            "due_on_day": "1",
            "due_on_month": "12",
            "due_on_year": "2026",
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("action_create", committee, meeting.pk),
                method=method,
                data=data,
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        # Its owner records what was done, though they read nothing else of the committee.
        data = {
            "state": "done",
            "done_on_day": "16",
            "done_on_month": "11",
            "done_on_year": "2026",
            "evidence": "30 charts",
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("action", committee, meeting.pk, action.pk),
                method=method,
                data=data,
                allowed=staff,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        assert MeetingAction.objects.get(pk=action.pk).state == "done"
        # The secretary, who keeps the action log, records it too, and is offered the link.
        page = client_for(secretary).get(url("meeting", committee, meeting.pk))
        assert url("action", committee, meeting.pk, action.pk) in page.content.decode()
        data["evidence"] = "30 charts, checked again"
        response = client_for(secretary).post(url("action", committee, meeting.pk, action.pk), data)
        assert response.status_code == 302
        assert MeetingAction.objects.get(pk=action.pk).evidence == "30 charts, checked again"


class TestBadInput:
    def test_a_future_meeting_takes_no_attendance(self, client_for, committee, secretary):
        future = services.meeting_create(
            by=secretary, committee=committee, starts_at=at(TODAY + datetime.timedelta(days=10))
        )
        data = {f"seat_{seat.pk}": "present" for seat in committee.members.all()}
        page = client_for(secretary).post(url("attendance", committee, future.pk), data)
        assert page.status_code == 200
        assert "has not taken place yet" in page.content.decode()
        future.refresh_from_db()
        assert future.quorate is None

    def test_a_meeting_long_ago_is_not_quorate_without_attendance(
        self, client_for, committee, secretary
    ):
        long_ago = services.meeting_create(
            by=secretary, committee=committee, starts_at=at(datetime.date(2019, 3, 5))
        )
        page = client_for(secretary).post(url("attendance", committee, long_ago.pk), {})
        assert page.status_code == 200
        assert "Nobody held a seat on the committee that day" in page.content.decode()
        long_ago.refresh_from_db()
        assert long_ago.quorate is None and not long_ago.attendance.exists()

    def test_a_period_ending_before_it_starts_is_refused(self, client_for, committee, chair):
        data = {
            **{f"period_start_{k}": v for k, v in (("day", "1"), ("month", "9"), ("year", "2026"))},
            **{f"period_end_{k}": v for k, v in (("day", "31"), ("month", "7"), ("year", "2026"))},
        }
        page = client_for(chair).post(url("report_create", committee), data)
        assert page.status_code == 200
        assert "The last day must be on or after the first day" in page.content.decode()
        assert 'value="31"' in page.content.decode()  # what was typed is kept
        assert not committee.reports.exists()

    def test_a_second_chair_is_refused_on_the_form(self, client_for, committee, secretary, trust):
        other = member(trust, full_name="Lena Ortiz")
        data = {
            "has_account": "yes",
            "user": str(other.pk),
            "seat": "chair",
            "discipline": "medical",
            "start_on_day": "1",
            "start_on_month": "11",
            "start_on_year": "2026",
        }
        page = client_for(secretary).post(url("member_create", committee), data)
        assert page.status_code == 200
        assert "Gareth Lewis is the committee&#x27;s chair then" in page.content.decode()
        assert committee.members.count() == 5

    def test_an_end_time_before_the_start_is_refused(self, client_for, committee, secretary):
        data = {**on(datetime.date(2026, 12, 14)), "starts": "14:00", "ends": "13:00"}
        page = client_for(secretary).post(url("meeting_create", committee), data)
        assert "The end time must be after the start time" in page.content.decode()
        assert not Meeting.objects.exists()


class TestQueries:
    """The committee's pages cost the same queries for more seats, meetings and actions."""

    def grow(self, committee, secretary, mso, trust, n):
        for i in range(n):
            services.member_add(
                by=secretary,
                committee=committee,
                name=f"Guest {i}",
                seat="member",
                discipline="other",
                start_on=datetime.date(2026, 1, 5),
            )
            meeting = services.meeting_create(
                by=secretary, committee=committee, starts_at=at(datetime.date(2026, 3, 1 + i))
            )
            services.action_add(
                by=secretary, meeting=meeting, description=f"Task {i}", owner=mso, due_on=TODAY
            )
        return meeting

    def counted(self, client, path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(path)  # the first request of a session writes to it
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def test_the_committee_and_a_meeting(self, client_for, committee, secretary, mso, trust):
        client = client_for(secretary)
        meeting = self.grow(committee, secretary, mso, trust, 1)
        paths = [url("detail", committee), url("meeting", committee, meeting.pk)]
        before = [self.counted(client, p) for p in paths]
        meeting = self.grow(committee, secretary, mso, trust, 5)
        paths = [url("detail", committee), url("meeting", committee, meeting.pk)]
        after = [self.counted(client, p) for p in paths]
        assert after == before

    def test_a_report(self, client_for, committee, secretary, mso, trust, staff):
        from tests.incidents.conftest import report as reported

        client = client_for(secretary)
        draft = services.report_create(
            by=secretary,
            committee=committee,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 10, 31),
        )
        path = url("report", committee, draft.pk)
        self.grow(committee, secretary, mso, trust, 1)
        before = self.counted(client, path)
        self.grow(committee, secretary, mso, trust, 5)
        for _ in range(5):
            reported(trust, staff, occurred_on=datetime.date(2026, 3, 4))
        assert self.counted(client, path) == before


class TestReports:
    def test_preparing_writing_approving_and_submitting(
        self, assert_access, committee, chair, secretary, director, staff, other_mso
    ):
        data = {
            "period_start_day": "1",
            "period_start_month": "7",
            "period_start_year": "2026",
            "period_end_day": "30",
            "period_end_month": "9",
            "period_end_year": "2026",
        }
        for method, ok in (("get", 200), ("post", 302)):
            assert_access(
                url("report_create", committee),
                method=method,
                data=data,
                allowed=secretary,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )
        report = committee.reports.get()
        page = assert_access(
            url("report", committee, report.pk),
            allowed=director,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        assert "Approve the report" not in page.content.decode()
        for section in ("summary", "incidents", "alerts"):
            for method, ok in (("get", 200), ("post", 302)):
                assert_access(
                    url("narrative", committee, report.pk, section),
                    method=method,
                    data={"text": f"The {section} are assured."},
                    allowed=secretary,
                    wrong_role=director,
                    other_organisation=other_mso,
                    ok=ok,
                )
        assert_access(
            url("report_refigure", committee, report.pk),
            method="post",
            allowed=secretary,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )
        # Only the chair approves, and submits.
        for name in ("report_approve", "report_submit"):
            assert_access(
                url(name, committee, report.pk),
                method="post",
                allowed=chair,
                wrong_role=secretary,
                other_organisation=other_mso,
                ok=302,
            )
        report.refresh_from_db()
        assert report.state == "submitted" and report.snapshot["incidents"]["total"] == 0

    def test_approving_without_a_narrative_says_which(self, client_for, committee, chair):
        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
        page = client_for(chair).post(url("report_approve", committee, report.pk))
        assert page.status_code == 200
        assert "Write the narrative of Summary and assurance" in page.content.decode()
        report.refresh_from_db()
        assert report.is_draft

    def test_an_unknown_section_is_404(self, client_for, committee, chair, secretary):
        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
        page = client_for(secretary).get(url("narrative", committee, report.pk, "nonsense"))
        assert page.status_code == 404

    def test_the_pdf(self, assert_access, client_for, committee, chair, director, staff, other_mso):
        from committees import figures
        from committees.pdf import store

        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
        page = url("report_pdf", committee, report.pk)
        assert client_for(director).get(page).status_code == 404  # a draft has none
        for section in figures.REQUIRED:
            services.narrative_save(by=chair, report=report, section=section, text="Assured.")
        services.report_approve(by=chair, report=report)
        assert store(report.pk)
        download = assert_access(
            page, allowed=director, wrong_role=staff, other_organisation=other_mso
        )
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content).startswith(b"%PDF")

    def test_a_pdf_lost_from_the_file_store_is_said_so(self, client_for, committee, chair, caplog):
        from committees import figures
        from committees.pdf import store

        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
        for section in figures.REQUIRED:
            services.narrative_save(by=chair, report=report, section=section, text="Assured.")
        services.report_approve(by=chair, report=report)
        assert store(report.pk)
        report.refresh_from_db()
        report.pdf.storage.delete(report.pdf.name)
        page = client_for(chair).get(url("report_pdf", committee, report.pk))
        assert page.status_code == 404
        assert "<h1>The report's PDF cannot be found</h1>" in page.content.decode()
        assert f"assurance report {report.pk} is not in the file store" in caplog.text
