"""Each call of the API, judged by the same rules as its page: no token → 401, another
organisation → 404, a wrong role → 403, a token without the call's scope → 403."""

import pytest
from django.urls import reverse

from api.scopes import Scope
from organisations.choices import Role
from tests.factories import member
from tests.incidents.conftest import DETAILS, report


def body(organisation, **changes):
    answers = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in DETAILS.items()
        if value is not None
    }
    return {
        "organisation": organisation.ods_code,
        **answers,
        "medicines": [{"name": "Insulin aspart", "route": "subcutaneous", "dose": "10 units"}],
        **changes,
    }


@pytest.mark.django_db
class TestAccess:
    def test_the_register(self, assert_api_access, lead, mso):
        assert_api_access(
            reverse("api:register"), scope=Scope.REGISTER_READ, allowed=lead, wrong_role=mso
        )

    def test_the_directory(self, assert_api_access, lead, mso, trust):
        response = assert_api_access(
            reverse("api:organisations"),
            scope=Scope.ORGANISATIONS_READ,
            allowed=lead,
            wrong_role=mso,
        )
        assert trust.ods_code in {row["ods_code"] for row in response.json()["results"]}

    def test_an_organisation(self, assert_api_access, trust, mso, other_mso, staff):
        assert_api_access(
            reverse("api:organisation", args=[trust.ods_code]),
            scope=Scope.ORGANISATIONS_READ,
            allowed=mso,
            other_organisation=other_mso,
        )

    def test_incidents(self, assert_api_access, trust, mso, staff, other_mso):
        incident = report(trust, staff)
        response = assert_api_access(
            reverse("api:incidents"), scope=Scope.INCIDENTS_READ, allowed=mso
        )
        assert [row["reference"] for row in response.json()["results"]] == [incident.reference]
        # Whoever reported it sees their own report, as in My reports; another's MSO nothing.
        mine = _client(staff, Scope.INCIDENTS_READ).get(reverse("api:incidents")).json()
        assert [row["reference"] for row in mine["results"]] == [incident.reference]
        theirs = _client(other_mso, Scope.INCIDENTS_READ).get(reverse("api:incidents")).json()
        assert theirs["results"] == []

    def test_an_incident(self, assert_api_access, trust, mso, staff, other_mso):
        incident = report(trust, staff)
        response = assert_api_access(
            reverse("api:incident", args=[incident.reference]),
            scope=Scope.INCIDENTS_READ,
            allowed=mso,
            other_organisation=other_mso,
        )
        assert response.json()["what_happened"] == DETAILS["what_happened"]
        # A colleague who did not report it does not see it, as on the pages.
        colleague = member(trust, Role.STAFF)
        url = reverse("api:incident", args=[incident.reference])
        assert _client(colleague, Scope.INCIDENTS_READ).get(url).status_code == 404

    def test_reporting(self, assert_api_access, trust, staff):
        assert_api_access(
            reverse("api:incidents"),
            scope=Scope.INCIDENTS_SUBMIT,
            allowed=staff,
            method="post",
            data=body(trust),
            ok=201,
        )

    def test_alert_responses(self, assert_api_access, answer, mso, other_mso, staff):
        response = assert_api_access(
            reverse("api:alert_responses"), scope=Scope.ALERTS_READ, allowed=mso
        )
        assert [row["id"] for row in response.json()["results"]] == [answer.response_id]
        assert_api_access(
            reverse("api:alert_response", args=[answer.response_id]),
            scope=Scope.ALERTS_READ,
            allowed=mso,
            other_organisation=other_mso,
        )

    def test_an_alert_action(self, assert_api_access, answer, mso, other_mso, trust):
        reader = member(trust, Role.COMMITTEE_MEMBER)
        response = assert_api_access(
            reverse("api:alert_action", args=[answer.pk]),
            scope=Scope.ALERTS_ACT,
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=reader,
            method="patch",
            data={"state": "in-progress"},
        )
        assert response.json()["state"] == "in-progress"

    def test_reports(self, assert_api_access, approved_report, chair, other_mso, staff):
        response = assert_api_access(
            reverse("api:reports"), scope=Scope.REPORTS_READ, allowed=chair
        )
        assert [row["id"] for row in response.json()["results"]] == [approved_report.pk]
        assert_api_access(
            reverse("api:report", args=[approved_report.pk]),
            scope=Scope.REPORTS_READ,
            allowed=chair,
            other_organisation=other_mso,
        )
        # Staff of the organisation who sit on no committee see no report, as on the pages.
        url = reverse("api:report", args=[approved_report.pk])
        assert _client(staff, Scope.REPORTS_READ).get(url).status_code == 404
        assert (
            _client(staff, Scope.REPORTS_READ).get(reverse("api:reports")).json()["results"] == []
        )


def _client(person, *scopes):
    from tests.conftest import api_client

    return api_client(person, *scopes)
