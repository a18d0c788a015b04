"""The links an alert's chain reads: an agenda item tables the alert its title names (of those
that reached the organisation), suggested or typed, and not when its title was rewritten; an
approved report keeps the alert responses it carried (never a draft), a primary care network's
its practices' too; and the migration links what came before."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps

from alerts import services as alerts
from committees import agenda, chain, services
from committees.choices import AgendaSource, AlertOutcome
from committees.models import AgendaItem, ReportedAlert
from organisations.choices import OrganisationKind, Role
from tests.alerts.conftest import draft
from tests.committees.conftest import at
from tests.factories import OrganisationFactory, RelationshipFactory, member

pytestmark = pytest.mark.django_db
PUBLISHED = datetime.date(2026, 11, 3)
MET = datetime.date(2026, 11, 20)
TODAY = datetime.date(2026, 12, 10)
X, Y, Z = "NatPSA/2026/004/NHSPS", "NatPSA/2026/005/NHSPS", "SDA/2026/001"
MIGRATION = importlib.import_module("committees.migrations.0010_link_tabled_and_reported_alerts")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield


@pytest.fixture
def published(lead, trust, other_trust):
    """X and Y reach the trusts; Z, a supply alert to practices, does not."""
    found = {}
    with time_machine.travel(at(PUBLISHED, 9), tick=False):
        for reference, kinds in (
            (X, None),
            (Y, None),
            (Z, [OrganisationKind.GP_PRACTICE]),
        ):
            extra = {"applicable_kinds": kinds, "alert_type": "supply"} if kinds else {}
            found[reference] = draft(lead, reference=reference, **extra)
            alerts.alert_publish(by=lead, alert=found[reference])
    return found


def meeting_with(committee, secretary, *items, day=MET):
    return services.meeting_create(
        by=secretary, committee=committee, starts_at=at(day), agenda=list(items)
    )


def tabled(meeting) -> dict[str, str | None]:
    return {
        item.title: item.alert.reference if item.alert else None
        for item in AgendaItem.objects.filter(meeting=meeting).select_related("alert")
    }


def approve(report, by):
    for section in ("summary", "incidents", "alerts"):
        services.narrative_save(by=by, report=report, section=section, text="As discussed")
    return services.report_approve(by=by, report=report)


class TestTabling:
    def test_the_suggested_items_table_their_alerts(self, published, committee, secretary):
        suggested = [s.as_item() for s in agenda.suggest(committee, at(MET))]
        meeting = meeting_with(committee, secretary, *suggested)
        found = tabled(meeting)
        assert sorted(reference for reference in found.values() if reference) == [X, Y]
        assert found["Any other business"] is None

    def test_an_item_typed_naming_the_reference_tables_it(self, published, committee, secretary):
        meeting = meeting_with(
            committee, secretary, (f"Pharmacy update on {X.lower()}", "", "", "")
        )
        assert tabled(meeting) == {f"Pharmacy update on {X.lower()}": X}

    def test_a_suggestion_rewritten_without_the_reference_tables_nothing(
        self, published, committee, secretary
    ):
        """The form carries the suggestion's source and alert in hidden fields: typed over, the
        row is another item, and the agenda as printed does not table the alert."""
        meeting = meeting_with(
            committee, secretary, ("Insulin audit results", "", AgendaSource.ALERT, X)
        )
        assert tabled(meeting) == {"Insulin audit results": None}

    def test_an_alert_that_never_reached_the_organisation_is_not_tabled(
        self, published, committee, secretary
    ):
        meeting = meeting_with(committee, secretary, (f"Alert {Z}: apixaban supply", "", "", ""))
        assert tabled(meeting) == {f"Alert {Z}: apixaban supply": None}

    def test_the_first_alert_named_is_the_one_tabled(self, published, committee, secretary):
        meeting = meeting_with(committee, secretary, (f"Alerts {Y} and {X}", "", "", ""))
        assert tabled(meeting) == {f"Alerts {Y} and {X}": Y}

    def test_a_reference_is_named_whole(self):
        assert chain.names(f"Alert {Z}: supply", Z) == 6
        assert chain.names("Alert SDA/2026/0012: supply", Z) == -1
        assert chain.names("Alert XSDA/2026/001", Z) == -1

    def test_a_changed_agenda_changes_what_it_tables(self, published, committee, secretary):
        meeting = meeting_with(committee, secretary, (f"Alert {X}", "", AgendaSource.ALERT, X))
        services.agenda_set(
            by=secretary, meeting=meeting, agenda=[(f"Alert {Y}", "", AgendaSource.ALERT, Y)]
        )
        assert tabled(meeting) == {f"Alert {Y}": Y}


class TestReportedAlerts:
    def test_a_draft_carries_nothing_and_approval_keeps_what_it_carried(
        self, published, committee, chair, trust, other_trust
    ):
        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 9, 1),
            period_end=datetime.date(2026, 11, 30),
        )
        assert not ReportedAlert.objects.exists()
        approve(report, chair)
        kept = {
            (row.alert.reference, row.organisation_id, row.outcome)
            for row in ReportedAlert.objects.filter(report=report).select_related("alert")
        }
        # Both reached the trust and are still open, their first deadline not passed by the
        # end of the period; the other trust's responses are not the report's.
        assert kept == {(X, trust.pk, AlertOutcome.OPEN), (Y, trust.pk, AlertOutcome.OPEN)}

    def test_a_report_of_a_period_before_the_alert_carries_none(self, published, committee, chair):
        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 9, 30),
        )
        approve(report, chair)
        assert not ReportedAlert.objects.filter(report=report).exists()

    def test_a_networks_report_carries_its_practices_responses(self, lead):
        pcn = OrganisationFactory(pcn=True, name="Riverside PCN")
        practice = OrganisationFactory(practice=True, name="Weir Lane Surgery")
        RelationshipFactory(parent=pcn, child=practice, start_on=datetime.date(2020, 1, 1))
        with time_machine.travel(at(PUBLISHED, 9), tick=False):
            alert = draft(
                lead,
                reference=Z,
                alert_type="supply",
                applicable_kinds=[OrganisationKind.GP_PRACTICE],
            )
            alerts.alert_publish(by=lead, alert=alert)
        chair = member(pcn, Role.COMMITTEE_CHAIR)
        committee = services.committee_create(
            by=chair,
            organisation=pcn,
            name="Prescribing and Medicines Safety Group",
            reports_to="PCN board",
            frequency="monthly",
        )
        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 9, 1),
            period_end=datetime.date(2026, 11, 30),
        )
        approve(report, chair)
        assert list(ReportedAlert.objects.values_list("alert_id", "organisation_id")) == [
            (alert.pk, practice.pk)
        ]


class TestTheMigration:
    def test_it_links_the_items_and_reports_written_before(
        self, published, committee, secretary, chair, trust
    ):
        meeting = meeting_with(
            committee,
            secretary,
            (f"Alert {X}: methotrexate", "", AgendaSource.ALERT, X),
            ("Insulin audit", "", AgendaSource.ALERT, Y),
        )
        report = services.report_create(
            by=chair,
            committee=committee,
            period_start=datetime.date(2026, 9, 1),
            period_end=datetime.date(2026, 11, 30),
        )
        approve(report, chair)
        # As they stood before: no links, and figures kept with the organisation's name only.
        AgendaItem.objects.update(alert=None)
        ReportedAlert.objects.all().delete()
        report.refresh_from_db()
        for row in report.snapshot["alerts"]["responses"]:
            del row["ods_code"]
        report.save(update_fields=["snapshot"])

        MIGRATION.link_agenda_items(apps, None)
        MIGRATION.keep_reported_alerts(apps, None)

        assert tabled(meeting) == {f"Alert {X}: methotrexate": X, "Insulin audit": None}
        assert set(
            ReportedAlert.objects.filter(report=report).values_list(
                "alert__reference", "organisation_id"
            )
        ) == {(X, trust.pk), (Y, trust.pk)}
