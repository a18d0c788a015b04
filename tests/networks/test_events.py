"""A network's events: added by its leads, seen by its members, in their calendars through an
.ics file or a feed whose address works only while they are in the network."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from networks import calendar
from networks.models import Event, NetworkMembership
from tests.networks.conftest import join

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        yield


@pytest.fixture
def webinar(national, network_head):
    return Event.objects.create(
        network=national,
        title="Monthly MSO webinar: insulin safety",
        starts_at=datetime.datetime(2026, 12, 9, 12, 30, tzinfo=LONDON),
        ends_at=datetime.datetime(2026, 12, 9, 13, 30, tzinfo=LONDON),
        joining_link="https://meet.example/mso-december",
        agenda="1. Insulin errors in the community\n2. Questions",
        created_by=network_head,
    )


def data(**fields):
    return {
        "title": "Regional MSO meeting",
        "on_day": "14",
        "on_month": "1",
        "on_year": "2027",
        "starts": "10:00",
        "ends": "12:00",
        "joining_link": "https://meet.example/abc",
        "agenda": "",
        **fields,
    }


class TestAccess:
    def test_members_see_events_and_leads_add_them(
        self, assert_access, national, webinar, member_mso, network_head, other_mso, staff
    ):
        slug = national.slug
        for name, args in (
            ("events", [slug]),
            ("event", [slug, webinar.pk]),
            ("event_ics", [slug, webinar.pk]),
        ):
            assert_access(
                reverse(f"networks:{name}", args=args),
                allowed=member_mso,
                wrong_role=other_mso,
                other_organisation=staff,
            )
        for url in (
            reverse("networks:event_create", args=[slug]),
            reverse("networks:event_update", args=[slug, webinar.pk]),
        ):
            assert_access(
                url, allowed=network_head, wrong_role=member_mso, other_organisation=staff
            )
            assert_access(
                url,
                method="post",
                data=data(),
                allowed=network_head,
                wrong_role=member_mso,
                other_organisation=staff,
                ok=302,
            )

    def test_leads_cancel_events(
        self, assert_access, client_for, national, webinar, member_mso, network_head, staff
    ):
        url = reverse("networks:event_cancel", args=[national.slug, webinar.pk])
        page = assert_access(
            url, allowed=network_head, wrong_role=member_mso, other_organisation=staff
        )
        assert "Cancel Monthly MSO webinar: insulin safety?" in page.content.decode()
        assert_access(
            url,
            method="post",
            allowed=network_head,
            wrong_role=member_mso,
            other_organisation=staff,
            ok=302,
        )
        assert not Event.objects.filter(pk=webinar.pk).exists()
        feed = client_for(member_mso).get(reverse("networks:events", args=[national.slug]))
        assert "insulin safety" not in feed.content.decode()

    def test_an_event_of_another_network_is_not_found_here(
        self, client_for, national, london, webinar, mso
    ):
        join(london, mso)
        url = reverse("networks:event", args=[london.slug, webinar.pk])
        assert client_for(mso).get(url).status_code == 404

    def test_the_feed_needs_no_sign_in_but_a_valid_token(
        self, assert_public, national, webinar, member_mso
    ):
        url = reverse(
            "networks:calendar",
            args=[national.slug, calendar.feed_token(member_mso, national)],
        )
        response = assert_public(url)
        assert response["Content-Type"] == "text/calendar"


class TestAdding:
    def test_a_lead_adds_an_event_in_uk_time(self, client_for, national, network_head):
        response = client_for(network_head).post(
            reverse("networks:event_create", args=[national.slug]),
            data(on_month="7", starts="9.30", ends="11:00"),
        )
        event = Event.objects.get()
        assert response["Location"] == event.get_absolute_url()
        assert event.starts_at == datetime.datetime(2027, 7, 14, 9, 30, tzinfo=LONDON)
        assert event.created_by == network_head

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"title": ""}, "title", "Enter the title of the event"),
            (
                {"starts": "25:00"},
                "starts",
                "Enter the start time as hours and minutes, like 14:30",
            ),
            ({"ends": "09:00"}, "ends", "The end time must be after the start time"),
            ({"on_day": ""}, "on", "Date must include a day"),
            (
                {"joining_link": "http://meet.example"},
                "joining_link",
                "The joining link must begin https://",
            ),
        ],
    )
    def test_bad_input_is_explained_and_kept(
        self, client_for, national, network_head, fields, field, message
    ):
        response = client_for(network_head).post(
            reverse("networks:event_create", args=[national.slug]), data(**fields)
        )
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [message]
        assert 'value="Regional MSO meeting"' in response.text or field == "title"
        assert not Event.objects.exists()

    def test_changing_an_event_shows_its_times(self, client_for, national, webinar, network_head):
        page = client_for(network_head).get(
            reverse("networks:event_update", args=[national.slug, webinar.pk])
        )
        assert 'value="12:30"' in page.text and 'value="13:30"' in page.text


class TestCalendars:
    def test_one_event_as_a_calendar_file(self, client_for, national, webinar, member_mso):
        response = client_for(member_mso).get(
            reverse("networks:event_ics", args=[national.slug, webinar.pk])
        )
        assert response["Content-Disposition"].startswith("attachment;")
        [item] = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(item["summary"]) == "Monthly MSO webinar: insulin safety"
        assert item["dtstart"].dt == webinar.starts_at
        assert str(item["location"]) == "https://meet.example/mso-december"
        assert str(item["uid"]) == f"{webinar.uid}@mso-portal"

    def test_the_feed_lists_the_events_and_ends_when_they_leave(
        self, client_for, national, webinar, member_mso
    ):
        page = client_for(member_mso).get(reverse("networks:events", args=[national.slug]))
        feed = page.context["feed_url"]
        assert feed.startswith("http://testserver/networks/national/calendar/")
        path = feed.removeprefix("http://testserver")
        response = Client().get(path)
        assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
        NetworkMembership.objects.filter(user=member_mso).delete()
        assert Client().get(path).status_code == 404
        join(national, member_mso)  # a new membership: the old address stays dead
        assert Client().get(path).status_code == 404

    @pytest.mark.parametrize("token", ["nonsense", "eyJ.tampered:sig"])
    def test_a_bad_token_is_not_found(self, national, token):
        url = reverse("networks:calendar", args=[national.slug, token])
        assert Client().get(url).status_code == 404

    def test_a_token_for_one_network_does_not_open_another(self, national, london, member_mso):
        join(london, member_mso)
        token = calendar.feed_token(member_mso, national)
        assert (
            Client().get(reverse("networks:calendar", args=[london.slug, token])).status_code == 404
        )
