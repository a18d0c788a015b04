"""How an incident was identified (a medicines advice query among the ways), counted on the
dashboard; and patient and carer feedback logged by the safety team as a learning source,
themed, and counted in the committee's assurance report."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from committees import figures as report_figures
from committees.models import Committee
from incidents import services
from incidents.choices import IdentifiedThrough
from incidents.figures import figures
from incidents.models import PatientFeedback
from organisations.choices import Role
from tests.factories import member
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


def feedback_data(**fields):
    return {
        "received_on_day": "20",
        "received_on_month": "11",
        "received_on_year": "2026",
        "source": "carer",
        "medicines": "Insulin glargine",
        "summary": "The discharge letter did not say when to restart her insulin.",
        "themes": "insulin, discharge",
        **fields,
    }


class TestHowIdentified:
    def test_the_dashboard_counts_those_found_through_medicines_advice(self, trust, staff, mso):
        advice = IdentifiedThrough.MEDICINES_ADVICE
        for day, how in (
            (datetime.date(2026, 11, 2), advice),
            (datetime.date(2026, 6, 2), advice),
            (datetime.date(2026, 6, 3), IdentifiedThrough.DISPENSING),
            (datetime.date(2025, 6, 1), advice),  # more than a year ago
        ):
            report(trust, staff, occurred_on=day, identified_through=how)
        duplicate = report(trust, staff, occurred_on=TODAY, identified_through=advice)
        original = report(trust, staff, occurred_on=TODAY)
        services.review_start(by=mso, incident=duplicate)
        services.incident_mark_duplicate(by=mso, incident=duplicate, original=original)
        assert figures([trust], on=TODAY).medicines_advice == 2

    def test_it_is_asked_and_shown(self, client_for, trust, staff, mso):
        incident = report(trust, staff, identified_through=IdentifiedThrough.MEDICINES_ADVICE)
        page = client_for(mso).get(incident.get_absolute_url()).content.decode()
        assert "How it was identified" in page and "A medicines advice query" in page
        dashboard = client_for(mso).get(reverse("incidents:dashboard", args=[trust.ods_code]))
        assert "Identified through a medicines advice query" in dashboard.content.decode()


class TestFeedback:
    def test_access(self, assert_access, trust, mso, staff, other_mso):
        listed = reverse("incidents:feedback", args=[trust.ods_code])
        new = reverse("incidents:feedback_create", args=[trust.ods_code])
        assert_access(listed, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(new, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            new,
            method="post",
            data=feedback_data(),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_the_safety_team_logs_it_themed_like_incidents(self, client_for, trust):
        team = member(trust, Role.SAFETY_TEAM)
        client = client_for(team)
        response = client.post(
            reverse("incidents:feedback_create", args=[trust.ods_code]), feedback_data()
        )
        assert response.status_code == 302
        logged = PatientFeedback.objects.get()
        assert (logged.organisation, logged.source, logged.recorded_by) == (trust, "carer", team)
        assert sorted(t.name for t in logged.themes.all()) == ["discharge", "insulin"]
        page = client.get(reverse("incidents:feedback", args=[trust.ods_code])).content.decode()
        assert "did not say when to restart her insulin" in page

    def test_an_nhs_number_or_a_future_date_is_refused_and_nothing_saved(
        self, client_for, trust, mso
    ):
        url = reverse("incidents:feedback_create", args=[trust.ods_code])
        response = client_for(mso).post(
            url,
            feedback_data(
                summary="Patient 943 476 5919 was given the wrong dose.",
                received_on_year="2027",
            ),
        )
        errors = response.context["form"].errors
        assert "received_on" in errors and "summary" in errors
        assert not PatientFeedback.objects.exists()
        assert response.context["form"]["medicines"].value() == "Insulin glargine"

    def test_the_assurance_report_counts_it(self, trust, mso):
        committee = Committee.objects.create(
            organisation=trust,
            name="Medication safety",
            reports_to="The board",
            frequency="monthly",
        )
        for day in (datetime.date(2026, 8, 1), datetime.date(2026, 9, 30)):
            services.feedback_record(
                by=mso,
                feedback=PatientFeedback(
                    organisation=trust, received_on=day, source="patient", summary="x"
                ),
                themes=["insulin"],
            )
        services.feedback_record(
            by=mso,
            feedback=PatientFeedback(
                organisation=trust,
                received_on=datetime.date(2026, 5, 1),
                source="carer",
                summary="y",
            ),
            themes=[],
        )
        found = report_figures.report_figures(
            committee, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
        )
        assert found["feedback"] == {
            "count": 2,
            "previous": 1,
            "themes": [{"theme": "insulin", "count": 2}],
        }


def test_the_pages_queries_do_not_grow_with_their_rows(client_for, page_queries, trust, mso):
    client = client_for(mso)
    pages = [
        reverse("incidents:feedback", args=[trust.ods_code]),
        reverse("incidents:feedback_create", args=[trust.ods_code]),
    ]

    def log(n):
        services.feedback_record(
            by=mso,
            feedback=PatientFeedback(
                organisation=trust, received_on=TODAY, source="patient", summary=f"Said {n}"
            ),
            themes=[f"theme {n}", "insulin"],
        )

    log(0)  # an empty list reads nothing more than its count
    few = [page_queries(client, url) for url in pages]
    for n in range(1, 5):
        log(n)
    assert [page_queries(client, url) for url in pages] == few


class TestLoggedTwice:
    """A second press of the form a moment later is the one logged; different themes, other
    medicines or the same words logged a week on are feedback of their own."""

    @pytest.fixture
    def send(self, client_for, trust, mso):
        url = reverse("incidents:feedback_create", args=[trust.ods_code])
        return lambda **fields: client_for(mso).post(url, feedback_data(**fields))

    def themes(self):
        return [sorted(t.name for t in f.themes.all()) for f in PatientFeedback.objects.all()]

    def test_a_second_press_is_logged_once(self, send):
        assert send().status_code == 302
        with time_machine.travel("2026-11-23 10:00:30 +0000", tick=False):
            assert send(themes="Discharge, INSULIN").status_code == 302
        assert self.themes() == [["discharge", "insulin"]]

    def test_a_second_press_with_other_themes_keeps_them(self, send):
        send()
        send(themes="insulin, communication")
        assert sorted(self.themes()) == [["communication", "insulin"], ["discharge", "insulin"]]

    def test_a_second_press_with_other_medicines_is_logged(self, send):
        send()
        send(medicines="Insulin aspart")
        assert PatientFeedback.objects.count() == 2

    def test_the_same_words_logged_a_week_later_are_logged(self, send):
        send()
        with time_machine.travel("2026-11-30 10:00 +0000", tick=False):
            send()
        assert PatientFeedback.objects.count() == 2
