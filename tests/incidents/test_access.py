"""Who sees which incidents, through the rule set: the reporter their own reports, the
organisation's safety team and MSO its incidents, the PCN's MSO its practices', each designated
body's CDAO its controlled-drug incidents (an ICB's, its area's primary care's), and nobody
else anything (another organisation: 404; the wrong role: 403)."""

import datetime

import pytest
from django.urls import reverse

from incidents.models import Incident
from incidents.permissions import Perm
from organisations.access import Access
from organisations.choices import Post, Role
from tests.factories import CONFIRMED, OrganisationFactory, RelationshipFactory, member, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
LONG_AGO = datetime.date(2020, 1, 1)


def visible(user):
    return set(Incident.objects.visible_to(user).values_list("reference", flat=True))


class TestWhoSeesWhat:
    def test_the_reporter_sees_only_their_own_reports(self, trust, staff, incident):
        colleague = member(trust, Role.STAFF)
        theirs = report(trust, colleague)
        assert visible(staff) == {incident.reference}
        assert visible(colleague) == {theirs.reference}

    def test_the_safety_team_and_the_mso_see_the_organisations_incidents(
        self, trust, safety_team, mso, incident, other_incident
    ):
        assert visible(safety_team) == visible(mso) == {incident.reference}

    def test_an_anonymous_report_is_nobodys(self, trust, staff):
        anonymous = report(trust, staff, anonymous=True)
        assert anonymous.reference not in visible(staff)

    def test_the_pcn_mso_sees_each_covered_practice(self, db):
        pcn = OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        other_practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice, start_on=LONG_AGO)
        pcn_mso = post_holder(pcn, Post.MSO)
        covered = report(practice, member(practice, Role.STAFF))
        report(other_practice, member(other_practice, Role.STAFF))
        assert visible(pcn_mso) == {covered.reference}
        assert Access(pcn_mso).has(Perm.INCIDENTS_REVIEW, covered)

    def test_each_cdao_sees_only_their_own_bodys_controlled_drug_incidents(
        self, trust, other_trust, staff, client_for
    ):
        """The Controlled Drugs (Supervision of Management and Use) Regulations 2013: each
        designated body's CDAO; the ICB's, over the same trust, sees none of it."""
        icb = OrganisationFactory(icb=True)
        RelationshipFactory(parent=icb, child=trust, start_on=LONG_AGO)
        cdao, theirs = post_holder(trust, Post.CDAO), post_holder(other_trust, Post.CDAO)
        cd = report(trust, staff, medicines=("Oxycodone 5 mg capsules", "Senna"))
        report(trust, staff, medicines=("Warfarin 1 mg tablets",))
        there = report(other_trust, member(other_trust, Role.STAFF), medicines=("Morphine",))
        assert visible(cdao) == {cd.reference}
        assert visible(theirs) == {there.reference}
        assert visible(post_holder(icb, Post.CDAO)) == set()
        assert not Access(cdao).has(Perm.INCIDENTS_REVIEW, cd)
        assert client_for(cdao).get(cd.get_absolute_url()).status_code == 200
        assert client_for(cdao).get(there.get_absolute_url()).status_code == 404

    def test_the_icb_cdao_sees_the_primary_care_controlled_drug_incidents_of_the_area(
        self, trust, staff
    ):
        icb = OrganisationFactory(icb=True)
        pcn, practice = OrganisationFactory(pcn=True), OrganisationFactory(practice=True)
        outside = OrganisationFactory(practice=True)
        for parent, child in ((icb, trust), (icb, pcn), (pcn, practice)):
            RelationshipFactory(parent=parent, child=child, start_on=LONG_AGO)
        cd = report(practice, member(practice, Role.STAFF), medicines=("Diazepam 5 mg",))
        report(practice, member(practice, Role.STAFF), medicines=("Warfarin",))
        report(outside, member(outside, Role.STAFF), medicines=("Diazepam 5 mg",))
        report(trust, staff, medicines=("Diazepam 5 mg",))
        assert visible(post_holder(icb, Post.CDAO)) == {cd.reference}

    def test_network_leads_board_directors_committees_and_administrators_see_none(
        self, trust, incident, lead, director, site_admin
    ):
        chair = member(trust, Role.COMMITTEE_CHAIR)
        for user in (lead, director, site_admin, chair):
            assert visible(user) == set()
        assert Access(director).has(Perm.INCIDENTS_FIGURES, trust)
        assert Access(lead).has(Perm.INCIDENTS_STATISTICS, trust)
        assert not Access(site_admin).has(Perm.INCIDENTS_FIGURES, trust)


class TestViews:
    def test_the_list(self, assert_access, mso, staff, incident):
        response = assert_access(reverse("incidents:list"), allowed=mso, wrong_role=staff)
        assert incident.reference in response.content.decode()

    def test_an_incident(self, assert_access, client_for, mso, other_mso, incident, trust):
        assert_access(incident.get_absolute_url(), allowed=mso, other_organisation=other_mso)
        colleague = member(trust, Role.STAFF)
        assert client_for(colleague).get(incident.get_absolute_url()).status_code == 404

    def test_the_reporter_reads_their_report_but_not_the_review(
        self, client_for, staff, mso, incident
    ):
        from incidents import services

        services.comment_add(by=mso, incident=incident, body="Check the chart design")
        html = client_for(staff).get(incident.get_absolute_url()).content.decode()
        assert incident.what_happened in html
        assert "Check the chart design" not in html and "Review thread" not in html

    @pytest.mark.parametrize(
        ("name", "data", "ok"),
        [
            ("review_start", {}, 302),
            ("comment_create", {"body": "Seen"}, 302),
            ("edit", None, 200),
            ("learning", None, 200),
            ("close", None, 200),
            ("duplicate", None, 200),
            ("action_create", None, 200),
        ],
    )
    def test_the_review(self, assert_access, mso, other_mso, staff, incident, name, data, ok):
        url = reverse(f"incidents:{name}", args=[incident.reference])
        method = "get" if data is None else "post"
        assert_access(
            url,
            method=method,
            data=data,
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=staff,
            ok=ok,
        )

    def test_posting_the_review_forms(self, assert_access, mso, other_mso, staff, incident):
        from incidents import services

        services.review_start(by=mso, incident=incident)
        ref = incident.reference
        forms = {
            "learning": {"learning_response": "swarm"},
            "action_create": {
                "description": "Add a second check to the chart",
                "owner": mso.pk,
                "due_on_day": "1",
                "due_on_month": "12",
                "due_on_year": "2030",
            },
            "move": {"to": "awaiting-actions", "note": ""},
        }
        for name, data in forms.items():
            assert_access(
                reverse(f"incidents:{name}", args=[ref]),
                method="post",
                data=data,
                allowed=mso,
                other_organisation=other_mso,
                wrong_role=staff,
                ok=302,
            )
        action = incident.actions.get()
        url = reverse("incidents:action_change", args=[ref, action.pk])
        assert_access(url, allowed=mso, other_organisation=other_mso, wrong_role=staff)
        done = {
            "description": action.description,
            "owner": mso.pk,
            "due_on_day": "1",
            "due_on_month": "12",
            "due_on_year": "2030",
            "state": "done",
            "evidence": "Chart reprinted",
        }
        assert_access(
            url,
            method="post",
            data=done,
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=staff,
            ok=302,
        )
        from tests.incidents.test_reporting import STEP_1

        assert_access(
            reverse("incidents:edit", args=[ref]),
            method="post",
            data={**STEP_1, "physical_harm": "3"},
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=staff,
            ok=302,
        )
        incident.refresh_from_db()
        assert incident.physical_harm == "3" and incident.medicines.count() == 2
        close = {
            "feedback": "Thank you: the chart now has a second check.",
        }
        assert_access(
            reverse("incidents:close", args=[ref]),
            method="post",
            data=close,
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=staff,
            ok=302,
        )
        assert_access(
            reverse("incidents:duplicate", args=[ref]),
            method="post",
            data={"original": "NOPE"},
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=staff,
        )

    def test_reporting_pages(self, assert_access, client_for, staff, lead, other_mso, incident):
        assert_access(reverse("incidents:report"), allowed=staff, wrong_role=lead)
        assert_access(reverse("incidents:mine"), allowed=staff)
        client_for(staff).post(
            reverse("incidents:report"), {"action": "save", "what_happened": "Half written"}
        )
        draft = staff_draft(staff)
        for name in ("report_draft", "report_send"):
            assert_access(
                reverse(f"incidents:{name}", args=[draft.pk]),
                allowed=staff,
                other_organisation=other_mso,
                ok=200 if name == "report_draft" else 302,
            )
        assert_access(
            reverse("incidents:report"),
            method="post",
            data={"action": "save"},
            allowed=staff,
            wrong_role=lead,
            ok=302,
        )
        for name in ("report_draft", "report_send"):
            assert_access(
                reverse(f"incidents:{name}", args=[draft.pk]),
                method="post",
                data={"action": "save"},
                allowed=staff,
                other_organisation=other_mso,
                ok=302,
            )
        assert_access(
            reverse("incidents:draft_discard", args=[draft.pk]),
            method="post",
            data=CONFIRMED,
            allowed=staff,
            other_organisation=other_mso,
            ok=302,
        )

    def test_the_receipt_page_is_open_to_anyone(self, assert_public):
        assert_public(reverse("incidents:receipt"))
        assert_public(reverse("incidents:receipt"), method="post", data={"reference": "X"})


def staff_draft(user):
    from incidents.models import Draft

    return Draft.objects.get(user=user)


def test_a_nul_in_a_receipt_is_no_match(assert_public):
    response = assert_public(
        reverse("incidents:receipt"), method="post", data={"reference": "RX1\x00", "code": "\x00"}
    )
    assert "do not match" in response.content.decode()


def test_the_history_of_an_incident(assert_access, mso, staff, incident):
    assert_access(
        reverse("incidents:history", args=[incident.reference]), allowed=mso, wrong_role=staff
    )


def test_a_reporter_reads_their_report_only_as_its_reporter(incident, staff, mso):
    """The rule that gives every reporter their own reports reaches only their own rows: the
    page reads it as the reporter's view (incidents/views/incidents.py, reader)."""
    assert Access(staff).has(Perm.INCIDENTS_VIEW, incident)
    assert not Access(staff).has(Perm.INCIDENTS_VIEW, incident, own_rows=False)
    assert Access(mso).has(Perm.INCIDENTS_VIEW, incident, own_rows=False)


def test_the_cdao_reads_a_controlled_drug_report_whole(trust, staff):
    """The CDAO's rule is narrowed to the controlled-drug incidents, not to their own rows."""
    cdao = post_holder(trust, Post.CDAO)
    cd = report(trust, staff, medicines=("Oxycodone 5 mg capsules",))
    assert Access(cdao).has(Perm.INCIDENTS_VIEW, cd, own_rows=False)
