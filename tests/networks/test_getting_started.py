"""A new MSO's getting-started checklist on their home page: items that tick themselves, items
ticked by hand, and the people to meet named from the organisation's posts."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from networks.getting_started import checklist, for_home
from networks.models import BuddyRequest
from organisations.choices import Post
from organisations.models import Appointment
from tests.factories import OrganisationFactory, post_holder
from tests.networks.conftest import join

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


@pytest.fixture
def new_mso(trust, national, london):
    """Started as MSO of the trust a month ago."""
    return post_holder(trust, Post.MSO, full_name="Grace Obi", start_on=datetime.date(2026, 10, 26))


def items(user, organisation):
    return {item.key: item for item in checklist(user, organisation)}


class TestWhoGetsIt:
    def test_a_new_mso_sees_it_on_their_home_page(self, client_for, new_mso):
        page = client_for(new_mso).get(reverse("home"))
        assert "Getting started as MSO" in page.text
        assert "0 of 14 done" in page.text

    def test_an_mso_in_post_for_years_does_not(self, client_for, mso, trust):
        assert checklist(mso, trust) is None
        assert "Getting started as MSO" not in client_for(mso).get(reverse("home")).text

    def test_a_named_successor_gets_it_on_their_first_day_and_is_told_when_before(
        self, client_for, trust, staff
    ):
        """Found in use: the successor saw "0 of 14" two months before they started."""
        Appointment.objects.create(
            organisation=trust, post=Post.MSO, user=staff, start_on=datetime.date(2027, 1, 1)
        )
        assert checklist(staff, trust) is None
        assert for_home(staff, trust) == {
            "checklist": None,
            "checklist_done": 0,
            "checklist_starts_on": datetime.date(2027, 1, 1),
        }
        page = render_to_string(
            "networks/includes/getting_started.html",
            {"organisation": trust, **for_home(staff, trust)},
        )
        assert "starts on your first day in post, 1 January 2027" in page
        assert "Mark as done" not in page
        home = client_for(staff).get(reverse("home"))
        assert "0 of 14 done" not in home.text
        assert "starts on your first day in post, 1 January 2027" in home.text
        tick = reverse("networks:getting_started_tick", args=[trust.ods_code, "webinar"])
        assert client_for(staff).post(tick, {"done": "on"}).status_code == 403
        with time_machine.travel("2027-01-01 08:00 +0000", tick=False):
            assert checklist(staff, trust) is not None
            assert for_home(staff, trust)["checklist_starts_on"] is None
            assert "0 of 14 done" in client_for(staff).get(reverse("home")).text

    def test_someone_not_named_as_mso_is_told_nothing(self, trust, staff, mso):
        assert for_home(staff, trust)["checklist_starts_on"] is None
        assert for_home(mso, trust) == {
            "checklist": None,
            "checklist_done": 0,
            "checklist_starts_on": None,
        }

    def test_it_goes_after_180_days(self, trust, new_mso):
        with time_machine.travel("2027-04-25 10:00 +0000", tick=False):
            assert checklist(new_mso, trust) is None


class TestItems:
    def test_networks_and_the_buddy_tick_themselves(self, trust, new_mso, national, london):
        assert not items(new_mso, trust)["network-national"].done
        join(national, new_mso)
        join(london, new_mso)
        BuddyRequest.objects.create(user=new_mso, organisation=trust)
        found = items(new_mso, trust)
        assert found["network-national"].done and found["network-regional"].done
        assert found["network-regional"].text == "Join the MSO network of London"
        assert found["buddy"].done

    def test_the_people_to_meet_are_named_from_the_posts(self, trust, new_mso, director):
        found = items(new_mso, trust)
        assert found["meet-board-director"].names == ["Helen Carter"]
        assert found["meet-chief-pharmacist"].names == []

    def test_a_practice_meets_only_the_posts_it_has(self, db):
        practice = OrganisationFactory(practice=True)
        mso = post_holder(practice, Post.MSO, start_on=datetime.date(2026, 11, 1))
        found = items(mso, practice)
        assert "meet-board-director" not in found and "meet-patient-safety-specialist" in found

    def test_an_item_is_ticked_and_unticked_by_hand(self, client_for, trust, new_mso):
        client = client_for(new_mso)
        url = reverse("networks:getting_started_tick", args=[trust.ods_code, "mailbox"])
        response = client.post(url, {"done": "on"})
        assert response["Location"] == "/#getting-started"
        assert items(new_mso, trust)["mailbox"].done
        assert "1 of 14 done" in client.get(reverse("home")).text
        client.post(url, {})
        assert not items(new_mso, trust)["mailbox"].done

    def test_the_next_webinar_is_named(self, trust, new_mso, national, network_head):
        from networks.models import Event

        Event.objects.create(
            network=national,
            title="Monthly MSO webinar",
            starts_at=datetime.datetime(2026, 12, 9, 12, 30, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2026, 12, 9, 13, 30, tzinfo=datetime.UTC),
            created_by=network_head,
        )
        assert items(new_mso, trust)["webinar"].link_text == "Monthly MSO webinar, 9 December 2026"


class TestTicking:
    def test_access(self, assert_access, trust, new_mso, director, other_mso):
        assert_access(
            reverse("networks:getting_started_tick", args=[trust.ods_code, "mailbox"]),
            method="post",
            data={"done": "on"},
            allowed=new_mso,
            wrong_role=director,  # not a new MSO: no checklist
            other_organisation=other_mso,
            ok=302,
        )

    @pytest.mark.parametrize("item", ["network-national", "buddy", "nonsense"])
    def test_items_that_tick_themselves_or_do_not_exist_are_not_found(
        self, client_for, trust, new_mso, item
    ):
        url = reverse("networks:getting_started_tick", args=[trust.ods_code, item])
        assert client_for(new_mso).post(url, {"done": "on"}).status_code == 404


def test_the_checklist_costs_a_handful_of_queries(
    client_for, new_mso, django_assert_max_num_queries
):
    client = client_for(new_mso)
    client.get(reverse("home"))
    # The person's grants, their reach (read once), the session, the page's own reads.
    with django_assert_max_num_queries(15):
        page = client.get(reverse("home"))
    assert "Getting started as MSO" in page.text


def test_reviewing_an_incident_ticks_the_incidents_item(trust, new_mso):
    from incidents import services
    from networks.getting_started import checklist
    from organisations.choices import Role
    from tests.factories import member
    from tests.incidents.conftest import report

    def incidents_item():
        return next(i for i in checklist(new_mso, trust) if i.key == "incidents")

    assert not incidents_item().done and incidents_item().ticks_itself
    incident = report(trust, member(trust, Role.STAFF))
    services.review_start(by=new_mso, incident=incident)
    assert incidents_item().done
