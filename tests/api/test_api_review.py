"""Found on review of the API: each of these gave a server error, wrote on a malformed call,
dropped or renamed what was sent without saying so, or repeated rows across pages."""

import base64
import datetime
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from api.models import ApiCall
from api.scopes import Scope, offered
from incidents.models import Incident
from organisations.choices import Role
from tests.api.test_api_access import body
from tests.conftest import api_client
from tests.factories import member
from tests.incidents.conftest import report


def post(client, data, **extra):
    return client.post(reverse("api:incidents"), data, content_type="application/json", **extra)


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.django_db
class TestNoServerError:
    @pytest.mark.parametrize(
        ("name", "values"),
        [("api:incidents", ["abc", 1]), ("api:alert_responses", ["abc"]), ("api:reports", [1, 2])],
    )
    def test_a_tampered_cursor_is_a_404(self, mso, name, values):
        client = api_client(mso)
        for given in (cursor(values), "not base64!", cursor({"p": 1})):
            response = client.get(reverse(name), {"cursor": given})
            assert response.status_code == 404, (given, response.status_code)

    def test_a_body_nested_too_deep_or_too_large_is_refused(self, settings, trust, staff):
        client = api_client(staff, Scope.INCIDENTS_SUBMIT)
        response = post(client, "[" * 50_000 + "]" * 50_000)
        assert response.status_code == 400
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = post(client, json.dumps(body(trust, what_happened="x" * 2000)))
        assert response.status_code == 400
        assert not Incident.objects.exists()

    @pytest.mark.parametrize(
        ("name", "query"),
        [
            ("api:organisations", {"q": "a\x00b"}),
            ("api:register", {"q": "a\x00b"}),
            ("api:incidents", {"organisation": "R\x00"}),
            ("api:alert_responses", {"organisation": "R\x00"}),
        ],
    )
    def test_a_nul_in_a_query_is_refused(self, lead, name, query):
        response = api_client(lead).get(reverse(name), query)
        assert response.status_code == 400
        assert response.json()["errors"][0]["detail"] == "Null characters are not allowed"

    def test_a_nul_in_a_code_is_refused(self, trust, staff, answer, mso):
        response = post(
            api_client(staff, Scope.INCIDENTS_SUBMIT), body(trust) | {"organisation": "R0\x00"}
        )
        assert response.status_code == 400
        response = api_client(mso, Scope.ALERTS_ACT).patch(
            reverse("api:alert_action", args=[answer.pk]),
            {"owner": "a\x00@b.c"},
            content_type="application/json",
        )
        assert response.status_code == 400


@pytest.mark.django_db
class TestNothingWrittenByAMalformedCall:
    def url(self, answer):
        return reverse("api:alert_action", args=[answer.pk])

    @pytest.mark.parametrize("data", [[], "x", 5])
    def test_a_patch_that_is_not_an_object_is_refused(self, answer, mso, data):
        response = api_client(mso, Scope.ALERTS_ACT).patch(
            self.url(answer), json.dumps(data), content_type="application/json"
        )
        assert response.status_code == 400
        answer.response.refresh_from_db()
        assert answer.response.state == "new" and not answer.response.events.exists()

    def test_an_empty_patch_changes_nothing(self, answer, mso):
        response = api_client(mso, Scope.ALERTS_ACT).patch(
            self.url(answer), {}, content_type="application/json"
        )
        assert response.status_code == 200
        answer.response.refresh_from_db()
        assert answer.response.state == "new" and not answer.response.events.exists()

    def test_an_owner_changed_by_someone_who_may_not_assign_is_refused(self, answer, trust):
        owner = member(trust, Role.STAFF)
        answer.owner = owner
        answer.save()
        other = member(trust, Role.SAFETY_TEAM, email="other@example.nhs.uk")
        response = api_client(owner, Scope.ALERTS_ACT).patch(
            self.url(answer), {"owner": other.email}, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "owner"
        answer.refresh_from_db()
        assert answer.owner == owner


@pytest.mark.django_db
class TestNothingDroppedOrRenamed:
    def test_an_anonymous_report_is_refused_not_named(self, trust, staff):
        for anonymous in ("yes", True):
            response = post(
                api_client(staff, Scope.INCIDENTS_SUBMIT), body(trust) | {"anonymous": anonymous}
            )
            assert response.status_code == 400
            assert response.json()["errors"][0]["attr"] == "anonymous"
        assert not Incident.objects.exists()

    def test_more_medicines_than_the_page_takes_are_refused(self, trust, staff):
        medicines = [{"name": f"Medicine {n}"} for n in range(11)]
        response = post(
            api_client(staff, Scope.INCIDENTS_SUBMIT), body(trust) | {"medicines": medicines}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["detail"] == "Enter at most 10 medicines"
        assert not Incident.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "attr"),
        [
            ({"what_happened": ["a", "b"]}, "what_happened"),
            ({"what_happened": 1e308}, "what_happened"),
            ({"occurred_on": 20261120}, "occurred_on"),
            ({"medicines": [{"name": {"a": [1]}}]}, "medicines.0.name"),
            ({"drugs_involved": "1"}, "drugs_involved"),
        ],
    )
    def test_what_is_not_text_is_refused(self, trust, staff, changes, attr):
        response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), body(trust) | changes)
        assert response.status_code == 400
        assert attr in {error["attr"] for error in response.json()["errors"]}
        assert not Incident.objects.exists()

    def test_a_refused_identifier_is_not_repeated_back(self, trust, staff):
        data = body(trust, service_area="Ward 9434765919")
        response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), data)
        [error] = response.json()["errors"]
        assert "943" not in error["detail"] and "looks like an NHS number" in error["detail"]


@pytest.mark.django_db
class TestPagesOfOneDay:
    def test_a_report_added_on_the_same_day_repeats_no_row(self, trust, mso, staff):
        day = datetime.date(2026, 11, 20)
        for _ in range(6):
            report(trust, staff, occurred_on=day)
        client = api_client(mso, Scope.INCIDENTS_READ)
        first = client.get(reverse("api:incidents"), {"limit": 3}).json()
        for _ in range(3):  # newer or older by their tiebreak: either way, no row moves
            report(trust, staff, occurred_on=day)
        seen = [row["reference"] for row in first["results"]]
        page = first
        while page["next"]:
            page = client.get(page["next"]).json()
            seen += [row["reference"] for row in page["results"]]
        assert len(seen) == len(set(seen))
        before = set(Incident.objects.order_by("pk").values_list("reference", flat=True)[:6])
        assert before <= set(seen)


@pytest.mark.django_db
class TestCallsWithoutAWorkingToken:
    def test_they_are_throttled_per_address(self, settings, mso):
        from rest_framework.settings import api_settings

        from api.views.base import AddressThrottle

        rates = {"token": "120/min", "address": "3/min"}
        settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}
        api_settings.reload()
        AddressThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()
        try:
            client = api_client()
            bad = {"HTTP_AUTHORIZATION": "Bearer mso_guess"}
            statuses = [client.get(reverse("api:incidents"), **bad).status_code for _ in range(5)]
            assert statuses == [401, 401, 401, 429, 429]
            assert ApiCall.objects.count() == 3  # the throttled ones are not logged
        finally:
            settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
                "DEFAULT_THROTTLE_RATES": {"token": "120/min", "address": "30/min"}
            }
            api_settings.reload()
            AddressThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    def test_an_address_with_a_nul_is_logged_without_it(self, mso):
        response = api_client(mso).get("/api/v1/incidents/%00/")
        assert response.status_code == 404
        assert ApiCall.objects.get().path == "/api/v1/incidents/\ufffd/"

    def test_an_unknown_call_is_logged_and_a_method_not_answered_is_a_405(self, mso):
        api_client().get("/api/v1/nothing/")
        assert ApiCall.objects.filter(path="/api/v1/nothing/", status=404).exists()
        response = api_client(mso).delete(reverse("api:incidents"))
        assert response.status_code == 405


@pytest.mark.django_db
def test_an_mso_may_read_their_own_organisation(trust, mso):
    assert Scope.ORGANISATIONS_READ in offered(mso)
    client = api_client(mso, Scope.ORGANISATIONS_READ)
    assert client.get(reverse("api:organisation", args=[trust.ods_code])).status_code == 200
    assert client.get(reverse("api:organisations")).status_code == 403  # not the directory


@pytest.mark.django_db
def test_an_nhs_number_is_not_taken_as_a_dmd_code(trust, staff):
    data = body(trust)
    data["medicines"] = [{"name": "Insulin aspart", "dmd_code": "9434765919"}]
    response = post(api_client(staff, Scope.INCIDENTS_SUBMIT), data)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "medicines.0.dmd_code"
    assert not Incident.objects.exists()
