"""Signed off once (issue 28, finding 7): the board director's sign-off sent twice at the same
moment (a second press, a second tab), each request on its own connection to PostgreSQL, signs
the response off once. The response is locked while it is signed off (services._locked), so
the second waits, then finds it signed off: one event on the timeline, the first note and time
kept, the MSO told once; the second press is told, as news, who signed it off and when."""

import html
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from alerts import services
from alerts.models import AlertResponse, AlertResponseEvent
from notifications.models import Notification
from tests.alerts.conftest import finish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql")]


@pytest.fixture
def ready(response, mso):
    """The trust's response: it applies, every action done."""
    services.response_decide(by=mso, response=response, applies=True)
    finish(mso, response, mso)
    return response


def test_two_sign_offs_at_once_sign_it_off_once(ready, director, mso, client_for, monkeypatch):
    barrier = threading.Barrier(2)
    locked = services._locked

    def together(response):
        barrier.wait(timeout=30)
        return locked(response)

    monkeypatch.setattr(services, "_locked", together)
    url = reverse("alerts:sign_off", args=[ready.alert_id, ready.organisation.ods_code])
    answers = {}
    mail.outbox.clear()

    def press(note):
        try:
            answers[note] = client_for(director).post(url, {"note": note}, follow=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(note,)) for note in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    event = AlertResponseEvent.objects.get(response=ready, kind=AlertResponseEvent.Kind.SIGNED_OFF)
    response = AlertResponse.objects.get(pk=ready.pk)
    assert response.sign_off_note == event.note and event.by == director
    assert response.signed_off_by == director
    assert abs((response.signed_off_at - event.at).total_seconds()) < 1
    notices = Notification.objects.filter(kind="signed-off")
    assert list(notices.values_list("recipient", flat=True)) == [mso.pk]
    assert [message.to for message in mail.outbox] == [[mso.email]]
    # Both answers are the response's page; the second says, as news, that it was signed off.
    assert {answer.status_code for answer in answers.values()} == {200}
    other = "Second" if event.note == "First" else "First"
    assert _said(answers[event.note]) == ["Signed off: the MSO can now declare it complete"]
    assert _said(answers[other]) == [
        f"The response is signed off already, by {director.full_name} on "
        f"{services._on(response.signed_off_at)}"
    ]
    assert "nhsuk-error-summary" not in answers[other].text


def _said(answer) -> list[str]:
    """The messages an answer's page shows, read from the page itself: a test client's
    ``context["messages"]`` holds the templates rendered by every thread at once."""
    banners = re.findall(r'nhsuk-notification-banner__heading">(.*?)</p>', answer.text, re.S)
    return [html.unescape(banner.strip()) for banner in banners]
