"""What the API's calls do: a report takes the reporting pages' questions and checks; lists are
read page by page with a cursor; errors have one shape; a token is throttled."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from api.scopes import Scope
from incidents.models import Incident
from organisations.choices import Role
from tests.api.test_api_access import body
from tests.conftest import api_client
from tests.factories import member
from tests.incidents.conftest import report


def post(client, data):
    return client.post(reverse("api:incidents"), data, content_type="application/json")


@pytest.mark.django_db
class TestReporting:
    def test_a_report_is_recorded_as_the_pages_record_it(self, trust, staff):
        response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), body(trust))
        assert response.status_code == 201, response.json()
        incident = Incident.objects.get()
        assert response["Location"] == reverse("api:incident", args=[incident.reference])
        assert incident.reporter == staff and not incident.anonymous
        assert incident.events.get().kind == "submitted"
        assert [m.name for m in incident.medicines.all()] == ["Insulin aspart"]
        answer = response.json()
        assert answer["reference"] == incident.reference
        assert answer["medicines"][0]["route"] == "subcutaneous"

    def test_the_forms_messages_come_back_by_field(self, trust, staff):
        data = body(trust, what_happened="", occurred_on="2099-01-01", location="nowhere")
        data["medicines"] = [{"name": "", "dose": "10 units"}]
        response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), data)
        assert response.status_code == 400
        errors = {(e["attr"], e["detail"]) for e in response.json()["errors"]}
        assert response.json()["type"] == "validation_error"
        assert ("what_happened", "Enter what happened") in errors
        assert ("occurred_on", "The date of the incident must be today or in the past") in errors
        assert ("location", "Select where it happened") in errors
        assert ("medicines.0.name", "Enter the name of the medicine") in errors
        assert not Incident.objects.exists()

    def test_a_patients_identifier_is_refused_and_nothing_kept(self, trust, staff):
        data = body(trust, what_happened="Patient NHS number 943 476 5919 given insulin twice.")
        response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), data)
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["attr"] == "what_happened" and "NHS number" in error["detail"]
        assert not Incident.objects.exists()

    def test_an_organisation_the_person_does_not_report_for_is_refused(
        self, trust, other_trust, staff
    ):
        for code in (other_trust.ods_code, "ZZZ99"):
            response = post(
                api_client(staff, Scope.INCIDENTS_SUBMIT), body(trust) | {"organisation": code}
            )
            assert response.status_code == 403
            assert "member of" in response.json()["errors"][0]["detail"]
        assert not Incident.objects.exists()

    @pytest.mark.parametrize("data", [[], "text", {"organisation": 5}, {"organisation": "R04"}])
    def test_a_body_of_the_wrong_shape_is_a_plain_refusal(self, trust, staff, data):
        data = data if data != {"organisation": "R04"} else {"organisation": trust.ods_code}
        response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), data)
        assert response.status_code == 400
        assert response.json()["errors"]


@pytest.mark.django_db
class TestPages:
    def test_a_list_is_read_page_by_page_and_skips_nothing(self, trust, mso, staff):
        days = [datetime.date(2026, 11, day) for day in range(1, 8)]
        for day in days:
            report(trust, staff, occurred_on=day)
        client = api_client(mso, Scope.INCIDENTS_READ)
        first = client.get(reverse("api:incidents"), {"limit": 3}).json()
        assert [row["occurred_on"] for row in first["results"]] == [
            "2026-11-07",
            "2026-11-06",
            "2026-11-05",
        ]
        # A newer incident reported meanwhile moves no row between pages.
        report(trust, staff, occurred_on=datetime.date(2026, 11, 20))
        seen = [row["reference"] for row in first["results"]]
        page = first
        while page["next"]:
            page = client.get(page["next"]).json()
            seen += [row["reference"] for row in page["results"]]
        older = Incident.objects.exclude(occurred_on=datetime.date(2026, 11, 20))
        assert sorted(seen) == sorted(older.values_list("reference", flat=True))
        assert len(seen) == len(set(seen)) == 7

    def test_a_limit_beyond_the_largest_page_is_cut(self, mso):
        response = api_client(mso, Scope.INCIDENTS_READ).get(
            reverse("api:incidents"), {"limit": 5000}
        )
        assert response.status_code == 200


@pytest.mark.django_db
class TestLimits:
    def test_a_token_is_throttled(self, settings, mso):
        settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
            "DEFAULT_THROTTLE_RATES": {"token": "3/min"}
        }
        from rest_framework.settings import api_settings

        api_settings.reload()
        cache.clear()
        try:
            from api.views.base import TokenThrottle

            TokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
            client = api_client(mso, Scope.INCIDENTS_READ)
            statuses = [client.get(reverse("api:incidents")).status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            response = client.get(reverse("api:incidents"))
            assert response.json()["type"] == "client_error" and "Retry-After" in response
            # Another token of the same person has its own count.
            assert (
                api_client(mso, Scope.INCIDENTS_READ).get(reverse("api:incidents")).status_code
                == 200
            )
        finally:
            settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
                "DEFAULT_THROTTLE_RATES": {"token": "120/min"}
            }
            api_settings.reload()
            TokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@pytest.mark.django_db
class TestAlertActions:
    def url(self, answer):
        return reverse("api:alert_action", args=[answer.pk])

    def patch(self, client, answer, data):
        return client.patch(self.url(answer), data, content_type="application/json")

    def test_done_needs_its_owner_and_evidence_as_on_the_page(self, answer, mso, trust):
        client = api_client(mso, Scope.ALERTS_ACT)
        response = self.patch(client, answer, {"state": "done", "done_on": "2026-12-01"})
        assert response.status_code == 400
        assert "owner" in {error["attr"] for error in response.json()["errors"]}
        colleague = member(trust, Role.SAFETY_TEAM, email="kit.lowe@example.nhs.uk")
        response = self.patch(
            client,
            answer,
            {
                "state": "done",
                "done_on": "2026-12-01",
                "owner": "Kit.Lowe@example.nhs.uk",
                "evidence": "Prescribing systems default to weekly",
            },
        )
        assert response.status_code == 200, response.json()
        answer.refresh_from_db()
        assert answer.owner == colleague and answer.state == "done"
        assert answer.response.events.filter(kind="action").exists()

    def test_an_owner_from_elsewhere_is_refused(self, answer, mso, other_mso):
        response = self.patch(api_client(mso, Scope.ALERTS_ACT), answer, {"owner": other_mso.email})
        assert response.status_code == 400
        answer.refresh_from_db()
        assert answer.owner is None


@pytest.mark.django_db
class TestQueries:
    """A page of a list costs the same number of queries however many rows it holds."""

    def count(self, client, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(url)  # the token's first call of a while records when it was used
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def test_incidents(self, trust, mso, staff):
        client = api_client(mso, Scope.INCIDENTS_READ)
        report(trust, staff)
        one = self.count(client, reverse("api:incidents"))
        for _ in range(5):
            report(trust, staff, medicines=("Insulin aspart", "Warfarin"))
        assert self.count(client, reverse("api:incidents")) == one

    def test_the_register(self, lead, trust, other_trust):
        from tests.factories import OrganisationFactory

        client = api_client(lead, Scope.REGISTER_READ)
        one = self.count(client, reverse("api:register"))
        OrganisationFactory.create_batch(5)
        assert self.count(client, reverse("api:register")) == one

    def test_alert_responses(self, answer, mso, trust):
        client = api_client(mso, Scope.ALERTS_READ)
        one = self.count(client, reverse("api:alert_responses"))
        from alerts import services as alerts
        from tests.alerts.conftest import draft

        for n in range(3):
            alert = draft(answer.response.alert.created_by, reference=f"NatPSA/2026/01{n}/NHSPS")
            alerts.alert_publish(by=answer.response.alert.created_by, alert=alert)
        assert self.count(client, reverse("api:alert_responses")) == one


@pytest.mark.django_db
class TestTheRegister:
    def test_a_lead_sees_the_msos_professional_details_and_an_administrator_does_not(
        self, trust, mso, lead, site_admin
    ):
        from accounts import services as accounts

        accounts.registration_save(
            by=mso, profession="pharmacist", number="2071234", pharmacy_team="inside"
        )
        for person, professional in ((lead, True), (site_admin, False)):
            api_token_rows = api_client(person, Scope.REGISTER_READ).get(
                reverse("api:register"), {"q": trust.ods_code}
            )
            [row] = api_token_rows.json()["results"]
            assert row["mso"]["name"] == mso.full_name
            assert row["states"] == ["in-post"]
            assert bool(row["mso_professional"]) is professional
            if professional:
                assert row["mso_professional"][0] == "Pharmacist, GPhC 2071234"

    def test_a_regional_lead_sees_their_region_only(self, trust, other_trust):
        from tests.factories import network_lead

        regional = network_lead(trust.region)
        rows = api_client(regional, Scope.REGISTER_READ).get(reverse("api:register")).json()
        codes = {row["ods_code"] for row in rows["results"]}
        assert trust.ods_code in codes
        assert all(row["region"] == trust.region for row in rows["results"])
