"""The MSO who leaves and their successor (on the demo data): Amir Shah, Trust A's MSO, leaves
in five weeks. From his home page he replaces himself with Chloe Adams, the deputy chief
pharmacist: as he does not decide changes to the register, it is sent to a network lead and
nothing changes until the lead approves it. Then his last day is set, the handover opens, and
the successor and the board director are told by email and in their notifications. Its
checklist gives each item to the outgoing MSO, the successor or the board director, due on days
spread around the last day, each linking to where it is done; he does one. Chloe sees the
handover from her home page before she starts, and her getting-started list only from her first
day. When the last day has passed, the successor, the board director and the region's network
lead are told again that the post is covered. Keyboard and visible labels only, axe on every
page."""

import datetime
import re

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import User
from notifications import services as notifications
from notifications.models import Notification
from organisations.choices import Post, Role
from organisations.models import (
    Appointment,
    ChangeRequest,
    Handover,
    HandoverItem,
    Membership,
    Organisation,
)

pytestmark = pytest.mark.e2e

MSO = "mso@trust-a.example"
SUCCESSOR = "chloe.adams@trust-a.example"
DIRECTOR = "director@trust-a.example"
LEAD = "lead@midlands.example"
TRUST_A = "Ashby General Hospitals NHS Trust"
POST = "Medication Safety Officer (MSO)"
Task = HandoverItem.Task


@pytest.fixture
def successor(demo):
    """Chloe Adams, Trust A's deputy chief pharmacist: a member with an account."""
    chloe = User.objects.create_user(
        email=SUCCESSOR,
        password=settings.DEMO_PASSWORD,
        full_name="Chloe Adams",
        job_title="Deputy chief pharmacist",
    )
    Membership.objects.create(
        user=chloe, organisation=Organisation.objects.get(ods_code="RZA"), role=Role.STAFF
    )
    TOTP.activate(chloe, demo)
    return chloe


def day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def told_of(subject: str, kind: str) -> list[str]:
    """Who was told of ``subject`` in a notification of ``kind``, by email address."""
    return sorted(
        Notification.objects.filter(subject=subject, kind=kind).values_list(
            "recipient__email", flat=True
        )
    )


def emails_to(address: str, words: str):
    return [m for m in mail.outbox if m.to == [address] and words in m.subject]


def test_an_mso_hands_over_to_a_successor_who_takes_over_on_their_first_day(
    page, browser, live_server, demo, successor, keyboard, expect, sign_in, picture
):
    today = timezone.localdate()
    first_day = today + datetime.timedelta(days=36)
    last_day = first_day - datetime.timedelta(days=1)
    amir = Appointment.objects.get(organisation__ods_code="RZA", post=Post.MSO, user__email=MSO)

    # Amir replaces himself from his home page: a change to the register, for a lead to decide.
    sign_in(page, MSO, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    kb.follow(f"Replace Amir Shah as {POST}")
    expect(page.locator("h1")).to_have_text(f"Replace Amir Shah as {POST}")
    expect(
        page.get_by_text("A network lead checks it before the register shows it")
    ).to_be_visible()
    kb.choose(
        "Yes",
        within=page.get_by_role("group", name="Does the successor have an MSO Portal account?"),
    )
    kb.select("Who is the successor?", "Chloe Adams")
    kb.type(
        "Anything a network lead should know (optional)", "Chloe is our deputy chief pharmacist."
    )
    kb.press("Send to a network lead")
    expect(page.get_by_role("alert")).to_contain_text("Enter the successor's first day in post")
    expect(page.get_by_label("Who is the successor?")).to_have_value(str(successor.pk))
    kb.date(first_day.day, first_day.month, first_day.year)
    kb.bring(page.get_by_role("group", name="Does the successor have"), above=190)
    picture(page, "handover-replace")
    kb.press("Send to a network lead")
    expect(
        page.get_by_text(f"Your change is sent to a network lead. Amir Shah stays {POST}")
    ).to_be_visible()
    expect(page.get_by_text("Waiting for a network lead")).to_be_visible()
    expect(page.get_by_text("Amir Shah, whose last day is the day before")).to_be_visible()
    picture(page, "handover-asked")
    change = ChangeRequest.objects.get(organisation__ods_code="RZA", email=SUCCESSOR)
    amir.refresh_from_db()
    assert change.is_pending and amir.end_on is None  # nothing changes until it is approved
    assert not Handover.objects.filter(appointment=amir).exists()
    assert told_of(f"change-request:{change.pk}", "submitted") == [LEAD]

    # The region's network lead approves it from his home page's count.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    lead = context.new_page()
    try:
        sign_in(lead, LEAD, settings.DEMO_PASSWORD, totp_secret=demo)
        his = keyboard(lead)
        his.go("/")
        his.follow(
            "changes to the register waiting for a decision", within=lead.locator(".mso-waiting")
        )
        his.follow("A new MSO", within=lead.get_by_role("row", name=TRUST_A))
        his.choose("Approve it: the register changes now")
        his.press("Save the decision")
        expect(lead.get_by_text("The change is approved: the register shows it")).to_be_visible()
    finally:
        context.close()

    # His last day is set, and the handover opens: the successor and the board director are
    # told, by email and in their notifications (the lead approved it, so knows); he is told
    # his change is approved.
    amir.refresh_from_db()
    assert amir.end_on == last_day
    handover = Handover.objects.get(appointment=amir)
    assert told_of(f"handover:{handover.pk}", "opened") == sorted([SUCCESSOR, DIRECTOR])
    for address in (SUCCESSOR, DIRECTOR):
        (email,) = emails_to(
            address, f"Amir Shah leaves the MSO post of {TRUST_A} on {day(last_day)}"
        )
        assert handover.get_absolute_url() in email.body
    assert "You take over as MSO" in emails_to(SUCCESSOR, "leaves the MSO post")[0].body
    assert told_of(f"change-request:{change.pk}", "approved") == [MSO]

    # The checklist: each item for the outgoing MSO, the successor or the board director, due
    # on days spread around the last day, with where it is done.
    kb.follow("NHS MSO Portal homepage")
    kb.follow(f"Amir Shah leaves the {POST} post of {TRUST_A} on {day(last_day)}")
    expect(page.locator("h1")).to_have_text(f"Handover of Amir Shah as {POST}")
    expect(page.get_by_text(f"Chloe Adams, from {day(first_day)}")).to_be_visible()
    expected = {
        Task.REGISTER: ("Amir Shah", "the outgoing MSO", -28, "Ask for the new MSO"),
        Task.INCIDENTS: ("Amir Shah", "the outgoing MSO", -14, "Go to the incidents"),
        Task.ALERTS: ("Amir Shah", "the outgoing MSO", -14, "Go to the alerts"),
        Task.COMMITTEE: ("Amir Shah", "the outgoing MSO", -7, "Go to the committee"),
        Task.ALERT_ACCESS: ("Chloe Adams", "the successor", -7, "Go to the alerts"),
        Task.MAILBOX: ("Amir Shah", "the outgoing MSO", 0, "Change the mailbox on the register"),
        Task.CONFIRM: ("Dr Helen Carter", "the board director", 7, "See the named posts"),
        Task.BUDDY: ("Chloe Adams", "the successor", 28, "Ask for a buddy"),
    }
    checklist = page.get_by_role("table", name="What to pass on")
    for task, (owner, meant_for, days, link) in expected.items():
        due = last_day + datetime.timedelta(days=days)
        row = checklist.get_by_role("row", name=re.compile(re.escape(Task(task).label)))
        expect(row).to_contain_text(f"{owner} For {meant_for}")
        expect(row).to_contain_text(f"{due:%-d %b %Y}")
        expect(row.get_by_role("link", name=re.compile(f"^{link}"))).to_be_visible()
    expect(checklist.get_by_role("row", name=re.compile("Ask for the successor"))).to_contain_text(
        "Done"
    )
    kb.show("What to pass on", above=20)
    picture(page, "handover-checklist")

    # An item links to where it is done, and is marked done on the handover.
    incidents_row = checklist.get_by_role("row", name=re.compile("Reassign open incidents"))
    kb.follow("Go to the incidents", within=incidents_row)
    expect(page.locator("h1")).to_have_text("Incidents")
    kb.follow("NHS MSO Portal homepage")
    kb.follow(f"Amir Shah leaves the {POST} post of {TRUST_A} on {day(last_day)}")
    kb.press("Mark as done", within=incidents_row)
    expect(page.get_by_text("“Reassign open incidents and their actions” is done")).to_be_visible()
    assert HandoverItem.objects.get(handover=handover, task=Task.INCIDENTS).done_by.email == MSO

    # Chloe, before her first day: the handover from her home page, no checklist yet.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    chloe = context.new_page()
    try:
        sign_in(chloe, SUCCESSOR, settings.DEMO_PASSWORD, totp_secret=demo)
        hers = keyboard(chloe)
        hers.go("/")
        expect(
            chloe.get_by_text(
                f"Your getting-started list as MSO of {TRUST_A} starts on your first day in post, "
                f"{day(first_day)}."
            )
        ).to_be_visible()
        expect(chloe.get_by_text(re.compile(r"\d+ of \d+ done"))).to_have_count(0)
        hers.bring(chloe.locator(".nhsuk-warning-callout"), above=40)
        picture(chloe, "handover-successor-home")
        hers.follow(f"Amir Shah leaves the {POST} post of {TRUST_A}")
        # Her items are hers to do already.
        yours = chloe.get_by_role("table", name="What to pass on")
        access = yours.get_by_role("row", name=re.compile("Ask for access to CAS"))
        expect(access).to_contain_text("Chloe Adams")
        expect(access.get_by_role("button", name=re.compile("^Mark as done"))).to_be_visible()
    finally:
        context.close()

    # Her first day: the last day has passed, and the reminder sweep tells the successor, the
    # board director and the region's network lead that the post is covered.
    with time_machine.travel(
        datetime.datetime.combine(
            first_day, datetime.time(8, 30), tzinfo=timezone.get_current_timezone()
        )
    ):
        notifications.sweep(on=first_day)
        assert told_of(f"mso-left:{amir.pk}", "covered") == sorted([SUCCESSOR, DIRECTOR, LEAD])
        for address in (SUCCESSOR, DIRECTOR, LEAD):
            (email,) = emails_to(address, f"Chloe Adams is now the MSO of {TRUST_A}")
            assert day(last_day) in email.body

        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        chloe = context.new_page()
        try:
            sign_in(chloe, SUCCESSOR, settings.DEMO_PASSWORD, totp_secret=demo)
            hers = keyboard(chloe)
            hers.go("/")
            expect(chloe.get_by_role("heading", name="Getting started as MSO")).to_be_visible()
            expect(chloe.get_by_text(re.compile(r"^\d+ of \d+ done"))).to_be_visible()
            expect(chloe.locator("li", has_text=f"{POST} (named post)")).to_have_count(1)
            # Her item due before she started is overdue: it waits for her.
            expect(chloe.locator(".mso-waiting")).to_contain_text("1 handover item")
            hers.show("Getting started as MSO", above=20)
            picture(chloe, "handover-getting-started")
        finally:
            context.close()
