"""Reminders from incidents, through the engine: actions due and overdue to their owners, and
reviews not started within 7 days to the MSO (or the PCN's MSO for a practice), each once."""

import datetime

import pytest
import time_machine

from incidents import services
from notifications.models import Notification
from notifications.services import sweep
from organisations.choices import Post, Role
from tests.factories import OrganisationFactory, RelationshipFactory, member, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)


def sent(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("kind", "recipient_id"))


def test_an_action_is_reminded_to_its_owner_before_and_after_its_date(mso, incident, safety_team):
    services.action_add(
        by=mso,
        incident=incident,
        description="Reprint",
        owner=safety_team,
        due_on=DAY + datetime.timedelta(days=7),
    )
    for offset in (0, 1, 6, 7, 8, 9):
        sweep(DAY + datetime.timedelta(days=offset))
    sweep(DAY + datetime.timedelta(days=9))  # a second sweep on a day sends nothing more
    reminders = Notification.objects.filter(subject__startswith="incident-action:")
    assert sorted(reminders.values_list("kind", flat=True)) == [
        "due-in-7-days",
        "due-tomorrow",
        "overdue",
    ]
    assert set(reminders.values_list("recipient", flat=True)) == {safety_team.pk}
    assert incident.what_happened not in " ".join(reminders.values_list("body", flat=True))


def test_a_done_action_is_not_reminded(mso, incident):
    action = services.action_add(
        by=mso, incident=incident, description="Reprint", owner=mso, due_on=DAY
    )
    services.action_update(by=mso, action=action, state="done")
    sweep(DAY + datetime.timedelta(days=3))
    assert not Notification.objects.filter(subject__startswith="incident-action:").exists()


def test_a_review_not_started_within_7_days_is_reminded_to_the_mso(trust, staff, mso, director):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):
        incident = report(trust, staff, occurred_on=datetime.date(2026, 11, 1))
    sweep(datetime.date(2026, 11, 8))
    assert not sent(kind="review-not-started")
    sweep(datetime.date(2026, 11, 9))
    sweep(datetime.date(2026, 11, 10))
    assert sent(kind="review-not-started") == [("review-not-started", mso.pk)]
    services.review_start(by=mso, incident=incident)
    Notification.objects.all().delete()
    sweep(datetime.date(2026, 11, 11))
    assert not sent(kind="review-not-started")


def test_a_practice_without_an_mso_has_the_pcns(db):
    pcn = OrganisationFactory(pcn=True)
    practice = OrganisationFactory(practice=True)
    RelationshipFactory(parent=pcn, child=practice, start_on=datetime.date(2020, 1, 1))
    pcn_mso = post_holder(pcn, Post.MSO)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):
        report(practice, member(practice, Role.STAFF), occurred_on=datetime.date(2026, 11, 1))
    sweep(datetime.date(2026, 11, 10))
    assert sent(kind="review-not-started") == [("review-not-started", pcn_mso.pk)]
