"""The approved assurance reports of the organisations an ICB or a network covers, side by side:
the ICB's MSO sees its area's, a regional lead their region's, the national lead all; never a
draft; anyone else nothing. A primary care network's report is broken down by practice."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees import figures, services
from committees.pdf import store
from organisations.choices import Post, Region, Role
from organisations.models import Organisation
from tests.committees.conftest import at
from tests.factories import (
    OrganisationFactory,
    RelationshipFactory,
    member,
    network_lead,
    post_holder,
)
from tests.incidents.conftest import report as happened

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
TODAY = datetime.date(2026, 10, 20)
LONG_AGO = datetime.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=True):
        yield


def approved(committee, chair, start=START, end=END):
    draft = services.report_create(
        by=chair, committee=committee, period_start=start, period_end=end
    )
    for section in figures.REQUIRED:
        services.narrative_save(by=chair, report=draft, section=section, text="Assured.")
    return services.report_approve(by=chair, report=draft)


def committee_of(organisation, name="Medication Safety Committee"):
    chair = member(organisation, Role.COMMITTEE_CHAIR)
    committee = services.committee_create(
        by=chair, organisation=organisation, name=name, reports_to="Board"
    )
    return committee, chair


@pytest.fixture
def icb(trust):
    icb = OrganisationFactory(icb=True, name="NHS Demoshire ICB", region=Region.LONDON)
    RelationshipFactory(parent=icb, child=trust, start_on=LONG_AGO)
    return icb


@pytest.fixture
def icb_mso(icb):
    return post_holder(icb, Post.MSO, full_name="Iris Cole")


@pytest.fixture
def reports(icb, trust, other_trust, staff):
    """The trust (in the ICB, London) approved its report of the quarter, with 3 incidents, 1
    of moderate harm, and has the next quarter's in draft; a trust elsewhere (the North West)
    approved its own."""
    Organisation.objects.filter(pk=other_trust.pk).update(region=Region.NORTH_WEST)
    for day, harm in (("2026-07-02", "3"), ("2026-08-02", "5"), ("2026-09-02", "5")):
        happened(trust, staff, occurred_on=datetime.date.fromisoformat(day), physical_harm=harm)
    committee, chair = committee_of(trust)
    mine = approved(committee, chair)
    draft = services.report_create(
        by=chair,
        committee=committee,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 19),
    )
    elsewhere = approved(*committee_of(other_trust))
    return mine, draft, elsewhere


def compare(client, **query):
    return client.get(reverse("committees:compare"), query)


class TestSideBySide:
    def test_the_icb_sees_its_areas_approved_reports(self, assert_access, icb_mso, mso, reports):
        mine, draft, elsewhere = reports
        page = assert_access(reverse("committees:compare"), allowed=icb_mso, wrong_role=mso)
        text = page.content.decode()
        assert "Ashby General Hospitals NHS Trust" in text
        assert "Elsewhere Hospitals NHS Trust" not in text
        assert "1 October 2026 to 19 October 2026" not in text  # a draft's period
        assert list(page.context["rows"][0]["key"].items())[:4] == [
            ("incidents", 3),
            ("previous", 0),
            ("moderate_or_worse", 1),
            ("never_events", 0),
        ]
        assert "Assurance reports" in text  # in the navigation

    def test_leads_see_their_region_or_the_country(self, client_for, reports):
        mine, _, elsewhere = reports
        london = compare(client_for(network_lead(Region.LONDON)))
        assert [row["report"] for row in london.context["rows"]] == [mine]
        national = compare(client_for(network_lead()))
        assert {row["report"] for row in national.context["rows"]} == {mine, elsewhere}
        north_west = compare(client_for(network_lead()), region=Region.NORTH_WEST)
        assert [row["report"] for row in north_west.context["rows"]] == [elsewhere]

    def test_a_period_is_chosen(self, client_for, icb_mso, reports, trust):
        mine, *_ = reports
        earlier = approved(
            mine.committee,
            member(trust, Role.COMMITTEE_CHAIR),
            datetime.date(2026, 4, 1),
            datetime.date(2026, 6, 30),
        )
        client = client_for(icb_mso)
        assert [row["report"] for row in compare(client).context["rows"]] == [mine]
        chosen = compare(client, period="2026-04-01_2026-06-30")
        assert [row["report"] for row in chosen.context["rows"]] == [earlier]
        # A period of no report: the latest instead, with nothing lost.
        nonsense = compare(client, period="1999-01-01_1999-03-31")
        assert nonsense.status_code == 200
        assert [row["report"] for row in nonsense.context["rows"]] == [mine]

    def test_one_report_and_its_pdf(self, assert_access, client_for, icb_mso, mso, reports):
        mine, draft, elsewhere = reports
        client = client_for(icb_mso)
        page = assert_access(
            reverse("committees:compared_report", args=[mine.pk]), allowed=icb_mso, wrong_role=mso
        )
        assert "Approve the report" not in page.content.decode()
        assert "Write the narrative" not in page.content.decode()
        for other in (draft, elsewhere):
            for name in ("committees:compared_report", "committees:compared_pdf"):
                assert client.get(reverse(name, args=[other.pk])).status_code == 404
        assert store(mine.pk) or mine.pdf
        download = assert_access(
            reverse("committees:compared_pdf", args=[mine.pk]), allowed=icb_mso, wrong_role=mso
        )
        assert b"".join(download.streaming_content).startswith(b"%PDF")

    def test_no_one_else(self, client_for, reports, mso, director, trust, other_mso):
        mine = reports[0]
        for person in (mso, director, other_mso, member(trust, Role.COMMITTEE_CHAIR)):
            client = client_for(person)
            assert compare(client).status_code == 403
            page = client.get(reverse("committees:compared_report", args=[mine.pk]))
            assert page.status_code == 403
        assert "Assurance reports" not in client_for(mso).get("/").content.decode()

    def test_one_report_reads_its_kept_figures_in_few_queries(
        self, client_for, icb_mso, reports, django_assert_max_num_queries
    ):
        client = client_for(icb_mso)
        url = reverse("committees:compared_report", args=[reports[0].pk])
        client.get(url)
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200

    def test_queries_do_not_grow_with_the_reports(self, client_for, icb, icb_mso, reports):
        def counted():
            with CaptureQueriesContext(connection) as queries:
                assert compare(client_for(icb_mso)).status_code == 200
            return len(queries)

        counted()  # the first also keeps the header's unread count
        before = counted()
        for n in range(3):
            trust = OrganisationFactory(name=f"Another Trust {n}", region=Region.LONDON)
            RelationshipFactory(parent=icb, child=trust, start_on=LONG_AGO)
            approved(*committee_of(trust))
        assert counted() == before


class TestAPrimaryCareNetwork:
    def test_its_report_is_broken_down_by_practice(self, db):
        pcn = OrganisationFactory(pcn=True, name="Riverside PCN")
        practices = [
            OrganisationFactory(practice=True, name=name) for name in ("Weir Lane", "Riverside")
        ]
        for practice in practices:
            RelationshipFactory(parent=pcn, child=practice, start_on=LONG_AGO)
        elsewhere = OrganisationFactory(practice=True, name="Not in the network")
        weir, riverside = practices
        nurse = member(weir, Role.STAFF)
        for organisation, day, harm in (
            (weir, "2026-07-10", "3"),
            (weir, "2026-08-10", "5"),
            (weir, "2026-05-10", "5"),  # the period before
            (riverside, "2026-09-10", "2"),
            (pcn, "2026-09-11", "5"),
            (elsewhere, "2026-09-12", "5"),
        ):
            happened(
                organisation,
                nurse,
                occurred_on=datetime.date.fromisoformat(day),
                physical_harm=harm,
            )
        committee, _ = committee_of(pcn)
        found = figures.report_figures(committee, START, END)
        assert found["incidents"]["total"] == 4  # the network and its practices
        assert found["organisation"]["covers"] == ["Riverside", "Weir Lane"]
        assert [
            (row["name"], row["total"], row["previous"], row["moderate_or_worse"])
            for row in found["practices"]
        ] == [("Riverside", 1, 0, 1), ("Weir Lane", 2, 1, 1)]

    def test_a_trusts_report_has_no_practices(self, trust):
        committee, chair = committee_of(trust)
        context = figures.report_context(
            services.report_create(
                by=chair, committee=committee, period_start=START, period_end=END
            )
        )
        assert context["figures"]["practices"] == []
        assert "practices" not in [section["key"] for section in context["sections"]]
