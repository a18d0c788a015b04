"""Improvement projects: who reads and keeps them, their measure as a run chart with the
dashboard's SPC rules, PDSA cycles, the incidents and alerts they respond to, finishing with
results, and sharing the write-up with a network's library in one step."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from alerts.models import Alert
from improvement import measures, services, writeup
from improvement.models import MeasurePoint, PdsaCycle, Project
from networks.models import Network, NetworkMembership, Resource
from organisations.choices import Post, Role
from tests.factories import CONFIRMED, NetworkFactory, member, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


def project_data(lead, **fields):
    return {
        "title": "Time-critical medicines on time",
        "aim": "Halve omitted doses of time-critical medicines on the medical wards by March 2027",
        "medicines": "Parkinson's medicines, insulin",
        "lead": str(lead.pk),
        "started_on_day": "1",
        "started_on_month": "6",
        "started_on_year": "2026",
        "measure": "Omitted doses of time-critical medicines",
        "measure_unit": "%",
        "frequency": "monthly",
        "better": "lower",
        "co_production": "Two lived-experience partners from Parkinson's UK reviewed the sticker",
        "incident_references": "",
        "alert_references": "",
        **fields,
    }


def make_project(organisation, lead, **fields):
    defaults = {
        "title": "Insulin safety",
        "aim": "Fewer insulin errors",
        "lead": lead,
        "started_on": datetime.date(2026, 1, 5),
        "measure": "Insulin errors per 1,000 doses",
        "measure_unit": "per 1,000 doses",
        "frequency": "monthly",
        "better": "lower",
    }
    return services.project_save(
        by=lead,
        project=Project(organisation=organisation, **{**defaults, **fields}),
        references={},
    )


@pytest.fixture
def project(trust, mso):
    return make_project(trust, mso)


@pytest.fixture
def other_project(other_trust, other_mso):
    return make_project(other_trust, other_mso)


class TestAccess:
    def test_the_list_and_new_project(self, assert_access, trust, mso, staff, other_mso):
        listed = reverse("improvement:projects", args=[trust.ods_code])
        new = reverse("improvement:project_create", args=[trust.ods_code])
        assert_access(listed, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(new, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            new,
            method="post",
            data=project_data(mso),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_a_projects_pages(self, assert_access, trust, mso, staff, other_mso, project):
        args = [trust.ods_code, project.pk]
        for name in ("project", "project_writeup"):
            assert_access(
                reverse(f"improvement:{name}", args=args),
                allowed=mso,
                wrong_role=staff,
                other_organisation=other_mso,
            )
        for name in ("project_update", "point_create", "cycle_create", "project_finish"):
            assert_access(
                reverse(f"improvement:{name}", args=args),
                allowed=mso,
                wrong_role=member(trust, Role.COMMITTEE_MEMBER),
                other_organisation=other_mso,
            )

    def test_the_forms_posted(self, assert_access, trust, mso, staff, other_mso, project):
        args = [trust.ods_code, project.pk]
        day = {"_day": "20", "_month": "11", "_year": "2026"}

        def date(name):
            return {f"{name}{part}": value for part, value in day.items()}

        posts = [
            ("project_update", project_data(mso)),
            ("point_create", {**date("period_start"), "value": "3"}),
            ("cycle_create", {"change": "Sticker", "plan": "Try it", **date("starts_on")}),
            ("project_finish", {"status": "finished", "results": "Halved", **date("finished_on")}),
        ]
        for name, data in posts:
            assert_access(
                reverse(f"improvement:{name}", args=args),
                method="post",
                data=data,
                allowed=mso,
                wrong_role=staff,
                other_organisation=other_mso,
                ok=302,
            )

    def test_the_writes(self, assert_access, trust, mso, staff, other_mso, project):
        args = [trust.ods_code, project.pk]
        point = services.point_record(
            by=mso,
            point=MeasurePoint(project=project, period_start=TODAY, value=Decimal("4")),
        )
        cycle = services.cycle_save(
            by=mso,
            cycle=PdsaCycle(project=project, change="Sticker", plan="Try it", starts_on=TODAY),
        )
        assert_access(
            reverse("improvement:point_remove", args=args),
            method="post",
            data={"point": str(point.pk), **CONFIRMED},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        assert_access(
            reverse("improvement:cycle", args=[*args, cycle.pk]),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        assert_access(
            reverse("improvement:cycle", args=[*args, cycle.pk]),
            method="post",
            data={
                "change": "Sticker",
                "plan": "Try it",
                "starts_on_day": "23",
                "starts_on_month": "11",
                "starts_on_year": "2026",
            },
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )
        services.project_finish(
            by=mso, project=project, status="stopped", finished_on=TODAY, results=""
        )
        assert_access(
            reverse("improvement:project_reopen", args=args),
            method="post",
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_a_project_of_another_organisation_is_not_there(
        self, client_for, trust, mso, other_project
    ):
        client = client_for(mso)
        # Its own organisation's address, or this one's: neither shows it.
        for ods in (other_project.organisation.ods_code, trust.ods_code):
            url = reverse("improvement:project", args=[ods, other_project.pk])
            assert client.get(url).status_code == 404

    def test_its_lead_keeps_it_in_whatever_role(self, client_for, trust, mso, staff, project):
        project.lead = staff
        project.save()
        client = client_for(staff)
        assert client.get(project.get_absolute_url()).status_code == 200
        new_point = reverse("improvement:point_create", args=[trust.ods_code, project.pk])
        assert client.get(new_point).status_code == 200
        # But not the organisation's other projects, nor starting one.
        other = make_project(trust, mso, title="Another")
        assert client.get(other.get_absolute_url()).status_code == 403
        start = reverse("improvement:project_create", args=[trust.ods_code])
        assert client.get(start).status_code == 403

    def test_the_committee_and_the_board_director_read_them(
        self, client_for, trust, project, director
    ):
        for reader in (member(trust, Role.COMMITTEE_MEMBER), director):
            client = client_for(reader)
            page = client.get(project.get_absolute_url()).content.decode()
            assert "Insulin safety" in page and "Record a value" not in page


class TestStarting:
    def test_the_mso_starts_one_naming_incidents_and_alerts(self, client_for, trust, mso, staff):
        incident = report(trust, staff)
        Alert.objects.create(
            reference="NatPSA/2026/003/NHSPS",
            title="Time-critical medicines",
            issued_on=datetime.date(2026, 5, 1),
            published_at=datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC),
        )
        response = client_for(mso).post(
            reverse("improvement:project_create", args=[trust.ods_code]),
            project_data(
                mso,
                incident_references=f"{incident.reference.lower()}",
                alert_references="NatPSA/2026/003/NHSPS",
            ),
        )
        assert response.status_code == 302, response.context["form"].errors
        project = Project.objects.get()
        assert response.url == project.get_absolute_url()
        assert list(project.incidents.all()) == [incident]
        assert [a.reference for a in project.alerts.all()] == ["NatPSA/2026/003/NHSPS"]
        assert project.is_co_produced and project.created_by == mso

    def test_unknown_references_are_named_and_nothing_is_saved(
        self, client_for, trust, mso, other_trust, other_mso
    ):
        elsewhere = report(other_trust, other_mso)
        response = client_for(mso).post(
            reverse("improvement:project_create", args=[trust.ods_code]),
            project_data(
                mso,
                incident_references=f"{elsewhere.reference}, RX1-2026-999999",
                alert_references="NatPSA/2099/001",
            ),
        )
        errors = response.context["form"].errors
        assert elsewhere.reference in errors["incident_references"][0]
        assert "RX1-2026-999999" in errors["incident_references"][0]
        assert "No published alert NatPSA/2099/001" in errors["alert_references"][0]
        assert not Project.objects.exists()
        assert response.context["form"]["title"].value() == "Time-critical medicines on time"

    def test_the_lead_is_a_member_and_the_aim_is_needed(self, client_for, trust, mso, other_mso):
        response = client_for(mso).post(
            reverse("improvement:project_create", args=[trust.ods_code]),
            project_data(other_mso, aim=""),
        )
        errors = response.context["form"].errors
        assert errors["lead"] == ["Choose who leads the project"]
        assert errors["aim"] == ["Enter the project's aim"]
        assert not Project.objects.exists()


class _FormValues(HTMLParser):
    """What a browser sends back from a page's forms left as they are: its inputs' values, the
    checked radios, the selected options and the text areas' text."""

    def __init__(self, html):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None
        self.textareas = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.values[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea, self.values[name] = name, ""
            self.textareas.add(name)
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # A browser drops the line break that starts a text area (Django writes one).
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def published_alert(reference, issued_on=datetime.date(2026, 5, 1)):
    return Alert.objects.create(
        reference=reference,
        title=f"Alert {reference}",
        issued_on=issued_on,
        published_at=datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC),
    )


class TestChanging:
    """Found by a security probe: the demo project responds to MHRA's "EL (26)A/15", whose
    space split it in two when the references were split on spaces, so saving it unchanged
    was refused."""

    @pytest.fixture
    def responding(self, trust, mso, staff):
        alerts = [published_alert("EL (26)A/15"), published_alert("NatPSA/2026/003/NHSPS")]
        project = make_project(trust, mso)
        services.project_save(
            by=mso,
            project=project,
            references={
                "incidents": [report(trust, staff).reference],
                "alerts": [a.reference for a in alerts],
            },
        )
        return project

    def test_a_project_responding_to_an_alert_with_a_space_saves_unchanged(
        self, client_for, trust, mso, responding
    ):
        client = client_for(mso)
        url = reverse("improvement:project_update", args=[trust.ods_code, responding.pk])
        page = _FormValues(client.get(url).text)
        sent = page.values
        # One a line, in a text area (a browser takes the line breaks out of a one-line box).
        assert sent["alert_references"] == "EL (26)A/15\nNatPSA/2026/003/NHSPS"
        assert {"alert_references", "incident_references"} <= page.textareas
        response = client.post(url, sent)
        assert response.status_code == 302, response.context["form"].errors
        assert sorted(responding.alerts.values_list("reference", flat=True)) == [
            "EL (26)A/15",
            "NatPSA/2026/003/NHSPS",
        ]
        assert responding.incidents.count() == 1

    def test_references_are_one_a_line_or_separated_by_commas(
        self, client_for, trust, mso, project
    ):
        published_alert("EL (26)A/15")
        published_alert("NatPSA/2026/003/NHSPS")
        published_alert("MDA/2026/012")
        response = client_for(mso).post(
            reverse("improvement:project_update", args=[trust.ods_code, project.pk]),
            project_data(
                mso, alert_references=" el  (26)a/15 \r\n\r\nNatPSA/2026/003/NHSPS, MDA/2026/012\n"
            ),
        )
        assert response.status_code == 302, response.context["form"].errors
        assert sorted(project.alerts.values_list("reference", flat=True)) == [
            "EL (26)A/15",
            "MDA/2026/012",
            "NatPSA/2026/003/NHSPS",
        ]

    def test_an_unknown_reference_is_named_whole_and_nothing_changes(
        self, client_for, trust, mso, responding
    ):
        response = client_for(mso).post(
            reverse("improvement:project_update", args=[trust.ods_code, responding.pk]),
            project_data(mso, title="Changed", alert_references="EL (26)A/15\nEL (26)A/99"),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["alert_references"] == [
            "No published alert EL (26)A/99: check the reference"
        ]
        responding.refresh_from_db()
        assert responding.title == "Insulin safety" and responding.alerts.count() == 2


class TestMeasure:
    def test_a_value_stands_for_its_month_and_a_month_once(self, client_for, trust, mso, project):
        url = reverse("improvement:point_create", args=[trust.ods_code, project.pk])
        client = client_for(mso)
        data = {"period_start_day": "17", "period_start_month": "11", "period_start_year": "2026"}
        assert client.post(url, {**data, "value": "4.5"}).status_code == 302
        assert MeasurePoint.objects.get().period_start == datetime.date(2026, 11, 1)
        again = client.post(url, {**data, "period_start_day": "2", "value": "3"})
        assert again.context["form"].errors["period_start"] == [
            "There is already a value for November 2026: remove it first to change it"
        ]
        assert MeasurePoint.objects.count() == 1

    def test_a_value_is_removed_from_its_own_project_only(self, client_for, trust, mso, project):
        other = make_project(trust, mso, title="Other")
        theirs = services.point_record(
            by=mso, point=MeasurePoint(project=other, period_start=TODAY, value=Decimal(1))
        )
        mine = services.point_record(
            by=mso, point=MeasurePoint(project=project, period_start=TODAY, value=Decimal(2))
        )
        url = reverse("improvement:point_remove", args=[trust.ods_code, project.pk])
        client = client_for(mso)
        assert client.post(url, {"point": str(theirs.pk)}).status_code == 404
        assert client.post(url, {"point": "x"}).status_code == 404
        asked = client.post(url, {"point": str(mine.pk)})
        assert "Remove the value for November 2026?" in asked.text
        assert MeasurePoint.objects.count() == 2  # asked first, nothing removed yet
        response = client.post(url, {"point": str(mine.pk), **CONFIRMED}, follow=True)
        assert "The value for November 2026 is removed" in response.content.decode()
        assert list(MeasurePoint.objects.all()) == [theirs]

    def test_a_weekly_value_stands_for_its_week_from_monday(self, trust, mso):
        weekly = make_project(trust, mso, frequency="weekly")
        point = services.point_record(
            by=mso,
            point=MeasurePoint(
                project=weekly, period_start=datetime.date(2026, 11, 19), value=Decimal(2)
            ),
        )
        assert point.period_start == datetime.date(2026, 11, 16)
        assert measures.period_name("weekly", point.period_start) == "week of 16 November 2026"

    def test_a_future_date_or_a_negative_value_is_refused(self, client_for, trust, mso, project):
        url = reverse("improvement:point_create", args=[trust.ods_code, project.pk])
        response = client_for(mso).post(
            url,
            {
                "period_start_day": "1",
                "period_start_month": "12",
                "period_start_year": "2026",
                "value": "-1",
            },
        )
        errors = response.context["form"].errors
        assert errors["period_start"] == [
            "The date must be today or in the past: a value is measured"
        ]
        assert errors["value"] == ["The value must be 0 or more"]
        assert not MeasurePoint.objects.exists()

    def test_the_run_chart_reads_a_known_series_with_the_dashboards_rules(self, trust, mso):
        weekly = make_project(trust, mso, frequency="weekly", better="lower")
        monday = datetime.date(2026, 6, 1)
        # Twelve weeks around 10 (the baseline), then seven around 5: a shift below the mean,
        # and the latest is lower.
        series = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 9, 10, 8, 9, 8, 9, 8, 9, 8]
        for i, value in enumerate(series):
            MeasurePoint.objects.create(
                project=weekly,
                period_start=monday + datetime.timedelta(weeks=i),
                value=value,
                recorded_by=mso,
            )
        drawn = measures.chart(weekly, list(weekly.points.all()))
        assert drawn.mean == round(sum(series) / len(series), 1)
        assert drawn.points[-1].signals == ["A shift of 7 points below the mean"]
        assert drawn.points[0].signals == []
        assert measures.reading(weekly, drawn) == (
            "The latest value shows special cause improvement."
        )
        weekly.better = "higher"
        drawn = measures.chart(weekly, list(weekly.points.all()))
        assert "special cause concern" in measures.reading(weekly, drawn)

    def test_the_chart_starts_again_where_an_adopted_change_began(self, project, mso):
        """Making Data Count's rebasing: the months after an adopted PDSA change are judged
        against their own mean, not the old process's limits (the time-critical medicines
        project's month before its change no longer reads as beyond a limit)."""
        before = [15.3, 14.6, 16.2, 15.0, 14.1, 15.8, 16.4, 14.9, 15.5, 14.3, 15.9, 15.1]
        after = [8.9, 8.1, 7.4, 6.9]
        for i, value in enumerate(before + after):
            MeasurePoint.objects.create(
                project=project,
                period_start=datetime.date(2025 + i // 12, i % 12 + 1, 1),
                value=value,
                recorded_by=mso,
            )
        PdsaCycle.objects.create(
            project=project,
            number=1,
            change="Night handover prompt",
            plan="Wards 7 and 9",
            starts_on=datetime.date(2025, 12, 5),
            ends_on=datetime.date(2025, 12, 31),
            decision=PdsaCycle.Decision.ADOPT,
        )
        points = list(project.points.all())
        assert measures.changes(project, points) == [12]
        drawn = measures.chart(project, points)
        assert [(g.first, g.last, g.has_limits) for g in drawn.groups] == [
            (0, 11, True),
            (12, 15, False),
        ]
        assert not any(point.special for point in drawn.points[:12])
        assert "since the change recorded: a run chart" in drawn.interpretation()
        assert measures.reading(project, drawn) == ""

    def test_common_cause_reads_as_no_change(self, project, mso):
        for month, value in enumerate([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6], start=1):
            MeasurePoint.objects.create(
                project=project,
                period_start=datetime.date(2025, month, 1),
                value=value,
                recorded_by=mso,
            )
        drawn = measures.chart(project, list(project.points.all()))
        assert drawn.interpretation().startswith(
            "Common cause variation only: insulin errors per 1,000 doses varies"
        )
        assert "no sign of change" in measures.reading(project, drawn)

    def test_the_page_draws_the_chart_and_its_table(self, client_for, trust, mso, project):
        for month, value in enumerate([5, 6, 4], start=9):
            MeasurePoint.objects.create(
                project=project,
                period_start=datetime.date(2026, month, 1),
                value=value,
                recorded_by=mso,
            )
        page = client_for(mso).get(project.get_absolute_url()).content.decode()
        assert "<svg" in page and "Sep 2026" in page and "September 2026" in page
        assert "Values of the measure" in page


class TestCycles:
    def test_cycles_are_numbered_and_end_with_a_decision(self, client_for, trust, mso, project):
        client = client_for(mso)
        new = reverse("improvement:cycle_create", args=[trust.ods_code, project.pk])
        plan = {
            "change": "A time-critical medicines sticker",
            "plan": "Ward 7 for two weeks; we predict fewer omissions",
            "starts_on_day": "2",
            "starts_on_month": "11",
            "starts_on_year": "2026",
        }
        assert client.post(new, plan).status_code == 302
        assert client.post(new, {**plan, "change": "Bedside lockers"}).status_code == 302
        first, second = PdsaCycle.objects.order_by("number")
        assert (first.number, second.number) == (1, 2) and first.is_open
        url = reverse("improvement:cycle", args=[trust.ods_code, project.pk, first.pk])
        # A decision needs what was found and when it ended.
        refused = client.post(url, {**plan, "decision": "adopt"})
        errors = refused.context["form"].errors
        assert errors["ends_on"] == ["Enter the date the cycle ended"]
        assert errors["study"] == ["Say what you found before deciding"]
        ended = {
            **plan,
            "do": "Used on 40 charts",
            "study": "Omissions fell from 12% to 5%",
            "act": "Roll out to all medical wards",
            "decision": "adopt",
            "ends_on_day": "16",
            "ends_on_month": "11",
            "ends_on_year": "2026",
        }
        assert client.post(url, ended).status_code == 302
        first.refresh_from_db()
        assert first.decision == "adopt" and first.ends_on == datetime.date(2026, 11, 16)

    def test_a_cycle_cannot_end_before_it_starts(self, project, mso):
        with pytest.raises(Exception, match="on or after its start"):
            services.cycle_save(
                by=mso,
                cycle=PdsaCycle(
                    project=project,
                    change="x",
                    plan="y",
                    starts_on=datetime.date(2026, 11, 10),
                    ends_on=datetime.date(2026, 11, 1),
                    study="z",
                    decision="abandon",
                ),
            )


class TestFinishing:
    def test_finishing_needs_results(self, client_for, trust, mso, project):
        url = reverse("improvement:project_finish", args=[trust.ods_code, project.pk])
        client = client_for(mso)
        day = {"finished_on_day": "20", "finished_on_month": "11", "finished_on_year": "2026"}
        refused = client.post(url, {"status": "finished", **day})
        assert refused.context["form"].errors["results"] == ["Enter the project's results"]
        early = client.post(
            url,
            {
                "status": "finished",
                "results": "x",
                "finished_on_year": "2025",
                **{"finished_on_day": "1", "finished_on_month": "1"},
            },
        )
        assert "on or after its start" in early.context["form"].errors["finished_on"][0]
        project.refresh_from_db()
        assert project.is_active
        done = client.post(url, {"status": "finished", "results": "Errors halved", **day})
        assert done.status_code == 302
        project.refresh_from_db()
        assert (project.status, project.finished_on) == ("finished", datetime.date(2026, 11, 20))
        assert "Errors halved" in client.get(project.get_absolute_url()).content.decode()


class TestSharing:
    @pytest.fixture
    def network(self, mso):
        network = NetworkFactory(name="National MSO Network", slug="national")
        NetworkMembership.objects.create(network=network, user=mso)
        return network

    def test_access(self, assert_access, trust, mso, staff, other_mso, project, network):
        url = reverse("improvement:project_share", args=[trust.ods_code, project.pk])
        assert_access(url, allowed=mso, wrong_role=staff, other_organisation=other_mso)
        assert_access(
            url,
            method="post",
            data={"network": str(network.pk)},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_the_write_up_goes_to_the_library_in_one_step(
        self, client_for, trust, mso, staff, project, network
    ):
        incident = report(trust, staff)
        project.incidents.add(incident)
        MeasurePoint.objects.create(
            project=project, period_start=datetime.date(2026, 10, 1), value=3, recorded_by=mso
        )
        response = client_for(mso).post(
            reverse("improvement:project_share", args=[trust.ods_code, project.pk]),
            {"network": str(network.pk), "tags": "insulin, audit"},
        )
        assert response.url == reverse("networks:resources", args=["national"])
        resource = Resource.objects.get()
        assert resource.network == network and resource.shared_by == mso
        assert resource.content_type == "application/pdf" and resource.filename == (
            "insulin-safety.pdf"
        )
        with resource.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF") and resource.size == len(content)
        assert sorted(tag.name for tag in resource.tags.all()) == ["audit", "insulin"]
        # The incidents stay in the organisation.
        html = render_to_string("improvement/project_pdf.html", writeup.context(project))
        assert incident.reference not in html and "Insulin safety" in html

    def test_only_a_network_of_theirs(self, client_for, trust, mso, project, network):
        elsewhere = NetworkFactory(name="Another", slug="another", kind=Network.Kind.SPECIALISED)
        response = client_for(mso).post(
            reverse("improvement:project_share", args=[trust.ods_code, project.pk]),
            {"network": str(elsewhere.pk)},
        )
        assert response.context["form"].errors["network"] == ["Select one of your networks"]
        assert not Resource.objects.exists()

    def test_without_a_network_they_are_told_to_join_one(self, client_for, trust, mso, project):
        url = reverse("improvement:project_share", args=[trust.ods_code, project.pk])
        assert client_for(mso).get(url).status_code == 403


def test_a_patient_safety_specialist_reads_them(client_for, trust, project):
    specialist = post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST)
    assert client_for(specialist).get(project.get_absolute_url()).status_code == 200


def test_the_pages_queries_do_not_grow_with_their_rows(client_for, page_queries, trust, mso):
    client = client_for(mso)
    first = make_project(trust, mso)
    pages = [
        reverse("improvement:projects", args=[trust.ods_code]),
        first.get_absolute_url(),
    ]
    before = [page_queries(client, url) for url in pages]
    for i in range(4):
        make_project(trust, mso, title=f"Project {i}")
        MeasurePoint.objects.create(
            project=first,
            period_start=datetime.date(2026, i + 1, 1),
            value=i,
            recorded_by=mso,
        )
        services.cycle_save(
            by=mso,
            cycle=PdsaCycle(project=first, change=f"c{i}", plan="p", starts_on=TODAY),
        )
    assert [page_queries(client, url) for url in pages] == before
