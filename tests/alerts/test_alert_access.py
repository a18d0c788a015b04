"""Who sees and does what with alerts, through the rule set: an organisation's MSO responds,
its board director signs off, its team and whoever owns an action record what was done;
another organisation's people get 404; national leads publish and see who has responded, a
regional lead their region only; and nobody but the organisation reads its evidence."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alerts import services
from alerts.models import AlertActionResponse
from organisations.choices import Region, Role
from tests.alerts.conftest import ISSUED, draft
from tests.factories import member, network_lead
from tests.uploads import upload

pytestmark = pytest.mark.django_db


def url(name, response, *args):
    return reverse(
        f"alerts:{name}", args=[response.alert_id, response.organisation.ods_code, *args]
    )


@pytest.fixture
def evidence(answer, mso):
    return services.evidence_add(
        by=mso,
        answer=answer,
        upload=SimpleUploadedFile("audit.txt", b"Audit of weekly doses: 30 of 30."),
        filename="audit.txt",
        content_type="text/plain",
    )


class TestTheOrganisationsPages:
    def test_the_inbox(self, assert_access, client_for, response, mso, staff, lead):
        page = assert_access(reverse("alerts:inbox"), allowed=mso)
        assert response.alert.reference in page.content.decode()
        assert client_for(staff).get(reverse("alerts:inbox")).status_code == 403
        # A network lead, with no organisation of their own, goes to the national list.
        assert client_for(lead).get(reverse("alerts:inbox"))["Location"] == reverse("alerts:list")

    def test_the_response(self, assert_access, response, mso, director, staff, other_mso):
        for allowed in (mso, director):
            assert_access(
                url("response", response),
                allowed=allowed,
                wrong_role=staff,
                other_organisation=other_mso,
            )

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("acknowledge", {}),
            ("decide", {"applies": "yes"}),
            ("lead", {"lead": ""}),
            ("incident_link", {"reference": "RX1-2026-000001"}),
        ],
    )
    def test_the_mso_responds(self, assert_access, response, mso, director, other_mso, name, data):
        assert_access(
            url(name, response),
            method="post",
            data=data,
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=200 if name == "incident_link" else 302,
        )

    def test_complete_and_reopen(self, assert_access, response, mso, director, other_mso):
        services.response_decide(by=mso, response=response, applies=False, rationale="No stock")
        assert_access(
            url("reopen", response),
            method="post",
            data={"reason": "We stock it after all"},
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )
        assert_access(
            url("complete", response),
            method="post",
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,  # refused with a message: it is not signed off
        )

    def test_only_the_board_director_signs_off(
        self, assert_access, response, mso, director, other_mso
    ):
        assert_access(
            url("sign_off", response),
            method="post",
            allowed=director,
            wrong_role=mso,
            other_organisation=other_mso,
            ok=302,
        )

    def test_an_action(self, assert_access, response, answer, mso, director, other_mso):
        for method, data, ok in (
            ("get", None, 200),
            ("post", {"state": "in-progress", "owner": ""}, 302),
        ):
            assert_access(
                url("action", response, answer.action_id),
                method=method,
                data=data,
                allowed=mso,
                wrong_role=director,
                other_organisation=other_mso,
                ok=ok,
            )

    def test_evidence(self, assert_access, response, answer, evidence, mso, staff, other_mso):
        page = assert_access(
            url("evidence", response, evidence.pk),
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
        )
        assert page["Content-Disposition"].startswith("attachment")
        assert_access(
            url("evidence_create", response, answer.action_id),
            method="post",
            data={"file": upload("more.txt", b"More evidence.", "text/plain")},
            allowed=mso,
            wrong_role=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_unlinking_an_incident(
        self, assert_access, response, mso, director, other_mso, trust, staff
    ):
        from tests.incidents.conftest import report

        incident = report(trust, staff, occurred_on=datetime.date(2026, 10, 1))
        link = services.incident_link(by=mso, response=response, incident=incident)
        assert_access(
            url("incident_unlink", response, link.pk),
            method="post",
            allowed=mso,
            wrong_role=director,
            other_organisation=other_mso,
            ok=302,
        )


class TestOwnersAndLeads:
    def test_an_action_owner_sees_the_response_and_records_their_action(
        self, client_for, response, answer, mso, trust
    ):
        pharmacist = member(trust, Role.STAFF, full_name="Dev Patel")
        other = AlertActionResponse.objects.filter(response=response).exclude(pk=answer.pk).get()
        client = client_for(pharmacist)
        assert client.get(url("response", response)).status_code == 403
        services.action_response_save(
            by=mso, answer=answer, owner=pharmacist, state="to-do", evidence="", done_on=None
        )
        page = client.get(url("response", response))
        assert page.status_code == 200
        assert "Check that prescribing systems default to weekly" in page.text
        assert "Give patients the methotrexate leaflet" not in page.text  # not theirs
        assert client.get(url("action", response, answer.action_id)).status_code == 200
        assert client.get(url("action", response, other.action_id)).status_code == 403
        assert client.post(url("acknowledge", response)).status_code == 403


class TestNationalPages:
    def test_the_list_and_an_alert(self, assert_access, client_for, published, lead, mso, staff):
        assert_access(reverse("alerts:list"), allowed=lead)
        assert client_for(mso).get(reverse("alerts:list"))["Location"] == reverse("alerts:inbox")
        # A published alert is a public document: anyone signed in reads it.
        assert_access(reverse("alerts:detail", args=[published.pk]), allowed=staff)

    def test_a_draft_is_seen_by_those_who_publish_only(
        self, client_for, patient_safety_team, lead, site_admin, mso
    ):
        alert = draft(patient_safety_team, reference="NatPSA/2026/009/MHRA")
        for person, status in (
            (patient_safety_team, 200),
            (site_admin, 200),
            (lead, 404),  # an MSO network's lead does not publish: a draft is not theirs
            (mso, 404),
        ):
            assert client_for(person).get(alert.get_absolute_url()).status_code == status

    def test_writing_importing_and_publishing(
        self, assert_access, patient_safety_team, mso, natpsa, trust
    ):
        for name, args in (
            ("create", []),
            ("import", []),
            ("update", [natpsa.pk]),
            ("publish", [natpsa.pk]),
        ):
            assert_access(
                reverse(f"alerts:{name}", args=args), allowed=patient_safety_team, wrong_role=mso
            )
        assert_access(
            reverse("alerts:create"),
            method="post",
            data={"reference": ""},
            allowed=patient_safety_team,
            wrong_role=mso,
        )
        assert_access(
            reverse("alerts:update", args=[natpsa.pk]),
            method="post",
            data={"reference": ""},
            allowed=patient_safety_team,
            wrong_role=mso,
        )
        assert_access(
            reverse("alerts:import"),
            method="post",
            data={"file": upload("alerts.csv", b"reference\n", "text/csv")},
            allowed=patient_safety_team,
            wrong_role=mso,
        )
        assert_access(
            reverse("alerts:publish", args=[natpsa.pk]),
            method="post",
            allowed=patient_safety_team,
            wrong_role=mso,
            ok=302,
        )

    def test_an_mso_network_lead_does_not_publish(self, client_for, lead, natpsa):
        """Alerts come from CAS through the national patient safety team: a peer network's
        lead supports and sees compliance, and never writes or publishes one."""
        client = client_for(lead)
        for name, args in (("create", []), ("import", []), ("publish", [natpsa.pk])):
            assert client.get(reverse(f"alerts:{name}", args=args)).status_code in (403, 404)
        assert client.post(reverse("alerts:publish", args=[natpsa.pk])).status_code in (403, 404)
        natpsa.refresh_from_db()
        assert not natpsa.is_published

    def test_who_has_responded(self, assert_access, published, lead, mso):
        for name, args in (
            ("compliance", [published.pk]),
            ("compliance_export", [published.pk, "csv"]),
            ("overdue", []),
            ("overdue_export", ["xlsx"]),
        ):
            assert_access(reverse(f"alerts:{name}", args=args), allowed=lead, wrong_role=mso)

    def test_a_regional_lead_sees_their_region_only(self, client_for, lead, trust, other_trust):
        other_trust.region = Region.MIDLANDS
        other_trust.save()
        published = draft(lead)
        services.alert_publish(by=lead, alert=published)
        london = network_lead(Region.LONDON)
        page = client_for(london).get(reverse("alerts:compliance", args=[published.pk]))
        assert trust.name in page.text and other_trust.name not in page.text
        assert page.context["figures"]["total"] == 1
        csv = b"".join(
            client_for(london)
            .get(reverse("alerts:compliance_export", args=[published.pk, "csv"]))
            .streaming_content
        ).decode()
        assert trust.ods_code in csv and other_trust.ods_code not in csv
        listed = client_for(london).get(reverse("alerts:list")).context["alerts"]
        assert listed[0][1]["total"] == 1

    def test_leads_never_read_evidence(self, client_for, response, evidence, lead):
        assert client_for(lead).get(url("evidence", response, evidence.pk)).status_code == 403
        assert client_for(lead).get(url("response", response)).status_code == 403


def test_an_alert_issued_on_the_day_publishes(lead, trust):
    alert = draft(lead, reference="EL (26)A/05", alert_type="recall-2", issued_on=ISSUED)
    assert services.alert_publish(by=lead, alert=alert) == 1
