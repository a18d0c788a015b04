"""The funnel plot of reporting rates for network leads: each organisation they reach against
its peers' national rate, no count under 5 drawn or able to be worked out, the organisations
beyond the 99.8% limits named, those with no denominator listed, read from the kept monthly
counts in the same few queries at any size."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.funnel import Position
from incidents.models import IncidentMonth
from organisations.choices import PeerGroup, Region
from organisations.models import Denominator
from tests.factories import OrganisationFactory, UserFactory, network_lead

pytestmark = pytest.mark.django_db

URL = reverse("incidents:funnel")
# On 7 December 2026 the last 12 whole months are December 2025 to November 2026.
MONTHS = [datetime.date(2025, 12, 1)] + [datetime.date(2026, m, 1) for m in range(1, 12)]


@pytest.fixture(autouse=True)
def _in_december(request):
    if "seeded_demo" in request.fixturenames:  # the demo's dates count from the real day
        yield
        return
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def clerk(db):
    return UserFactory()


def peer(clerk, incidents: int, value: int = 10_000, *, months=MONTHS, **fields):
    """An organisation with ``value`` a month recorded and ``incidents`` spread over the
    months (kept monthly counts, as summary.py keeps them)."""
    organisation = OrganisationFactory(**fields)
    share, rest = divmod(incidents, len(months))
    for index, month in enumerate(months):
        Denominator.objects.create(
            organisation=organisation, month=month, value=value, recorded_by=clerk
        )
        total = share + (1 if index < rest else 0)
        IncidentMonth.objects.create(
            organisation=organisation, month=month, counts={"total": total}, total=total
        )
    return organisation


def drawn(page) -> dict[str, object]:
    return {point.peer.name: point for point in page.context["comparison"].points}


def test_the_page_is_for_network_leads(assert_access, staff, patient_safety_team, client_for):
    page = assert_access(URL, allowed=network_lead(), wrong_role=staff)
    assert page.context["comparison"].peers == PeerGroup.TRUSTS
    assert client_for(patient_safety_team).get(URL).status_code == 403


def test_the_statistics_page_links_to_it(client_for, lead):
    page = client_for(lead).get(reverse("incidents:statistics"))
    assert URL in page.text and reverse("incidents:denominator_import") in page.text


def test_small_counts_are_never_drawn_nor_worked_out(client_for, lead, clerk):
    names = {}
    for name, incidents in (("Three", 3), ("Seven", 7), ("None", 0), ("Twenty", 20)):
        names[name] = peer(clerk, incidents, name=f"{name} Hospitals NHS Trust").name
    names["Forty"] = peer(clerk, 40, name="Forty Hospitals NHS Trust").name
    names["Sixty"] = peer(clerk, 60, name="Sixty Hospitals NHS Trust").name
    page = client_for(lead).get(URL)
    shown = drawn(page)
    # 3 is under 5; 7, the next smallest, would give it away from the peers' rate.
    assert names["Three"] not in shown and names["Seven"] not in shown
    assert names["Three"] not in page.text and names["Seven"] not in page.text
    # 0 names nobody: it is drawn (and far below its peers).
    assert shown[names["None"]].placed.position == Position.BELOW_99_8
    assert all(not 0 < point.peer.incidents < 5 for point in shown.values())
    assert page.context["left_out"] == (
        "2 organisations are not drawn, so that no count under 5 is shown: 1 with 1 to 4 "
        "incidents and 1 because its count would let a smaller one be worked out. At least "
        "one of them is below the 99.8% limit: fewer incidents reported than its peers' rate "
        "would give."
    )
    comparison = page.context["comparison"]
    # The peers' rate counts them all: 130 incidents in 720,000 bed days.
    assert comparison.target == pytest.approx(130 / 720_000 * 1000)
    assert comparison.left_out == 2 and comparison.small == 1
    assert "<svg" in page.text and 'role="img"' in page.text and "<figcaption" in page.text


def test_the_organisations_beyond_the_99_8_limits_are_named(client_for, lead, clerk):
    for incidents in (18, 20, 22, 24):
        peer(clerk, incidents)
    high = peer(clerk, 60, name="Busy Reporting NHS Trust")
    low = peer(clerk, 0, name="Quiet NHS Trust")
    page = client_for(lead).get(URL)
    outliers = {p.peer.name: p.placed.position for p in page.context["comparison"].outliers}
    assert outliers == {high.name: Position.ABOVE_99_8, low.name: Position.BELOW_99_8}
    listed = page.text.split("Beyond the 99.8% limits", 1)[1].split("</ul>", 1)[0]
    assert f"{high.name} ({high.ods_code})" in listed and f"{low.name} ({low.ods_code})" in listed


def test_a_regional_lead_sees_their_region_against_the_national_rate(client_for, clerk):
    london = [peer(clerk, n, region=Region.LONDON) for n in (10, 12, 30)]
    midlands = [peer(clerk, n, region=Region.MIDLANDS) for n in (40, 50, 8)]
    OrganisationFactory(region=Region.MIDLANDS, name="Unrecorded Midlands NHS Trust")
    unrecorded = OrganisationFactory(region=Region.LONDON, name="Unrecorded London NHS Trust")
    national = client_for(network_lead()).get(URL)
    regional = client_for(network_lead(region=Region.LONDON)).get(URL)
    assert set(drawn(regional)) == {organisation.name for organisation in london}
    assert set(drawn(national)) == {o.name for o in london + midlands}
    target = national.context["comparison"].target
    assert regional.context["comparison"].target == pytest.approx(target)
    assert target == pytest.approx(150 / 720_000 * 1000)
    assert "the rate and limits are England's" in regional.text
    assert [p.name for p in regional.context["comparison"].no_denominator] == [unrecorded.name]
    assert "Unrecorded Midlands" not in regional.text
    # A national lead may choose a region, still against England's rate.
    chosen = client_for(network_lead()).get(URL, {"region": Region.MIDLANDS})
    assert set(drawn(chosen)) == {organisation.name for organisation in midlands}
    assert chosen.context["comparison"].target == pytest.approx(target)
    # A regional lead asking for another region is shown their own.
    asked = client_for(network_lead(region=Region.LONDON)).get(URL, {"region": Region.MIDLANDS})
    assert set(drawn(asked)) == {organisation.name for organisation in london}


def test_organisations_with_no_denominator_are_listed_to_chase(client_for, lead, clerk):
    peer(clerk, 20)
    peer(clerk, 30)
    waiting = OrganisationFactory(name="Waiting Hospitals NHS Trust")
    # Months recorded before the period do not count.
    peer(clerk, 9, months=[datetime.date(2024, 5, 1)], name="Old Figures NHS Trust")
    page = client_for(lead).get(URL)
    missing = [p.name for p in page.context["comparison"].no_denominator]
    assert missing == ["Old Figures NHS Trust", waiting.name]
    assert "No denominator recorded" in page.text and f"{waiting.name} ({waiting.ods_code})" in (
        page.text
    )


def test_incidents_count_only_in_the_months_with_a_denominator(client_for, lead, clerk):
    half = peer(clerk, 0, months=MONTHS[:6], name="Half Year NHS Trust")
    for month in MONTHS[6:]:  # incidents in months with no denominator are not counted
        IncidentMonth.objects.create(organisation=half, month=month, counts={"total": 50}, total=50)
    IncidentMonth.objects.filter(organisation=half, month=MONTHS[0]).update(
        counts={"total": 12}, total=12
    )
    peer(clerk, 24)
    point = drawn(client_for(lead).get(URL))[half.name]
    assert (point.peer.incidents, point.peer.months, point.peer.exposure) == (12, 6, 60_000)


def test_a_practice_s_rate_is_per_1000_registered_patients_a_year(client_for, lead, clerk):
    practice = peer(clerk, 30, value=6_000, practice=True, name="Riverside Surgery")
    peer(clerk, 10, value=3_000, practice=True)
    peer(clerk, 40, value=9_000, practice=True)
    page = client_for(lead).get(URL, {"peers": PeerGroup.GP_PRACTICES})
    point = drawn(page)[practice.name]
    assert point.peer.exposure == 6_000  # 12 months of a list of 6,000: 6,000 patient-years
    assert point.rate == pytest.approx(5.0)
    assert "incidents per 1,000 registered patients a year" in page.text


def test_a_size_band_compares_a_third_with_its_own_peers(client_for, lead, clerk):
    small = [peer(clerk, n, value=1_000) for n in (5, 6)]
    middle = [peer(clerk, n, value=5_000) for n in (25, 30)]
    large = [peer(clerk, n, value=20_000) for n in (90, 110)]
    page = client_for(lead).get(URL, {"band": "0"})
    assert set(drawn(page)) == {organisation.name for organisation in small}
    assert page.context["comparison"].target == pytest.approx(11 / 24_000 * 1000)
    assert set(drawn(client_for(lead).get(URL, {"band": "2"}))) == {o.name for o in large}
    assert len(drawn(client_for(lead).get(URL, {"band": "all"}))) == len(small + middle + large)


def test_a_peers_rate_that_would_give_a_count_away_is_not_shown(client_for, lead, clerk):
    peer(clerk, 3)
    peer(clerk, 0)
    page = client_for(lead).get(URL)
    comparison = page.context["comparison"]
    assert comparison.target is None and comparison.target_withheld
    assert page.context["chart"] is None and not comparison.points
    assert "The peers' rate and limits are not shown" in page.text


def test_an_address_it_does_not_offer_shows_the_first_choices(client_for, lead):
    page = client_for(lead).get(URL, {"peers": "icb", "band": "9", "ending": "1999-01"})
    assert page.status_code == 200
    assert page.context["comparison"].peers == PeerGroup.TRUSTS
    assert page.context["comparison"].band is None
    assert page.context["comparison"].since == MONTHS[0]


def queries_of(client, url=URL) -> list[str]:
    """The SQL a page runs, less the header's unread count (counted again now and then)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if "notifications_notification" not in q["sql"]]


def test_the_page_reads_the_same_few_queries_at_any_size_and_never_an_incident(
    client_for, lead, clerk
):
    from django.core.cache import cache

    client = client_for(lead)
    for incidents in (8, 12, 20):
        peer(clerk, incidents)
    client.get(URL)
    cache.clear()
    # The session, the person, their grants; the organisations, denominators and counts.
    assert len(queries_of(client)) == 6
    for incidents in (5, 9, 30, 44, 61, 0, 2, 17):
        peer(clerk, incidents, value=7_000 + incidents)
    OrganisationFactory()  # and one with no denominator
    cache.clear()
    read = queries_of(client)
    assert len(read) == 6
    assert not any('"incidents_incident"' in sql for sql in read)
    assert len(drawn(client.get(URL))) > 3  # the new ones among them
    # The national rows are kept for every lead: the next page reads none of them again.
    assert len(queries_of(client)) == 3
    # A lead who reaches a region reads which organisations they reach: one query more.
    assert len(queries_of(client_for(network_lead(region=Region.LONDON)))) == 4


def test_a_denominator_recorded_shows_at_once(
    client_for, lead, clerk, django_capture_on_commit_callbacks
):
    from organisations import denominators

    for incidents in (8, 12, 20):
        peer(clerk, incidents)
    waiting = OrganisationFactory(name="Waiting Hospitals NHS Trust")
    client = client_for(lead)
    assert waiting.name not in drawn(client.get(URL))
    with django_capture_on_commit_callbacks(execute=True):
        for month in MONTHS:
            denominators.denominator_record(
                by=clerk, organisation=waiting, month=month, value=10_000
            )
    assert waiting.name in drawn(client.get(URL))


def test_the_demo_draws_its_trusts_and_practices(seeded_demo, client_for):
    from accounts.models import User

    lead = User.objects.get(email="lead@network.example")
    for peers, names in (
        (
            PeerGroup.TRUSTS,
            {
                "Ashby General Hospitals NHS Trust",
                "Brookfield Community Health NHS Foundation Trust",
            },
        ),
        (PeerGroup.GP_PRACTICES, {"Riverside Medical Practice", "Weir Lane Surgery"}),
    ):
        page = client_for(lead).get(URL, {"peers": peers})
        assert set(drawn(page)) == names and page.context["chart"] is not None
