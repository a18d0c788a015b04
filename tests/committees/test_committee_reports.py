"""Assurance reports: the figures of a period against a world counted by hand, the period
before for comparison, narratives required before approval, the figures frozen when approved
(data changed afterwards does not change the report), and the path to the board."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts import services as alerts
from alerts.models import AlertResponse
from committees import figures, services
from committees.choices import Attendance
from incidents import services as incidents
from incidents.models import Incident, IncidentAction
from tests.alerts.conftest import draft
from tests.committees.conftest import at
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
TODAY = datetime.date(2026, 10, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield


def happened(organisation, reporter, on, **details):
    incident = report(organisation, reporter, occurred_on=on, **details)
    return incident


@pytest.fixture
def world(committee, trust, other_trust, staff, mso, secretary, lead, other_mso):
    """In the period (1 July to 30 September 2026) the trust had 5 incidents: 2 of moderate harm
    or worse (one severe, one a never event of moderate harm), 1 low, 2 no harm; 1 closed with a
    thematic review. Before it (1 April to 30 June) 2. Another trust's incident and a duplicate
    are not counted. One alert was completed on time, one is past its deadline. The committee
    met twice: quorate once, not quorate once."""
    happened(trust, staff, datetime.date(2026, 7, 3), physical_harm="2")  # severe
    never = happened(trust, staff, datetime.date(2026, 8, 9), physical_harm="3", never_event=True)
    happened(trust, staff, datetime.date(2026, 8, 20), physical_harm="4")
    happened(trust, staff, datetime.date(2026, 9, 1), physical_harm="5")
    themed = happened(trust, staff, datetime.date(2026, 9, 30), physical_harm="5")
    Incident.objects.filter(pk=themed.pk).update(
        status="closed", learning_response="thematic", closed_at=at(datetime.date(2026, 9, 30))
    )
    duplicate = happened(trust, staff, datetime.date(2026, 9, 2), physical_harm="2")
    incidents.incident_mark_duplicate(by=mso, incident=duplicate, original=never)
    happened(trust, staff, datetime.date(2026, 5, 1), physical_harm="3")  # before
    happened(trust, staff, datetime.date(2026, 6, 30), physical_harm="5")  # before
    happened(other_trust, other_mso, datetime.date(2026, 8, 1), physical_harm="1")  # elsewhere
    IncidentAction.objects.create(
        incident=never, description="Audit", owner=mso, due_on=datetime.date(2026, 9, 1)
    )

    with time_machine.travel(at(datetime.date(2026, 7, 6), 9), tick=False):
        on_time = draft(
            lead, reference="NatPSA/2026/001/NHSPS", issued_on=datetime.date(2026, 7, 6)
        )
        alerts.alert_publish(by=lead, alert=on_time)
        late = draft(
            lead,
            reference="NatPSA/2026/002/NHSPS",
            issued_on=datetime.date(2026, 7, 6),
            actions=[{"description": "Remove the stock", "due_on": datetime.date(2026, 8, 6)}],
        )
        alerts.alert_publish(by=lead, alert=late)
    response = AlertResponse.objects.get(alert=on_time, organisation=trust)
    with time_machine.travel(at(datetime.date(2026, 7, 20), 9), tick=False):
        alerts.response_decide(by=mso, response=response, applies=False, rationale="Not stocked")

    for day, absent in (
        (datetime.date(2026, 7, 14), set()),
        (datetime.date(2026, 9, 8), {"Pat Green"}),
    ):
        meeting = services.meeting_create(by=secretary, committee=committee, starts_at=at(day))
        services.attendance_record(
            by=secretary,
            meeting=meeting,
            statuses={
                seat.pk: Attendance.APOLOGIES if seat.holder_name in absent else Attendance.PRESENT
                for seat in services.seats_on(meeting)
            },
        )
    return {"never": never}


def test_the_figures_against_a_hand_count(world, committee):
    got = figures.report_figures(committee, START, END)
    assert got["previous"] == ["2026-04-01", "2026-06-30"]
    incidents = got["incidents"]
    assert (incidents["total"], incidents["moderate_or_worse"], incidents["never_events"]) == (
        5,
        2,
        1,
    )
    assert incidents["previous"]["total"] == 2
    harm = {row["level"]: (row["count"], row["previous"]) for row in got["harm"]}
    assert harm["Severe physical harm"] == (1, 0)
    assert harm["Moderate physical harm"] == (1, 1)
    assert harm["No physical harm"] == (2, 1)
    assert got["never_events"] == [world["never"].reference]
    learning = {row["response"]: row["count"] for row in got["learning"]}
    assert learning["Thematic review"] == 1 and sum(learning.values()) == 1
    assert (got["alerts"]["on_time"], got["alerts"]["overdue"], got["alerts"]["total"]) == (1, 1, 2)
    assert [r["outcome"] for r in got["alerts"]["responses"]] == ["on_time", "overdue"]
    assert got["actions"]["incident_actions_overdue"] == 1
    assert got["posts"]["mso"] == ["Amir Shah"] and got["posts"]["board_director"] == []
    committee_figures = got["committee"]
    assert (
        committee_figures["meetings"],
        committee_figures["quorate"],
        committee_figures["not_quorate"],
    ) == (2, 1, 1)
    assert committee_figures["attendance_rate"] == 90  # 9 of 10 seats present
    chart = got["incidents"]["chart"]
    assert [p["label"] for p in chart["points"]][-3:] == ["Jul 2026", "Aug 2026", "Sep 2026"]
    assert [p["value"] for p in chart["points"]][-3:] == [1, 2, 2]


def test_a_period_ending_within_a_month_charts_that_month_to_its_last_day(world, committee):
    """The chart reads the monthly counts, and counts the last month itself when the period
    stops before the month does."""
    to_15_september = figures.report_figures(committee, START, datetime.date(2026, 9, 15))
    whole = figures.report_figures(committee, START, END)
    assert [p["value"] for p in whole["incidents"]["chart"]["points"]][-1] == 2
    assert [p["value"] for p in to_15_september["incidents"]["chart"]["points"]][-1] == 1


def test_the_period_before():
    assert figures.previous_period(START, END) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
    )
    assert figures.previous_period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    assert figures.previous_period(datetime.date(2026, 7, 10), datetime.date(2026, 7, 19)) == (
        datetime.date(2026, 6, 30),
        datetime.date(2026, 7, 9),
    )


def test_a_quarter_and_the_one_before():
    assert figures.last_quarter(datetime.date(2026, 10, 20)) == (START, END)
    assert figures.last_quarter(datetime.date(2026, 2, 3)) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


class TestTheReport:
    def test_a_period_must_be_whole_and_past(self, committee, chair):
        with pytest.raises(ValidationError, match="on or after the first day"):
            services.report_create(
                by=chair, committee=committee, period_start=END, period_end=START
            )
        with pytest.raises(ValidationError, match="today or in the past"):
            services.report_create(
                by=chair,
                committee=committee,
                period_start=START,
                period_end=TODAY + datetime.timedelta(1),
            )
        assert not committee.reports.exists()

    def test_approving_needs_the_required_narratives(self, committee, chair):
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        services.narrative_save(by=chair, report=draft_report, section="summary", text="Assured.")
        with pytest.raises(
            ValidationError,
            match="Write the narrative of Incidents reported, National patient safety alerts",
        ):
            services.report_approve(by=chair, report=draft_report)
        draft_report.refresh_from_db()
        assert draft_report.is_draft and draft_report.snapshot is None

    def test_an_approved_report_keeps_its_figures(self, world, committee, chair, trust, staff):
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        for section in figures.REQUIRED:
            services.narrative_save(by=chair, report=draft_report, section=section, text="Written.")
        approved = services.report_approve(by=chair, report=draft_report)
        assert approved.snapshot["incidents"]["total"] == 5
        # Later: another incident in the period is reported, a meeting's attendance corrected.
        happened(trust, staff, datetime.date(2026, 8, 30), physical_harm="1")
        meeting = committee.meetings.order_by("starts_at").last()
        services.attendance_record(
            by=chair,
            meeting=meeting,
            statuses={seat.pk: Attendance.PRESENT for seat in services.seats_on(meeting)},
        )
        approved.refresh_from_db()
        assert approved.snapshot["incidents"]["total"] == 5
        assert approved.snapshot["committee"]["not_quorate"] == 1
        assert figures.report_figures(committee, START, END)["incidents"]["total"] == 6
        with pytest.raises(ValidationError, match="does not change"):
            services.narrative_save(by=chair, report=approved, section="summary", text="Changed.")
        submitted = services.report_submit(by=chair, report=approved)
        assert submitted.state == "submitted" and submitted.submitted_by == chair
        assert timezone.localdate(submitted.submitted_at) == TODAY

    def test_a_draft_keeps_its_figures_ten_minutes(
        self, world, committee, chair, secretary, trust, staff, client_for
    ):
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        page = reverse(
            "committees:report",
            args=[committee.organisation.ods_code, committee.pk, draft_report.pk],
        )
        client = client_for(secretary)
        assert client.get(page).context["figures"]["incidents"]["total"] == 5
        happened(trust, staff, datetime.date(2026, 8, 30), physical_harm="1")
        shown = client.get(page)
        assert shown.context["figures"]["incidents"]["total"] == 5  # as worked out at 09:00
        assert "worked out at 09:00 on 20 October 2026" in shown.content.decode()
        with time_machine.travel(at(TODAY, 9) + datetime.timedelta(minutes=11), tick=False):
            assert client.get(page).context["figures"]["incidents"]["total"] == 6
        happened(trust, staff, datetime.date(2026, 8, 31), physical_harm="1")
        again = reverse(
            "committees:report_refigure",
            args=[committee.organisation.ods_code, committee.pk, draft_report.pk],
        )
        assert client.post(again).status_code == 302
        assert client.get(page).context["figures"]["incidents"]["total"] == 7

    def test_approval_works_the_figures_out_once_more(self, world, committee, chair, trust, staff):
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        assert figures.draft_figures(draft_report)[0]["incidents"]["total"] == 5
        happened(trust, staff, datetime.date(2026, 8, 30), physical_harm="1")
        for section in figures.REQUIRED:
            services.narrative_save(by=chair, report=draft_report, section=section, text="Written.")
        approved = services.report_approve(by=chair, report=draft_report)
        assert approved.snapshot["incidents"]["total"] == 6

    def test_an_approved_report_is_not_worked_out_again(self, committee, chair, client_for):
        approved = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        for section in figures.REQUIRED:
            services.narrative_save(by=chair, report=approved, section=section, text="Written.")
        services.report_approve(by=chair, report=approved)
        args = [committee.organisation.ods_code, committee.pk, approved.pk]
        client = client_for(chair)
        response = client.post(reverse("committees:report_refigure", args=args))
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "An approved report keeps its figures as they were then" in page

    def test_a_draft_is_not_submitted(self, committee, chair):
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        with pytest.raises(ValidationError, match="Approve the report before"):
            services.report_submit(by=chair, report=draft_report)


class TestThePdf:
    def approved(self, committee, chair, django_capture_on_commit_callbacks):
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        for section in figures.REQUIRED:
            services.narrative_save(
                by=chair, report=draft_report, section=section, text=f"Assured on {section}."
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.report_approve(by=chair, report=draft_report)
        draft_report.refresh_from_db()
        return draft_report

    def test_approving_makes_a_pdf_with_the_key_figures(
        self, world, committee, chair, django_capture_on_commit_callbacks
    ):
        import io

        from pypdf import PdfReader

        report_ = self.approved(committee, chair, django_capture_on_commit_callbacks)
        assert report_.pdf
        with report_.pdf.open("rb") as file:
            pdf = PdfReader(io.BytesIO(file.read()))
        text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
        assert "Ashby General Hospitals NHS Trust" in text
        assert "Assurance report: 1 July 2026 to 30 September 2026" in text
        assert "5 incidents reported (2 in the period before), 2 of moderate harm or worse" in text
        assert "1 completed on time, 0 late, 1 past their deadline" in text
        assert "2 meetings: 1 quorate, 1 not quorate" in text
        assert "Assured on alerts." in text
        assert f"Page 1 of {len(pdf.pages)}" in text

    def test_it_is_made_once(self, committee, chair, django_capture_on_commit_callbacks):
        from committees.pdf import store

        report_ = self.approved(committee, chair, django_capture_on_commit_callbacks)
        name = report_.pdf.name
        assert store(report_.pk) is False
        report_.refresh_from_db()
        assert report_.pdf.name == name

    def test_a_draft_has_none(self, committee, chair):
        from committees.pdf import store

        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        assert store(draft_report.pk) is False


class TestThePdfsProgress:
    def approved_waiting(self, committee, chair):
        """Approved, its PDF asked for and not yet made (the task's callback not run)."""
        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        for section in figures.REQUIRED:
            services.narrative_save(by=chair, report=draft_report, section=section, text="Ok.")
        return services.report_approve(by=chair, report=draft_report)

    def status(self, client, report_):
        return client.get(
            reverse(
                "committees:report_pdf_status",
                args=[report_.committee.organisation.ods_code, report_.committee.pk, report_.pk],
            )
        ).json()

    def test_waiting_then_ready(
        self, assert_access, client_for, committee, chair, director, staff, other_mso
    ):
        from committees.pdf import store

        report_ = self.approved_waiting(committee, chair)
        assert_access(
            reverse(
                "committees:report_pdf_status",
                args=[committee.organisation.ods_code, committee.pk, report_.pk],
            ),
            allowed=director,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        client = client_for(director)
        assert self.status(client, report_) == {
            "state": "queued",
            "label": "Waiting to be made",
            "ready": False,
        }
        page = client.get(report_url(report_)).content.decode()
        assert "Waiting to be made" in page and "data-pdf-status" in page
        assert store(report_.pk)
        assert self.status(client, report_)["ready"] is True
        assert "Download the report as a PDF" in client.get(report_url(report_)).content.decode()

    def test_a_failure_is_shown_and_made_again(
        self,
        assert_access,
        client_for,
        committee,
        chair,
        director,
        other_mso,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        from committees import pdf

        report_ = self.approved_waiting(committee, chair)
        with monkeypatch.context() as broken:
            broken.setattr(pdf, "render", lambda report: (_ for _ in ()).throw(OSError("Pango")))
            assert pdf.store(report_.pk) is False
        report_.refresh_from_db()
        assert report_.pdf_state == "failed" and not report_.pdf
        assert (
            "Make the PDF again"
            not in client_for(director).get(report_url(report_)).content.decode()
        )
        page = client_for(chair).get(report_url(report_)).content.decode()
        assert "The PDF could not be made" in page and "Make the PDF again" in page
        with django_capture_on_commit_callbacks(execute=True):
            assert_access(
                reverse(
                    "committees:report_pdf_again",
                    args=[committee.organisation.ods_code, committee.pk, report_.pk],
                ),
                method="post",
                allowed=chair,
                wrong_role=director,
                other_organisation=other_mso,
                ok=302,
            )
        report_.refresh_from_db()
        assert report_.pdf_state == "ready" and report_.pdf

    def test_again_is_refused_for_a_draft_or_a_made_pdf(self, committee, chair):
        from committees.pdf import store

        draft_report = services.report_create(
            by=chair, committee=committee, period_start=START, period_end=END
        )
        with pytest.raises(ValidationError, match="Approve the report before its PDF"):
            services.report_pdf_again(by=chair, report=draft_report)
        report_ = self.approved_waiting(committee, chair)
        store(report_.pk)
        with pytest.raises(ValidationError, match="made already"):
            services.report_pdf_again(by=chair, report=report_)


def report_url(report_):
    committee = report_.committee
    return reverse(
        "committees:report", args=[committee.organisation.ods_code, committee.pk, report_.pk]
    )
