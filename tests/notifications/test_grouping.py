"""Notifications grouped: a line for each kind and day, named by the apps' topics, that opens
on its notifications and is marked read as one; the daily email grouped the same way; and each
person's choice of email (each, a daily email, or none), security notices aside."""

import datetime
import importlib

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Notification, Preference
from notifications.registry import Reminder
from notifications.topics import DUE, TOPICS, Topic, label, topic_of
from organisations.choices import Post
from tests.factories import UserFactory, post_holder

pytestmark = pytest.mark.django_db

State = Notification.State
DAY = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)


def reminder(person, subject="alert-action:1", kind="due-tomorrow", title="An action of X"):
    return Reminder(
        subject=subject,
        kind=kind,
        due_on=datetime.date(2026, 12, 5),
        recipient_id=person.pk,
        title=title,
        body="An action of alert NatPSA/2026/004 is due on 5 December 2026.",
        url="/alerts/",
    )


def written(reminders, capture, at=DAY):
    """Written by the engine at ``at``, its emails sent as a worker would."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        return services.notify(reminders)


class TestLabels:
    def test_a_line_is_named_by_its_topic_and_kind(self):
        assert label("alert-action", "due-tomorrow", 12) == "12 alert actions due tomorrow"
        assert label("alert-action", "overdue", 1) == "1 alert action overdue"
        assert label("alert-response", "published", 3) == "3 new alerts"
        assert label("incident", "feedback-2", 1) == "1 report of yours with feedback"
        assert label("incident", "lfpse-refused-3", 2) == "2 incidents refused by LFPSE"

    def test_one_nobody_named_is_called_by_its_title_or_counted(self):
        assert label("no-such-topic", "made", 1, "A title") == "A title"
        assert label("no-such-topic", "made", 2, "A title") == "2 notifications"
        assert label("alert-action", "no-such-kind", 2, "A title") == "2 alert actions"

    def test_the_topic_is_the_start_of_the_subject(self):
        assert topic_of("alert-action:12") == "alert-action"
        assert topic_of("incident-shared:3:4") == "incident-shared"
        assert topic_of("plain") == "plain"

    def test_every_app_names_its_topics(self):
        assert {
            "incident-action",
            "alert-action",
            "committee-action",
            "handover-item",
            "workplan-item",
            "change-request",
            "protocol",
            "cd-concern",
            "api-token",
        } <= set(TOPICS)
        assert TOPICS["api-token"].security
        assert not TOPICS["alert-action"].security


class TestTheList:
    def test_it_shows_a_line_for_each_kind_and_day(
        self, client_for, staff, django_capture_on_commit_callbacks
    ):
        capture = django_capture_on_commit_callbacks
        written([reminder(staff, f"alert-action:{n}") for n in range(12)], capture)
        written([reminder(staff, "alert-action:20", "overdue")], capture)
        written(
            [reminder(staff, f"alert-action:{n}") for n in range(30, 32)],
            capture,
            at=DAY + datetime.timedelta(days=1),
        )
        written([reminder(UserFactory(), "alert-action:99")], capture)
        page = client_for(staff).get(reverse("notifications:list"))
        lines = [group["label"] for group in page.context["groups"]]
        assert lines == [
            "2 alert actions due tomorrow",
            "12 alert actions due tomorrow",
            "1 alert action overdue",
        ]
        assert "12 alert actions due tomorrow <span" in page.text
        assert "— 4 Dec" in page.text and "— 5 Dec" in page.text
        assert page.text.count("<details") == 3
        assert page.text.count('<li class="nhsuk-card') == 15  # each opens on its notifications
        assert page.context["unread_notifications"] == 3

    def test_a_line_opens_on_its_latest_when_it_has_many(
        self, client_for, staff, django_capture_on_commit_callbacks
    ):
        written(
            [reminder(staff, f"alert-action:{n}") for n in range(55)],
            django_capture_on_commit_callbacks,
        )
        page = client_for(staff).get(reverse("notifications:list"))
        assert "The latest 50 of 55 are shown here." in page.text

    def test_marking_a_line_read_marks_its_notifications_and_no_others(
        self, client_for, staff, django_capture_on_commit_callbacks
    ):
        capture = django_capture_on_commit_callbacks
        written([reminder(staff, f"alert-action:{n}") for n in range(3)], capture)
        written([reminder(staff, "alert-action:9", "overdue")], capture)
        written([reminder(staff, "alert-action:10")], capture, at=DAY + datetime.timedelta(days=1))
        other = UserFactory()
        written([reminder(other, "alert-action:1")], capture)
        client = client_for(staff)
        day = timezone.localdate(DAY).isoformat()
        with capture(execute=True):
            response = client.post(
                reverse("notifications:group_read"),
                {"topic": "alert-action", "kind": "due-tomorrow", "day": day},
            )
        assert response.status_code == 302
        unread = Notification.objects.filter(read_at__isnull=True)
        assert sorted(unread.values_list("subject", flat=True)) == [
            "alert-action:1",  # someone else's
            "alert-action:10",  # the next day's
            "alert-action:9",  # another kind
        ]
        page = client.get(reverse("notifications:list"))
        assert "3 notifications marked as read" in page.text
        assert page.context["unread_notifications"] == 2

    def test_a_line_that_cannot_be_read_marks_nothing(self, client_for, staff):
        client = client_for(staff)
        response = client.post(reverse("notifications:group_read"), {"kind": "x", "day": "no"})
        assert response.status_code == 302
        assert "could not be found" in client.get(reverse("notifications:list")).text

    def test_it_costs_the_same_queries_however_many_lines_and_notifications(
        self, client_for, staff, django_capture_on_commit_callbacks, page_queries
    ):
        capture = django_capture_on_commit_callbacks
        client = client_for(staff)
        url = reverse("notifications:list")
        written([reminder(staff, "alert-action:1")], capture)
        few = page_queries(client, url)
        for day in range(1, 25):
            written(
                [
                    reminder(staff, f"alert-action:{day}-{n}", kind)
                    for n in range(4)
                    for kind in ("due-tomorrow", "overdue")
                ],
                capture,
                at=DAY + datetime.timedelta(days=day),
            )
        assert page_queries(client, url) == few
        assert page_queries(client, url + "?page=2") == few


class TestNoEmail:
    def test_reminders_of_someone_who_wants_no_email_are_never_emailed(
        self, client_for, staff, django_capture_on_commit_callbacks
    ):
        Preference.objects.create(user=staff, delivery=Preference.Delivery.NONE)
        written(
            [reminder(staff), reminder(staff, "handover-item:1", "overdue")],
            django_capture_on_commit_callbacks,
        )
        assert set(Notification.objects.values_list("state", flat=True)) == {State.PORTAL}
        assert services.deliver_pending(inline=True, older_than=datetime.timedelta(0)) == 0
        assert services.send_digests() == 0
        for notification in Notification.objects.all():
            assert services.deliver(notification.pk) is False  # a stray task sends nothing
        assert not mail.outbox
        page = client_for(staff).get(reverse("notifications:list"))
        assert "1 alert action due tomorrow" in page.text
        assert "1 handover item overdue" in page.text
        assert page.context["unread_notifications"] == 2

    def test_choosing_no_email_keeps_the_unsent_in_mso_portal(
        self, client_for, staff, django_capture_on_commit_callbacks
    ):
        capture = django_capture_on_commit_callbacks
        Preference.objects.create(user=staff, delivery=Preference.Delivery.DAILY)
        written([reminder(staff, "alert-action:1")], capture)
        with time_machine.travel(DAY, tick=False), capture(execute=False):
            services.notify([reminder(staff, "api-token:1", "made")])  # security: queued
        client = client_for(staff)
        response = client.post(reverse("notifications:preferences"), {"delivery": "none"})
        assert response.status_code == 302
        assert Preference.objects.get(user=staff).delivery == Preference.Delivery.NONE
        states = dict(Notification.objects.values_list("subject", "state"))
        assert states == {"alert-action:1": State.PORTAL, "api-token:1": State.QUEUED}
        assert services.send_digests() == 0
        services.deliver_pending(inline=True, older_than=datetime.timedelta(0))
        [email] = mail.outbox
        assert email.subject == "[MSO Portal] An action of X"  # the security notice only
        assert "choose" not in email.body  # no offer to choose not to get it

    def test_the_page_offers_the_choice(self, client_for, staff):
        page = client_for(staff).get(reverse("notifications:preferences"))
        assert "No email: I read my reminders in MSO Portal" in page.text
        assert "always sent" in page.text


class TestSecurityNotices:
    @pytest.mark.parametrize("delivery", [Preference.Delivery.NONE, Preference.Delivery.DAILY])
    def test_a_token_made_is_emailed_at_once_whatever_was_chosen(
        self, delivery, staff, django_capture_on_commit_callbacks
    ):
        from api import services as api_services
        from api.scopes import Scope

        Preference.objects.create(user=staff, delivery=delivery)
        with django_capture_on_commit_callbacks(execute=True):
            api_services.token_create(
                by=staff,
                name="Reporting",
                scopes=[Scope.INCIDENTS_SUBMIT],
                expires_on=timezone.localdate() + datetime.timedelta(days=5),
            )
        [email] = mail.outbox
        assert "An API token was made for your account" in email.subject
        assert Notification.objects.get().state == State.SENT

    def test_a_password_reset_is_emailed_to_someone_who_wants_no_reminders(self, client, trust):
        mso = post_holder(trust, Post.MSO)
        Preference.objects.create(user=mso, delivery=Preference.Delivery.NONE)
        client.post(reverse("account_reset_password"), {"email": mso.email})
        assert [email.to for email in mail.outbox] == [[mso.email]]


class TestTheDailyEmail:
    def test_it_groups_by_kind(self, django_capture_on_commit_callbacks):
        person = UserFactory()
        Preference.objects.create(user=person, delivery=Preference.Delivery.DAILY)
        written(
            [
                reminder(person, "alert-action:1"),
                reminder(person, "alert-action:2"),
                reminder(person, "handover-item:1", "overdue", title="Pass on the mailbox"),
            ],
            django_capture_on_commit_callbacks,
        )
        assert not mail.outbox
        assert services.send_digests() == 1
        [email] = mail.outbox
        assert "3 things to do" in email.subject
        body = email.body
        assert body.index("2 alert actions due tomorrow") < body.index("1 handover item overdue")
        assert body.count("An action of X") == 2
        assert body.index("1 handover item overdue") < body.index("Pass on the mailbox")
        assert "<h2>2 alert actions due tomorrow</h2>" in email.alternatives[0][0]


def test_the_migration_names_the_topics_of_rows_written_before(staff):
    """Notifications written before topics were kept get theirs from their subjects."""
    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0002_grouped_and_no_email")
    for subject in ("alert-action:12", "incident-shared:3:4", "plain"):
        Notification.objects.create(
            recipient=staff,
            subject=subject,
            kind="k",
            due_on=datetime.date(2026, 12, 4),
            title="t",
            body="b",
            url="/",
        )
    migration.name_topics(apps, None)
    assert dict(Notification.objects.values_list("subject", "topic")) == {
        "alert-action:12": "alert-action",
        "incident-shared:3:4": "incident-shared",
        "plain": "plain",
    }


def test_a_topic_registry_names_whole_phrases_and_kinds_by_their_start(monkeypatch):
    monkeypatch.setitem(
        TOPICS,
        "thing",
        Topic("thing", "things", {**DUE, "new": ("new thing", "new things"), "step-*": "moved"}),
    )
    assert label("thing", "new", 2) == "2 new things"
    assert label("thing", "step-4", 1) == "1 thing moved"
    assert label("thing", "due-in-7-days", 3) == "3 things due within 7 days"
