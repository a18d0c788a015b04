"""A regional or specialised network's workplan (items answering the region's priorities, each
owned by a member, reminded as they fall due; every network's seen by the national MSO
network's leads), and members' offers to present at a webinar, accepted by a lead for one of
the network's events (whose agenda then shows the talk) or declined with a reason."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from networks import services
from networks.models import Event, NetworkMembership, WebinarOffer, WorkplanItem
from notifications.models import Notification
from notifications.services import sweep
from organisations.choices import Post, Role
from tests.factories import OrganisationFactory, UserFactory, member, post_holder
from tests.networks.conftest import join

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


@pytest.fixture
def london_head(london):
    return join(london, UserFactory(full_name="Lola Adeyemi"), NetworkMembership.Role.LEAD)


@pytest.fixture
def owner(london, mso):
    """The trust's MSO, a member of the London network."""
    return join(london, mso)


@pytest.fixture
def item(london, london_head, owner, trust):
    return services.workplan_item_save(
        by=london_head,
        item=WorkplanItem(
            network=london,
            priority="Opioid safety",
            title="Audit opioid prescribing on discharge",
            owner=owner,
            due_on=TODAY + datetime.timedelta(days=5),
        ),
        organisations=[trust],
    )


def staff_of(item):
    """A member of staff of the owner's organisation: no networks.join, so no networks."""
    return member(item.owner.memberships.first().organisation, Role.STAFF)


def item_data(owner, **fields):
    return {
        "priority": "Insulin safety",
        "title": "Share the insulin passport across the region",
        "owner": owner.pk,
        "involved": "",
        "due_on_day": "31",
        "due_on_month": "3",
        "due_on_year": "2027",
        "state": "planned",
        **fields,
    }


class TestWorkplan:
    def test_access(self, assert_access, london, london_head, owner, item, other_mso, network_head):
        create = reverse("networks:workplan_item_create", args=[london.slug])
        assert_access(create, allowed=london_head, wrong_role=owner)
        assert_access(
            create,
            method="post",
            data=item_data(owner),
            allowed=london_head,
            wrong_role=owner,
            ok=302,
        )
        # Someone for whom networks do not exist (no networks.join): every page is 404.
        outsider = staff_of(item)
        update = reverse("networks:workplan_item_update", args=[london.slug, item.pk])
        assert_access(update, allowed=london_head, wrong_role=owner, other_organisation=outsider)
        assert_access(
            update,
            method="post",
            data=item_data(owner, title="Audit opioids on discharge"),
            allowed=london_head,
            wrong_role=owner,
            other_organisation=outsider,
            ok=302,
        )
        join(london, other_mso)  # a member who neither owns it nor leads
        detail = item.get_absolute_url()
        assert_access(detail, allowed=owner, other_organisation=outsider)
        assert_access(
            detail,
            method="post",
            data={"state": "in-progress"},
            allowed=owner,
            wrong_role=other_mso,
            other_organisation=outsider,
            ok=302,
        )
        assert_access(reverse("networks:workplans"), allowed=network_head, wrong_role=london_head)

    def test_an_item_is_found_only_under_its_own_network(
        self, client_for, item, national, network_head, london_head
    ):
        from tests.factories import NetworkFactory

        elsewhere = NetworkFactory(name="Specialised", slug="specialised", kind="specialised")
        join(elsewhere, london_head, NetworkMembership.Role.LEAD)
        for name in ("networks:workplan_item", "networks:workplan_item_update"):
            url = reverse(name, args=[elsewhere.slug, item.pk])
            assert client_for(london_head).get(url).status_code == 404

    def test_a_lead_adds_an_item_with_the_organisations_involved(
        self, client_for, london, london_head, owner, trust, other_trust
    ):
        response = client_for(london_head).post(
            reverse("networks:workplan_item_create", args=[london.slug]),
            item_data(owner, involved=f"{trust.ods_code}, {other_trust.ods_code.lower()}"),
        )
        assert response.status_code == 302
        item = WorkplanItem.objects.get()
        assert (item.priority, item.owner, item.due_on, item.created_by) == (
            "Insulin safety",
            owner,
            datetime.date(2027, 3, 31),
            london_head,
        )
        assert set(item.organisations.all()) == {trust, other_trust}
        page = client_for(owner).get(london.get_absolute_url()).content.decode()
        assert "Share the insulin passport across the region" in page
        assert "2 organisations involved" in page

    def test_a_second_press_adds_it_once(self, client_for, london, london_head, owner, trust):
        url = reverse("networks:workplan_item_create", args=[london.slug])
        for _ in range(2):
            response = client_for(london_head).post(url, item_data(owner, involved=trust.ods_code))
            assert response.status_code == 302
        assert WorkplanItem.objects.count() == 1

    def test_next_years_item_of_the_same_name_is_a_new_one(
        self, client_for, london, london_head, owner
    ):
        url = reverse("networks:workplan_item_create", args=[london.slug])
        client = client_for(london_head)
        client.post(url, item_data(owner, title="Annual CD audit"))
        last_year = WorkplanItem.objects.get()
        services.workplan_state_set(by=owner, item=last_year, state="done")
        client.post(url, item_data(owner, title="Annual CD audit", due_on_year="2028"))
        assert WorkplanItem.objects.count() == 2
        last_year.refresh_from_db()
        assert last_year.state == "done"

    def test_the_same_title_differing_in_anything_the_form_gives_is_a_new_item(
        self, client_for, london, london_head, owner, trust
    ):
        url = reverse("networks:workplan_item_create", args=[london.slug])
        client = client_for(london_head)
        first = item_data(owner)
        client.post(url, first)
        for change in (
            {"due_on_day": "30"},
            {"priority": "Opioid safety"},
            {"description": "With the ambulance service"},
            {"state": "in-progress"},
            {"involved": trust.ods_code},
        ):
            client.post(url, first | change)
        assert WorkplanItem.objects.count() == 6

    def test_the_same_item_again_once_the_first_is_done_is_a_new_one(
        self, london_head, owner, item
    ):
        services.workplan_state_set(by=owner, item=item, state="done")
        again = WorkplanItem(
            network=item.network,
            priority=item.priority,
            title=item.title,
            owner=owner,
            due_on=item.due_on,
        )
        saved = services.workplan_item_save(
            by=london_head, item=again, organisations=list(item.organisations.all())
        )
        assert saved != item and saved.state == "planned"

    def test_bad_answers_are_explained_and_nothing_is_saved(
        self, client_for, london, london_head, owner, other_mso
    ):
        response = client_for(london_head).post(
            reverse("networks:workplan_item_create", args=[london.slug]),
            item_data(other_mso, priority="", involved="RX1, NOPE9", due_on_day=""),
        )
        errors = response.context["form"].errors
        assert errors["priority"] == ["Enter the regional priority it answers"]
        assert errors["owner"] == ["Select the member who owns it"]  # not a member
        assert errors["involved"] == ["No organisation has the ODS code RX1, NOPE9"]
        assert "due_on" in errors
        assert not WorkplanItem.objects.exists()
        assert response.context["form"]["title"].value() == (
            "Share the insulin passport across the region"
        )

    def test_the_service_refuses_an_owner_from_outside_and_a_national_network(
        self, london, national, london_head, other_mso
    ):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            services.workplan_item_save(
                by=london_head,
                item=WorkplanItem(
                    network=london, priority="p", title="t", owner=other_mso, due_on=TODAY
                ),
            )
        assert "must be a member" in refused.value.message_dict["owner"][0]
        with pytest.raises(ValidationError):
            services.workplan_item_save(
                by=london_head,
                item=WorkplanItem(
                    network=national, priority="p", title="t", owner=other_mso, due_on=TODAY
                ),
            )

    def test_the_owner_moves_it_on(self, client_for, owner, item):
        response = client_for(owner).post(item.get_absolute_url(), {"state": "done"})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.state == WorkplanItem.State.DONE

    def test_a_national_network_keeps_no_workplan(self, client_for, national, network_head):
        url = reverse("networks:workplan_item_create", args=[national.slug])
        assert client_for(network_head).get(url).status_code == 404

    def test_the_national_lead_sees_every_networks_workplan(
        self, client_for, item, network_head, london
    ):
        client = client_for(network_head)
        page = client.get(reverse("networks:workplans")).content.decode()
        assert "Audit opioid prescribing on discharge" in page and "London MSO Network" in page
        assert client.get(item.get_absolute_url()).status_code == 200  # without joining
        done = client.get(reverse("networks:workplans") + "?state=done").content.decode()
        assert "Audit opioid prescribing on discharge" not in done

    def test_its_queries_do_not_grow_with_its_items(
        self, client_for, item, network_head, london, london_head, owner, trust
    ):
        client = client_for(network_head)
        client.get(reverse("networks:workplans"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("networks:workplans"))
        for n in range(5):
            services.workplan_item_save(
                by=london_head,
                item=WorkplanItem(
                    network=london, priority="p", title=f"t{n}", owner=owner, due_on=TODAY
                ),
                organisations=[trust, OrganisationFactory()],
            )
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("networks:workplans"))
        assert len(many) <= len(few)

    def test_its_owner_is_reminded_before_and_after_it_is_due(self, item, owner):
        sweep(TODAY)
        reminder = Notification.objects.get(recipient=owner, kind="due-in-7-days")
        assert reminder.url == item.get_absolute_url()
        sweep(TODAY + datetime.timedelta(days=6))
        assert Notification.objects.filter(recipient=owner, kind="overdue").exists()
        item.state = WorkplanItem.State.DONE
        item.save()
        Notification.objects.all().delete()
        sweep(TODAY + datetime.timedelta(days=7))
        assert not Notification.objects.exists()


@pytest.fixture
def webinar(national, network_head):
    return Event.objects.create(
        network=national,
        title="Monthly MSO webinar",
        starts_at=datetime.datetime(2027, 1, 13, 12, 30, tzinfo=LONDON),
        ends_at=datetime.datetime(2027, 1, 13, 13, 30, tzinfo=LONDON),
        created_by=network_head,
    )


def offer_data(**fields):
    return {
        "topic": "Learning from insulin incidents",
        "summary": "What our audit found",
        "preferred_month": "2027-01-01",
        **fields,
    }


class TestWebinarOffers:
    def test_access(self, assert_access, national, member_mso, network_head, trust):
        offer_url = reverse("networks:webinar_offer", args=[national.slug])
        assert_access(offer_url, allowed=member_mso)
        assert_access(offer_url, method="post", data=offer_data(), allowed=member_mso, ok=302)
        offer = WebinarOffer.objects.get()
        someone = post_holder(trust, Post.DEPUTY_MSO)
        join(national, someone)
        assert_access(
            reverse("networks:webinar_offers", args=[national.slug]),
            allowed=network_head,
            wrong_role=someone,
        )
        decide = reverse("networks:webinar_offer_decide", args=[national.slug, offer.pk])
        outsider = member(trust, Role.STAFF)  # networks do not exist for them
        assert_access(decide, allowed=network_head, wrong_role=someone, other_organisation=outsider)
        assert_access(
            decide,
            method="post",
            data={"decision": "decline", "reason": "The programme is full until the summer"},
            allowed=network_head,
            wrong_role=someone,
            other_organisation=outsider,
            ok=302,
        )

    def test_a_member_offers_and_a_lead_accepts_it_for_an_event(
        self, client_for, national, member_mso, network_head, webinar
    ):
        response = client_for(member_mso).post(
            reverse("networks:webinar_offer", args=[national.slug]), offer_data()
        )
        assert response.status_code == 302
        offer = WebinarOffer.objects.get()
        assert (offer.offered_by, offer.preferred_month) == (member_mso, datetime.date(2027, 1, 1))
        lead = client_for(network_head)
        assert "1 waiting for a decision" in lead.get(national.get_absolute_url()).content.decode()
        decide = reverse("networks:webinar_offer_decide", args=[national.slug, offer.pk])
        response = lead.post(decide, {"decision": "accept", "event": webinar.pk})
        assert response.status_code == 302
        offer.refresh_from_db()
        assert (offer.status, offer.event) == (WebinarOffer.Status.ACCEPTED, webinar)
        agenda = client_for(member_mso).get(webinar.get_absolute_url()).content.decode()
        assert "Learning from insulin incidents" in agenda
        told = Notification.objects.get(recipient=member_mso, subject=f"webinar-offer:{offer.pk}")
        assert "13 January 2027 at 12:30" in told.body

    def test_a_decision_needs_its_event_or_its_reason(
        self, client_for, national, member_mso, network_head, webinar
    ):
        offer = services.webinar_offer(
            by=member_mso,
            offer=WebinarOffer(network=national, topic="T", preferred_month=TODAY),
        )
        decide = reverse("networks:webinar_offer_decide", args=[national.slug, offer.pk])
        lead = client_for(network_head)
        accepted = lead.post(decide, {"decision": "accept"})
        assert accepted.context["form"].errors["event"] == [
            "Select one of the network's coming events"
        ]
        declined = lead.post(decide, {"decision": "decline", "reason": " "})
        assert declined.context["form"].errors["reason"] == ["Give the reason for declining it"]
        offer.refresh_from_db()
        assert offer.status == WebinarOffer.Status.OFFERED

    def test_an_event_of_another_network_or_in_the_past_is_refused(
        self, national, london, member_mso, network_head, london_head
    ):
        from django.core.exceptions import ValidationError

        offer = services.webinar_offer(
            by=member_mso,
            offer=WebinarOffer(network=national, topic="T", preferred_month=TODAY),
        )
        theirs = Event.objects.create(
            network=london,
            title="London meeting",
            starts_at=datetime.datetime(2027, 1, 5, 10, tzinfo=LONDON),
            ends_at=datetime.datetime(2027, 1, 5, 11, tzinfo=LONDON),
            created_by=london_head,
        )
        past = Event.objects.create(
            network=national,
            title="Last month's webinar",
            starts_at=datetime.datetime(2026, 10, 14, 12, 30, tzinfo=LONDON),
            ends_at=datetime.datetime(2026, 10, 14, 13, 30, tzinfo=LONDON),
            created_by=network_head,
        )
        for event in (theirs, past):
            with pytest.raises(ValidationError):
                services.webinar_decide(by=network_head, offer=offer, accept=True, event=event)

    def test_a_month_gone_is_refused(self, national, member_mso):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            services.webinar_offer(
                by=member_mso,
                offer=WebinarOffer(
                    network=national, topic="T", preferred_month=datetime.date(2026, 10, 1)
                ),
            )
        assert refused.value.message_dict["preferred_month"] == ["Choose this month or a later one"]

    def test_an_offer_is_decided_once(self, client_for, national, member_mso, network_head):
        offer = services.webinar_offer(
            by=member_mso,
            offer=WebinarOffer(network=national, topic="T", preferred_month=TODAY),
        )
        services.webinar_decide(by=network_head, offer=offer, accept=False, reason="Full")
        decide = reverse("networks:webinar_offer_decide", args=[national.slug, offer.pk])
        response = client_for(network_head).post(decide, {"decision": "decline", "reason": "x"})
        assert response.status_code == 302
        offer.refresh_from_db()
        assert offer.reason == "Full"


def test_the_pages_queries_do_not_grow_with_their_rows(
    client_for,
    page_queries,
    london,
    london_head,
    owner,
    item,
    trust,
    national,
    member_mso,
    network_head,
    webinar,
):
    offer = services.webinar_offer(
        by=member_mso, offer=WebinarOffer(network=national, topic="T", preferred_month=TODAY)
    )
    pages = [
        (client_for(owner), london.get_absolute_url()),
        (client_for(owner), item.get_absolute_url()),
        (client_for(network_head), reverse("networks:workplans")),
        (client_for(network_head), reverse("networks:webinar_offers", args=[national.slug])),
        (
            client_for(network_head),
            reverse("networks:webinar_offer_decide", args=[national.slug, offer.pk]),
        ),
        (client_for(member_mso), webinar.get_absolute_url()),
    ]
    few = [page_queries(client, url) for client, url in pages]
    for n in range(4):
        services.workplan_item_save(
            by=london_head,
            item=WorkplanItem(
                network=london, priority="p", title=f"t{n}", owner=owner, due_on=TODAY
            ),
            organisations=[trust, OrganisationFactory()],
        )
        someone = join(national, UserFactory())
        accepted = services.webinar_offer(
            by=someone, offer=WebinarOffer(network=national, topic=f"T{n}", preferred_month=TODAY)
        )
        services.webinar_decide(by=network_head, offer=accepted, accept=True, event=webinar)
    assert [page_queries(client, url) for client, url in pages] == few
