"""The alert feeds read on a schedule (alerts/feeds.py): each new entry naming a CAS reference
becomes a draft for the national patient safety team, once; the rest is said, never lost."""

import datetime
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command
from django.urls import reverse

from alerts import feeds, services
from alerts.models import Alert, FeedRead
from alerts.tasks import read_alert_feeds
from notifications.models import Notification
from tests.alerts.conftest import draft

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent / "feeds"
MHRA = "https://www.gov.uk/drug-device-alerts.atom"
NHSE = "https://www.england.nhs.uk/feed/?post_type=psa"
CONTENT = {
    MHRA: (HERE / "drug-device-alerts.atom").read_bytes(),
    NHSE: (HERE / "patient-safety-alerts.rss").read_bytes(),
}


@pytest.fixture
def served(monkeypatch, settings):
    """The two feeds, as their addresses would serve them."""
    settings.ALERT_FEEDS = [MHRA, NHSE]
    monkeypatch.setattr(feeds, "fetch", lambda url: CONTENT[url])


def vars_of(alert: Alert) -> dict:
    return {
        field.attname: getattr(alert, field.attname)
        for field in Alert._meta.concrete_fields
        if field.attname != "id"
    }


def drafted():
    return {
        alert.reference: alert
        for alert in Alert.objects.prefetch_related("actions").exclude(feed_entry="")
    }


class TestReading:
    def test_each_entry_naming_a_cas_reference_becomes_a_draft(self, served):
        readings = feeds.read_feeds()
        alerts = drafted()
        assert set(alerts) == {
            "NatPSA/2026/011/MHRA",
            "EL (26)A/44",
            "EL (26)A/40",  # a Class 1 recall under its EL reference, as the MHRA gave them
            "DSI/2026/007",
            "NatPSA/2026/010/NHSPS",
        }
        assert not any(alert.is_published for alert in alerts.values())
        recall = alerts["NatPSA/2026/011/MHRA"]
        # A Class 1 recall, issued by the MHRA as a National Patient Safety Alert.
        assert (recall.alert_type, recall.issuer) == ("recall-1", "mhra")
        assert recall.issued_on == datetime.date(2026, 11, 20)
        assert [(a.description, a.due_on) for a in recall.actions.all()] == [
            (feeds.RECALL_ACTION, datetime.date(2026, 11, 20))
        ]
        assert "pens may deliver more insulin" in recall.summary
        assert "<p>" not in recall.summary and "&amp;" not in recall.summary
        assert recall.link.startswith("https://www.gov.uk/drug-device-alerts/")
        class_2 = alerts["EL (26)A/44"]
        assert (class_2.alert_type, class_2.issuer) == ("recall-2", "mhra")
        assert [a.due_on for a in class_2.actions.all()] == [datetime.date(2026, 11, 20)]
        assert alerts["DSI/2026/007"].alert_type == "device"
        natpsa = alerts["NatPSA/2026/010/NHSPS"]
        assert (natpsa.alert_type, natpsa.issuer) == ("natpsa", "nhs-england")
        assert not natpsa.actions.exists()  # the team writes them before publishing
        mhra = next(reading for reading in readings if reading.url == MHRA)
        assert mhra.notes == ["Field Safety Notices: 9 to 13 November 2026: no CAS reference"]
        assert alerts["EL (26)A/40"].alert_type == "recall-1"

    def test_reading_again_drafts_nothing_twice(self, served):
        feeds.read_feeds()
        again = feeds.read_feeds()
        assert [(len(r.drafted), r.known) for r in again] == [(0, 4), (0, 1)]
        assert Alert.objects.count() == 5
        assert FeedRead.objects.count() == 4

    def test_an_alert_already_recorded_is_left_as_the_team_made_it(
        self, served, patient_safety_team
    ):
        mine = draft(patient_safety_team, reference="NatPSA/2026/010/NHSPS")
        feeds.read_feeds()
        mine.refresh_from_db()
        assert mine.feed_entry == "" and mine.title == "Oral methotrexate: weekly doses given daily"

    def test_a_feed_that_cannot_be_read_is_recorded_and_the_others_still_are(
        self, monkeypatch, settings
    ):
        settings.ALERT_FEEDS = [MHRA, NHSE]

        def fetch(url):
            if url == MHRA:
                raise requests.ConnectionError("no route to host")
            return CONTENT[url]

        monkeypatch.setattr(feeds, "fetch", fetch)
        readings = feeds.read_feeds()
        assert [reading.ok for reading in readings] == [False, True]
        failed = FeedRead.objects.get(url=MHRA)
        assert not failed.ok and "no route to host" in failed.notes
        assert set(drafted()) == {"NatPSA/2026/010/NHSPS"}

    def test_the_entry_s_own_reference_its_words_and_only_a_web_link(self):
        content = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
        <entry><id>one</id><published>2026-11-20T09:00:00Z</published>
        <link rel="alternate" href="javascript:alert(1)"/>
        <title type="html">&lt;b&gt;Class 2 Medicines Recall&lt;/b&gt;: Demo, EL(26)A/50</title>
        <summary>It replaces NatPSA/2026/003/MHRA.</summary></entry></feed>"""
        [entry], notes = feeds.entries(content, MHRA)
        assert (entry.reference, entry.alert_type) == ("EL (26)A/50", "recall-2")
        assert entry.title == "Class 2 Medicines Recall: Demo, EL(26)A/50"
        assert entry.link == "" and notes == []

    def test_an_entry_recorded_meanwhile_by_another_reading_is_known(self, served, monkeypatch):
        save = services.alert_save

        def racing(*, by, alert, medicines, actions):
            save(
                by=by,
                alert=Alert(**{**vars_of(alert), "feed_entry": ""}),
                medicines=[],
                actions=actions,
            )
            return save(by=by, alert=alert, medicines=medicines, actions=actions)

        monkeypatch.setattr(services, "alert_save", racing)
        readings = feeds.read_feeds([NHSE])
        assert [(len(r.drafted), r.known, r.notes) for r in readings] == [(0, 1, [])]

    def test_what_is_not_a_feed_is_said(self):
        with pytest.raises(ValueError, match="not a feed"):
            feeds.read(b"<html><body>Service unavailable", MHRA)

    def test_a_dry_run_writes_nothing(self, served):
        readings = feeds.read_feeds(dry_run=True)
        assert sum(len(reading.drafted) for reading in readings) == 5
        assert not Alert.objects.exists() and not FeedRead.objects.exists()

    @pytest.mark.parametrize(
        ("chunks", "seconds", "refused"),
        [
            ([b"x" * (1024 * 1024)] * 6, 0, "larger than 5 MB"),
            ([b"<feed>"] * 3, 40, "more than 60 seconds"),  # a trickle: 40 s between chunks
        ],
    )
    def test_fetch_gives_up_on_a_feed_too_large_or_too_slow(
        self, monkeypatch, chunks, seconds, refused
    ):
        clock = iter(range(0, 1000, seconds or 1))
        monkeypatch.setattr(feeds.time, "monotonic", lambda: next(clock))

        class Response:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def raise_for_status(self):
                return None

            def iter_content(self, size):
                return iter(chunks)

        monkeypatch.setattr(requests, "get", lambda *args, **kwargs: Response())
        with pytest.raises(ValueError, match=refused):
            feeds.fetch(MHRA)


class TestTheTeam:
    def test_is_told_of_each_draft_once(self, served, patient_safety_team):
        from notifications import services as notifications

        read_alert_feeds()
        notifications.sweep()
        notifications.sweep()
        told = Notification.objects.filter(recipient=patient_safety_team, kind="drafted-from-feed")
        assert told.count() == 5
        assert {n.url for n in told} == {a.get_absolute_url() for a in drafted().values()}

    def test_publishes_a_drafted_recall_as_it_stands_and_a_natpsa_once_it_has_actions(
        self, served, patient_safety_team
    ):
        feeds.read_feeds()
        alerts = drafted()
        services.alert_publish(by=patient_safety_team, alert=alerts["EL (26)A/44"])
        assert Alert.objects.get(reference="EL (26)A/44").is_published
        with pytest.raises(Exception, match="needs its required actions"):
            services.alert_publish(by=patient_safety_team, alert=alerts["NatPSA/2026/010/NHSPS"])

    def test_reads_the_feeds_from_the_import_page(self, served, patient_safety_team, client_for):
        client = client_for(patient_safety_team)
        url = reverse("alerts:import")
        page = client.get(url).text
        assert "Not read yet" in page and MHRA in page
        response = client.post(url, {"action": "feeds"}, follow=True)
        assert f"{MHRA}: 4 drafted, 0 already recorded, 1 passed over" in response.text
        assert "Read " in client.get(url).text and len(drafted()) == 5
        draft_page = client.get(drafted()["DSI/2026/007"].get_absolute_url()).text
        assert "Drafted from the alert feed" in draft_page

    def test_the_page_says_when_no_feed_is_configured(self, patient_safety_team, client_for):
        page = client_for(patient_safety_team).get(reverse("alerts:import")).text
        assert "No alert feeds are configured" in page

    def test_nobody_else_reads_them(self, served, lead, mso, client_for):
        for person in (lead, mso):
            response = client_for(person).post(reverse("alerts:import"), {"action": "feeds"})
            assert response.status_code == 403
        assert not Alert.objects.exists()


class TestTheCommand:
    def test_reads_a_saved_feed(self, capsys):
        call_command("read_alert_feeds", str(HERE / "patient-safety-alerts.rss"))
        out = capsys.readouterr().out
        assert "1 drafted, 0 already recorded" in out and "NatPSA/2026/010/NHSPS" in out
        assert Alert.objects.get().feed_entry == "https://www.england.nhs.uk/?p=312345"

    def test_dry_run_and_a_missing_file(self, capsys):
        call_command("read_alert_feeds", str(HERE / "drug-device-alerts.atom"), "--dry-run")
        assert "Would draft" in capsys.readouterr().out and not Alert.objects.exists()
        with pytest.raises(CommandError, match="no such file"):
            call_command("read_alert_feeds", "nowhere.atom")

    def test_a_feed_that_fails_fails_the_command(self, monkeypatch, settings):
        settings.ALERT_FEEDS = [MHRA]

        def fetch(url):
            raise requests.Timeout("timed out")

        monkeypatch.setattr(feeds, "fetch", fetch)
        with pytest.raises(CommandError, match="could not be read"):
            call_command("read_alert_feeds")
