"""The chain of one alert, against a world counted by hand: the incidents involving its medicines
since its month of issue by region, as the small-number rules allow; the organisations whose
committee tabled it at a meeting that has taken place, and whose response an approved report
carried (never a draft, never another alert's); a regional lead sees their region; an
organisation's own people see its own chain; names and dates only; and the page costs the same
queries however many organisations are in it."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from alerts import services as alerts
from alerts.effect import incidents_since, incidents_since_in
from alerts.models import AlertActionResponse, AlertResponse
from committees import services as committees
from core.disclosure import TOO_FEW_ORGANISATIONS
from organisations.choices import Post, Region, Role
from organisations.models import Organisation
from tests.alerts.conftest import draft
from tests.committees.conftest import at
from tests.factories import OrganisationFactory, member, network_lead, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
LONDON, NORTH_WEST, MIDLANDS = Region.LONDON, Region.NORTH_WEST, Region.MIDLANDS
ISSUED = datetime.date(2026, 11, 2)
PUBLISHED = datetime.date(2026, 11, 3)
MET = datetime.date(2026, 11, 20)
TODAY = datetime.date(2026, 12, 10)
X, Y = "NatPSA/2026/004/NHSPS", "NatPSA/2026/005/NHSPS"
# The chain's page, as a national lead reads it: whatever the number of organisations.
QUERIES = 22
OWN_QUERIES = 19  # and an organisation's own
NOTES = "Discussed with the sister of ward 7 after the Smith case"
WARFARIN = "Warfarin 3mg tablets"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield


def organisation(name, region):
    found = OrganisationFactory(name=name, region=region)
    post_holder(found, Post.MSO)
    return found


def mso_of(found):
    return found.appointments.get(post=Post.MSO).user


def committee_of(found):
    chair = member(found, Role.COMMITTEE_CHAIR)
    committee = committees.committee_create(
        by=chair,
        organisation=found,
        name=f"{found.name} Medication Safety Committee",
        reports_to="Quality Committee",
        frequency="monthly",
    )
    return committee, chair


def meet(found, day, *titles):
    committee, chair = committee_of(found)
    committees.meeting_create(
        by=chair,
        committee=committee,
        starts_at=at(day),
        agenda=[(title, NOTES, "", "") for title in titles],
    )
    return committee, chair


def report_on(committee, chair, *, approved=True, end=datetime.date(2026, 11, 30)):
    made = committees.report_create(
        by=chair, committee=committee, period_start=datetime.date(2026, 9, 1), period_end=end
    )
    if approved:
        for section in ("summary", "incidents", "alerts"):
            committees.narrative_save(by=chair, report=made, section=section, text="Assured")
        committees.report_approve(by=chair, report=made)
    return made


def incidents(found, count, medicine=WARFARIN, on=datetime.date(2026, 11, 12)):
    for _ in range(count):
        report(found, mso_of(found), occurred_on=on, medicines=(medicine,))


@pytest.fixture
def world(dmd, lead, trust, mso, other_trust, other_mso):
    """X (warfarin) and Y reach every trust: in London the trust ("Ashby"), the other trust,
    Barnet and Camden; in the North West Dalton, Eccles and Fleetwood; in the Midlands Garforth,
    Hinckley and Ilkeston: 10 organisations.

    Incidents involving warfarin from 1 November: the trust 3, Barnet 4 (London 7), Dalton 2
    (the North West), none in the Midlands; not counted: the trust's in October, before the
    month of issue, and its insulin incident.

    Tabled X: the trust (a suggested agenda, on 20 November) and Dalton (typed). Not: Barnet
    (an item whose title no longer names it), Camden (a meeting to come), Eccles (Y only).
    Carried X: the trust's approved report; not Dalton's draft, nor Eccles' report of a period
    before the alert."""
    places = {
        "barnet": organisation("Barnet Hospitals NHS Trust", LONDON),
        "camden": organisation("Camden Hospitals NHS Trust", LONDON),
        "dalton": organisation("Dalton Hospitals NHS Trust", NORTH_WEST),
        "eccles": organisation("Eccles Hospitals NHS Trust", NORTH_WEST),
        "fleetwood": organisation("Fleetwood Hospitals NHS Trust", NORTH_WEST),
        **{
            name.lower(): organisation(f"{name} Hospitals NHS Trust", MIDLANDS)
            for name in ("Garforth", "Hinckley", "Ilkeston")
        },
    }
    with time_machine.travel(at(PUBLISHED, 9), tick=False):
        found = {}
        for reference in (X, Y):
            found[reference] = draft(lead, reference=reference, issued_on=ISSUED)
            found[reference].medicines.all().delete()
            found[reference].medicines.create(name="Warfarin")
            alerts.alert_publish(by=lead, alert=found[reference])
    incidents(trust, 3)
    incidents(trust, 1, on=datetime.date(2026, 10, 30))
    incidents(trust, 1, medicine="Insulin aspart")
    incidents(places["barnet"], 4)
    incidents(places["dalton"], 2)

    from committees import agenda

    committee, chair = committee_of(trust)
    committees.meeting_create(
        by=chair,
        committee=committee,
        starts_at=at(MET),
        agenda=[s.as_item() for s in agenda.suggest(committee, at(MET))],
    )
    report_on(committee, chair)
    meet(places["barnet"], MET, "Warfarin audit")
    meet(places["camden"], datetime.date(2027, 1, 15), f"Alert {X}")
    dalton = meet(places["dalton"], MET, f"Anticoagulants: {X}")
    report_on(*dalton, approved=False)
    eccles = meet(places["eccles"], MET, f"Alert {Y}")
    report_on(*eccles, end=datetime.date(2026, 10, 31))
    return {"alert": found[X], "other": found[Y], "trust": trust, **places}


def chain_url(alert):
    return reverse("alert_chain:national", args=[alert.pk])


def own_url(alert, found):
    return reverse("alert_chain:organisation", args=[alert.pk, found.ods_code])


def cells(response):
    return {
        row["region"]: (row["organisations"], row["incidents"].value, row["incidents"].why)
        for row in response.context["regions"]
    }


class TestAcrossOrganisations:
    def test_the_figures_and_the_organisations(self, world, client_for, lead):
        page = client_for(lead).get(chain_url(world["alert"]))
        figures = page.context["figures"]
        assert (figures["reached"], figures["tabled"], figures["carried"]) == (10, 2, 1)
        assert (figures["tabled_percent"], figures["carried_percent"]) == (20, 10)
        rows = {
            o.name: (
                [(committee, [d.date() for d in days]) for committee, days in o.tabled_at],
                [
                    (row["report"].committee.organisation.name, row["outcome"])
                    for row in o.carried_in
                ],
            )
            for o in page.context["page"]
        }
        assert rows == {
            "Ashby General Hospitals NHS Trust": (
                [("Ashby General Hospitals NHS Trust Medication Safety Committee", [MET])],
                [("Ashby General Hospitals NHS Trust", "Open, not yet due")],
            ),
            "Dalton Hospitals NHS Trust": (
                [("Dalton Hospitals NHS Trust Medication Safety Committee", [MET])],
                [],
            ),
        }

    def test_another_alerts_chain_is_its_own(self, world, client_for, lead):
        page = client_for(lead).get(chain_url(world["other"]))
        assert [o.name for o in page.context["page"]] == [
            "Ashby General Hospitals NHS Trust",
            "Eccles Hospitals NHS Trust",
        ]
        assert (page.context["figures"]["tabled"], page.context["figures"]["carried"]) == (2, 1)

    def test_small_counts_of_incidents_are_not_shown(self, world, client_for, lead):
        """The North West's 2 are fewer than 5; London's 7 would give them away from the total,
        so are not shown either; the Midlands' 0 names nobody."""
        page = client_for(lead).get(chain_url(world["alert"]))
        # London's 7 come from 2 organisations and the North West's 2 from 1: neither shown.
        assert cells(page) == {
            "London": (2, None, TOO_FEW_ORGANISATIONS),
            "Midlands": (3, 0, ""),
            "North West": (1, None, TOO_FEW_ORGANISATIONS),
        }
        assert page.context["total"].value == 9
        assert "Fewer than 3 organisations" in page.text

    def test_names_and_dates_only(self, world, client_for, lead):
        page = client_for(lead).get(chain_url(world["alert"]))
        assert "Ashby General Hospitals NHS Trust Medication Safety Committee: 20 Nov 2026" in (
            page.text
        )
        assert NOTES not in page.text and "Anticoagulants" not in page.text
        assert "Assured" not in page.text  # a report's narrative

    def test_a_regional_lead_sees_their_region(self, world, client_for):
        page = client_for(network_lead(LONDON)).get(chain_url(world["alert"]))
        figures = page.context["figures"]
        assert (figures["reached"], figures["tabled"], figures["carried"]) == (4, 1, 1)
        assert [o.name for o in page.context["page"]] == ["Ashby General Hospitals NHS Trust"]
        assert cells(page) == {"London": (2, None, TOO_FEW_ORGANISATIONS)}
        assert page.context["total"].value is None and page.context["where"] == "London"

    def test_the_national_patient_safety_team_sees_it(self, world, client_for, patient_safety_team):
        page = client_for(patient_safety_team).get(chain_url(world["alert"]))
        assert page.context["figures"]["tabled"] == 2

    def test_a_recall_counts_no_incidents(self, world, client_for, lead):
        with time_machine.travel(at(PUBLISHED, 9), tick=False):
            recall = draft(
                lead, reference="NatPSA/2026/006/MHRA", alert_type="recall-1", issued_on=ISSUED
            )
            alerts.alert_publish(by=lead, alert=recall)
        page = client_for(lead).get(chain_url(recall))
        assert page.context["regions"] == [] and "Incidents are not counted" in page.text

    def test_a_draft_has_no_chain(self, world, client_for, lead):
        waiting = draft(lead, reference="NatPSA/2026/007/NHSPS", issued_on=ISSUED)
        assert client_for(lead).get(chain_url(waiting)).status_code == 404

    def test_the_alert_links_to_it(self, world, client_for, lead):
        page = client_for(lead).get(world["alert"].get_absolute_url())
        assert chain_url(world["alert"]) in page.text

    def test_its_queries_do_not_grow_with_the_organisations(
        self, world, client_for, lead, page_queries, django_assert_max_num_queries
    ):
        client, url = client_for(lead), chain_url(world["alert"])
        before = page_queries(client, url)
        for n in range(4):
            more = organisation(f"Jarrow {n} Hospitals NHS Trust", NORTH_WEST)
            AlertResponse.objects.create(
                alert=world["alert"], organisation=more, region=NORTH_WEST, kind=more.kind
            )
            incidents(more, 1)
            report_on(*meet(more, MET, f"Alert {X}"))
        assert page_queries(client, url) == before
        with django_assert_max_num_queries(QUERIES):
            assert client.get(url).context["figures"]["tabled"] == 6


class TestIncidentsSince:
    def test_the_kept_trends_count_what_the_incidents_do(self, world):
        alert = world["alert"]
        kept = incidents_since_in(alert, None, on=TODAY)
        live = incidents_since(alert, Organisation.objects.values("pk"), on=TODAY)
        assert kept.by_region == live.by_region == {LONDON: 7, NORTH_WEST: 2}
        assert incidents_since_in(alert, [NORTH_WEST], on=TODAY).by_region == {NORTH_WEST: 2}

    def test_a_product_is_counted_from_its_incidents(self, world):
        """A product covers less than its substance, which the kept trends count under: its
        own incidents are read."""
        injection = "Morphine sulfate 10mg/1ml solution for injection ampoules"
        incidents(world["garforth"], 2, medicine=injection)
        incidents(world["garforth"], 3, medicine="Oramorph 10mg/5ml oral solution")
        product, substance = world["alert"], world["other"]
        product.medicines.update(name=injection)
        substance.medicines.update(name="Morphine")
        assert incidents_since_in(product, None, on=TODAY).by_region == {MIDLANDS: 2}
        assert incidents_since_in(substance, None, on=TODAY).by_region == {MIDLANDS: 5}


class TestOneOrganisation:
    def test_its_own_chain(self, world, client_for, mso, django_assert_max_num_queries):
        client = client_for(mso)
        client.get(own_url(world["alert"], world["trust"]))
        with django_assert_max_num_queries(OWN_QUERIES):
            page = client.get(own_url(world["alert"], world["trust"]))
        assert page.context["since"].total == 3  # its own: no count is hidden from it
        assert [m.starts_at.date() for m in page.context["meetings"]] == [MET]
        assert [row["outcome"] for row in page.context["reports"]] == ["Open, not yet due"]
        assert page.context["meetings"][0].get_absolute_url() in page.text
        assert NOTES not in page.text

    def test_it_names_no_meeting_to_come_or_a_rewritten_item(self, world, client_for):
        for place in ("barnet", "camden"):
            page = client_for(mso_of(world[place])).get(own_url(world["alert"], world[place]))
            assert page.context["meetings"] == [] and page.context["reports"] == []

    def test_a_draft_report_is_not_carried(self, world, client_for):
        dalton = world["dalton"]
        page = client_for(mso_of(dalton)).get(own_url(world["alert"], dalton))
        assert len(page.context["meetings"]) == 1 and page.context["reports"] == []

    def test_whoever_owns_an_action_sees_the_response_not_the_chain(self, world, client_for, staff):
        response = AlertResponse.objects.get(alert=world["alert"], organisation=world["trust"])
        AlertActionResponse.objects.filter(response=response).update(owner=staff)
        client = client_for(staff)
        assert client.get(response.get_absolute_url()).status_code == 200
        assert client.get(own_url(world["alert"], world["trust"])).status_code == 403

    def test_the_alert_links_to_it(self, world, client_for, mso):
        page = client_for(mso).get(world["alert"].get_absolute_url())
        assert own_url(world["alert"], world["trust"]) in page.text


class TestAccess:
    def test_across_organisations(self, world, assert_access, lead, mso):
        assert_access(chain_url(world["alert"]), allowed=lead, wrong_role=mso)

    def test_one_organisation(self, world, assert_access, mso, staff, other_mso):
        assert_access(
            own_url(world["alert"], world["trust"]),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
        )

    def test_a_network_lead_does_not_read_an_organisations_own(self, world, client_for, lead):
        assert client_for(lead).get(own_url(world["alert"], world["trust"])).status_code == 403
