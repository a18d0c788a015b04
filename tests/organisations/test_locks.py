"""The locks the hazard log relies on, tried with two transactions at once on PostgreSQL.

Each race runs a first write in one thread up to a point inside its transaction, after its
checks have passed, and holds it there; a second write starts in another thread. With the
organisation lock, the second waits for the first to commit and then sees it; without it (the
control), both pass their checks and both are saved — which is what the lock is for.

H-002: two overlapping appointments to the one-holder MSO post.
H-006: two deputy MSOs ending each other's posts, which would leave nobody to manage.
H-001: two changes to the links at once, which could leave a reach that no link gives.
"""

import datetime
import os
import threading
import time
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from organisations import closure, services
from organisations.choices import Post, RelationshipKind
from organisations.models import (
    Appointment,
    Organisation,
    OrganisationClosure,
    OrganisationRelationship,
)
from tests.factories import OrganisationFactory, UserFactory, post_holder

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
WAIT = 20  # seconds: a bound on waiting for the other thread, never a sleep for its own sake


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI runs the lock tests on PostgreSQL (DATABASE_URL)")
        pytest.skip("the lock tests need PostgreSQL: set DATABASE_URL")


def _waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def race(first, second, *, pause_in: str, on_call: int = 1, module=services):
    """Run ``first`` until the ``on_call``-th call of ``module.pause_in`` has returned (inside
    its transaction), start ``second``, and let ``first`` go on once ``second`` is waiting on a
    lock or has finished. Returns the two outcomes (a value, or the exception raised)."""
    reached, release = threading.Event(), threading.Event()
    original = getattr(module, pause_in)
    calls = {"n": 0}
    first_thread = {}

    def pausing(*args, **kwargs):
        result = original(*args, **kwargs)
        if threading.current_thread() is first_thread.get("thread"):
            calls["n"] += 1
            if calls["n"] == on_call:
                reached.set()
                assert release.wait(WAIT), "the first write was never released"
        return result

    outcomes = {}

    def run(name, work):
        try:
            outcomes[name] = work()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[name] = error
        finally:
            connection.close()

    with mock.patch.object(module, pause_in, pausing):
        one = threading.Thread(target=run, args=("first", first))
        first_thread["thread"] = one
        one.start()
        assert reached.wait(WAIT), "the first write never reached its pause"
        two = threading.Thread(target=run, args=("second", second))
        two.start()
        deadline = time.monotonic() + WAIT
        while two.is_alive() and not _waiting_on_a_lock():
            assert time.monotonic() < deadline, "the second write neither waited nor finished"
            two.join(0.01)
        release.set()
        one.join(WAIT)
        two.join(WAIT)
    return outcomes["first"], outcomes["second"]


def no_lock(organisation):
    """The control: the services without their organisation lock."""
    return mock.patch.object(services, "lock", lambda organisation: None)


def save_mso(trust, by, start, end):
    """An MSO recorded as an approved change to the register records one."""
    return lambda: services.appointment_save(
        approved=True,
        by=by,
        appointment=Appointment(
            organisation=Organisation.objects.get(pk=trust.pk),
            post=Post.MSO,
            name=f"MSO from {start}",
            start_on=start,
            end_on=end,
        ),
    )


class TestOneMsoAtATime:
    """H-002: no two appointments to the MSO post overlap, even when made at the same moment."""

    def writes(self):
        trust = OrganisationFactory()
        admin = UserFactory(is_staff=True)
        first = save_mso(trust, admin, datetime.date(2030, 1, 1), datetime.date(2030, 6, 30))
        second = save_mso(trust, admin, datetime.date(2030, 3, 1), datetime.date(2030, 12, 31))
        return trust, first, second

    def test_the_lock_lets_only_one_through(self):
        trust, first, second = self.writes()
        one, two = race(first, second, pause_in="_check_one_holder")
        assert isinstance(one, Appointment)
        assert isinstance(two, ValidationError)
        assert "Choose dates that do not overlap" in str(two)
        assert Appointment.objects.filter(organisation=trust, post=Post.MSO).count() == 1

    def test_without_the_lock_both_would_be_saved(self):
        trust, first, second = self.writes()
        with no_lock(trust):
            one, two = race(first, second, pause_in="_check_one_holder")
        assert isinstance(one, Appointment) and isinstance(two, Appointment)
        assert Appointment.objects.filter(organisation=trust, post=Post.MSO).count() == 2


class TestSomeoneLeftToManage:
    """H-006: two deputy MSOs ending each other's posts at once cannot leave nobody."""

    def writes(self):
        trust = OrganisationFactory()
        one, two = post_holder(trust, Post.DEPUTY_MSO), post_holder(trust, Post.DEPUTY_MSO)

        def end_the_post_of(holder, by):
            def work():
                post = Appointment.objects.get(user=holder)
                post.end_on = TODAY - datetime.timedelta(days=1)  # as approved: in the past
                return services.appointment_save(by=by, appointment=post, approved=True)

            return work

        return trust, end_the_post_of(two, one), end_the_post_of(one, two)

    def test_the_lock_lets_only_one_through(self):
        trust, first, second = self.writes()
        one, two = race(first, second, pause_in="_has_manager_today", on_call=2)
        assert isinstance(one, Appointment)
        assert isinstance(two, ValidationError)
        assert "would have no MSO or deputy MSO today" in str(two)
        assert Appointment.objects.filter(organisation=trust).current().count() == 1

    def test_without_the_lock_nobody_would_be_left(self):
        trust, first, second = self.writes()
        with no_lock(trust):
            one, two = race(first, second, pause_in="_has_manager_today", on_call=2)
        assert isinstance(one, Appointment) and isinstance(two, Appointment)
        assert not Appointment.objects.filter(organisation=trust).current().exists()


class TestLinksChangedAtOnce:
    """Found on review: removing a successor link while another transaction adds a practice
    below the predecessor left the successor's MSO reaching the practice."""

    def writes(self):
        admin = UserFactory(is_staff=True)
        new_pcn, old_pcn = OrganisationFactory(pcn=True), OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        past = datetime.date(2020, 1, 1)
        merger = OrganisationRelationship.objects.create(
            parent=new_pcn, child=old_pcn, kind=RelationshipKind.SUCCESSOR, start_on=past
        )

        def remove_the_merger():
            return services.relationship_delete(by=admin, relationship=merger)

        def add_the_practice():
            return services.relationship_save(
                by=admin,
                relationship=OrganisationRelationship(
                    parent=Organisation.objects.get(pk=old_pcn.pk),
                    child=Organisation.objects.get(pk=practice.pk),
                    start_on=past,
                ),
            )

        return new_pcn, practice, remove_the_merger, add_the_practice

    def test_the_lock_keeps_the_reach_table_true_to_the_links(self):
        new_pcn, practice, first, second = self.writes()
        race(first, second, pause_in="_write", module=closure)
        assert not OrganisationClosure.objects.filter(ancestor=new_pcn, descendant=practice)
        fields = ("ancestor", "descendant", "area", "depth", "valid_from", "valid_to")
        kept = set(OrganisationClosure.objects.values_list(*fields))
        closure.rebuild()
        assert set(OrganisationClosure.objects.values_list(*fields)) == kept

    def test_without_the_lock_a_reach_would_outlive_its_link(self):
        new_pcn, practice, first, second = self.writes()
        with mock.patch.object(closure, "lock", lambda: None):
            race(first, second, pause_in="_write", module=closure)
        assert OrganisationClosure.objects.filter(ancestor=new_pcn, descendant=practice).exists()
