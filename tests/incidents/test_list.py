"""The incident list: filters, search, keyset pages, and a number of queries that does not grow
with the rows."""

import datetime

import pytest
from django.urls import reverse

from incidents import queries, services
from incidents.models import Incident
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def references(response):
    return [incident.reference for incident in response.context["page"].rows]


@pytest.fixture
def several(dmd, trust, staff, mso):
    day = datetime.date(2026, 10, 1)
    made = [
        report(
            trust, staff, occurred_on=day, medicines=("Warfarin 3mg tablets",), physical_harm="5"
        ),
        report(
            trust,
            staff,
            occurred_on=day + datetime.timedelta(1),
            medicines=("Oxycodone 5mg capsules",),
            physical_harm="3",
            what_happened="Oxycodone given instead of oxybutynin: look-alike names.",
            processes=["2"],
        ),
        report(trust, staff, occurred_on=day + datetime.timedelta(2), medicines=("Paracetamol",)),
        report(trust, staff, occurred_on=day + datetime.timedelta(3), anonymous=True),
    ]
    services.review_start(by=mso, incident=made[2])
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [3, 2, 1, 0]),
        ({"sort": "oldest"}, [0, 1, 2, 3]),
        ({"harm": "3"}, [1]),
        ({"status": "in-review"}, [2]),
        ({"medicine": "warf"}, [0]),
        ({"flags": "high-risk"}, [3, 1, 0]),
        ({"flags": "controlled-drug"}, [1]),
        ({"stage": "2"}, [1]),
        ({"reporter": "anonymous"}, [3]),
        ({"reporter": "Rosa"}, [2, 1, 0]),
        ({"q": "look-alike"}, [1]),
        (
            {
                "occurred_from_day": "2",
                "occurred_from_month": "10",
                "occurred_from_year": "2026",
                "occurred_to_day": "3",
                "occurred_to_month": "10",
                "occurred_to_year": "2026",
            },
            [2, 1],
        ),
        ({"sort": "harm"}, [1, 3, 2, 0]),
        ({"occurred_from_day": "99", "status": "nonsense"}, [3, 2, 1, 0]),
    ],
)
def test_the_filters(client_for, mso, several, query, expected):
    response = client_for(mso).get(reverse("incidents:list"), query)
    assert response.status_code == 200
    assert references(response) == [several[i].reference for i in expected]


def test_the_list_holds_only_what_the_person_may_see(client_for, mso, several, other_incident):
    response = client_for(mso).get(reverse("incidents:list"))
    assert other_incident.reference not in references(response)


def test_keyset_pages_walk_forwards_and_back(trust, staff, mso, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    made = [
        report(trust, staff, occurred_on=datetime.date(2026, 1, 1) + datetime.timedelta(i // 2))
        for i in range(5)
    ]
    newest_first = sorted(made, key=lambda i: (i.occurred_on, i.tiebreak), reverse=True)
    seen = []
    page = queries.page_of(Incident.objects.all(), "newest")
    pages = [page]
    while page.older:
        page = queries.page_of(Incident.objects.all(), "newest", after=page.older)
        pages.append(page)
    for page in pages:
        seen += page.rows
    assert seen == newest_first
    back = queries.page_of(Incident.objects.all(), "newest", before=pages[-1].newer)
    assert back.rows == pages[-2].rows
    assert not queries.page_of(Incident.objects.all(), "newest").newer


def test_the_location_and_theme_filters(client_for, mso, trust, staff):
    on_a_ward = report(trust, staff, location="4")
    at_home = report(trust, staff, location="1")
    services.review_start(by=mso, incident=on_a_ward)
    services.learning_record(
        by=mso, incident=on_a_ward, response="0", summary="", themes=["Insulin", "Handover"]
    )
    client = client_for(mso)
    assert references(client.get(reverse("incidents:list"), {"location": "1"})) == [
        at_home.reference
    ]
    themed = client.get(reverse("incidents:list"), {"theme": "handover"})
    assert references(themed) == [on_a_ward.reference]
    assert references(client.get(reverse("incidents:list"), {"theme": "Nothing"})) == []


def test_my_reports_costs_the_same_queries_for_more_reports(
    client_for, trust, staff, django_assert_max_num_queries
):
    client = client_for(staff)
    report(trust, staff)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("incidents:mine"))
    for _ in range(15):
        report(trust, staff, medicines=("Insulin", "Heparin"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("incidents:mine"))


def test_the_statistics_cost_the_same_queries_for_more_incidents(
    client_for, lead, trust, staff, other_trust, other_mso, django_assert_max_num_queries
):
    client = client_for(lead)
    report(trust, staff)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("incidents:statistics"))
    for _ in range(10):
        report(trust, staff)
        report(other_trust, other_mso)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("incidents:statistics"))


def test_a_broken_cursor_gives_the_first_page(client_for, mso, several):
    response = client_for(mso).get(reverse("incidents:list"), {"after": "not-a-cursor!"})
    assert references(response)[0] == several[3].reference


def test_the_list_costs_the_same_queries_for_more_rows(
    client_for, mso, trust, staff, django_assert_max_num_queries
):
    client = client_for(mso)
    report(trust, staff)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("incidents:list"))
    for _ in range(20):
        report(trust, staff, medicines=("Insulin", "Heparin"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("incidents:list"))


def test_the_detail_costs_the_same_queries_for_more_rows(
    client_for, mso, incident, django_assert_max_num_queries
):
    client = client_for(mso)

    def add(n):
        services.comment_add(by=mso, incident=incident, body=f"Comment {n}")
        services.action_add(
            by=mso,
            incident=incident,
            description=f"Action {n}",
            owner=mso,
            due_on=datetime.date(2030, 1, 1),
        )

    add(0)
    with django_assert_max_num_queries(30) as few:
        client.get(incident.get_absolute_url())
    for n in range(1, 6):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(incident.get_absolute_url())


def _csv(response):
    import csv
    import io

    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_export_holds_exactly_the_filtered_rows(assert_access, mso, staff, several):
    response = assert_access(
        reverse("incidents:export", args=["csv"]) + "?flags=high-risk&sort=oldest",
        allowed=mso,
        wrong_role=staff,
    )
    header, *rows = _csv(response)
    assert header == list(queries.EXPORT_COLUMNS)
    assert [row[0] for row in rows] == [several[i].reference for i in (0, 1, 3)]
    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')


def test_the_export_is_formula_safe(client_for, mso, trust, staff):
    report(trust, staff, what_happened='=HYPERLINK("http://evil.example")', service_area="@SUM(A1)")
    header, row = _csv(client_for(mso).get(reverse("incidents:export", args=["csv"])))
    assert row[header.index("What happened")].startswith("'=HYPERLINK")
    assert row[header.index("Ward, department or service")] == "'@SUM(A1)"


def test_the_xlsx_export(assert_access, mso, staff, several):
    import io

    from openpyxl import load_workbook

    response = assert_access(
        reverse("incidents:export", args=["xlsx"]) + "?harm=3", allowed=mso, wrong_role=staff
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and [r[0] for r in rows[1:]] == [several[1].reference]


def test_an_unknown_format_is_not_found(client_for, mso):
    assert client_for(mso).get(reverse("incidents:export", args=["pdf"])).status_code == 404


class TestAnAnonymousReportIsNotPlacedByWhenItWasSent:
    """Found by a security probe: lists broke ties by database id, so an anonymous report sat
    between the named ones sent before and after it, whose notifications carry times. Lists
    order by the fields they show, then a random key; an anonymous report's rows take random
    ids below zero, out of the sequence."""

    DAY = datetime.date(2026, 11, 20)
    # Each report's random key, set by role: a list by id would put the anonymous one between
    # the named ones whenever it was sent between them.
    KEYS = {"first named": 1, "second named": 2, "anonymous": 3}

    def _send(self, trust, staff, when):
        """The two named reports in turn, and the anonymous one before, between or after
        them, all the same day: each by its role, its random key set as KEYS says."""
        order = ["first named", "second named"]
        order.insert({"first": 0, "between": 1, "last": 2}[when], "anonymous")
        sent = {
            role: report(
                trust,
                staff,
                occurred_on=self.DAY,
                medicines=("Paracetamol 500 mg tablets",),
                anonymous=role == "anonymous",
            )
            for role in order
        }
        for role, incident in sent.items():
            Incident.objects.filter(pk=incident.pk).update(tiebreak=self.KEYS[role])
            incident.refresh_from_db()
        return sent

    @staticmethod
    def _roles(sent, rows):
        return [next(r for r, i in sent.items() if i.pk == row.pk) for row in rows]

    @pytest.mark.parametrize("when", ["first", "between", "last"])
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("newest", ["anonymous", "second named", "first named"]),
            ("oldest", ["first named", "second named", "anonymous"]),
            ("harm", ["anonymous", "second named", "first named"]),
            # An anonymous report keeps the day only: after the day's named reports.
            ("reported", ["second named", "first named", "anonymous"]),
        ],
    )
    def test_no_order_depends_on_when_it_was_sent(self, trust, staff, when, sort, expected):
        sent = self._send(trust, staff, when)
        assert self._roles(sent, queries.page_of(Incident.objects.all(), sort).rows) == expected

    @pytest.mark.parametrize("when", ["first", "between", "last"])
    def test_the_list_its_export_and_the_other_lists_follow_the_keys(
        self, client_for, trust, staff, mso, when
    ):
        sent = self._send(trust, staff, when)
        mso_client = client_for(mso)
        listed = mso_client.get(reverse("incidents:list")).context["page"].rows
        assert self._roles(sent, listed) == ["anonymous", "second named", "first named"]
        exported = _csv(mso_client.get(reverse("incidents:export", args=["csv"]) + "?sort=oldest"))
        by_reference = {incident.reference: role for role, incident in sent.items()}
        assert [by_reference[row[0]] for row in exported[1:]] == [
            "first named",
            "second named",
            "anonymous",
        ]
        alike = services.possible_duplicates(sent["second named"])
        assert self._roles(sent, alike) == ["first named", "anonymous"]
        assert self._roles(sent, Incident.objects.all()) == [
            "anonymous",
            "second named",
            "first named",
        ]

    def test_its_rows_take_no_id_in_the_sequence(self, trust, staff):
        sent = self._send(trust, staff, "between")
        first, anonymous, second = (sent[r] for r in ("first named", "anonymous", "second named"))
        # The named reports' rows run on without a gap that would bracket the anonymous one.
        assert anonymous.pk < 0 < first.pk and second.pk == first.pk + 1
        for rows in ("medicines", "events"):
            named = [getattr(i, rows).get().pk for i in (first, second)]
            assert named[1] == named[0] + 1
            assert getattr(anonymous, rows).get().pk < 0

    def test_every_list_orders_by_the_fields_it_shows_then_the_random_key(self):
        for sort, keys in queries.SORTS.items():
            names = [name for name, _desc in keys]
            assert names[-1] == "tiebreak" and "id" not in names and "pk" not in names, sort
        assert Incident._meta.ordering == ["-occurred_on", "-tiebreak"]
        indexes = {index.name: index.fields for index in Incident._meta.indexes}
        assert indexes["incident_list"] == ["organisation", "-occurred_on", "-tiebreak"]
        assert indexes["incident_newest"] == ["-occurred_on", "-tiebreak"]

    def test_a_new_incident_is_given_a_random_key(self, trust, staff):
        keys = {report(trust, staff, occurred_on=self.DAY).tiebreak for _ in range(3)}
        assert len(keys) == 3 and all(0 <= key < 2**63 for key in keys)


@pytest.mark.parametrize("sort", list(queries.SORTS))
def test_keyset_pages_return_every_incident_once_in_each_order(trust, staff, monkeypatch, sort):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    made = [
        report(
            trust,
            staff,
            occurred_on=datetime.date(2026, 1, 1) + datetime.timedelta(i // 3),
            physical_harm="45"[i % 2],
            anonymous=i % 3 == 1,
        )
        for i in range(8)
    ]
    expected = list(made)
    for name, desc in reversed(queries.SORTS[sort]):
        expected.sort(key=lambda incident, n=name: getattr(incident, n), reverse=desc)
    pages = [queries.page_of(Incident.objects.all(), sort)]
    while pages[-1].older:
        pages.append(queries.page_of(Incident.objects.all(), sort, after=pages[-1].older))
    assert [row.pk for page in pages for row in page.rows] == [i.pk for i in expected]
    back = [pages[-1]]
    while back[-1].newer:
        back.append(queries.page_of(Incident.objects.all(), sort, before=back[-1].newer))
    assert [row.pk for page in reversed(back) for row in page.rows] == [i.pk for i in expected]


def test_the_migration_gives_each_incident_recorded_before_it_a_random_key(trust, staff):
    """AddField gives every existing row one value; the migration then gives each its own (by
    SQL on PostgreSQL and SQLite, for two million rows)."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module(
        "incidents.migrations.0012_random_order_and_unordered_anonymous_rows"
    )
    made = [report(trust, staff, anonymous=n == 1) for n in range(4)]
    Incident.objects.update(tiebreak=7)
    # What the migration reads of its schema editor (SQLite opens none inside a test's
    # transaction).
    with connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.fill(apps, editor)
    keys = set(
        Incident.objects.filter(pk__in=[i.pk for i in made]).values_list("tiebreak", flat=True)
    )
    assert len(keys) == 4 and all(0 <= key < 2**63 for key in keys)


def count_line(response) -> str:
    import re

    found = re.search(r'<p class="nhsuk-heading-s mso-result-count">([^<]*)</p>', response.text)
    return found.group(1)


def test_the_list_says_how_many_incidents_it_holds_before_them(client_for, mso, several):
    client = client_for(mso)
    everything = client.get(reverse("incidents:list"))
    assert count_line(everything) == "4 incidents"
    assert everything.text.index("4 incidents") < everything.text.index(several[3].reference)
    assert count_line(client.get(reverse("incidents:list"), {"harm": "3"})) == "1 incident matches"
    assert count_line(client.get(reverse("incidents:list"), {"sort": "oldest"})) == "4 incidents"


def test_the_count_is_of_every_page_and_stops_at_its_cap(client_for, mso, several, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 3)
    client = client_for(mso)
    first = client.get(reverse("incidents:list"))
    assert count_line(first) == "4 incidents"
    older = first.context["page"].older
    assert count_line(client.get(reverse("incidents:list"), {"after": older})) == "4 incidents"
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    assert count_line(client.get(reverse("incidents:list"))) == "More than 2 incidents"


def test_a_first_page_that_holds_them_all_is_not_counted_again(
    mso, several, django_assert_num_queries
):
    incidents = Incident.objects.visible_to(mso)
    page = queries.page_of(incidents, "newest")
    with django_assert_num_queries(0):
        assert queries.counted(incidents, page, first=True) == (4, False)
    with django_assert_num_queries(1):
        assert queries.counted(incidents, page, first=False) == (4, False)


def test_each_row_says_in_short_what_happened(client_for, mso, trust, staff):
    report(trust, staff, what_happened="Oxycodone given instead of oxybutynin. " * 10)
    page = client_for(mso).get(reverse("incidents:list")).text
    summary = page.split('class="mso-incident-summary nhsuk-body-s">')[1].split("</span>")[0]
    assert summary.startswith("Oxycodone given instead of oxybutynin.")
    assert len(summary) <= 140 and summary.endswith("…")
