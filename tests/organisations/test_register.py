"""The national MSO register: one row per open organisation a lead may see, with the state of
its posts; search, filters, sort and pages; exports of exactly the rows filtered, streamed and
safe to open in a spreadsheet."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from organisations import change_requests, register, services
from organisations.access import access_for
from organisations.choices import OrganisationKind, Post, Region, Role
from organisations.models import Appointment, ChangeRequest
from tests.factories import (
    OrganisationFactory,
    RelationshipFactory,
    member,
    network_lead,
    post_holder,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


@pytest.fixture
def world(db):
    """London: an ICB holding Ashby (MSO and board director, handover under way), Bourne
    (vacant, a new MSO asked for) and a PCN whose MSO covers its practice. North West: Carrow,
    with an MSO. A closed trust in London."""
    icb = OrganisationFactory(icb=True, name="North London ICB")
    ashby = OrganisationFactory(name="Ashby General", mso_mailbox="mso@ashby.example")
    mso = post_holder(ashby, Post.MSO, full_name="Amir Shah", start_on=datetime.date(2024, 4, 1))
    post_holder(ashby, Post.BOARD_DIRECTOR, full_name="Helen Carter")
    current = Appointment.objects.get(user=mso)
    current.end_on = datetime.date(2026, 12, 31)
    services.appointment_save(by=mso, appointment=current)
    bourne = OrganisationFactory(name="Bourne Community")
    director = post_holder(bourne, Post.BOARD_DIRECTOR, full_name="Ben Cole")
    Appointment.objects.create(
        organisation=bourne,
        post=Post.MSO,
        name="Former Officer",
        start_on=datetime.date(2020, 1, 1),
        end_on=datetime.date(2025, 1, 1),
    )
    change_requests.submit(
        by=director,
        request=ChangeRequest(
            organisation=bourne,
            kind=ChangeRequest.Kind.NEW_MSO,
            name="Grace Obi",
            email="grace@nhs.example",
            starts_on=datetime.date(2027, 1, 1),
        ),
    )
    pcn = OrganisationFactory(pcn=True, name="Riverside PCN")
    post_holder(pcn, Post.MSO, full_name='=HYPERLINK("http://evil")')
    practice = OrganisationFactory(practice=True, name="Riverside Surgery")
    for child in (ashby, bourne, pcn):
        RelationshipFactory(parent=icb, child=child)
    RelationshipFactory(parent=pcn, child=practice)
    carrow = OrganisationFactory(name="Carrow Hospitals", ods_code="RQ9X", region=Region.NORTH_WEST)
    post_holder(carrow, Post.MSO, full_name="Chris Dunn")
    OrganisationFactory(name="Closed Trust", closed_on=datetime.date(2025, 3, 31))
    return {
        "icb": icb,
        "ashby": ashby,
        "bourne": bourne,
        "pcn": pcn,
        "practice": practice,
        "carrow": carrow,
    }


def names(response):
    return [row.name for row, *_ in response.context["rows"]]


def listing(client, **query):
    response = client.get(reverse("register:list"), query)
    assert response.status_code == 200
    return response


class TestAccess:
    def test_leads_see_the_register_and_others_do_not(self, assert_access, lead, mso):
        assert_access(reverse("register:list"), allowed=lead, wrong_role=mso)
        for fmt in ("csv", "xlsx"):
            assert_access(reverse("register:export", args=[fmt]), allowed=lead, wrong_role=mso)

    def test_a_format_that_does_not_exist_is_not_found(self, client_for, lead):
        assert client_for(lead).get(reverse("register:export", args=["pdf"])).status_code == 404

    def test_a_regional_lead_sees_their_region_only(self, client_for, world):
        client = client_for(network_lead(Region.NORTH_WEST))
        assert names(listing(client)) == ["Carrow Hospitals"]
        export = client.get(reverse("register:export", args=["csv"]))
        assert [row[1] for row in read_csv(export)[1:]] == ["Carrow Hospitals"]

    def test_the_icbs_offered_are_those_the_lead_sees(self, client_for, world, lead):
        """The ICB choices are kept in the cache for whoever sees the same organisations."""

        def offered(client):
            return [name for _, name in listing(client).context["form"].fields["icb"].choices]

        assert offered(client_for(lead)) == ["Any ICB", "North London ICB"]
        assert offered(client_for(network_lead(Region.NORTH_WEST))) == ["Any ICB"]


class TestPages:
    def test_a_first_page_that_holds_them_all_needs_no_count(
        self, world, lead, django_assert_num_queries
    ):
        access_for(lead).grants  # noqa: B018 (the person's grants, read once a request)
        with django_assert_num_queries(1):
            page = register.Pages(lead, register.Filters(), 50).get_page(1)
        assert page.paginator.count == len(page.object_list) == 6
        assert page.paginator.num_pages == 1

    def test_a_full_first_page_is_counted_and_the_next_follows(self, world, lead):
        first = register.Pages(lead, register.Filters(), 2).get_page("1")
        assert (first.paginator.count, first.paginator.num_pages, first.has_next()) == (6, 3, True)
        last = register.Pages(lead, register.Filters(), 2).get_page(3)
        names = [row.name for row in first.object_list] + [row.name for row in last.object_list]
        assert len(last.object_list) == 2 and len(set(names)) == 4


class TestRows:
    def test_every_open_organisation_has_a_row_with_its_posts_and_state(
        self, client_for, lead, world
    ):
        response = listing(client_for(lead))
        rows = {row.name: (row, states) for row, states, _ in response.context["rows"]}
        assert set(rows) == {
            "Ashby General",
            "Bourne Community",
            "Carrow Hospitals",
            "North London ICB",
            "Riverside PCN",
            "Riverside Surgery",
        }  # the closed trust is not on the register
        ashby, states = rows["Ashby General"]
        assert (ashby.mso_name, ashby.board_name) == ("Amir Shah", "Helen Carter")
        assert ashby.mso_until == datetime.date(2026, 12, 31)
        assert states == [register.State.IN_POST, register.State.HANDOVER]
        assert rows["Bourne Community"][1] == [
            register.State.VACANT,
            register.State.CHANGE_PENDING,
        ]
        assert rows["Riverside Surgery"][1] == [register.State.COVERED]
        assert rows["North London ICB"][1] == [register.State.VACANT]
        assert "mso@ashby.example" in response.text
        assert "Handover in progress" in response.text

    def test_a_post_ended_yesterday_is_vacant_today(self, client_for, lead, world):
        with time_machine.travel("2027-01-01 10:00 +0000", tick=False):
            response = listing(client_for(lead), q="Ashby")
        [(row, states, _)] = response.context["rows"]
        assert row.mso_name is None and states == [register.State.VACANT]

    def test_the_page_costs_the_same_queries_however_many_rows(
        self, client_for, lead, world, django_assert_max_num_queries
    ):
        client = client_for(lead)
        listing(client)
        for _ in range(20):
            OrganisationFactory()
        with django_assert_max_num_queries(12):
            listing(client)


class TestFilters:
    @pytest.mark.parametrize("post", [Post.MSO, Post.BOARD_DIRECTOR])
    @pytest.mark.parametrize("state", list(register.State))
    def test_a_filtered_row_shows_the_states_it_shows_unfiltered(
        self, client_for, lead, world, post, state
    ):
        client = client_for(lead)
        every = {row.name: states for row, states, _ in listing(client, post=post).context["rows"]}
        chosen = listing(client, post=post, state=state).context["rows"]
        for row, states, _ in chosen:
            assert states == every[row.name]
            assert state in states

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"q": "amir"}, ["Ashby General"]),  # the MSO's name
            ({"q": "helen carter"}, ["Ashby General"]),  # the board director's
            ({"q": "bourne"}, ["Bourne Community"]),  # the organisation's name
            ({"state": "vacant"}, ["Bourne Community", "North London ICB"]),
            ({"state": "covered"}, ["Riverside Surgery"]),
            ({"state": "handover"}, ["Ashby General"]),
            ({"state": "change-pending"}, ["Bourne Community"]),
            ({"state": "in-post", "region": "north-west"}, ["Carrow Hospitals"]),
            ({"kind": OrganisationKind.GP_PRACTICE}, ["Riverside Surgery"]),
            (
                {"post": Post.BOARD_DIRECTOR, "state": "in-post"},
                ["Ashby General", "Bourne Community"],
            ),
            ({"post": Post.BOARD_DIRECTOR, "state": "change-pending"}, []),
            (
                {"sort": "mso", "kind": "nhs-trust"},
                ["Ashby General", "Carrow Hospitals", "Bourne Community"],
            ),
            ({"sort": "ods", "order": "desc", "kind": "gp-practice"}, ["Riverside Surgery"]),
            (
                {"state": "nonsense", "q": "carrow"},
                ["Carrow Hospitals"],
            ),  # the bad filter is left out
        ],
    )
    def test_search_filter_and_sort(self, client_for, lead, world, query, expected):
        response = listing(client_for(lead), **query)
        got = names(response)
        assert got == expected if query.get("sort") else sorted(got) == sorted(expected)

    def test_the_icb_filter_reaches_the_whole_area(self, client_for, lead, world):
        response = listing(client_for(lead), icb=world["icb"].pk)
        assert sorted(names(response)) == [
            "Ashby General",
            "Bourne Community",
            "Riverside PCN",
            "Riverside Surgery",
        ]

    def test_an_ods_code_finds_its_organisation(self, client_for, lead, world):
        response = listing(client_for(lead), q=world["carrow"].ods_code.lower())
        assert names(response) == ["Carrow Hospitals"]

    def test_sorting_by_mso_puts_the_vacant_last_either_way(self, client_for, lead, world):
        client = client_for(lead)
        down = names(listing(client, sort="mso", order="desc", kind="nhs-trust"))
        assert down == ["Carrow Hospitals", "Ashby General", "Bourne Community"]

    def test_pages(self, client_for, lead, world, monkeypatch):
        from organisations.views import register as view

        monkeypatch.setattr(view, "PAGE_SIZE", 4)
        client = client_for(lead)
        first, second = listing(client, state=""), listing(client, page=2)
        assert len(names(first)) == 4 and len(names(second)) == 2
        assert not set(names(first)) & set(names(second))


class TestPostsByRegion:
    """The chart of MSO posts by state in each region: each organisation once, in the state
    its row shows, from one query; its table holds the same figures."""

    STATES = register.MSO_POST_STATES

    def counts(self, **by_state):
        return {state: by_state.get(state.name.lower(), 0) for state in self.STATES}

    def test_each_organisation_is_counted_once_in_its_region_by_its_mso_post(self, lead, world):
        assert register.mso_posts_by_region(lead) == {
            # Riverside PCN in post; Ashby leaving; its practice covered; the ICB and Bourne
            # vacant.
            Region.LONDON: self.counts(in_post=1, handover=1, covered=1, vacant=2),
            Region.NORTH_WEST: self.counts(in_post=1),
        }

    def test_the_figures_are_the_states_the_rows_show(self, client_for, lead, world):
        rows = listing(client_for(lead)).context["rows"]
        expected = {}
        for row, states, _ in rows:
            state = register.State.HANDOVER if register.State.HANDOVER in states else states[0]
            expected.setdefault(row.region, dict.fromkeys(self.STATES, 0))[state] += 1
        assert register.mso_posts_by_region(lead) == expected

    def test_a_post_that_ended_yesterday_is_counted_vacant_today(self, lead, world):
        with time_machine.travel("2027-01-01 10:00 +0000", tick=False):
            london = register.mso_posts_by_region(lead)[Region.LONDON]
        assert london == self.counts(in_post=1, covered=1, vacant=3)

    def test_the_search_region_and_kind_narrow_it_and_the_post_and_state_do_not(self, lead, world):
        chosen = register.Filters(kind=OrganisationKind.NHS_TRUST, state="vacant", post="board")
        assert register.mso_posts_by_region(lead, chosen) == {
            Region.LONDON: self.counts(handover=1, vacant=1),
            Region.NORTH_WEST: self.counts(in_post=1),
        }
        north_west = register.Filters(region=Region.NORTH_WEST)
        assert list(register.mso_posts_by_region(lead, north_west)) == [Region.NORTH_WEST]

    def test_a_regional_lead_sees_their_region_only(self, world):
        assert register.mso_posts_by_region(network_lead(Region.NORTH_WEST)) == {
            Region.NORTH_WEST: self.counts(in_post=1)
        }

    def test_it_is_one_query_however_many_organisations(
        self, lead, world, django_assert_num_queries
    ):
        access_for(lead).grants  # noqa: B018 (the person's grants, read once a request)
        for _ in range(5):
            OrganisationFactory(region=Region.SOUTH_WEST)
        with django_assert_num_queries(1):
            found = register.mso_posts_by_region(lead)
        assert found[Region.SOUTH_WEST] == self.counts(vacant=5)

    def test_the_page_draws_the_chart_and_its_table_with_the_same_figures(
        self, client_for, lead, world
    ):
        page = listing(client_for(lead)).text
        figure = page[page.index('<figure class="mso-figure mso-figure--bars">') :]
        chart, table = figure.split("</svg>", 1)
        assert '<title id="mso-posts-title">MSO posts in each region, by state</title>' in chart
        assert " ".join(re.findall(r'fill="#4c6272">([^<]*)</text>', chart)) == (
            # North West, then London: the regions in their usual order.
            "1 organisation: in post 1, handover in progress 0, covered 0, vacant 0, "
            "no MSO cover 0 "
            "5 organisations: in post 1, handover in progress 1, covered 1, vacant 2, "
            "no MSO cover 0"
        )
        table = table[: table.index("</table>")]
        rows = [
            [re.sub(r"<[^>]+>", " ", cell).split()[-1] for cell in re.findall(CELL, row)]
            for row in re.findall(
                r'<tr class="nhsuk-table__row" role="row">(.*?)</tr>', table, re.S
            )
        ]
        assert rows[1:] == [
            ["West", "1", "0", "0", "0", "0", "1"],  # North West
            ["London", "1", "1", "1", "2", "0", "5"],
            ["regions", "2", "1", "1", "2", "0", "6"],  # All regions
        ]


CELL = re.compile(r'<t[hd] class="nhsuk-table__(?:header|cell)[^"]*"[^>]*>(.*?)</t[hd]>', re.S)


def read_csv(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


class TestExports:
    def test_the_csv_holds_exactly_the_filtered_rows(self, client_for, lead, world):
        response = client_for(lead).get(
            reverse("register:export", args=["csv"]), {"state": "vacant", "page": "1"}
        )
        assert response.streaming
        assert response["Content-Disposition"] == (
            'attachment; filename="mso-register-2026-11-23.csv"'
        )
        header, *rows = read_csv(response)
        assert header == list(register.COLUMNS + register.PROFESSIONAL_COLUMNS)
        assert sorted(row[1] for row in rows) == ["Bourne Community", "North London ICB"]
        bourne = next(row for row in rows if row[1] == "Bourne Community")
        assert bourne[4] == "North London ICB"  # its ICB
        assert bourne[len(register.COLUMNS) - 1] == "Vacant; Change pending"

    def test_a_cell_that_would_be_a_formula_is_text(self, client_for, lead, world):
        response = client_for(lead).get(reverse("register:export", args=["csv"]), {"q": "PCN"})
        [row] = read_csv(response)[1:]
        assert row[5] == '\'=HYPERLINK("http://evil")'

    @pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
    def test_each_formula_start_is_neutralised(self, value):
        assert register.neutralise(value) == f"'{value}"
        assert register.neutralise("Amir Shah") == "Amir Shah"

    def test_the_xlsx_holds_the_same_rows_as_text(self, client_for, lead, world):
        response = client_for(lead).get(reverse("register:export", args=["xlsx"]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = list(sheet.values)
        assert values[0] == register.COLUMNS + register.PROFESSIONAL_COLUMNS
        assert len(values) == 1 + 6
        pcn = next(row for row in values if row[1] == "Riverside PCN")
        assert pcn[5] == '\'=HYPERLINK("http://evil")'
        ashby = next(row for row in values if row[1] == "Ashby General")
        assert ashby[7].date() == datetime.date(2024, 4, 1)  # a date, not text

    def test_exports_are_read_in_chunks(self, lead, world, monkeypatch):
        """The rows are read with a server-side cursor in chunks, never all at once."""
        from django.db.models.query import QuerySet

        seen = {}
        real = QuerySet.iterator

        def spy(self, chunk_size=None):
            seen["chunk_size"] = chunk_size
            return real(self, chunk_size=chunk_size)

        monkeypatch.setattr(QuerySet, "iterator", spy)
        rows = list(register.export_rows(register.rows(lead)))
        assert len(rows) == 6 and seen["chunk_size"] == 2000


class TestProfessionalDetails:
    """The MSOs' professions, registration numbers and training: on the register and in its
    exports for network leads; a site administrator, who sees the register, sees none."""

    @pytest.fixture
    def recorded(self, world):
        from accounts import services as accounts

        amir = Appointment.objects.get(organisation=world["ashby"], post=Post.MSO).user
        accounts.registration_save(
            by=amir, profession="pharmacist", number="2071234", pharmacy_team="inside"
        )
        accounts.training_add(
            by=amir,
            title="Patient safety syllabus level 1",
            provider="",
            completed_on=datetime.date(2025, 6, 1),
        )
        accounts.training_add(
            by=amir,
            title="National MSO induction",
            provider="NHS England",
            completed_on=datetime.date(2026, 3, 2),
        )
        return amir

    def test_a_lead_sees_them_against_the_mso(self, client_for, lead, recorded):
        response = listing(client_for(lead), q="Ashby")
        [(_row, _states, professional)] = response.context["rows"]
        assert professional == [
            "Pharmacist, GPhC 2071234",
            "Inside the pharmacy team",
            "Latest training: National MSO induction (2 Mar 2026)",
        ]
        assert "GPhC 2071234" in response.text
        [_header, *rows] = read_csv(client_for(lead).get(reverse("register:export", args=["csv"])))
        ashby = next(row for row in rows if row[1] == "Ashby General")
        assert ashby[len(register.COLUMNS) :] == [
            "Pharmacist",
            "General Pharmaceutical Council (GPhC)",
            "2071234",
            "Inside the pharmacy team",
            "National MSO induction",
            "2026-03-02",
        ]
        carrow = next(row for row in rows if row[1] == "Carrow Hospitals")
        assert carrow[len(register.COLUMNS) :] == ["", "", "", "", "", ""]  # none recorded

    def test_a_site_administrator_sees_the_register_without_them(
        self, client_for, site_admin, recorded
    ):
        client = client_for(site_admin)
        response = listing(client, q="Ashby")
        assert [professional for *_, professional in response.context["rows"]] == [[]]
        assert "2071234" not in response.text
        export = client.get(reverse("register:export", args=["csv"]))
        header, *rows = read_csv(export)
        assert header == list(register.COLUMNS)
        assert not any("2071234" in cell for row in rows for cell in row)

    def test_the_page_costs_no_more_queries_with_them(
        self, client_for, lead, recorded, django_assert_max_num_queries
    ):
        client = client_for(lead)
        listing(client)
        with django_assert_max_num_queries(12):
            listing(client)


def test_a_member_without_register_permission_is_refused(client_for, trust):
    client = client_for(member(trust, Role.SAFETY_TEAM))
    assert client.get(reverse("register:list")).status_code == 403
