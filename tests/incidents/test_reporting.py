"""Reporting a medication incident: two short steps, a draft that keeps everything typed, the
flags from the medicines, anonymity, and the confirmation."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from incidents.models import Draft, Incident, IncidentEvent
from notifications.models import Notification
from organisations.choices import Post, Role
from tests.factories import (
    CONFIRMED,
    PASSWORD,
    OrganisationFactory,
    RelationshipFactory,
    member,
    post_holder,
)

pytestmark = pytest.mark.django_db

STEP_1 = {
    "occurred_on_day": "20",
    "occurred_on_month": "11",
    "occurred_on_year": "2026",
    "occurred_time": "",
    "time_bracket": "2",
    "location": "4",
    "service_area": "Ward 7",
    "what_happened": "Two doses of morphine signed for; only one was due.",
    "immediate_actions": "Patient observed; naloxone ready.",
    "reached_patient": "y",
    "physical_harm": "4",
    "psychological_harm": "4",
    "age_bracket": "11",
    "gender": "2",
    "medicines-TOTAL_FORMS": "2",
    "medicines-INITIAL_FORMS": "0",
    "medicines-MIN_NUM_FORMS": "1",
    "medicines-MAX_NUM_FORMS": "10",
    "medicines-0-name": "Morphine sulfate 10 mg/1 ml solution for injection ampoules",
    "medicines-0-route": "subcutaneous",
    "medicines-0-dose": "5 mg",
    "medicines-0-dmd_code": "",
    "medicines-1-name": "Apixaban 5 mg tablets",
    "medicines-1-route": "oral",
    "medicines-1-dose": "5 mg",
    "medicines-1-dmd_code": "",
}


def step_1(client, data=None, *, action="continue", url=None):
    return client.post(
        url or reverse("incidents:report"), {**STEP_1, **(data or {}), "action": action}
    )


def send(client, draft, data=None, *, action="send"):
    body = {"anonymous": "no", **(data or {}), "action": action}
    return client.post(reverse("incidents:report_send", args=[draft.pk]), body)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 14, 37, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def client(client_for, staff):
    return client_for(staff)


class TestReporting:
    def test_a_nurse_reports_in_two_steps(self, client, staff, trust):
        response = step_1(client)
        draft = Draft.objects.get(user=staff)
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:report_send", args=[draft.pk])
        response = send(
            client, draft, {"processes": ["3"], "drugs_involved": ["1"], "too_much": ["5"]}
        )
        incident = Incident.objects.get()
        assert response.status_code == 200
        assert incident.reference == f"{trust.ods_code}-2026-000001"
        assert incident.reporter == staff and not incident.anonymous
        assert incident.occurred_on == datetime.date(2026, 11, 20)
        assert incident.processes == ["3"] and incident.too_much == ["5"]
        assert [m.name for m in incident.medicines.all()] == [
            "Morphine sulfate 10 mg/1 ml solution for injection ampoules",
            "Apixaban 5 mg tablets",
        ]
        assert not Draft.objects.exists()
        assert incident.reference in response.text and "What happens next" in response.text
        assert "receipt code" not in response.text
        # Sent again (the page reloaded): the draft is gone, nothing is sent twice, and the page
        # says so (tests/incidents/test_sending_once.py).
        again = send(client, draft)
        assert again.status_code == 200 and "This report was sent already" in again.text
        assert Incident.objects.count() == 1

    def test_the_medicines_are_flagged(self, client, dmd, staff):
        step_1(client)
        send(client, Draft.objects.get())
        incident = Incident.objects.get()
        morphine, apixaban = incident.medicines.all()
        assert (morphine.high_risk_group, morphine.cd_schedule) == ("Opioid", "2")
        assert (apixaban.high_risk_group, apixaban.cd_schedule) == ("Anticoagulant", "")
        assert incident.high_risk and incident.controlled_drug

    def test_references_are_numbered_per_organisation_and_year(self, client, trust):
        for _ in range(2):
            step_1(client)
            send(client, Draft.objects.get())
        assert sorted(Incident.objects.values_list("reference", flat=True)) == [
            f"{trust.ods_code}-2026-000001",
            f"{trust.ods_code}-2026-000002",
        ]

    def test_a_validation_error_keeps_everything_typed_and_the_draft(self, client, staff):
        response = step_1(client, {"physical_harm": "", "medicines-1-dose": "5 mg twice"})
        assert response.status_code == 200
        assert "Select the level of physical harm" in response.content.decode()
        html = response.content.decode()
        assert "Two doses of morphine signed for" in html and "5 mg twice" in html
        draft = Draft.objects.get(user=staff)
        assert draft.data["step1"]["medicines-1-dose"] == ["5 mg twice"]
        assert not Incident.objects.exists()

    def test_a_draft_is_kept_and_taken_up_again(self, client, staff):
        response = step_1(client, {"what_happened": "Half written"}, action="save")
        assert response["Location"] == reverse("incidents:mine")
        draft = Draft.objects.get(user=staff)
        page = client.get(reverse("incidents:mine"))
        assert "Half written" in page.content.decode()
        page = client.get(reverse("incidents:report_draft", args=[draft.pk]))
        html = page.content.decode()
        assert "Half written" in html and "Apixaban 5 mg tablets" in html
        assert "There is a problem" not in html

    def test_another_medicine_box_is_added_without_losing_anything(self, client, staff):
        response = step_1(client, action="add-medicine")
        draft = Draft.objects.get(user=staff)
        page = client.get(response["Location"])
        assert page.context["medicines"].total_form_count() == 3
        assert "Morphine sulfate" in page.content.decode()
        assert draft.data["step1"]["what_happened"] == [STEP_1["what_happened"]]

    def test_someone_elses_draft_does_not_exist(self, client_for, staff, mso, client):
        step_1(client, action="save")
        draft = Draft.objects.get()
        other = client_for(mso)
        assert other.get(reverse("incidents:report_draft", args=[draft.pk])).status_code == 404
        assert other.post(reverse("incidents:report_send", args=[draft.pk])).status_code == 404
        assert other.post(reverse("incidents:draft_discard", args=[draft.pk])).status_code == 404
        discard = reverse("incidents:draft_discard", args=[draft.pk])
        assert "Delete this draft?" in client.post(discard).text
        assert Draft.objects.exists()  # asked first
        assert client.post(discard, CONFIRMED).status_code == 302
        assert not Draft.objects.exists()

    def test_refused_steps_keep_one_draft(self, client, staff):
        # The first press keeps a draft; the refused page then posts to it, not to a new one.
        response = step_1(client, {"what_happened": ""})
        draft = Draft.objects.get(user=staff)
        action = reverse("incidents:report_draft", args=[draft.pk])
        assert f'action="{action}"' in response.content.decode()
        step_1(client, {"what_happened": "", "service_area": "Ward 9"}, url=action)
        step_1(client, {"what_happened": "", "service_area": "Ward 10"}, url=action)
        assert Draft.objects.get(user=staff).data["step1"]["service_area"] == ["Ward 10"]

    def test_no_place_is_chosen_for_the_reporter(self, client):
        page = client.get(reverse("incidents:report")).content.decode()
        assert '<option value="" selected>Select where it happened</option>' in page
        response = step_1(client, {"location": ""})
        assert "Select where it happened" in response.content.decode()
        assert not Incident.objects.exists()

    def test_whether_to_name_the_reporter_is_never_answered_for_them(self, client, staff):
        step_1(client)
        draft = Draft.objects.get()
        page = client.get(reverse("incidents:report_send", args=[draft.pk])).content.decode()
        assert 'name="anonymous" type="radio" value="no" checked' not in page
        response = client.post(
            reverse("incidents:report_send", args=[draft.pk]), {"action": "send"}
        )
        assert "Select whether to put your name on the report" in response.content.decode()
        assert not Incident.objects.exists()

    def test_step_2_needs_step_1_answered(self, client, staff):
        step_1(client, {"what_happened": ""}, action="save")
        draft = Draft.objects.get()
        response = client.get(reverse("incidents:report_send", args=[draft.pk]))
        assert response["Location"] == reverse("incidents:report_draft", args=[draft.pk])


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"occurred_on_day": "23"}, "The date of the incident must be today or in the past"),
            ({"occurred_on_day": ""}, "The date of the incident must include a day"),
            ({"time_bracket": ""}, "Enter the time, or select the shift"),
            ({"occurred_time": "25:99"}, "Enter the time as hours and minutes, like 14:30"),
            ({"physical_harm": ""}, "Select the level of physical harm"),
            ({"what_happened": ""}, "Enter what happened"),
            ({"location": "99"}, "Select where it happened"),
            ({"medicines-0-dmd_code": "12ab"}, "A dm+d code is 6 to 18 digits"),
            (
                {"medicines-1-name": "", "medicines-1-dose": "5 mg"},
                "Enter the name of the medicine",
            ),
        ],
    )
    def test_a_clear_message(self, client, change, message):
        response = step_1(client, change)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Incident.objects.exists()

    def test_no_medicine(self, client):
        response = step_1(
            client,
            {"medicines-0-name": "", "medicines-1-name": ""}
            | {f"medicines-{i}-{f}": "" for i in (0, 1) for f in ("route", "dose")},
        )
        # In the error summary it links to the first medicine's name.
        assert (
            '<a href="#id_medicines-0-name">Enter at least one medicine</a>'
            in response.content.decode()
        )

    @pytest.mark.parametrize(
        ("field", "text", "message"),
        [
            ("what_happened", "Patient 943 476 5919 was given the wrong dose.", "NHS number"),
            ("service_area", "Bed 4, DOB 12/03/1956", "date of birth"),
            ("medicines-1-dose", "5 mg for 9434765919", "NHS number"),
        ],
    )
    @pytest.mark.parametrize("action", ["continue", "save", "add-medicine"])
    def test_an_identifier_is_refused_and_nothing_of_it_is_kept(
        self, client, staff, field, text, message, action
    ):
        response = step_1(client, {field: text}, action=action)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"looks like {'an' if message[0] == 'N' else 'a'} {message}" in html
        assert text in html  # shown back to be put right, in the page only
        assert not Draft.objects.exists() and not Incident.objects.exists()

    def test_a_draft_is_not_overwritten_with_an_identifier(self, client, staff):
        step_1(client, {"what_happened": "Half written"}, action="save")
        draft = Draft.objects.get()
        url = reverse("incidents:report_draft", args=[draft.pk])
        step_1(client, {"what_happened": "Given to 943-476-5919"}, action="save", url=url)
        draft.refresh_from_db()
        assert draft.data["step1"]["what_happened"] == ["Half written"]

    def test_script_is_shown_escaped(self, client, staff, client_for, mso):
        step_1(client, {"what_happened": "<script>alert(1)</script> wrong dose"})
        send(client, Draft.objects.get())
        incident = Incident.objects.get()
        html = client_for(mso).get(incident.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestAnonymity:
    def test_nothing_of_the_reporter_is_kept(self, client, staff):
        step_1(client)
        response = send(client, Draft.objects.get(), {"anonymous": "yes"})
        incident = Incident.objects.get()
        assert response.status_code == 200  # shown once, not at an address
        html = response.content.decode()
        assert incident.reference in html and "receipt code" in html
        assert incident.reporter is None and incident.anonymous
        assert timezone.localtime(incident.reported_at).time() == datetime.time(0, 0)
        assert not Draft.objects.exists()
        assert IncidentEvent.objects.get().by is None
        # The audit trail holds nothing of the report's making: no actor, address or time.
        assert not LogEntry.objects.filter(content_type__app_label="incidents").exists()
        assert not LogEntry.objects.filter(actor=staff).exists()
        assert not client.get(reverse("incidents:mine")).context["reports"]

    def test_the_receipt_shows_the_status_and_feedback(self, client, client_for, mso):
        from incidents import services

        step_1(client)
        response = send(client, Draft.objects.get(), {"anonymous": "yes"})
        incident = Incident.objects.get()
        receipt = response.context["receipt"]
        services.review_start(by=mso, incident=incident)
        services.incident_close(
            by=mso, incident=incident, feedback="The chart now has a second check."
        )
        from django.test import Client

        page = Client().post(
            reverse("incidents:receipt"), {"reference": incident.reference, "code": receipt.lower()}
        )
        assert "The chart now has a second check." in page.content.decode()
        page = Client().post(
            reverse("incidents:receipt"),
            {"reference": incident.reference, "code": "0000-0000-0000"},
        )
        assert "do not match" in page.content.decode()
        assert page.context["found"] is None


def test_a_controlled_drug_incident_notifies_the_cdao_of_its_own_body(client_for, trust, staff):
    """The Controlled Drugs (Supervision of Management and Use) Regulations 2013: the trust's
    own CDAO is told; the ICB over it and another trust's CDAO are not."""
    icb = OrganisationFactory(icb=True)
    RelationshipFactory(parent=icb, child=trust, start_on=datetime.date(2020, 1, 1))
    cdao = post_holder(trust, Post.CDAO, full_name="Chris Dao")
    not_told = [post_holder(icb, Post.CDAO), post_holder(OrganisationFactory(), Post.CDAO)]
    client = client_for(staff)
    step_1(client)
    send(client, Draft.objects.get())
    notices = Notification.objects.filter(kind="controlled-drug-reported")
    assert list(notices.values_list("recipient", flat=True)) == [cdao.pk]
    assert not notices.filter(recipient__in=not_told).exists()
    assert "Morphine" not in notices.get().body  # no clinical detail in an email


def test_a_practices_controlled_drug_incident_notifies_the_icbs_cdao(db):
    from incidents.services import cdao_recipients

    icb, pcn = OrganisationFactory(icb=True), OrganisationFactory(pcn=True)
    practice = OrganisationFactory(practice=True)
    for parent, child in ((icb, pcn), (pcn, practice)):
        RelationshipFactory(parent=parent, child=child, start_on=datetime.date(2020, 1, 1))
    cdao = post_holder(icb, Post.CDAO)
    post_holder(OrganisationFactory(icb=True), Post.CDAO)
    assert cdao_recipients(practice) == [cdao.pk]


def test_someone_with_no_organisation_is_told_how_to_report(client_for, lead):
    response = client_for(lead).get(reverse("incidents:report"))
    assert response.status_code == 403
    assert "Ask its MSO to add you" in response.content.decode()


class TestTheReportingPagesLeaveNoTrace:
    """Found by a security probe: the access log's next line after an anonymous report named
    its draft in a Referer, and its status (200, where a named report's was 302) marked it."""

    def test_every_answer_of_the_journey_sends_no_path_in_a_referer(self, client, client_for, mso):
        from django.test import Client

        answers = [client.get(reverse("incidents:report")), step_1(client, action="save")]
        draft = Draft.objects.get()
        answers += [
            client.get(reverse("incidents:report_draft", args=[draft.pk])),
            client.get(reverse("incidents:report_send", args=[draft.pk])),
            client_for(mso).get(reverse("incidents:report_send", args=[draft.pk])),  # 404
            client.put(reverse("incidents:report_send", args=[draft.pk])),  # 405
            send(client, draft, {"anonymous": "yes"}),  # the confirmation
            send(client, draft),  # sent again from another page: not here (404)
            Client().get(reverse("incidents:receipt")),
            Client().post(reverse("incidents:receipt"), {"reference": "X", "code": "Y"}),
        ]
        step_1(client, action="save")
        answers.append(
            client.post(reverse("incidents:draft_discard", args=[Draft.objects.get().pk]))
        )
        answers.append(
            client.post(
                reverse("incidents:draft_discard", args=[Draft.objects.get().pk]), CONFIRMED
            )
        )
        statuses = [answer.status_code for answer in answers]
        assert statuses == [200, 302, 200, 200, 404, 405, 200, 404, 200, 200, 200, 302]
        assert {answer["Referrer-Policy"] for answer in answers} == {"strict-origin"}
        # Every other page keeps the site's policy.
        assert client.get(reverse("incidents:mine"))["Referrer-Policy"] == "same-origin"

    def test_a_named_and_an_anonymous_report_are_answered_alike(self, client, staff):
        answers = {}
        for anonymous in ("no", "yes"):
            step_1(client)
            answers[anonymous] = send(client, Draft.objects.get(), {"anonymous": anonymous})
        named, anonymous = answers["no"], answers["yes"]
        assert named.status_code == anonymous.status_code == 200
        assert set(named.headers) == set(anonymous.headers)
        assert "Location" not in named.headers
        assert [t.name for t in named.templates][0] == [t.name for t in anonymous.templates][0]
        assert "receipt code" in anonymous.text and "receipt code" not in named.text


class TestAnonymousReportsKeepNoTime:
    """Found on review: an anonymous report's time could be told from what else was kept."""

    def test_its_reference_is_in_a_series_of_its_own(self, trust, staff):
        from tests.incidents.conftest import report

        before = report(trust, staff)
        anonymous = report(trust, staff, anonymous=True)
        after = report(trust, staff)
        year = timezone.localdate().year
        assert anonymous.reference == f"{trust.ods_code}-{year}-A00001"
        # Named numbers run on without a gap that would bracket the anonymous one.
        assert int(after.reference[-6:]) == int(before.reference[-6:]) + 1

    def test_its_reference_opens_its_page(self, trust, staff, client_for, mso):
        from tests.incidents.conftest import report

        anonymous = report(trust, staff, anonymous=True)
        page = client_for(mso).get(reverse("incidents:detail", args=[anonymous.reference.lower()]))
        assert page.status_code == 200

    def test_the_cdao_is_told_in_the_next_days_sweep(self, trust, staff, time_machine):
        from notifications.services import sweep
        from tests.incidents.conftest import report

        icb = OrganisationFactory(icb=True)
        RelationshipFactory(parent=icb, child=trust, start_on=datetime.date(2020, 1, 1))
        cdao = post_holder(trust, Post.CDAO)
        time_machine.move_to(datetime.datetime(2026, 3, 10, 14, 37, tzinfo=datetime.UTC))
        incident = report(
            trust,
            staff,
            medicines=("Morphine sulfate 10 mg",),
            anonymous=True,
            occurred_on=datetime.date(2026, 3, 9),
        )
        assert not Notification.objects.exists()
        sweep()  # the same day: still nothing to give it away
        assert not Notification.objects.exists()

        time_machine.move_to(datetime.datetime(2026, 3, 11, 6, 0, tzinfo=datetime.UTC))
        sweep()
        sweep()
        notice = Notification.objects.get()
        assert (notice.recipient, notice.kind) == (cdao, "controlled-drug-reported")
        assert notice.url == incident.get_absolute_url()


class TestSignedOutMidReport:
    """A report takes longer than the idle limit: the nurse is signed out, and what they typed
    waits for them (and them alone) when they sign in again."""

    def _signed_out(self, staff, clock):
        from django.test import Client

        client = Client()
        client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
        assert client.get(reverse("incidents:report")).status_code == 200
        clock.shift(datetime.timedelta(minutes=45))
        return client

    def test_step_one_is_kept_in_a_draft(self, staff):
        with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0), tick=False) as clock:
            client = self._signed_out(staff, clock)
            response = step_1(client, {"what_happened": "Dalteparin missed at 18:00 round."})
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
            assert not Draft.objects.exists()

            back = client.post(
                response["Location"], {"login": staff.email, "password": PASSWORD}, follow=True
            )
            draft = Draft.objects.get(user=staff)
            assert draft.data["step1"]["what_happened"] == ["Dalteparin missed at 18:00 round."]
            assert back.redirect_chain[-1][0] == reverse("incidents:report_draft", args=[draft.pk])
            assert "Dalteparin missed at 18:00 round." in back.content.decode()
            assert "What you typed is kept in this draft" in back.content.decode()

    def test_an_answer_with_an_identifier_is_not_kept(self, staff):
        with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0), tick=False) as clock:
            client = self._signed_out(staff, clock)
            response = step_1(client, {"what_happened": "Missed dose for 943 476 5919."})
            client.post(
                response["Location"], {"login": staff.email, "password": PASSWORD}, follow=True
            )
            kept = Draft.objects.get(user=staff).data["step1"]
            assert "what_happened" not in kept
            assert kept["service_area"] == ["Ward 7"]

    def test_nobody_else_signing_in_on_that_computer_sees_it(self, staff, trust):
        colleague = member(trust, Role.STAFF, email="colleague@trust.example")
        with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0), tick=False) as clock:
            client = self._signed_out(staff, clock)
            response = step_1(client, {"what_happened": "Dalteparin missed at 18:00 round."})
            client.post(
                response["Location"], {"login": colleague.email, "password": PASSWORD}, follow=True
            )
            assert not Draft.objects.exists()
            page = client.get(reverse("incidents:report"))
            assert "Dalteparin" not in page.content.decode()


class TestReceiptGuessesAreThrottled:
    """Found by a security probe: the receipt page answered unlimited guesses. Failed lookups
    are limited per client and per reference, as sign-in is (allauth's rate limits)."""

    ADDRESS = "203.0.113.9"

    @pytest.fixture
    def sent(self, trust, staff):
        from incidents import services
        from tests.incidents.conftest import DETAILS

        incident, receipt = services.report_submit(
            by=staff,
            organisation=trust,
            details=DETAILS,
            medicines=[{"name": "Insulin aspart", "route": "subcutaneous", "dose": "10 units"}],
            anonymous=True,
        )
        return incident, receipt

    def check(self, reference, code, address=ADDRESS):
        from django.test import Client

        return Client(REMOTE_ADDR=address).post(
            reverse("incidents:receipt"), {"reference": reference, "code": code}
        )

    def test_a_right_code_within_the_limit_works(self, sent):
        incident, receipt = sent
        for _ in range(4):
            assert self.check(incident.reference, "0000-0000-0000").status_code == 200
        page = self.check(incident.reference, receipt)
        assert page.status_code == 200 and page.context["found"] == incident

    def test_after_five_wrong_codes_for_a_reference_the_right_one_waits(self, sent):
        incident, receipt = sent
        for _ in range(5):
            assert "do not match" in self.check(incident.reference, "0000-0000-0000").text
        for address in (self.ADDRESS, "198.51.100.20"):  # from anywhere
            refused = self.check(incident.reference, receipt, address=address)
            assert refused.status_code == 429
            assert "Wait 5 minutes, then try again" in refused.text
            assert refused.context["found"] is None
            assert "The chart" not in refused.text and incident.organisation.name not in (
                refused.text
            )
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=1)):
            assert self.check(incident.reference, receipt).context["found"] == incident

    def test_after_ten_wrong_guesses_from_an_address_it_waits(self, sent):
        incident, receipt = sent
        for n in range(10):
            self.check(f"RX1-2026-A{n:05d}", "0000-0000-0000")
        assert self.check(incident.reference, receipt).status_code == 429
        other = self.check(incident.reference, receipt, address="198.51.100.20")
        assert other.context["found"] == incident

    def test_the_limiter_keeps_no_address(self, sent, monkeypatch):
        from allauth.core.internal import ratelimit

        kept, cache = [], ratelimit.cache

        class Watched:
            """The cache the limiter writes to (local memory, or Redis), each key noted."""

            def __getattr__(self, name):
                def noted(key, *args, **kwargs):
                    kept.append((key, args))
                    return getattr(cache, name)(key, *args, **kwargs)

                return noted

        monkeypatch.setattr(ratelimit, "cache", Watched())
        incident, _receipt = sent
        for _ in range(6):
            self.check(incident.reference, "0000-0000-0000")
        assert any(":rl:incidents:receipt-" in key for key, _args in kept)
        assert self.ADDRESS not in str(kept) and incident.reference not in str(kept)


class TestEmptyDrafts:
    BLANK = {name: "" for name in STEP_1 if not name.startswith("medicines-")} | {
        "medicines-TOTAL_FORMS": "1",
        "medicines-INITIAL_FORMS": "0",
        "medicines-MIN_NUM_FORMS": "1",
        "medicines-MAX_NUM_FORMS": "10",
        "medicines-0-name": "",
        "medicines-0-route": "",
        "medicines-0-dose": "",
        "medicines-0-dmd_code": "",
    }

    @pytest.mark.parametrize("action", ["continue", "save", "add-medicine"])
    def test_a_blank_page_keeps_no_draft(self, client, staff, action):
        response = client.post(reverse("incidents:report"), {**self.BLANK, "action": action})
        assert response.status_code in (200, 302)
        assert not Draft.objects.exists()
        if action == "add-medicine":
            assert response["Location"] == reverse("incidents:report") + "?rows=2"

    def test_an_empty_draft_is_not_listed_and_is_removed_after_30_days(self, client, staff, trust):
        from incidents import services

        with time_machine.travel(datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)):
            empty = Draft.objects.create(user=staff, organisation=trust, data={"step1": {}})
            kept = Draft.objects.create(
                user=staff, organisation=trust, data={"step1": {"what_happened": ["Half"]}}
            )
        page = client.get(reverse("incidents:mine")).content.decode()
        assert "Half" in page and "No description yet" not in page
        assert services.drafts_purge() == 1
        assert list(Draft.objects.all()) == [kept]
        assert not Draft.objects.filter(pk=empty.pk).exists()
