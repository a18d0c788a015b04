"""A person's notifications: the list with its unread count in the header, opening one, and
how they are emailed. Nobody sees another person's."""

import pytest
from django.urls import reverse

from notifications.models import Notification, Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(person, title="Pass on the generic MSO mailbox", url="/organisations/RZA/", kind="due"):
    return Notification.objects.create(
        recipient=person,
        subject=f"test:{title}",
        topic="test",
        kind=kind,
        due_on="2026-11-30",
        title=title,
        body="Due on 30 November 2026.",
        url=url,
    )


def test_access(assert_access, staff, other_mso):
    note = notify(staff)
    assert_access(reverse("notifications:list"), allowed=staff)
    assert_access(reverse("notifications:preferences"), allowed=staff)
    assert_access(
        reverse("notifications:preferences"),
        method="post",
        data={"delivery": "daily"},
        allowed=staff,
        ok=302,
    )
    assert_access(reverse("notifications:all_read"), method="post", allowed=staff, ok=302)
    assert_access(
        reverse("notifications:group_read"),
        method="post",
        data={"topic": "test", "kind": "due", "day": note.created_at.date().isoformat()},
        allowed=staff,
        ok=302,
    )
    assert_access(
        reverse("notifications:read", args=[note.pk]),
        method="post",
        allowed=staff,
        other_organisation=other_mso,  # anyone else: it does not exist for them
        ok=302,
    )


def test_the_header_counts_the_unread_lines_of_the_list(client_for, staff):
    """The list shows a line for each kind and day: the header counts the lines with something
    unread, not every notification."""
    notify(staff)
    notify(staff, title="Second")
    notify(staff, title="Overdue", kind="overdue")
    notify(UserFactory(), title="Someone else's")
    client = client_for(staff)
    assert client.get(reverse("home")).context["unread_notifications"] == 2
    page = client.get(reverse("notifications:list"))
    assert "Second" in page.text and "Someone else's" not in page.text


def test_the_count_kept_for_the_header_follows_what_is_written_and_read(
    client_for, staff, django_capture_on_commit_callbacks
):
    """The header's count is kept in the cache: writing a notification and reading one
    forget it."""
    import datetime

    from notifications import services
    from notifications.registry import Reminder

    client = client_for(staff)
    home = reverse("home")
    assert client.get(home).context["unread_notifications"] == 0
    reminder = Reminder(
        "test:1", "due", datetime.date(2026, 11, 30), staff.pk, "Due", "Due soon.", "/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([reminder])
    assert client.get(home).context["unread_notifications"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:all_read"))
    assert client.get(home).context["unread_notifications"] == 0


def test_opening_one_marks_it_read_and_goes_to_its_page(client_for, staff):
    note = notify(staff)
    client = client_for(staff)
    response = client.post(reverse("notifications:read", args=[note.pk]))
    assert response["Location"] == "/organisations/RZA/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(reverse("home")).context["unread_notifications"] == 0


def test_marking_all_as_read(client_for, staff):
    notify(staff)
    notify(staff, title="Second")
    client_for(staff).post(reverse("notifications:all_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_choosing_one_email_a_day(client_for, staff):
    client = client_for(staff)
    response = client.post(reverse("notifications:preferences"), {"delivery": "weekly"})
    assert "Select how you want your reminders emailed" in response.text
    client.post(reverse("notifications:preferences"), {"delivery": "daily"})
    assert Preference.objects.get(user=staff).delivery == Preference.Delivery.DAILY


def test_a_count_made_before_a_write_is_counted_again(staff):
    """A page that counted, then a write, then that page keeping its count: the next page
    counts again rather than show the count from before the write."""
    import time

    from django.core.cache import cache

    from notifications import services

    counted_key, _ = services._unread_keys(staff.pk)
    before = time.time()
    notify(staff)
    services.forget_unread([staff.pk])  # the write, after the slow page began counting
    cache.set(counted_key, (before, 0), services.UNREAD_SECONDS)  # the slow page's count
    assert services.unread_count(staff) == 1
