"""A report is sent once, however often its button is pressed (issue 28, finding 1): two sends of
one draft at the same moment on PostgreSQL, each in its own connection, made two incidents and
told the CDAO twice; a send that found its draft sent while it was being read answered 500.
Now the draft is locked while it is sent, and a second send, at once or later, answers that the
report was sent: leading to the incident for a named report; for an anonymous one saying that
its reference and receipt code were shown once, and linking to nothing."""

import datetime
import re
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from incidents import receipt_again, services
from incidents.models import Draft, Incident, IncidentEvent
from notifications.models import Notification
from organisations.choices import Post
from tests.factories import post_holder
from tests.incidents.test_reporting import STEP_1, send, step_1

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 14, 37, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def cdao(trust):
    """The trust's CDAO, told of each controlled-drug incident (STEP_1 names morphine)."""
    return post_holder(trust, Post.CDAO, full_name="Chris Dao")


@pytest.fixture
def arose_in(other_trust, other_mso):
    """Where the incident arose: its MSO is told when the report is sent."""
    return other_trust


def _draft(client, staff):
    assert step_1(client).status_code == 302
    return Draft.objects.get(user=staff)


def _counts():
    return (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        Notification.objects.count(),
        len(mail.outbox),
    )


TOKEN = "the-token-of-one-showing-of-the-page"
OTHER_TOKEN = "the-token-of-another-showing-of-it"


def _receipt(answer) -> str:
    found = re.search(r"Your receipt code<br><strong>([0-9A-F-]+)</strong>", answer.text)
    return found.group(1) if found else ""


def _said(answer) -> str:
    """What a send answered: the confirmation, or that the report was sent already (read from
    the page: a test client records the templates of every thread's pages at once)."""
    if "This report was sent already" in answer.text:
        return "sent already"
    return "sent" if "What happens next" in answer.text else answer.text


@pytest.mark.parametrize("anonymous", ["no", "yes"])
@pytest.mark.usefixtures("postgresql")
def test_two_sends_at_once_make_one_incident_and_tell_each_person_once(
    client_for, staff, trust, cdao, arose_in, anonymous, monkeypatch
):
    draft = _draft(client_for(staff), staff)
    # Both requests read the draft and keep what was typed, then send at the same moment.
    barrier = threading.Barrier(2)
    submit = services.report_submit

    def together(**kwargs):
        barrier.wait(timeout=30)
        return submit(**kwargs)

    monkeypatch.setattr(services, "report_submit", together)
    answers = []

    def press():
        try:
            answers.append(send(client_for(staff), draft, typed))
        finally:
            connection.close()

    # Two presses of one page: the same token (incidents.receipt_again).
    typed = {"anonymous": anonymous, "arose_in": arose_in.ods_code, "sending": TOKEN}
    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answer.status_code for answer in answers) == [200, 200]
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    if anonymous == "yes":
        # Whichever answer the browser shows, the reporter sees their codes.
        assert [_said(answer) for answer in answers] == ["sent", "sent"]
        assert _receipt(answers[0]) == _receipt(answers[1]) != ""
    else:
        assert sorted(_said(answer) for answer in answers) == ["sent", "sent already"]
    if anonymous == "yes":
        # An anonymous report's CDAO is told in the next day's sweep; its MSO where it arose,
        # too (nothing written at the moment it was sent).
        assert Notification.objects.count() == 0
    else:
        notices = Notification.objects.order_by("kind")
        assert [(n.kind, n.recipient_id) for n in notices] == [
            ("controlled-drug-reported", cdao.pk),
            ("shared", arose_in.memberships.get().user_id),
        ]
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            [cdao.email, arose_in.memberships.get().user.email]
        )
    assert incident.events.filter(kind=IncidentEvent.Kind.SUBMITTED).count() == 1
    assert not Draft.objects.exists()


def test_a_named_report_sent_again_leads_to_its_incident(client_for, staff, cdao):
    client = client_for(staff)
    draft = _draft(client, staff)
    assert send(client, draft).status_code == 200
    before = _counts()
    again = send(client, draft)  # a reload of the confirmation, a second tab, a second press
    incident = Incident.objects.get()
    assert again.status_code == 200 and _said(again) == "sent already"
    assert incident.reference in again.text and incident.get_absolute_url() in again.text
    assert _counts() == before
    # Its pages, opened again from the browser's history, say so too.
    for name in ("incidents:report_send", "incidents:report_draft"):
        page = client.get(reverse(name, args=[draft.pk]))
        assert page.status_code == 200 and incident.reference in page.text
    assert client.post(reverse("incidents:report_draft", args=[draft.pk]), STEP_1).status_code == (
        200
    )
    assert _counts() == before and not Draft.objects.exists()


def test_an_anonymous_report_sent_twice_shows_its_codes_again(client_for, staff):
    """Without JavaScript a second press drops the first answer, the only one with the receipt
    code: the second press (the same page, so the same token) shows it again."""
    client = client_for(staff)
    draft = _draft(client, staff)
    first = send(client, draft, {"anonymous": "yes", "sending": TOKEN})
    incident = Incident.objects.get()
    code = _receipt(first)
    assert code and incident.reference in first.text
    assert list(first.cookies) == ["csrftoken"]  # nothing of it left with the browser
    again = send(client, draft, {"anonymous": "yes", "sending": TOKEN})
    assert again.status_code == 200
    assert _receipt(again) == code and incident.reference in again.text
    assert Incident.objects.count() == 1


def test_an_anonymous_report_sent_again_from_another_page_or_later_shows_no_codes(
    client_for, staff
):
    client = client_for(staff)
    draft = _draft(client, staff)
    send(client, draft, {"anonymous": "yes", "sending": TOKEN})
    incident = Incident.objects.get()
    with time_machine.travel(datetime.timedelta(minutes=11)):
        later = send(client, draft, {"anonymous": "yes", "sending": TOKEN})
    assert later.status_code == 200 and "shown once" in later.text
    # Another page (another tab) has another token: nothing kept says who sent the draft.
    elsewhere = send(client, draft, {"anonymous": "yes", "sending": OTHER_TOKEN})
    assert elsewhere.status_code == 404 and "This draft is not here" in elsewhere.text
    for again in (later, elsewhere):
        # Nothing leads from the reporter to their report: not its reference, nor its address.
        assert incident.reference not in again.text
        assert incident.get_absolute_url() not in again.text
    assert Incident.objects.count() == 1


def test_what_is_kept_of_an_anonymous_send_names_neither_reporter_nor_report(client_for, staff):
    from incidents.models import SentDraft

    client = client_for(staff)
    draft = _draft(client, staff)
    send(client, draft, {"anonymous": "yes", "sending": TOKEN})
    kept = SentDraft.objects.get()
    assert kept.incident_id is None
    assert [f.name for f in SentDraft._meta.fields] == ["key", "incident"]  # no time, no user
    # Under a hash of the token alone, which the service never keeps: not of the person.
    assert kept.key == receipt_again.sent_key(TOKEN) != SentDraft.key_for(staff.pk, draft.pk)
    # Another person asking for the same draft finds nothing.
    other = client_for(post_holder(staff.memberships.get().organisation, Post.MSO))
    assert other.get(reverse("incidents:report_send", args=[draft.pk])).status_code == 404


def test_a_send_that_finds_its_draft_sent_meanwhile_says_so(client_for, staff, monkeypatch):
    """Found at 50 ms apart: the second request read the draft before the first had sent it,
    then kept what was typed in a draft that was gone: 500."""
    client = client_for(staff)
    draft = _draft(client, staff)
    save = services.draft_save
    first = []

    def sent_meanwhile(**kwargs):
        if not first:  # the other press, sent while this one was reading the draft
            with monkeypatch.context() as plain:
                plain.setattr(services, "draft_save", save)
                first.append(send(client_for(staff), draft))
        return save(**kwargs)

    monkeypatch.setattr(services, "draft_save", sent_meanwhile)
    again = send(client, draft)
    assert _said(first[0]) == "sent"
    assert again.status_code == 200 and _said(again) == "sent already"
    assert Incident.objects.count() == 1


def test_a_deleted_draft_does_not_exist(client_for, staff):
    from tests.factories import CONFIRMED

    client = client_for(staff)
    draft = _draft(client, staff)
    client.post(reverse("incidents:draft_discard", args=[draft.pk]), CONFIRMED)
    assert send(client, draft).status_code == 404
    again = client.post(reverse("incidents:draft_discard", args=[draft.pk]), CONFIRMED)
    assert again.status_code == 404


def test_a_named_and_an_anonymous_report_sent_again_are_answered_alike(client_for, staff):
    """ADR 18: no status, redirect or header tells an anonymous report from the access log."""
    client = client_for(staff)
    answers = {}
    for anonymous in ("no", "yes"):
        draft = _draft(client, staff)
        body = {"anonymous": anonymous, "sending": TOKEN}
        send(client, draft, body)
        answers[anonymous] = send(client, draft, body)
    named, anonymous = answers["no"], answers["yes"]
    assert named.status_code == anonymous.status_code == 200
    assert set(named.headers) == set(anonymous.headers)
    assert named["Referrer-Policy"] == anonymous["Referrer-Policy"] == "strict-origin"
