"""The committee's agenda and assurance report pick up improvement projects: those started
and those ended (with what their measures came to) since the committee last met or in the
report's period, and nothing of another organisation."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from committees import agenda
from committees import figures as report_figures
from committees.choices import AgendaSource
from committees.models import Committee
from improvement import services
from improvement.models import MeasurePoint
from tests.improvement.test_projects import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(trust):
    return Committee.objects.create(
        organisation=trust, name="Medication safety", reports_to="The board", frequency="monthly"
    )


def at(day):
    return datetime.datetime.combine(day, datetime.time(14), tzinfo=datetime.UTC)


@pytest.fixture
def projects(trust, mso, other_trust, other_mso):
    with time_machine.travel("2026-10-30 10:00 +0000", tick=False):
        started = make_project(
            trust, mso, title="Opioid safety", started_on=datetime.date(2026, 8, 3)
        )
        ended = make_project(
            trust,
            mso,
            title="Insulin safety",
            started_on=datetime.date(2026, 1, 5),
            co_production="A lived-experience partner co-designed the leaflet",
        )
        for month, value in ((1, "12"), (2, "11"), (9, "4.5")):
            services.point_record(
                by=mso,
                point=MeasurePoint(
                    project=ended, period_start=datetime.date(2026, month, 1), value=Decimal(value)
                ),
            )
        services.project_finish(
            by=mso,
            project=ended,
            status="finished",
            finished_on=datetime.date(2026, 9, 20),
            results="Insulin errors fell by two thirds",
        )
        old = make_project(trust, mso, title="Old", started_on=datetime.date(2025, 1, 6))
        make_project(other_trust, other_mso, started_on=datetime.date(2026, 8, 3), title="Theirs")
    return {"started": started, "ended": ended, "old": old}


def test_the_report_counts_projects_started_and_ended_with_their_results(committee, projects):
    found = report_figures.report_figures(
        committee, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
    )["projects"]
    assert [row["title"] for row in found["started"]] == ["Opioid safety"]
    (ended,) = found["ended"]
    assert ended["title"] == "Insulin safety" and ended["status"] == "Finished"
    assert ended["first"] == "12 (January 2026)" and ended["latest"] == "4.5 (September 2026)"
    assert ended["results"] == "Insulin errors fell by two thirds" and ended["co_produced"]
    assert found["in_progress"] == 2  # the opioid project and the old one


def test_the_report_page_shows_them(client_for, committee, projects, trust, mso):
    from committees import services as committee_services

    with time_machine.travel("2026-10-30 10:00 +0000", tick=False):
        report = committee_services.report_create(
            by=mso,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
    url = reverse("committees:report", args=[trust.ods_code, committee.pk, report.pk])
    page = client_for(mso).get(url).content.decode()
    assert "Improvement projects" in page and "Finished: Insulin safety" in page
    assert "from 12 (January 2026) to 4.5 (September 2026)" in page


def test_an_older_snapshot_without_projects_still_shows(committee):
    from committees.models import AssuranceReport

    snapshot = report_figures.report_figures(
        committee, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
    )
    del snapshot["projects"]
    report = AssuranceReport(
        committee=committee,
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 9, 30),
        state="approved",
        snapshot=snapshot,
    )
    keys = [section["key"] for section in report_figures.report_context(report)["sections"]]
    assert "projects" not in keys and "summary" in keys


def test_the_agenda_offers_projects_started_or_ended_since_the_last_meeting(committee, projects):
    found = agenda.suggest(committee, at(datetime.date(2026, 10, 1)))
    offered = [(item.source, item.title) for item in found if item.source == AgendaSource.PROJECT]
    assert offered == [
        (AgendaSource.PROJECT, "Improvement project started: Opioid safety"),
        (AgendaSource.PROJECT, "Improvement project finished: Insulin safety"),
    ]
    finished = next(item for item in found if item.title.endswith("finished: Insulin safety"))
    assert finished.notes == "Results: Insulin errors fell by two thirds"
