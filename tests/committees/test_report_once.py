"""An assurance report is prepared, approved and submitted once: preparing a period that has a
draft opens that draft (the database keeps one draft a period), and a second press of Approve
or Submit finds it done, says so, and writes, keeps and sends nothing twice."""

import datetime
import importlib

import pytest
import time_machine
from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from committees import figures, services
from committees.choices import ReportState
from committees.models import AssuranceReport, ReportedAlert
from notifications.models import Notification
from tests.committees.conftest import at

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
TODAY = datetime.date(2026, 10, 20)
MERGE = importlib.import_module("committees.migrations.0011_merge_drafts_of_a_period")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield


def prepare(committee, by, start=START, end=END):
    return services.report_create(by=by, committee=committee, period_start=start, period_end=end)


def url(name, report):
    committee = report.committee
    return reverse(name, args=[committee.organisation.ods_code, committee.pk, report.pk])


def written(report, by):
    for section in figures.REQUIRED:
        services.narrative_save(by=by, report=report, section=section, text="Assured.")
    return report


class TestOneDraftAPeriod:
    def test_preparing_a_period_again_opens_its_draft(self, committee, chair, secretary):
        first = prepare(committee, chair)
        assert first.already_drafted is False
        services.narrative_save(by=chair, report=first, section="summary", text="Assured.")
        again = prepare(committee, secretary)
        assert again.pk == first.pk and again.already_drafted is True
        assert again.narratives == {"summary": "Assured."}
        assert committee.reports.count() == 1
        # Another period is another draft.
        other = prepare(committee, chair, datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
        assert other.pk != first.pk and other.already_drafted is False

    def test_the_page_opens_the_draft_and_says_so(self, client_for, committee, chair):
        client = client_for(chair)
        create = reverse(
            "committees:report_create", args=[committee.organisation.ods_code, committee.pk]
        )
        data = {
            "period_start_day": "1",
            "period_start_month": "7",
            "period_start_year": "2026",
            "period_end_day": "30",
            "period_end_month": "9",
            "period_end_year": "2026",
        }
        made = client.post(create, data)
        assert made.status_code == 302
        report = AssuranceReport.objects.get()
        assert made["Location"] == url("committees:report", report)
        # Before typing, the form names the draft being prepared, with a link to it.
        page = client.get(create).text
        assert f'href="{url("committees:report", report)}"' in page
        assert "1 July 2026 to 30 September 2026" in page
        # A second press (or a second person) is taken to the same draft, and told.
        again = client.post(create, data)
        assert again["Location"] == made["Location"]
        assert "already being prepared: here it is" in client.get(again["Location"]).text
        assert AssuranceReport.objects.count() == 1

    def test_the_database_keeps_one_draft_a_period(self, committee, chair):
        prepare(committee, chair)
        with pytest.raises(IntegrityError), transaction.atomic():
            AssuranceReport.objects.create(committee=committee, period_start=START, period_end=END)

    def test_the_constraint_holds_for_drafts_only(self, committee, chair):
        """Approved, the report is no longer a draft of its period."""
        report = written(prepare(committee, chair), chair)
        services.report_approve(by=chair, report=report)
        AssuranceReport.objects.create(
            committee=committee, period_start=START, period_end=END, state=ReportState.DRAFT
        )
        assert committee.reports.count() == 2


class TestASecondPress:
    def test_approving_twice_approves_once(
        self, client_for, committee, chair, django_capture_on_commit_callbacks
    ):
        report = written(prepare(committee, chair), chair)
        client = client_for(chair)
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(url("committees:report_approve", report))
        assert first.status_code == 302
        report.refresh_from_db()
        approved_at, snapshot = report.approved_at, report.snapshot
        kept = (
            LogEntry.objects.count(),
            Notification.objects.count(),
            ReportedAlert.objects.count(),
        )
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            second = client.post(url("committees:report_approve", report))
        assert second.status_code == 302
        assert second["Location"] == url("committees:report", report)
        assert callbacks == []  # no second PDF, nothing else after the transaction
        page = client.get(second["Location"]).text
        assert "The report is approved already by Gareth Lewis, on 20 October 2026" in page
        assert "nhsuk-error-summary" not in page
        report.refresh_from_db()
        assert (report.approved_at, report.snapshot) == (approved_at, snapshot)
        assert kept == (
            LogEntry.objects.count(),
            Notification.objects.count(),
            ReportedAlert.objects.count(),
        )

    def test_submitting_twice_records_it_once(self, client_for, committee, chair):
        report = written(prepare(committee, chair), chair)
        services.report_approve(by=chair, report=report)
        client = client_for(chair)
        assert client.post(url("committees:report_submit", report)).status_code == 302
        report.refresh_from_db()
        submitted_at, audited = report.submitted_at, LogEntry.objects.count()
        second = client.post(url("committees:report_submit", report))
        assert second["Location"] == url("committees:report", report)
        assert "submitted to the board already" in client.get(second["Location"]).text
        report.refresh_from_db()
        assert report.submitted_at == submitted_at
        assert LogEntry.objects.count() == audited
        # Nor is a submitted report approved again.
        with pytest.raises(ValidationError, match="submitted to the board already") as refused:
            services.report_approve(by=chair, report=report)
        assert refused.value.code == services.ALREADY

    def test_a_refusal_that_is_not_a_second_press_is_still_shown_on_the_page(
        self, client_for, committee, chair
    ):
        report = prepare(committee, chair)
        page = client_for(chair).post(url("committees:report_approve", report))
        assert page.status_code == 200
        assert "Write the narrative of" in page.text


class TestDraftsMadeTwiceBefore:
    def test_the_migration_keeps_the_oldest_with_every_narrative(self, committee, chair):
        """Run on drafts made twice before the constraint (its index dropped for the test, in
        the test's transaction, as on a database from before it)."""
        constraint = next(
            c for c in AssuranceReport._meta.constraints if c.name == "one_draft_report_a_period"
        )
        with connection.cursor() as cursor:
            cursor.execute(str(constraint.remove_sql(AssuranceReport, connection.schema_editor())))
        period = {"committee": committee, "period_start": START, "period_end": END}
        old = AssuranceReport.objects.create(
            **period,
            narratives={"summary": "Assured.", "alerts": "All on time."},
            created_at=at(datetime.date(2026, 10, 1)),
        )
        AssuranceReport.objects.create(
            **period,
            narratives={"summary": "", "incidents": "Fewer.", "alerts": "One late."},
            created_at=at(datetime.date(2026, 10, 2)),
        )
        other = AssuranceReport.objects.create(
            committee=committee,
            period_start=datetime.date(2026, 4, 1),
            period_end=datetime.date(2026, 6, 30),
        )
        MERGE.merge_drafts_of_a_period(apps, None)
        assert set(AssuranceReport.objects.values_list("pk", flat=True)) == {old.pk, other.pk}
        old.refresh_from_db()
        assert old.narratives == {
            "summary": "Assured.",
            "incidents": "Fewer.",
            "alerts": f"All on time.\n\n{MERGE.FROM_ANOTHER}\nOne late.",
        }
