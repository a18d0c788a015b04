"""The national view against a world whose figures are worked out by hand: five trusts in two
regions at five points of their responses, a closed trust and a practice the alert never
reached. The figures come from the tallies; a regional lead sees their region; the exports hold
exactly the filtered rows, formula-safe; and the pages cost the same queries for more rows."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from alerts import services
from alerts.models import AlertActionResponse, AlertResponse, AlertTally
from organisations.choices import OrganisationKind, Post, Region
from tests.alerts.conftest import assert_deadlines_are_live, assert_tallies_are_live, draft
from tests.factories import OrganisationFactory, network_lead, post_holder

pytestmark = pytest.mark.django_db
NHS, FT = OrganisationKind.NHS_TRUST, OrganisationKind.FOUNDATION_TRUST
LONDON, NORTH_WEST = Region.LONDON, Region.NORTH_WEST
CHECKED_ON = datetime.datetime(2026, 12, 10, 9, tzinfo=datetime.UTC)  # first deadline: 2 Dec


def organisation(name, region, kind, **fields):
    found = OrganisationFactory(name=name, region=region, kind=kind, **fields)
    post_holder(found, Post.MSO)
    return found


@pytest.fixture
def world(lead, time_machine, django_capture_on_commit_callbacks):
    """A (London NHS trust): acknowledged only, past the first deadline.
    B (London foundation trust): completed and signed off.
    C (London NHS trust): not applicable.
    D (North West NHS trust): first action done, the second not due yet.
    E (North West foundation trust, named like a formula): nothing, past the first deadline.
    Closed (London) and a GP practice: never reached."""
    trusts = {
        "A": organisation("Ashby NHS Trust", LONDON, NHS),
        "B": organisation("Barnet Foundation Trust", LONDON, FT),
        "C": organisation("Camden NHS Trust", LONDON, NHS),
        "D": organisation("Dalton NHS Trust", NORTH_WEST, NHS),
        "E": organisation("=HYPERLINK(1) Eccles Foundation Trust", NORTH_WEST, FT),
    }
    OrganisationFactory(name="Closed NHS Trust", closed_on=datetime.date(2026, 10, 1))
    OrganisationFactory(practice=True)
    time_machine.move_to(datetime.datetime(2026, 11, 3, 9, tzinfo=datetime.UTC))
    alert = draft(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alert_publish(by=lead, alert=alert) == 5
    time_machine.move_to(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC))

    def response(key):
        return AlertResponse.objects.get(alert=alert, organisation=trusts[key])

    def mso(key):
        return trusts[key].appointments.get(post=Post.MSO).user

    def do(key, answer):
        services.action_response_save(
            by=mso(key),
            answer=answer,
            owner=mso(key),
            state="done",
            evidence="Done and checked",
            done_on=datetime.date(2026, 11, 19),
        )

    services.response_acknowledge(by=mso("A"), response=response("A"))
    services.response_decide(by=mso("B"), response=response("B"), applies=True)
    for answer in AlertActionResponse.objects.filter(response=response("B")):
        do("B", answer)
    director = post_holder(trusts["B"], Post.BOARD_DIRECTOR)
    services.response_sign_off(by=director, response=response("B"))
    services.response_complete(by=mso("B"), response=response("B"))
    services.response_decide(
        by=mso("C"), response=response("C"), applies=False, rationale="No oral methotrexate"
    )
    first = AlertActionResponse.objects.filter(response=response("D")).order_by("action__due_on")
    do("D", first.first())
    time_machine.move_to(CHECKED_ON)
    return alert, trusts


def figures(client, alert, **query):
    return client.get(reverse("alerts:compliance", args=[alert.pk]), query)


class TestFigures:
    def test_national_figures_equal_the_hand_count(self, world, client_for, lead):
        alert, _ = world
        page = figures(client_for(lead), alert)
        assert page.context["figures"] == {
            "total": 5,
            "acknowledged": 4,
            "completed": 1,
            "not_applicable": 1,
            "open": 3,
            "overdue": 2,
        }
        by = {
            (row["region"], row["kind"]): (
                row["total"],
                row["acknowledged"] or 0,
                row["completed"] or 0,
                row["not_applicable"] or 0,
                row["overdue"] or 0,
            )
            for row in page.context["by"]
        }
        assert by == {
            (LONDON, NHS): (2, 2, 0, 1, 1),
            (LONDON, FT): (1, 1, 1, 0, 0),
            (NORTH_WEST, NHS): (1, 1, 0, 0, 0),
            (NORTH_WEST, FT): (1, 0, 0, 0, 1),
        }
        assert_tallies_are_live(alert)
        assert_deadlines_are_live()

    def test_a_regional_lead_sees_their_region(self, world, client_for):
        alert, trusts = world
        page = figures(client_for(network_lead(NORTH_WEST)), alert)
        assert page.context["figures"]["total"] == 2
        assert page.context["figures"]["acknowledged"] == 1
        assert page.context["figures"]["overdue"] == 1
        assert {r.organisation for r in page.context["page"]} == {trusts["D"], trusts["E"]}

    def test_the_list_of_alerts_has_the_same_figures(self, world, client_for, lead):
        alert, _ = world
        listed = dict(client_for(lead).get(reverse("alerts:list")).context["alerts"])
        row = listed[alert]
        assert (row["total"], row["acknowledged"], row["completed"], row["overdue"]) == (5, 4, 2, 2)

    def test_figures_follow_a_response_that_changes(self, world, client_for, lead):
        alert, trusts = world
        e = AlertResponse.objects.get(alert=alert, organisation=trusts["E"])
        e_mso = trusts["E"].appointments.get(post=Post.MSO).user
        services.response_decide(by=e_mso, response=e, applies=False, rationale="No such ward")
        got = figures(client_for(lead), alert).context["figures"]
        assert (got["acknowledged"], got["not_applicable"], got["overdue"]) == (5, 2, 1)
        services.response_reopen(by=e_mso, response=e, reason="We do have the ward")
        got = figures(client_for(lead), alert).context["figures"]
        assert (got["acknowledged"], got["not_applicable"], got["overdue"]) == (5, 1, 2)
        assert_tallies_are_live(alert)
        assert_deadlines_are_live()

    def test_a_recount_puts_right_responses_changed_behind_the_services(
        self, world, client_for, lead
    ):
        alert, trusts = world
        AlertResponse.objects.filter(alert=alert, organisation=trusts["E"]).update(
            state="completed"
        )
        assert figures(client_for(lead), alert).context["figures"]["completed"] == 1
        services.recount_tallies(alert)
        assert_tallies_are_live(alert)
        assert figures(client_for(lead), alert).context["figures"]["completed"] == 2
        assert trusts["E"].ods_code in client_for(lead).get(reverse("alerts:overdue")).text
        services.recount_deadlines()
        assert_deadlines_are_live()
        assert trusts["E"].ods_code not in client_for(lead).get(reverse("alerts:overdue")).text

    def test_the_migration_counts_the_deadlines_of_responses_already_there(self, world):
        """Responses written before deadlines were kept have theirs counted when the table is
        made (alerts/migrations/0002)."""
        import importlib

        from django.apps import apps

        from alerts.models import OrganisationDeadline

        made = importlib.import_module("alerts.migrations.0002_organisation_deadline")
        assert OrganisationDeadline.objects.exists()
        OrganisationDeadline.objects.all().delete()
        made.count_deadlines(apps, None)
        assert_deadlines_are_live()
        assert OrganisationDeadline.objects.exists()


class TestByRegion:
    """The alert's page draws, for those who see its national figures, where the responses
    stand in each region: a chart and a table of the same figures, from one query."""

    def chart(self, client, alert):
        return client.get(alert.get_absolute_url()).context["by_region"]

    def test_each_response_is_counted_once_where_it_stands(self, world, client_for, lead):
        alert, _ = world
        found = self.chart(client_for(lead), alert)
        assert [(label, dict(figures), all) for label, figures, all in found["rows"]] == [
            # D under way (its next deadline still to come), E past a deadline.
            ("North West", dict(zip(PART_LABELS, (0, 0, 1, 0, 1), strict=True)), 2),
            # B completed, C not applicable, A past its first deadline.
            ("London", dict(zip(PART_LABELS, (1, 1, 0, 0, 1), strict=True)), 3),
        ]
        assert found["total"][2] == 5

    def test_a_response_not_acknowledged_within_its_deadlines_is_waiting(
        self, world, client_for, lead, time_machine
    ):
        alert, _ = world
        time_machine.move_to(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC))
        rows = {
            label: dict(figures)
            for label, figures, _ in self.chart(client_for(lead), alert)["rows"]
        }
        assert rows["North West"]["Not acknowledged yet"] == 1  # E, before its first deadline
        assert rows["London"]["Past a deadline"] == 0

    def test_the_sentence_above_it_still_adds_up(self, world, client_for, lead):
        alert, _ = world
        page = client_for(lead).get(alert.get_absolute_url())
        assert page.context["figures"] == figures(client_for(lead), alert).context["figures"]
        assert "4 of 5 organisations have acknowledged it" in page.text

    def test_a_regional_lead_sees_their_region_and_others_see_no_chart(self, world, client_for):
        alert, trusts = world
        found = self.chart(client_for(network_lead(NORTH_WEST)), alert)
        assert [label for label, _figures, _all in found["rows"]] == ["North West"]
        mso = trusts["A"].appointments.get(post=Post.MSO).user
        page = client_for(mso).get(alert.get_absolute_url())
        assert "by_region" not in page.context and "mso-figure--bars" not in page.text

    def test_the_chart_and_its_table_show_the_same_figures(self, world, client_for, lead):
        alert, _ = world
        page = client_for(lead).get(alert.get_absolute_url()).text
        figure = page[page.index('<figure class="mso-figure mso-figure--bars">') :]
        chart, table = figure.split("</svg>", 1)
        assert " ".join(re.findall(r'fill="#4c6272">([^<]*)</text>', chart)) == (
            "2 organisations: completed 0, not applicable 0, under way 1, not acknowledged "
            "yet 0, past a deadline 1 "
            "3 organisations: completed 1, not applicable 1, under way 0, not acknowledged "
            "yet 0, past a deadline 1"
        )
        cells = re.findall(r'aria-hidden="true">[^<]*</span>(?:<strong>)?(\d+)<', table)
        assert cells == ["0", "0", "1", "0", "1", "2", "1", "1", "0", "0", "1", "3"] + [
            "1",
            "1",
            "1",
            "0",
            "2",
            "5",
        ]

    def test_the_figures_are_one_query(self, world, lead, django_assert_num_queries):
        from alerts.views.national import _by_region

        alert, _ = world
        with django_assert_num_queries(1):
            figures, _chart = _by_region(AlertTally.objects.filter(alert=alert), CHECKED_ON.date())
        assert figures["total"] == 5


PART_LABELS = (
    "Completed",
    "Not applicable",
    "Under way",
    "Not acknowledged yet",
    "Past a deadline",
)


class TestDrillDown:
    def test_a_region_and_kind_lists_their_organisations(self, world, client_for, lead):
        alert, trusts = world
        page = figures(client_for(lead), alert, region=LONDON, kind=NHS)
        assert [r.organisation for r in page.context["page"]] == [trusts["A"], trusts["C"]]
        assert f'href="?region={LONDON}&amp;kind={NHS}"' in page.text

    @pytest.mark.parametrize(
        "state, keys",
        [("overdue", "AE"), ("not-acknowledged", "E"), ("completed", "B"), ("not-applicable", "C")],
    )
    def test_by_state(self, world, client_for, lead, state, keys):
        alert, trusts = world
        page = figures(client_for(lead), alert, state=state)
        assert {r.organisation for r in page.context["page"]} == {trusts[k] for k in keys}

    def test_a_search_by_ods_code(self, world, client_for, lead):
        alert, trusts = world
        page = figures(client_for(lead), alert, q=trusts["D"].ods_code.lower())
        assert [r.organisation for r in page.context["page"]] == [trusts["D"]]

    def test_no_evidence_on_the_national_pages(self, world, client_for, lead):
        alert, _ = world
        assert "Done and checked" not in figures(client_for(lead), alert).text


class TestPastDeadline:
    def test_organisations_with_open_alerts_past_a_deadline(self, world, client_for, lead):
        alert, trusts = world
        page = client_for(lead).get(reverse("alerts:overdue"))
        rows = {row["organisation__ods_code"]: row for row in page.context["page"]}
        assert set(rows) == {trusts["A"].ods_code, trusts["E"].ods_code}
        a = rows[trusts["A"].ods_code]
        assert (a["alerts"], a["since"], a["days"]) == (1, datetime.date(2026, 12, 2), 8)
        assert [late["alert__reference"] for late in a["late"]] == [alert.reference]
        assert f"/alerts/{alert.pk}/responses/?q={trusts['A'].ods_code}" in page.text

    def test_a_regional_lead_sees_their_region(self, world, client_for):
        _, trusts = world
        page = client_for(network_lead(LONDON)).get(reverse("alerts:overdue"))
        assert [row["organisation__ods_code"] for row in page.context["page"]] == [
            trusts["A"].ods_code
        ]


class TestExports:
    def read_csv(self, response):
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    def test_the_csv_holds_the_filtered_rows_formula_safe(self, world, client_for, lead):
        alert, trusts = world
        url = reverse("alerts:compliance_export", args=[alert.pk, "csv"])
        rows = self.read_csv(client_for(lead).get(url, {"state": "overdue"}))
        assert rows[0][:5] == ["ODS code", "Organisation", "Region", "Kind", "State"]
        body = {row[0]: row for row in rows[1:]}
        assert set(body) == {trusts["A"].ods_code, trusts["E"].ods_code}
        assert body[trusts["E"].ods_code][1] == "'=HYPERLINK(1) Eccles Foundation Trust"
        assert body[trusts["A"].ods_code][5:7] == ["Yes", "2026-12-02"]

    def test_the_xlsx_holds_every_row_as_text(self, world, client_for, lead):
        alert, trusts = world
        url = reverse("alerts:compliance_export", args=[alert.pk, "xlsx"])
        response = client_for(lead).get(url)
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 5
        named = {row[0]: row for row in rows}
        assert named[trusts["E"].ods_code][1].startswith("'=")
        assert named[trusts["B"].ods_code][4] == "Completed"

    def test_the_past_deadline_export(self, world, client_for):
        _, trusts = world
        url = reverse("alerts:overdue_export", args=["csv"])
        rows = self.read_csv(client_for(network_lead(NORTH_WEST)).get(url))
        assert [row[0] for row in rows[1:]] == [trusts["E"].ods_code]
        assert rows[1][4:] == ["1", "2026-12-02"]


class TestQueries:
    """Each page costs the same queries for more organisations."""

    def more(self, alert, lead, n):
        for _ in range(n):
            OrganisationFactory(region=LONDON)
        fresh = draft(lead, reference=f"NatPSA/2026/{alert.pk + 50:03d}/NHSPS")
        services.alert_publish(by=lead, alert=fresh)
        return fresh

    def test_the_national_pages(self, world, client_for, lead, django_assert_max_num_queries):
        alert, _ = world
        client = client_for(lead)
        pages = [
            reverse("alerts:list"),
            reverse("alerts:compliance", args=[alert.pk]),
            reverse("alerts:overdue"),
        ]
        few = {}
        for page in pages:
            with django_assert_max_num_queries(20) as counted:
                assert client.get(page).status_code == 200
            few[page] = len(counted.captured_queries)
        bigger = self.more(alert, lead, 12)
        pages[1] = reverse("alerts:compliance", args=[bigger.pk])
        few[pages[1]] = few.pop(reverse("alerts:compliance", args=[alert.pk]))
        for page in pages:
            with django_assert_max_num_queries(few[page]):
                assert client.get(page).status_code == 200

    def test_the_inbox_and_a_response(self, world, client_for, lead, django_assert_max_num_queries):
        alert, trusts = world
        mso = trusts["D"].appointments.get(post=Post.MSO).user
        client = client_for(mso)
        response = AlertResponse.objects.get(alert=alert, organisation=trusts["D"])
        pages = [reverse("alerts:inbox"), response.get_absolute_url()]
        few = {}
        for page in pages:
            with django_assert_max_num_queries(25) as counted:
                assert client.get(page).status_code == 200
            few[page] = len(counted.captured_queries)
        for n in range(3):
            more = draft(lead, reference=f"NatPSA/2026/{n + 60:03d}/NHSPS")
            services.alert_publish(by=lead, alert=more)
        for answer in AlertActionResponse.objects.filter(response=response):
            services.action_response_save(
                by=mso,
                answer=answer,
                owner=mso,
                state="in-progress",
                evidence="Under way",
                done_on=None,
            )
        for page in pages:
            with django_assert_max_num_queries(few[page]):
                assert client.get(page).status_code == 200
