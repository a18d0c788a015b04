"""Controlled drugs as The Controlled Drugs (Supervision of Management and Use) Regulations
2013 have them overseen: NHS England's regional CDAO reads the region's occurrences, never the
reporter, and downloads each body's quarterly occurrence report; each designated body's CDAO
keeps its concerns about individuals, which nobody else reads."""

import csv
import datetime
import io

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from controlled_drugs.models import Concern
from controlled_drugs.occurrences import Quarter, recent_quarters
from organisations.choices import Post, Region, Role
from tests.factories import OrganisationFactory, member, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

IN_QUARTER = datetime.date(2026, 10, 5)


@pytest.fixture
def region_cdao(db):
    london = OrganisationFactory(
        kind="nhs-england-region", ods_code="Y56", name="NHS England London", region=Region.LONDON
    )
    return post_holder(london, Post.CDAO, full_name="Rene Gional")


@pytest.fixture
def occurrences(trust, staff):
    """A controlled-drug incident and one that is not, at a London trust; a controlled-drug
    incident at a Midlands trust; and one at the London trust in the quarter before."""
    midlands = OrganisationFactory(region=Region.MIDLANDS)
    return {
        "cd": report(trust, staff, occurred_on=IN_QUARTER, medicines=("Oxycodone 5 mg",)),
        "not cd": report(trust, staff, occurred_on=IN_QUARTER, medicines=("Paracetamol",)),
        "elsewhere": report(
            midlands, member(midlands), occurred_on=IN_QUARTER, medicines=("Morphine",)
        ),
        "before": report(
            trust, staff, occurred_on=datetime.date(2026, 9, 30), medicines=("Diazepam",)
        ),
    }


def occurrence_url(incident):
    return reverse("controlled_drugs:occurrence", args=[incident.reference])


class TestTheRegionalCdao:
    def test_reads_the_regions_occurrences_and_never_the_reporter(
        self, assert_access, client_for, region_cdao, occurrences, staff, mso
    ):
        client = client_for(region_cdao)
        url = reverse("controlled_drugs:occurrences") + "?quarter=2026-10"
        page = assert_access(url, allowed=region_cdao, wrong_role=mso).text
        assert occurrences["cd"].reference in page
        for other in ("not cd", "elsewhere", "before"):
            assert occurrences[other].reference not in page
        midlands_cdao = post_holder(
            OrganisationFactory(kind="nhs-england-region", ods_code="Y60", region="midlands"),
            Post.CDAO,
        )
        detail = assert_access(
            occurrence_url(occurrences["cd"]), allowed=region_cdao, other_organisation=midlands_cdao
        )
        assert "Oxycodone 5 mg" in detail.text
        assert staff.full_name not in detail.text and staff.email not in detail.text
        for other in ("not cd", "elsewhere"):
            assert client.get(occurrence_url(occurrences[other])).status_code == 404
        # The incident itself, reporter and review, is the body's own.
        assert client.get(occurrences["cd"].get_absolute_url()).status_code == 404

    def test_downloads_each_bodys_quarterly_report_with_a_nil_return(
        self, assert_access, client_for, region_cdao, occurrences, trust, staff
    ):
        client = client_for(region_cdao)
        url = reverse("controlled_drugs:occurrence_report", args=[trust.ods_code, "2026-10"])
        other_cdao = post_holder(OrganisationFactory(region=Region.MIDLANDS), Post.CDAO)
        response = assert_access(url, allowed=region_cdao, other_organisation=other_cdao)
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [row[3] for row in rows[1:]] == [occurrences["cd"].reference]
        assert rows[1][6] == "Oxycodone 5 mg (Schedule 2)"
        assert staff.full_name not in str(rows)
        quiet = OrganisationFactory(region=Region.LONDON)
        url = reverse("controlled_drugs:occurrence_report", args=[quiet.ods_code, "2026-10"])
        nil = b"".join(client.get(url).streaming_content).decode()
        assert "Nil return: no occurrences" in nil
        midlands = occurrences["elsewhere"].organisation
        url = reverse("controlled_drugs:occurrence_report", args=[midlands.ods_code, "2026-10"])
        assert client.get(url).status_code == 404
        url = reverse("controlled_drugs:occurrence_report", args=[trust.ods_code, "2026-11"])
        assert client.get(url).status_code == 404  # not the first month of a quarter


def test_a_bodys_cdao_reads_its_own_occurrences_and_no_others(
    client_for, trust, occurrences, other_trust
):
    cdao = post_holder(trust, Post.CDAO)
    client = client_for(cdao)
    assert client.get(occurrence_url(occurrences["cd"])).status_code == 200
    assert client.get(occurrence_url(occurrences["elsewhere"])).status_code == 404
    url = reverse("controlled_drugs:occurrence_report", args=[other_trust.ods_code, "2026-10"])
    assert client.get(url).status_code == 404


def test_nobody_else_has_the_pages(client_for, mso, staff, occurrences):
    for user in (mso, staff):
        client = client_for(user)
        assert client.get(reverse("controlled_drugs:occurrences")).status_code == 403
        assert client.get(occurrence_url(occurrences["cd"])).status_code == 404


CONCERN = {
    "received_on_day": "2",
    "received_on_month": "11",
    "received_on_year": "2026",
    "source": "audit",
    "about": "Alex Brown, staff nurse",
    "works_at": "Ward 7",
    "concern": "Three doses of oral morphine signed as given with nothing on the charts.",
    "medicines": "Morphine sulfate 10mg/5ml oral solution",
}


class TestConcernsAboutIndividuals:
    def test_only_the_bodys_cdao_records_and_reads_them(
        self, assert_access, client_for, trust, other_trust, mso, region_cdao
    ):
        cdao = post_holder(trust, Post.CDAO)
        other_cdao = post_holder(other_trust, Post.CDAO)
        url = reverse("controlled_drugs:concerns", args=[trust.ods_code])
        assert_access(url, allowed=cdao, other_organisation=other_cdao)
        assert_access(
            url, method="post", data=CONCERN, allowed=cdao, other_organisation=other_cdao, ok=302
        )
        concern = Concern.objects.get()
        assert concern.recorded_by == cdao
        assert concern.about == "Alex Brown, staff nurse"
        assert LogEntry.objects.get_for_object(concern).exists()
        detail = reverse("controlled_drugs:concern", args=[trust.ods_code, concern.pk])
        assert "Alex Brown" in client_for(cdao).get(url).text
        assert_access(detail, allowed=cdao, other_organisation=other_cdao)
        assert_access(
            detail,
            method="post",
            data={"state": "open", "action_taken": "Statement taken"},
            allowed=cdao,
            other_organisation=other_cdao,
            ok=302,
        )
        others = (mso, other_cdao, region_cdao)
        for user in others:
            assert client_for(user).get(url).status_code == 404
            assert client_for(user).get(detail).status_code == 404
            assert client_for(user).post(url, CONCERN).status_code == 404
        assert Concern.objects.count() == 1

    def test_a_concern_is_not_closed_without_what_was_done(self, client_for, trust):
        cdao = post_holder(trust, Post.CDAO)
        client = client_for(cdao)
        client.post(reverse("controlled_drugs:concerns", args=[trust.ods_code]), CONCERN)
        concern = Concern.objects.get()
        url = reverse("controlled_drugs:concern", args=[trust.ods_code, concern.pk])
        refused = client.post(url, {"state": "closed", "action_taken": " "})
        assert "Enter what was done before closing the concern" in refused.text
        client.post(url, {"state": "closed", "action_taken": "Referred to occupational health"})
        concern.refresh_from_db()
        assert concern.state == "closed" and concern.closed_on is not None

    def test_a_patients_nhs_number_is_refused_and_nothing_kept(self, client_for, trust):
        cdao = post_holder(trust, Post.CDAO)
        url = reverse("controlled_drugs:concerns", args=[trust.ods_code])
        response = client_for(cdao).post(
            url, CONCERN | {"concern": "Patient 943 476 5919 missed a dose."}
        )
        assert response.status_code == 200 and not Concern.objects.exists()
        assert "NHS number" in response.text

    def test_a_second_press_records_it_once(self, client_for, trust):
        cdao = post_holder(trust, Post.CDAO)
        url = reverse("controlled_drugs:concerns", args=[trust.ods_code])
        for _ in range(2):
            assert client_for(cdao).post(url, CONCERN).status_code == 302
        assert Concern.objects.count() == 1

    @pytest.mark.parametrize(
        "other",
        [
            {"source": "police"},
            {"received_on_day": "3"},
            {"works_at": "Ward 8"},
            {"medicines": "Oxycodone 5mg capsules"},
        ],
    )
    def test_the_same_words_differing_in_anything_the_form_gives_are_a_second_concern(
        self, client_for, trust, other
    ):
        cdao = post_holder(trust, Post.CDAO)
        url = reverse("controlled_drugs:concerns", args=[trust.ods_code])
        client_for(cdao).post(url, CONCERN)
        assert client_for(cdao).post(url, CONCERN | other).status_code == 302
        assert Concern.objects.count() == 2

    def test_the_register_of_posts_lets_an_nhs_england_team_name_a_cdao(self):
        from organisations.choices import POST_KINDS

        assert "nhs-england-region" in POST_KINDS[Post.CDAO]
        assert "gp-practice" not in POST_KINDS[Post.CDAO]


@pytest.mark.parametrize(
    ("day", "label", "end"),
    [
        (datetime.date(2026, 1, 1), "January to March 2026", datetime.date(2026, 3, 31)),
        (datetime.date(2026, 6, 30), "April to June 2026", datetime.date(2026, 6, 30)),
        (datetime.date(2026, 12, 31), "October to December 2026", datetime.date(2026, 12, 31)),
    ],
)
def test_quarters(day, label, end):
    quarter = Quarter.containing(day)
    assert (quarter.label, quarter.end) == (label, end)
    assert Quarter.from_key(quarter.key) == quarter


def test_a_quarter_key_that_is_not_one_is_none():
    for key in ("2026-02", "2026", "x-y", "", "2026-13", "99999-01"):
        assert Quarter.from_key(key) is None


def test_recent_quarters_go_back_across_years():
    quarters = recent_quarters(datetime.date(2026, 2, 1), count=3)
    assert [q.key for q in quarters] == ["2026-01", "2025-10", "2025-07"]


def test_the_menu_shows_controlled_drugs_to_a_cdao(client_for, trust, staff):
    cdao = post_holder(trust, Post.CDAO)
    assert "Controlled drugs" in client_for(cdao).get("/").text
    assert ">Controlled drugs<" not in client_for(staff).get("/").text
    assert Role.STAFF  # the CDAO is a staff member too


RAISED = {
    "about": "A healthcare assistant on nights",
    "works_at": "",
    "concern": "Seen taking a box of diazepam from the returns bag home.",
    "medicines": "Diazepam",
}


class TestRaisingAConcern:
    def test_a_member_raises_one_with_their_bodys_cdao_and_cannot_read_it_again(
        self, assert_access, client_for, trust, staff, other_mso
    ):
        from notifications.models import Notification

        cdao = post_holder(trust, Post.CDAO)
        url = reverse("controlled_drugs:concern_raise", args=[trust.ods_code])
        page = assert_access(url, allowed=staff, other_organisation=other_mso)
        assert f"controlled drugs accountable officer of {trust.name}" in page.text
        assert_access(
            url, method="post", data=RAISED, allowed=staff, other_organisation=other_mso, ok=302
        )
        concern = Concern.objects.get()
        assert (concern.organisation, concern.source, concern.recorded_by) == (
            trust,
            "staff",
            staff,
        )
        assert concern.works_at == trust.name
        notice = Notification.objects.get(kind="cd-concern-raised")
        assert notice.recipient == cdao and "diazepam" not in notice.body.lower()
        client = client_for(staff)
        assert (
            client.get(reverse("controlled_drugs:concerns", args=[trust.ods_code])).status_code
            == 404
        )
        detail = reverse("controlled_drugs:concern", args=[trust.ods_code, concern.pk])
        assert client.get(detail).status_code == 404

    def test_a_second_press_raises_it_once_and_the_cdao_is_told_once(
        self, client_for, trust, staff
    ):
        from notifications.models import Notification

        post_holder(trust, Post.CDAO)
        url = reverse("controlled_drugs:concern_raise", args=[trust.ods_code])
        for _ in range(2):
            assert client_for(staff).post(url, RAISED).status_code == 302
        assert Concern.objects.count() == 1
        assert Notification.objects.filter(kind="cd-concern-raised").count() == 1

    def test_the_same_concern_raised_again_another_day_is_raised_again(
        self, client_for, trust, staff
    ):
        from notifications.models import Notification

        post_holder(trust, Post.CDAO)
        url = reverse("controlled_drugs:concern_raise", args=[trust.ods_code])
        client_for(staff).post(url, RAISED)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
            assert client_for(staff).post(url, RAISED).status_code == 302
        assert Concern.objects.count() == 2
        assert Notification.objects.filter(kind="cd-concern-raised").count() == 2

    def test_in_primary_care_it_goes_to_nhs_englands_regional_cdao(self, client_for, region_cdao):
        practice = OrganisationFactory(practice=True, region=Region.LONDON)
        nurse = member(practice)
        url = reverse("controlled_drugs:concern_raise", args=[practice.ods_code])
        assert client_for(nurse).post(url, RAISED).status_code == 302
        concern = Concern.objects.get()
        assert concern.organisation.kind == "nhs-england-region"
        assert concern.works_at == practice.name
        page = client_for(region_cdao).get(
            reverse("controlled_drugs:concerns", args=[concern.organisation.ods_code])
        )
        assert "A healthcare assistant on nights" in page.text

    def test_with_nobody_to_take_it_it_says_so_and_keeps_nothing(self, client_for):
        practice = OrganisationFactory(practice=True, region=Region.SOUTH_WEST)
        nurse = member(practice)
        url = reverse("controlled_drugs:concern_raise", args=[practice.ods_code])
        assert (
            "There is no controlled drugs accountable officer here"
            in client_for(nurse).get(url).text
        )
        refused = client_for(nurse).post(url, RAISED)
        assert refused.status_code == 200 and not Concern.objects.exists()


class TestFoundOnReview:
    def test_a_concern_goes_to_the_regional_cdao_when_the_trust_has_none_or_it_is_about_them(
        self, client_for, trust, staff, region_cdao
    ):
        from controlled_drugs.services import keeper

        team = region_cdao.appointments.get().organisation
        assert keeper(trust) == team  # no CDAO in post at the trust
        post_holder(trust, Post.CDAO)
        assert keeper(trust) == trust
        assert keeper(trust, about_the_cdao=True) == team
        url = reverse("controlled_drugs:concern_raise", args=[trust.ods_code])
        client_for(staff).post(url, RAISED | {"about_the_cdao": "on"})
        assert Concern.objects.get().organisation == team

    def test_a_quarter_out_of_range_is_no_quarter(self, client_for, region_cdao, trust):
        assert Quarter.from_key("9999-10") is None and Quarter.from_key("2012-10") is None
        client = client_for(region_cdao)
        page = client.get(reverse("controlled_drugs:occurrences"), {"quarter": "9999-10"})
        assert page.status_code == 200
        for quarter in ("9999-10", "2100-10"):
            url = reverse("controlled_drugs:occurrence_report", args=[trust.ods_code, quarter])
            assert client.get(url).status_code == 404  # none, or not begun

    def test_every_designated_body_of_the_region_is_listed_and_the_team_reports_primary_care(
        self, client_for, region_cdao, occurrences, trust
    ):
        quiet = OrganisationFactory(region=Region.LONDON, name="Quiet Hospitals NHS Trust")
        practice = OrganisationFactory(practice=True, region=Region.LONDON)
        at_practice = report(
            practice, member(practice), occurred_on=IN_QUARTER, medicines=("Diazepam 5 mg",)
        )
        client = client_for(region_cdao)
        page = client.get(reverse("controlled_drugs:occurrences"), {"quarter": "2026-10"}).text
        assert quiet.name in page and trust.name in page
        assert practice.name not in page.split("Occurrences</h2>")[0]  # not a designated body
        url = reverse("controlled_drugs:occurrence_report", args=[practice.ods_code, "2026-10"])
        assert client.get(url).status_code == 404
        team = region_cdao.appointments.get().organisation
        url = reverse("controlled_drugs:occurrence_report", args=[team.ods_code, "2026-10"])
        rows = b"".join(client.get(url).streaming_content).decode()
        assert at_practice.reference in rows and occurrences["cd"].reference not in rows

    def test_an_nhs_england_teams_own_incident_tells_nobody_it_cannot_open(self, region_cdao):
        from incidents.services import cdao_recipients

        team = region_cdao.appointments.get().organisation
        assert cdao_recipients(team) == []


def test_the_pages_cost_the_same_however_many_rows(
    client_for, page_queries, region_cdao, occurrences, trust, staff
):
    """The occurrences, an occurrence and the concerns: a fixed number of queries, whatever
    the region holds."""
    cdao = post_holder(trust, Post.CDAO)
    url = reverse("controlled_drugs:concerns", args=[trust.ods_code])
    client_for(cdao).post(url, CONCERN)
    pages = [
        (client_for(region_cdao), reverse("controlled_drugs:occurrences") + "?quarter=2026-10"),
        (client_for(region_cdao), occurrence_url(occurrences["cd"])),
        (client_for(cdao), url),
    ]
    few = [page_queries(client, page) for client, page in pages]
    for _ in range(3):
        body = OrganisationFactory(region=Region.LONDON)
        report(body, member(body), occurred_on=IN_QUARTER, medicines=("Oxycodone 5 mg", "Morphine"))
        report(trust, staff, occurred_on=IN_QUARTER, medicines=("Diazepam", "Oxycodone 5 mg"))
        client_for(cdao).post(url, CONCERN)
    assert [page_queries(client, page) for client, page in pages] == few
