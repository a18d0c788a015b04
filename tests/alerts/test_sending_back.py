"""A board director who is not assured sends a response back, saying what is needed, instead of
signing off what they doubt: it leaves their list and home count, its lead and the MSO are told
and read the note on the response; once it is put right the MSO asks for sign-off again, which
puts it back on the director's list and tells them. Each press is harmless twice."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts import services
from alerts.choices import ResponseState
from alerts.models import AlertResponse
from notifications.models import Notification
from notifications.topics import label
from organisations.choices import Post, Role
from tests.alerts.conftest import ISSUED, answers, assert_tallies_are_live, draft, finish
from tests.factories import member, post_holder
from tests.test_home import shown_at, waiting_on

pytestmark = pytest.mark.django_db
TODAY = ISSUED + datetime.timedelta(days=5)
NEED = "Action 2 says not needed here: attach the community trust's confirmation."


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 7, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def waiting(response, mso, director):
    """The response, every action done by the MSO: waiting for the board director, who was
    told."""
    services.response_decide(by=mso, response=response, applies=True)
    services.response_lead_set(by=mso, response=response, lead=mso)
    finish(mso, response, mso, on=TODAY)
    response.refresh_from_db()
    return response


def waits_for_sign_off(response) -> bool:
    return AlertResponse.objects.filter(pk=response.pk).waiting_for_sign_off().exists()


def told(kind_start: str) -> list[int]:
    return sorted(
        Notification.objects.filter(kind__startswith=kind_start).values_list(
            "recipient_id", flat=True
        )
    )


def url(name, response):
    return reverse(f"alerts:{name}", args=[response.alert_id, response.organisation.ods_code])


class TestSendingBack:
    def test_it_leaves_the_directors_list_with_the_note_kept_and_on_the_timeline(
        self, waiting, director, mso, published
    ):
        assert waits_for_sign_off(waiting)
        services.response_send_back(by=director, response=waiting, note=f"  {NEED}  ")
        waiting.refresh_from_db()
        assert (waiting.sent_back_by, waiting.sent_back_note) == (director, NEED)
        assert waiting.sent_back_at is not None and waiting.signed_off_at is None
        assert waiting.state == ResponseState.IN_PROGRESS
        assert not waits_for_sign_off(waiting)
        assert list(AlertResponse.objects.sent_back()) == [waiting]
        event = waiting.events.latest("at")
        assert (event.kind, event.by, event.note) == ("sent-back", director, NEED)
        assert_tallies_are_live(published)
        with pytest.raises(ValidationError, match="signs off the response before"):
            services.response_complete(by=mso, response=waiting)

    def test_what_is_needed_must_be_said(self, waiting, director):
        with pytest.raises(ValidationError) as refused:
            services.response_send_back(by=director, response=waiting, note="   ")
        assert "Say what is needed" in refused.value.message_dict["note"][0]
        waiting.refresh_from_db()
        assert waiting.sent_back_at is None and waits_for_sign_off(waiting)

    def test_only_a_response_waiting_for_sign_off_is_sent_back(self, response, mso, director):
        services.response_decide(by=mso, response=response, applies=True)
        with pytest.raises(ValidationError, match="2 actions are not done yet"):
            services.response_send_back(by=director, response=response, note=NEED)
        finish(mso, response, mso, on=TODAY)
        services.response_sign_off(by=director, response=response)
        with pytest.raises(ValidationError, match="signed off already") as refused:
            services.response_send_back(by=director, response=response, note=NEED)
        assert refused.value.code == services.ALREADY
        response.refresh_from_db()
        assert response.sent_back_at is None
        assert not response.events.filter(kind="sent-back").exists()

    def test_whoever_leads_it_does_not_send_it_back(self, waiting, mso, director):
        AlertResponse.objects.filter(pk=waiting.pk).update(lead=director)
        with pytest.raises(ValidationError, match="someone else signs it off"):
            services.response_send_back(by=director, response=waiting, note=NEED)

    def test_an_alert_that_needs_no_sign_off_is_not_sent_back_nor_waits_for_it(
        self, lead, trust, mso, director, django_capture_on_commit_callbacks
    ):
        alert = draft(lead, reference="EL (26)A/14", alert_type="notification-4")
        alert.needs_sign_off = False
        alert.save(update_fields=["needs_sign_off"])
        services.alert_publish(by=lead, alert=alert)
        response = AlertResponse.objects.get(alert=alert, organisation=trust)
        services.response_decide(by=mso, response=response, applies=True)
        finish(mso, response, mso, on=TODAY)
        assert not waits_for_sign_off(response)  # the MSO completes it: nobody signs
        assert told("waiting-for-sign-off") == []
        with pytest.raises(ValidationError, match="needs no senior sign-off"):
            services.response_send_back(by=director, response=response, note=NEED)

    def test_a_second_press_finds_it_sent_back_and_changes_nothing(self, waiting, director, mso):
        services.response_send_back(by=director, response=waiting, note=NEED)
        with pytest.raises(ValidationError, match="sent back already, by Helen Carter") as again:
            services.response_send_back(by=director, response=waiting, note="Something else")
        assert again.value.code == services.ALREADY
        waiting.refresh_from_db()
        assert waiting.sent_back_note == NEED
        assert waiting.events.filter(kind="sent-back").count() == 1
        assert told("sent-back") == [mso.pk]


class TestAskingAgain:
    def test_it_puts_the_response_back_on_the_directors_list(self, waiting, director, mso):
        services.response_send_back(by=director, response=waiting, note=NEED)
        services.response_sign_off_ask(by=mso, response=waiting)
        waiting.refresh_from_db()
        assert waiting.sent_back_at is None and waiting.sent_back_note == ""
        assert waits_for_sign_off(waiting)
        assert not AlertResponse.objects.sent_back().exists()
        assert waiting.events.latest("at").kind == "sign-off-asked"
        # The note stays on the timeline.
        assert waiting.events.filter(kind="sent-back", note=NEED).exists()
        services.response_sign_off(by=director, response=waiting, note="Confirmation seen")
        waiting.refresh_from_db()
        assert waiting.signed_off_by == director

    def test_a_second_press_finds_it_asked_and_changes_nothing(self, waiting, director, mso):
        services.response_send_back(by=director, response=waiting, note=NEED)
        services.response_sign_off_ask(by=mso, response=waiting)
        with pytest.raises(ValidationError, match="asked for again already, by Amir Shah") as e:
            services.response_sign_off_ask(by=mso, response=waiting)
        assert e.value.code == services.ALREADY
        assert waiting.events.filter(kind="sign-off-asked").count() == 1
        assert told("sign-off-asked") == [director.pk]

    def test_a_response_not_sent_back_needs_no_asking(self, waiting, mso, director):
        with pytest.raises(ValidationError, match="not sent back") as refused:
            services.response_sign_off_ask(by=mso, response=waiting)
        assert refused.value.code == "not_sent_back"
        services.response_sign_off(by=director, response=waiting)
        with pytest.raises(ValidationError, match="signed off already") as refused:
            services.response_sign_off_ask(by=mso, response=waiting)
        assert refused.value.code == services.ALREADY

    def test_every_action_is_finished_first_and_a_change_meanwhile_tells_no_signer(
        self, waiting, director, mso, time_machine
    ):
        services.response_send_back(by=director, response=waiting, note=NEED)
        time_machine.move_to(datetime.datetime(2026, 11, 8, 10, 0, tzinfo=datetime.UTC))
        second = answers(waiting)[1]
        services.action_response_save(
            by=mso, answer=second, owner=mso, state="in-progress", evidence="", done_on=None
        )
        with pytest.raises(ValidationError, match="1 action is not done yet"):
            services.response_sign_off_ask(by=mso, response=waiting)
        services.action_response_save(
            by=mso,
            answer=second,
            owner=mso,
            state="done",
            evidence="Confirmation from Brookfield Community Health attached",
            done_on=datetime.date(2026, 11, 8),
        )
        waiting.refresh_from_db()
        assert waiting.sent_back_at is not None  # still sent back: nobody asked yet
        # The director was told once it first waited; not again while it is sent back.
        assert told("waiting-for-sign-off") == [director.pk]
        services.response_sign_off_ask(by=mso, response=waiting)
        assert told("sign-off-asked") == [director.pk]

    def test_sign_off_deciding_it_does_not_apply_or_reopening_ends_a_send_back(
        self, waiting, director, mso
    ):
        services.response_send_back(by=director, response=waiting, note=NEED)
        services.response_sign_off(by=director, response=waiting)  # assured after all
        waiting.refresh_from_db()
        assert waiting.sent_back_at is None and waiting.signed_off_by == director
        services.response_complete(by=mso, response=waiting)
        services.response_reopen(by=mso, response=waiting, reason="A second batch")
        waiting.refresh_from_db()
        services.response_send_back(by=director, response=waiting, note=NEED)
        services.response_decide(by=mso, response=waiting, applies=False, rationale="No stock")
        waiting.refresh_from_db()
        assert waiting.sent_back_at is None and waiting.sent_back_note == ""
        assert not AlertResponse.objects.sent_back().exists()


class TestWhoIsTold:
    def test_the_lead_and_the_mso_and_deputy_once_each_and_the_director_when_asked(
        self, waiting, trust, mso, director
    ):
        deputy = post_holder(trust, Post.DEPUTY_MSO, full_name="Sam Deputy")
        pharmacist = member(trust, Role.SAFETY_TEAM, full_name="Dev Patel")
        services.response_lead_set(by=mso, response=waiting, lead=pharmacist)
        waiting.refresh_from_db()
        services.response_send_back(by=director, response=waiting, note=NEED)
        assert told("sent-back") == sorted([mso.pk, deputy.pk, pharmacist.pk])
        notice = Notification.objects.get(kind="sent-back-1", recipient=pharmacist)
        assert notice.url == waiting.get_absolute_url()
        assert notice.title == f"Sent back, not signed off: {waiting.alert.reference}"
        assert "Helen Carter did not sign off" in notice.body
        assert NEED not in notice.body  # the note is read on the response, not in an email
        services.response_sign_off_ask(by=mso, response=waiting)
        assert told("sign-off-asked") == [director.pk]
        notice = Notification.objects.get(kind="sign-off-asked-1")
        assert notice.url == waiting.get_absolute_url()
        assert notice.title == f"Waiting for your sign-off again: {waiting.alert.reference}"

    def test_each_round_is_told_again(self, waiting, mso, director):
        for _ in range(2):
            services.response_send_back(by=director, response=waiting, note=NEED)
            services.response_sign_off_ask(by=mso, response=waiting)
        kinds = Notification.objects.filter(kind__startswith="s").values_list("kind", "recipient")
        assert sorted(kinds) == sorted(
            [
                ("sent-back-1", mso.pk),
                ("sent-back-2", mso.pk),
                ("sign-off-asked-1", director.pk),
                ("sign-off-asked-2", director.pk),
            ]
        )

    def test_the_notifications_are_named_when_grouped(self):
        assert label("alert-response", "sent-back-1", 2) == (
            "2 alert responses sent back, not signed off"
        )
        assert label("alert-response", "sign-off-asked-3", 1) == (
            "1 alert response waiting for your sign-off again"
        )


class TestThePages:
    def test_access_to_sending_back(self, assert_access, waiting, director, mso, other_mso):
        assert_access(
            url("send_back", waiting),
            method="post",
            data={"note": NEED},
            allowed=director,
            wrong_role=mso,
            other_organisation=other_mso,
            ok=302,
        )
        waiting.refresh_from_db()
        assert waiting.sent_back_note == NEED

    def test_access_to_asking_again(self, assert_access, waiting, director, mso, other_mso):
        services.response_send_back(by=director, response=waiting, note=NEED)
        assert_access(
            url("sign_off_ask", waiting),
            method="post",
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )
        waiting.refresh_from_db()
        assert waiting.sent_back_at is None

    def test_the_director_sends_it_back_from_the_response_and_it_leaves_their_list(
        self, client_for, waiting, director
    ):
        client = client_for(director)
        page = client.get(url("response", waiting)).text
        assert "Sign off the response" in page and "Not assured? Send it back" in page
        assert 'id="send_back_note"' in page and 'id="id_note"' in page  # two notes, two ids
        [(count, words, address)] = waiting_on(client)
        assert (count, words) == (1, "alert response waiting for your sign-off")
        assert shown_at(client, address) == 1
        done = client.post(url("send_back", waiting), {"note": NEED}, follow=True).text
        assert "Sent back: the lead and the MSO are told what is needed" in done
        assert "Sent back, not signed off" in done and NEED[:40] in done
        assert "Not assured? Send it back" not in done
        assert "Assured now? Sign it off" in done  # still possible, if assured after all
        assert waiting_on(client) == []
        assert shown_at(client, address) == 0

    def test_what_is_needed_is_asked_for_on_the_page(self, client_for, waiting, director):
        page = client_for(director).post(url("send_back", waiting), {"note": ""})
        assert page.status_code == 200
        assert "Say what is needed before you can sign it off" in page.text
        assert 'href="#send_back_note"' in page.text  # the error summary leads to the box
        too_long = client_for(director).post(url("send_back", waiting), {"note": "x" * 2001})
        assert "What is needed must be 2,000 characters or fewer" in too_long.text
        waiting.refresh_from_db()
        assert waiting.sent_back_at is None

    def test_a_refusal_keeps_the_note_typed(self, client_for, waiting, director, mso):
        services.action_response_save(
            by=mso,
            answer=answers(waiting)[0],
            owner=mso,
            state="in-progress",
            evidence="",
            done_on=None,
        )
        page = client_for(director).post(url("send_back", waiting), {"note": NEED})
        assert page.status_code == 200
        assert "1 action is not done yet" in page.text
        assert "attach the community trust" in page.text  # what was typed, kept

    def test_a_second_press_says_it_is_done(self, client_for, waiting, director, mso):
        client = client_for(director)
        client.post(url("send_back", waiting), {"note": NEED})
        page = client.post(url("send_back", waiting), {"note": NEED}, follow=True).text
        assert "The response is sent back already, by Helen Carter" in page
        client = client_for(mso)
        client.post(url("sign_off_ask", waiting))
        page = client.post(url("sign_off_ask", waiting), follow=True).text
        assert "Sign-off is asked for again already, by Amir Shah" in page
        assert waiting.events.filter(kind="sign-off-asked").count() == 1

    def test_the_mso_reads_the_note_finds_it_from_home_and_asks_again(
        self, client_for, waiting, director, mso
    ):
        services.response_send_back(by=director, response=waiting, note=NEED)
        client = client_for(mso)
        [(count, words, address)] = waiting_on(client)
        assert (count, words, address) == (
            1,
            "alert response sent back, not signed off",
            "/alerts/?show=sent-back",
        )
        assert shown_at(client, address) == 1
        listed = client.get(address).text
        assert waiting.alert.reference in listed and "Sent back" in listed
        assert "1 sent back, not signed off" in listed
        page = client.get(url("response", waiting)).text
        assert "Sent back, not signed off" in page and NEED[:40] in page
        assert "Ask for sign-off again" in page
        done = client.post(url("sign_off_ask", waiting), follow=True).text
        assert "Sign-off is asked for again: the board director is told" in done
        assert "Ask for sign-off again" not in done
        assert waiting_on(client) == [] and shown_at(client, address) == 0
        [(count, words, _)] = waiting_on(client_for(director))
        assert (count, words) == (1, "alert response waiting for your sign-off")

    def test_the_button_waits_for_every_action(self, client_for, waiting, director, mso):
        services.response_send_back(by=director, response=waiting, note=NEED)
        services.action_response_save(
            by=mso,
            answer=answers(waiting)[1],
            owner=mso,
            state="in-progress",
            evidence="",
            done_on=None,
        )
        page = client_for(mso).get(url("response", waiting)).text
        assert "Ask for sign-off again" not in page
        assert "Finish every action" in page
