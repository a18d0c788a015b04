"""Handovers: an MSO's end date opens one, with a checklist whose items are the outgoing MSO's,
the successor's or the board director's, due before and after the last day and each linking to
where it is done; the successor, the board director and the regional lead are told when it
opens and again when the last day passes; items are reminded before and after they fall due,
and a post left with nobody in it is reported on the day."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from notifications import services as engine
from notifications.models import Notification
from organisations import handovers, services
from organisations.choices import Post, Region, Role
from organisations.models import Appointment, Handover, HandoverItem
from tests.factories import member, network_lead, post_holder

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 12, 31)
OPENED = datetime.date(2026, 11, 2)  # the day the handovers here open, unless a test says


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-02 10:00 +0000", tick=False):
        yield


def leave(by, appointment, on=LAST_DAY):
    appointment.end_on = on
    return services.appointment_save(by=by, appointment=appointment)


@pytest.fixture
def mso_post(mso):
    return Appointment.objects.get(user=mso, post=Post.MSO)


@pytest.fixture
def handover(mso, mso_post):
    leave(mso, mso_post)
    return Handover.objects.get()


@pytest.fixture
def successor(trust, mso, mso_post):
    """A member named as the next MSO, starting the day after the MSO leaves."""
    person = member(trust, Role.STAFF, full_name="Grace Obi")
    services.appointment_replace(
        by=mso,
        current=mso_post,
        last_day=LAST_DAY,
        successor=Appointment(organisation=mso_post.organisation, post=Post.MSO, user=person),
        approved=True,
    )
    return person


def url(name, handover_or_item):
    organisation = getattr(handover_or_item, "handover", handover_or_item).organisation
    return reverse(f"organisations:{name}", args=[organisation.ods_code, handover_or_item.pk])


def day(month, date, year=2026):
    return datetime.date(year, month, date)


class TestOpening:
    def test_an_mso_end_date_opens_a_handover_with_its_checklist(self, mso, handover):
        assert handover.organisation == handover.appointment.organisation
        assert handover.is_open and handover.leaves_on == LAST_DAY
        items = list(handover.items.all())
        assert {item.task for item in items} == set(HandoverItem.Task)

    def test_each_item_is_its_persons_and_falls_due_around_the_last_day(
        self, mso, director, successor
    ):
        """Found in use: all six items were the outgoing MSO's, due on their last day."""
        items = {item.task: item for item in Handover.objects.get().items.all()}
        Task = HandoverItem.Task
        assert {task: (item.owner, item.due_on) for task, item in items.items()} == {
            Task.REGISTER: (mso, day(12, 3)),  # four weeks before
            Task.INCIDENTS: (mso, day(12, 17)),
            Task.ALERTS: (mso, day(12, 17)),
            Task.COMMITTEE: (mso, day(12, 24)),
            Task.ALERT_ACCESS: (successor, day(12, 24)),
            Task.MAILBOX: (mso, LAST_DAY),
            Task.CONFIRM: (director, day(1, 7, 2027)),
            Task.BUDDY: (successor, day(1, 28, 2027)),
        }
        # The successor was asked for and named on the register: that item is done.
        assert items[Task.REGISTER].done_on == OPENED
        assert [item.is_open for item in items.values()].count(False) == 1

    def test_without_a_successor_their_items_fall_to_the_mso_then_the_director(
        self, mso_client, mso, director, handover
    ):
        items = {item.task: item.owner for item in handover.items.all()}
        # Due before the last day: the outgoing MSO; after it: the board director.
        assert items[HandoverItem.Task.ALERT_ACCESS] == mso
        assert items[HandoverItem.Task.BUDDY] == director
        page = mso_client.get(url("handover", handover))
        assert "For the successor. The successor is not named yet, so it falls to Amir Shah" in (
            page.text
        )
        assert "The successor is not named yet, so it falls to Helen Carter" in page.text

    def test_the_directors_item_falls_to_the_mso_when_there_is_no_director(self, mso, handover):
        item = handover.items.get(task=HandoverItem.Task.CONFIRM)
        assert item.owner == mso
        page_rows = handovers.rows(handover, [item], handovers.people(handover))
        assert page_rows[0].note == "The board director is not named, so it falls to Amir Shah"

    def test_a_successor_without_an_account_leaves_their_items_to_others_and_says_so(
        self, mso, mso_post, trust
    ):
        services.appointment_replace(
            by=mso,
            current=mso_post,
            last_day=LAST_DAY,
            successor=Appointment(
                organisation=trust, post=Post.MSO, name="Grace Obi", email="grace@nhs.example"
            ),
            approved=True,
        )
        handover = Handover.objects.get()
        item = handover.items.get(task=HandoverItem.Task.ALERT_ACCESS)
        assert item.owner == mso
        [row] = handovers.rows(handover, [item], handovers.people(handover))
        assert row.note == "The successor has no MSO Portal account, so it falls to Amir Shah"

    def test_a_successor_named_later_takes_their_items(
        self, trust, mso, director, handover, lead, django_capture_on_commit_callbacks
    ):
        person = member(trust, Role.STAFF, full_name="Grace Obi")
        with django_capture_on_commit_callbacks(execute=True):
            services.appointment_save(
                by=lead,
                appointment=Appointment(
                    organisation=trust, post=Post.MSO, user=person, start_on=day(1, 1, 2027)
                ),
                approved=True,
            )
        items = {item.task: item for item in handover.items.all()}
        assert items[HandoverItem.Task.ALERT_ACCESS].owner == person
        assert items[HandoverItem.Task.BUDDY].owner == person  # from the board director
        assert items[HandoverItem.Task.MAILBOX].owner == mso
        assert items[HandoverItem.Task.REGISTER].done_on == OPENED
        told = Notification.objects.get(recipient=person, subject=f"handover:{handover.pk}")
        assert told.title == (
            "Amir Shah leaves the MSO post of Ashby General Hospitals NHS Trust on 31 December 2026"
        )
        assert told.url == handover.get_absolute_url()
        # Told of the handover, not again of the post recorded.
        assert not Notification.objects.filter(recipient=person, subject__startswith="appoint")

    def test_at_short_notice_no_item_starts_overdue(self, mso, mso_post):
        leave(mso, mso_post, on=day(11, 9))  # in a week
        due = dict(Handover.objects.get().items.values_list("task", "due_on"))
        assert due[HandoverItem.Task.REGISTER] == OPENED
        assert due[HandoverItem.Task.INCIDENTS] == OPENED
        assert due[HandoverItem.Task.COMMITTEE] == day(11, 2)
        assert due[HandoverItem.Task.MAILBOX] == day(11, 9)
        assert due[HandoverItem.Task.BUDDY] == day(12, 7)

    def test_moving_the_last_day_moves_the_items_not_done(self, mso, mso_post, handover):
        done = handover.items.get(task=HandoverItem.Task.INCIDENTS)
        services.handover_item_done(by=mso, item=done, done=True)
        leave(mso, mso_post, on=day(1, 14, 2027))  # two weeks later
        due = dict(handover.items.values_list("task", "due_on"))
        assert due[HandoverItem.Task.MAILBOX] == day(1, 14, 2027)
        assert due[HandoverItem.Task.REGISTER] == day(12, 17)
        assert due[HandoverItem.Task.INCIDENTS] == day(12, 17)  # done: kept as it was

    def test_each_item_links_to_where_it_is_done(self, mso_client, trust, handover):
        page = mso_client.get(url("handover", handover)).text
        change = reverse("register:change_start")
        assert f'href="{change}?ods_code={trust.ods_code}&amp;kind=new-mso"' in page
        assert f'href="{change}?ods_code={trust.ods_code}&amp;kind=contact"' in page
        assert f'href="{reverse("incidents:list")}"' in page
        assert f'href="{reverse("alerts:inbox")}"' in page
        assert f'href="{reverse("organisations:detail", args=[trust.ods_code])}"' in page
        assert f'href="{reverse("networks:buddy_request")}"' in page
        assert handovers.link(HandoverItem.Task.COMMITTEE, trust) == (
            reverse("committees:list", args=[trust.ods_code]),
            "Go to the committee",
        )
        for task in handovers.STEPS:
            found = handovers.link(task, trust)
            assert found is None or found[0].startswith("/"), task
        assert handovers.link(HandoverItem.Task.MAILBOX, trust) == (
            f"{change}?ods_code={trust.ods_code}&kind=contact",
            "Change the mailbox on the register",
        )

    def test_every_kind_of_item_has_its_step(self):
        assert set(handovers.STEPS) == set(HandoverItem.Task)

    def test_replacing_the_mso_opens_it_and_names_the_successor(self, successor):
        handover = Handover.objects.get()
        assert handover.successor().user == successor

    def test_other_posts_have_no_handover(self, trust, mso):
        deputy = Appointment.objects.create(
            organisation=trust, post=Post.DEPUTY_MSO, name="Jo Price", start_on=LAST_DAY
        )
        leave(mso, deputy, on=LAST_DAY.replace(year=2027))
        assert not Handover.objects.exists()

    def test_taking_the_end_date_away_cancels_it_and_setting_it_again_reopens_it(
        self, mso, mso_post, handover
    ):
        mso_post.end_on = None
        services.appointment_save(by=mso, appointment=mso_post)
        handover.refresh_from_db()
        assert handover.cancelled_at and not handover.is_open
        leave(mso, mso_post, on=LAST_DAY.replace(day=30))
        handover.refresh_from_db()
        assert handover.is_open
        assert Handover.objects.count() == 1 and handover.items.count() == len(HandoverItem.Task)

    def test_moving_the_end_date_keeps_what_was_done(self, mso, mso_post, handover):
        item = handover.items.first()
        services.handover_item_done(by=mso, item=item, done=True)
        leave(mso, mso_post, on=LAST_DAY.replace(day=30))
        assert Handover.objects.get().items.filter(done_on__isnull=False).count() == 1

    def test_the_organisation_page_and_home_show_it(self, mso_client, trust, handover):
        for page in (
            mso_client.get(reverse("organisations:detail", args=[trust.ods_code])),
            mso_client.get(reverse("home")),
        ):
            assert "Handover in progress" in page.text
            assert handover.get_absolute_url() in page.text


class TestAccess:
    def test_the_handover_page(self, assert_access, handover, mso, director, staff, other_mso):
        for allowed in (mso, director):
            assert_access(
                url("handover", handover),
                allowed=allowed,
                wrong_role=staff,
                other_organisation=other_mso,
            )

    def test_the_successor_sees_it_before_their_post_starts(self, client_for, successor, staff):
        handover = Handover.objects.get()
        client = client_for(successor)
        page = client.get(url("handover", handover))
        assert page.status_code == 200
        assert "Grace Obi, from 1 January 2027" in page.text
        # They tick the items that are theirs; the MSO manages the rest.
        assert page.text.count(">Mark as done<") == 2
        assert handover.get_absolute_url() in client.get(reverse("home")).text
        theirs = handover.items.get(task=HandoverItem.Task.ALERT_ACCESS)
        assert client.get(url("handover_item", theirs)).status_code == 200
        item = handover.items.get(task=HandoverItem.Task.MAILBOX)
        assert client.get(url("handover_item", item)).status_code == 403
        assert client_for(staff).get(url("handover", handover)).status_code == 403

    def test_changing_an_item(self, assert_access, handover, mso, director, other_mso):
        item = handover.items.first()
        assert_access(
            url("handover_item", item),
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
        )
        assert_access(
            url("handover_item", item),
            method="post",
            data={"owner": "", "due_on_day": "1", "due_on_month": "12", "due_on_year": "2026"},
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )
        assert_access(
            url("handover_item_done", item),
            method="post",
            data={"done": "on"},
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )

    def test_the_outgoing_mso_follows_it_after_their_last_day(self, client_for, mso, handover):
        """Found on review: the day after their last day, the overdue reminder sent them a
        link to a handover their ended post no longer showed them."""
        item = handover.items.first()
        with time_machine.travel(LAST_DAY + datetime.timedelta(days=2)):
            client = client_for(mso)
            page = client.get(url("handover", handover))
            assert page.status_code == 200
            assert "Mark as done" in page.text  # the items they own
            response = client.post(url("handover_item_done", item), {"done": "on"})
            assert response.status_code == 302
            item.refresh_from_db()
            assert item.done_on is not None

    def test_someone_given_an_item_sees_the_handover_and_keeps_that_item(
        self, client_for, mso_client, trust, handover, staff
    ):
        item, other = handover.items.all()[:2]
        item.owner = staff
        services.handover_item_save(by=handover.appointment.user, item=item)
        client = client_for(staff)
        page = client.get(url("handover", handover))
        assert page.status_code == 200
        assert page.text.count("Mark as done") == 1
        assert client.post(url("handover_item_done", item), {"done": "on"}).status_code == 302
        assert client.post(url("handover_item_done", other), {"done": "on"}).status_code == 403

    def test_another_organisations_handover_is_not_found_under_ones_own_code(
        self, client_for, handover, other_trust, other_mso
    ):
        # The other trust's MSO, asking for Ashby's handover under their own ODS code.
        wrong = reverse("organisations:handover", args=[other_trust.ods_code, handover.pk])
        assert client_for(other_mso).get(wrong).status_code == 404


class TestItems:
    def test_an_item_is_given_to_someone_else_with_a_new_date(
        self, mso_client, trust, handover, staff
    ):
        item = handover.items.get(task=HandoverItem.Task.MAILBOX)
        response = mso_client.post(
            url("handover_item", item),
            {"owner": staff.pk, "due_on_day": "15", "due_on_month": "12", "due_on_year": "2026"},
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.owner == staff and item.due_on == datetime.date(2026, 12, 15)

    def test_only_a_member_can_own_an_item(self, mso_client, handover, other_mso):
        item = handover.items.get(task=HandoverItem.Task.MAILBOX)
        response = mso_client.post(
            url("handover_item", item),
            {
                "owner": other_mso.pk,
                "due_on_day": "15",
                "due_on_month": "12",
                "due_on_year": "2026",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["owner"] == ["Select a member of the organisation"]
        item.refresh_from_db()
        assert item.due_on == LAST_DAY  # nothing half-saved

    def test_a_missing_date_is_explained(self, mso_client, handover):
        item = handover.items.first()
        response = mso_client.post(url("handover_item", item), {"owner": ""})
        assert response.context["form"].errors["due_on"] == ["Enter the due date"]

    def test_the_handover_is_complete_when_every_item_is_done(self, mso_client, mso, handover):
        for item in handover.items.all():
            assert mso_client.post(url("handover_item_done", item), {"done": "on"}).status_code
        handover.refresh_from_db()
        assert handover.completed_at and not handover.is_open
        assert handover.items.filter(done_by=mso).count() == len(HandoverItem.Task)
        page = mso_client.get(url("handover", handover))
        assert "Every item was done" in page.text
        item = handover.items.first()
        mso_client.post(url("handover_item_done", item), {})
        handover.refresh_from_db()
        assert handover.is_open
        item.refresh_from_db()
        assert item.done_on is None and item.done_by is None


def swept(on, django_capture_on_commit_callbacks):
    """The notifications written by a sweep on ``on``: (recipient, subject, kind)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        engine.sweep(on)
    return {
        (n.recipient, n.subject.split(":")[0], n.kind)
        for n in Notification.objects.exclude(pk__in=before)
    }


class TestReminders:
    def test_items_are_reminded_a_week_before_the_day_before_and_when_overdue(
        self, handover, mso, director, django_capture_on_commit_callbacks
    ):
        handover.items.exclude(task=HandoverItem.Task.MAILBOX).delete()  # due on the last day

        def on(day):
            with time_machine.travel(day, tick=False):
                return swept(day, django_capture_on_commit_callbacks)

        assert on(datetime.date(2026, 12, 1)) == set()
        assert on(datetime.date(2026, 12, 24)) == {(mso, "handover-item", "due-in-7-days")}
        assert on(datetime.date(2026, 12, 25)) == set()  # each reminder once
        assert on(datetime.date(2026, 12, 30)) == {(mso, "handover-item", "due-tomorrow")}
        overdue = on(datetime.date(2027, 1, 2))
        assert overdue == {
            (mso, "handover-item", "overdue"),
            (director, "handover-item", "overdue"),  # the board director is told too
            (director, "vacancy", "vacant"),  # and that nobody is in post
        }
        assert on(datetime.date(2027, 1, 3)) == set()

    def test_each_owner_is_reminded_of_their_own_items_as_they_fall_due(
        self, mso, director, successor, django_capture_on_commit_callbacks
    ):
        def on(day):
            with time_machine.travel(day, tick=False):
                return swept(day, django_capture_on_commit_callbacks)

        # The register item (due 3 December) is done: the successor is named.
        assert on(datetime.date(2026, 11, 26)) == set()
        assert on(datetime.date(2026, 12, 17)) == {
            (mso, "handover-item", "due-in-7-days"),  # the committee, then the mailbox
            (successor, "handover-item", "due-in-7-days"),  # access to the alerts
            (mso, "handover-item", "due-tomorrow"),  # incidents and alerts, due today
        }
        assert on(datetime.date(2027, 1, 1)) >= {(director, "handover-item", "due-in-7-days")}

    def test_a_sweep_that_misses_a_week_still_sends_the_reminder_due(
        self, handover, mso, django_capture_on_commit_callbacks
    ):
        handover.items.exclude(task=HandoverItem.Task.MAILBOX).delete()
        assert swept(datetime.date(2026, 12, 27), django_capture_on_commit_callbacks) == {
            (mso, "handover-item", "due-in-7-days")
        }

    def test_done_items_and_closed_handovers_are_not_reminded(
        self, handover, mso, mso_post, django_capture_on_commit_callbacks
    ):
        for item in handover.items.exclude(task=HandoverItem.Task.MAILBOX):
            services.handover_item_done(by=mso, item=item, done=True)
        swept(datetime.date(2026, 12, 30), django_capture_on_commit_callbacks)
        assert Notification.objects.get().subject == (
            f"handover-item:{handover.items.get(task=HandoverItem.Task.MAILBOX).pk}"
        )
        mso_post.end_on = None
        services.appointment_save(by=mso, appointment=mso_post)
        assert swept(datetime.date(2027, 1, 2), django_capture_on_commit_callbacks) == set()

    def test_an_item_with_no_owner_goes_to_who_manages_the_organisation(
        self, handover, mso, django_capture_on_commit_callbacks
    ):
        handover.items.exclude(task=HandoverItem.Task.MAILBOX).delete()
        handover.items.update(owner=None)
        reminded = swept(datetime.date(2026, 12, 30), django_capture_on_commit_callbacks)
        assert reminded == {(mso, "handover-item", "due-tomorrow")}

    def test_the_email_says_what_is_due_and_links_to_the_handover(
        self, handover, mso, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        handover.items.exclude(task=HandoverItem.Task.MAILBOX).delete()
        swept(datetime.date(2026, 12, 30), django_capture_on_commit_callbacks)
        [email] = mail.outbox
        assert email.to == [mso.email]
        assert email.subject == "[MSO Portal] Pass on access to the generic MSO mailbox"
        assert "Amir Shah as MSO of Ashby General Hospitals NHS Trust" in email.body
        assert "is due on 31 December 2026" in email.body
        assert f"http://testserver{handover.get_absolute_url()}" in email.body


@pytest.fixture
def london_lead(trust):
    assert trust.region == Region.LONDON
    return network_lead(Region.LONDON, full_name="Lola Adeyemi")


def notices(subject):
    return {
        (n.recipient, n.kind, n.url)
        for n in Notification.objects.filter(subject=subject).select_related("recipient")
    }


class TestToldWhenItOpens:
    """Found in use: setting an end date emailed nobody, only a banner on their home page."""

    def test_the_board_director_and_the_regional_lead_are_told_once(
        self, trust, mso, mso_post, director, london_lead, staff, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        network_lead(Region.NORTH_WEST)  # another region's lead is not told
        with django_capture_on_commit_callbacks(execute=True):
            leave(mso, mso_post)
        handover = Handover.objects.get()
        assert notices(f"handover:{handover.pk}") == {
            (director, "opened", handover.get_absolute_url()),
            # Leads do not see handovers: the register entry.
            (london_lead, "opened", trust.get_absolute_url()),
        }
        assert sorted(m.to[0] for m in mail.outbox) == sorted([director.email, london_lead.email])
        assert mail.outbox[0].subject == (
            "[MSO Portal] Amir Shah leaves the MSO post of Ashby General Hospitals NHS Trust on "
            "31 December 2026"
        )
        told = Notification.objects.get(recipient=director, subject=f"handover:{handover.pk}")
        assert "No successor is named yet" in told.body
        # One notice each: not a second one that the post's dates changed.
        assert not Notification.objects.filter(subject__startswith="appointment:").exists()
        with django_capture_on_commit_callbacks(execute=True):
            leave(mso, mso_post)  # saved again as it was
        assert Notification.objects.count() == 2 and len(mail.outbox) == 2

    def test_a_new_last_day_is_told_again(self, mso, mso_post, director, london_lead):
        leave(mso, mso_post)
        leave(mso, mso_post, on=datetime.date(2027, 1, 14))
        titles = set(
            Notification.objects.filter(recipient=director, kind="opened").values_list(
                "title", flat=True
            )
        )
        assert titles == {
            f"Amir Shah leaves the MSO post of Ashby General Hospitals NHS Trust on {last_day}"
            for last_day in ("31 December 2026", "14 January 2027")
        }

    def test_the_successor_is_told_with_a_link_to_the_handover(
        self, trust, director, london_lead, successor
    ):
        handover = Handover.objects.get()
        assert notices(f"handover:{handover.pk}") == {
            (successor, "opened", handover.get_absolute_url()),
            (director, "opened", handover.get_absolute_url()),
            (london_lead, "opened", trust.get_absolute_url()),
        }
        told = Notification.objects.get(recipient=successor, subject=f"handover:{handover.pk}")
        assert told.body.startswith(
            "You take over as MSO of Ashby General Hospitals NHS Trust from 1 January 2027."
        )
        to_director = Notification.objects.get(recipient=director, kind="opened")
        assert "Grace Obi takes over as MSO from 1 January 2027." in to_director.body

    def test_whoever_sets_it_is_not_told(self, trust, mso, mso_post, lead):
        """The national lead (the region has no lead of its own) approves the MSO's last day."""
        mso_post.end_on = LAST_DAY
        services.appointment_save(by=lead, appointment=mso_post, approved=True)
        assert Handover.objects.get().is_open
        assert not Notification.objects.filter(recipient=lead).exists()
        assert Notification.objects.filter(recipient=mso, subject__startswith="appointment:")


class TestToldWhenTheLastDayPasses:
    def test_the_successor_director_and_lead_hear_who_covers_the_post(
        self, trust, director, london_lead, successor, django_capture_on_commit_callbacks
    ):
        HandoverItem.objects.update(done_on=OPENED)  # only the last day's notice, here
        assert swept(LAST_DAY, django_capture_on_commit_callbacks) == set()
        assert swept(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks) == {
            (successor, "mso-left", "covered"),
            (director, "mso-left", "covered"),
            (london_lead, "mso-left", "covered"),
        }
        told = Notification.objects.filter(subject__startswith="mso-left:").first()
        assert told.title == "Grace Obi is now the MSO of Ashby General Hospitals NHS Trust"
        assert told.body == (
            "Amir Shah's last day as MSO of Ashby General Hospitals NHS Trust was 31 December "
            "2026. The post is now covered by Grace Obi, MSO from 1 January 2027."
        )
        assert told.url == trust.get_absolute_url()
        assert swept(datetime.date(2027, 1, 2), django_capture_on_commit_callbacks) == set()

    def test_a_vacant_post_is_told_as_such(
        self, handover, director, london_lead, django_capture_on_commit_callbacks
    ):
        swept(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
        told = Notification.objects.get(recipient=director, subject__startswith="vacancy:")
        assert told.body.startswith(
            "Amir Shah's last day as MSO of Ashby General Hospitals NHS Trust was 31 December "
            "2026. The post is now vacant: nobody is in it."
        )


class TestVacancy:
    @pytest.fixture
    def regional_lead(self, trust):
        assert trust.region == Region.LONDON
        return network_lead(Region.LONDON, full_name="Lola Adeyemi")

    def test_the_board_director_and_regional_lead_are_told_on_the_first_vacant_day(
        self, handover, director, regional_lead, lead, django_capture_on_commit_callbacks
    ):
        network_lead(Region.NORTH_WEST)  # another region's lead is not told
        swept(LAST_DAY, django_capture_on_commit_callbacks)  # the MSO's last day
        assert not Notification.objects.filter(subject__startswith="vacancy:").exists()
        swept(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
        vacant = {
            (n.recipient, n.kind)
            for n in Notification.objects.filter(subject__startswith="vacancy:")
        }
        assert vacant == {(director, "vacant"), (regional_lead, "vacant")}
        notification = Notification.objects.filter(subject__startswith="vacancy:").first()
        assert notification.title == "Ashby General Hospitals NHS Trust has no MSO"
        swept(datetime.date(2027, 1, 2), django_capture_on_commit_callbacks)
        assert Notification.objects.filter(subject__startswith="vacancy:").count() == 2

    def test_no_one_is_told_when_a_successor_is_named(
        self, successor, director, regional_lead, django_capture_on_commit_callbacks
    ):
        swept(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
        assert not Notification.objects.filter(subject__startswith="vacancy:").exists()

    def test_a_vacancy_is_still_reported_by_a_sweep_a_few_days_late(
        self, handover, director, django_capture_on_commit_callbacks
    ):
        swept(datetime.date(2027, 1, 4), django_capture_on_commit_callbacks)
        assert Notification.objects.filter(
            subject__startswith="vacancy:", recipient=director
        ).exists()

    def test_a_successor_who_starts_weeks_later_leaves_a_vacancy_that_is_told(
        self, trust, mso, mso_post, director, django_capture_on_commit_callbacks
    ):
        """Found on review: a successor recorded for later hid the gap before they start."""
        services.appointment_replace(
            by=mso,
            current=mso_post,
            last_day=LAST_DAY,
            successor=Appointment(
                organisation=trust, post=Post.MSO, name="Grace Obi", email="grace@nhs.example"
            ),
            approved=True,
        )
        later = Appointment.objects.get(name="Grace Obi")
        later.start_on = datetime.date(2027, 2, 1)
        services.appointment_save(by=mso, appointment=later, approved=True)
        swept(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
        assert Notification.objects.filter(
            subject__startswith="vacancy:", recipient=director
        ).exists()

    def test_a_practice_covered_by_its_pcns_mso_is_not_vacant(
        self, db, django_capture_on_commit_callbacks
    ):
        from tests.factories import OrganisationFactory, RelationshipFactory

        pcn = OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice, start_on=datetime.date(2020, 1, 1))
        pcn_mso = post_holder(pcn, Post.MSO)
        own = post_holder(practice, Post.MSO)
        director = post_holder(practice, Post.BOARD_DIRECTOR)
        appointment = Appointment.objects.get(user=own, post=Post.MSO)
        appointment.end_on = LAST_DAY
        services.appointment_save(by=own, appointment=appointment)
        swept(datetime.date(2027, 1, 1), django_capture_on_commit_callbacks)
        assert not Notification.objects.filter(
            subject__startswith="vacancy:", recipient=director
        ).exists()
        told = Notification.objects.get(subject__startswith="mso-left:", recipient=director)
        assert told.kind == "covered"
        assert f"The post is now covered by {pcn_mso.full_name}, MSO of {pcn.name}." in told.body


def test_a_successor_starting_later_does_not_see_other_handovers(client_for, trust, mso):
    """The successor rule reaches only the handover of the post they take over."""
    deputy = post_holder(trust, Post.DEPUTY_MSO, full_name="Dee Puty")
    outgoing = Appointment.objects.get(user=mso, post=Post.MSO)
    leave(mso, outgoing)
    later = member(trust, Role.STAFF)
    Appointment.objects.create(
        organisation=trust, post=Post.DEPUTY_MSO, user=later, start_on=LAST_DAY
    )
    handover = Handover.objects.get()
    assert client_for(later).get(url("handover", handover)).status_code == 403
    assert client_for(deputy).get(url("handover", handover)).status_code == 200  # manages


def test_the_notices_read_well_when_grouped():
    from notifications.topics import label

    assert label("handover", "opened", 2) == "2 MSOs leaving"
    assert label("mso-left", "covered", 1) == "1 MSO post covered again"
    assert label("vacancy", "vacant", 3) == "3 MSO posts fallen vacant"
