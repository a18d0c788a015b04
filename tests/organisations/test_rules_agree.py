"""The object check, the queryset filter and the permission map come from the same rules and
must agree: for every grant (each role, each named post, each global role), held in every kind
of place, every permission, and every way of reaching an organisation — membership, a PCN's
coverage of its practices, an ICB's area over its PCNs, practices and trusts, a regional lead,
a national lead, and a successor after a merger. It runs on the service's rules and on rules
extended with area and narrowed rules (the CDAO's reach over controlled-drug incidents, in the
next issue, is one of those)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from alerts.models import AlertActionResponse, AlertEvidence, AlertResponse
from committees.models import (
    AssuranceReport,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingAction,
    TermsOfReference,
)
from incidents.models import Incident
from organisations.access import Access
from organisations.choices import Post, Region, RelationshipKind, Role
from organisations.models import Appointment, Invitation, Membership, Organisation
from organisations.permissions import RULES, GlobalRole, Perm, Reach, Rule
from tests.factories import (
    AppointmentFactory,
    OrganisationFactory,
    RelationshipFactory,
    UserFactory,
    member,
    network_lead,
)
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
LONG_AGO = datetime.date(2020, 4, 1)

EXTENDED_RULES = (
    *RULES,
    Rule(Post.CDAO, {Perm.ORGANISATION_VIEW, Perm.MEMBERS_VIEW}, reach=Reach.AREA),
    Rule(Role.SAFETY_TEAM, {Perm.MEMBERS_MANAGE}, reach=Reach.AREA, held_in={"icb"}),
    Rule(
        Post.BOARD_DIRECTOR,
        {Perm.MEMBERS_VIEW, Perm.MEMBERS_MANAGE},
        reach=Reach.AREA,
        only={
            "organisations.Appointment": Q(post=Post.CDAO),
            "organisations.Membership": Q(role=Role.COMMITTEE_CHAIR),
        },
        rows="CDAO appointments and committee chairs",
    ),
)


@pytest.fixture
def world(db):
    """Two regions. In London: an ICB whose area holds a trust (which took over an older trust
    by merger), and a PCN with a practice (and a practice that left it). In the Midlands: a
    trust. Every organisation has a member, a named post and an invitation."""
    icb = OrganisationFactory(icb=True, region=Region.LONDON)
    trust = OrganisationFactory(region=Region.LONDON)
    old_trust = OrganisationFactory(region=Region.LONDON, closed_on=TODAY)
    pcn = OrganisationFactory(pcn=True, region=Region.LONDON)
    practice = OrganisationFactory(practice=True, region=Region.LONDON)
    former_practice = OrganisationFactory(practice=True, region=Region.LONDON)
    elsewhere = OrganisationFactory(region=Region.MIDLANDS)
    # NHS England's London team: its CDAO reaches the region (the London organisations above).
    nhs_england = OrganisationFactory(
        kind="nhs-england-region", ods_code="Y56", region=Region.LONDON
    )
    RelationshipFactory(parent=icb, child=trust, start_on=LONG_AGO)
    RelationshipFactory(parent=icb, child=pcn, start_on=LONG_AGO)
    RelationshipFactory(parent=pcn, child=practice, start_on=LONG_AGO)
    RelationshipFactory(
        parent=pcn, child=former_practice, start_on=LONG_AGO, end_on=TODAY - datetime.timedelta(1)
    )
    RelationshipFactory(
        parent=trust, child=old_trust, kind=RelationshipKind.SUCCESSOR, start_on=LONG_AGO
    )
    organisations = [icb, trust, old_trust, pcn, practice, former_practice, elsewhere, nhs_england]
    inviter = UserFactory()
    for organisation in organisations:
        reporter = member(organisation, Role.STAFF)
        report(organisation, reporter, medicines=("Oxycodone 5 mg capsules",))  # a CD
        report(organisation, reporter, medicines=("Warfarin 1 mg tablets",))
        member(organisation, Role.COMMITTEE_CHAIR) if organisation.kind != "gp-practice" else None
        AppointmentFactory(organisation=organisation, post=Post.CDAO, user=None, name="A CDAO")
        AppointmentFactory(organisation=organisation, post=Post.PATIENT_SAFETY_SPECIALIST)
        Invitation.objects.create(
            email=f"new@{organisation.ods_code.lower()}.example",
            organisation=organisation,
            roles=[Role.STAFF],
            invited_by=inviter,
            expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
    # A national alert to all of them, each action of it owned by the organisation's reporter
    # in one organisation, with a file of evidence, and led by its committee chair in another.
    from alerts import services as alerts
    from alerts.models import AlertActionResponse, AlertResponse
    from tests.alerts.conftest import draft

    alert = draft(UserFactory(), applicable_kinds=sorted({o.kind for o in organisations}))
    alerts.alert_publish(by=UserFactory(), alert=alert)
    owned = AlertActionResponse.objects.filter(response__organisation=trust).first()
    owner = Membership.objects.get(organisation=trust, role=Role.STAFF).user
    AlertActionResponse.objects.filter(pk=owned.pk).update(owner=owner)
    AlertResponse.objects.filter(organisation=pcn).update(
        lead=Membership.objects.get(organisation=pcn, role=Role.COMMITTEE_CHAIR).user
    )
    alerts.evidence_add(
        by=owner,
        answer=owned,
        upload=SimpleUploadedFile("evidence.txt", b"Done."),
        filename="evidence.txt",
        content_type="text/plain",
    )
    # A committee in each organisation that has one, with a meeting and an action owned by
    # the reporter of the trust.
    from committees import services as committees

    for organisation in organisations:
        if organisation.kind == "gp-practice":
            continue
        chair = Membership.objects.filter(organisation=organisation, role=Role.COMMITTEE_CHAIR)
        chair = chair.first().user
        committee = committees.committee_create(
            by=chair,
            organisation=organisation,
            name="Medication Safety Committee",
            reports_to="Board",
            frequency="monthly",
        )
        committees.member_add(
            by=chair,
            committee=committee,
            user=chair,
            seat="chair",
            discipline="pharmacy",
            start_on=LONG_AGO,
        )
        committees.terms_add(
            by=chair, committee=committee, text="Terms.", approved_on=LONG_AGO, approved_by="Board"
        )
        meeting = committees.meeting_create(
            by=chair,
            committee=committee,
            starts_at=datetime.datetime(2026, 1, 5, 14, tzinfo=datetime.UTC),
        )
        committees.report_create(
            by=chair, committee=committee, period_start=LONG_AGO, period_end=LONG_AGO
        )
        if organisation == trust:
            committees.action_add(
                by=chair, meeting=meeting, description="Audit", owner=owner, due_on=TODAY
            )
    return organisations


def people(organisations):
    """One person for each grant held in each organisation, and the global grants; and the
    reporters of the world's incidents."""
    for reporter in Membership.objects.filter(role=Role.STAFF, organisation__in=organisations):
        yield f"reporter in {reporter.organisation.ods_code}", reporter.user
    for chair in Membership.objects.filter(
        role=Role.COMMITTEE_CHAIR, organisation__in=organisations
    ):  # one of them leads an organisation's response to the alert
        yield f"committee chair in {chair.organisation.ods_code}", chair.user
    for grant in [*Role, *Post]:
        for organisation in organisations:
            user = UserFactory()
            if isinstance(grant, Role):
                Membership.objects.create(user=user, organisation=organisation, role=grant)
            else:
                AppointmentFactory(
                    organisation=organisation, post=grant, user=user, start_on=LONG_AGO
                )
            yield f"{grant} in {organisation.get_kind_display()} {organisation.ods_code}", user
    yield GlobalRole.NATIONAL_LEAD, network_lead()
    yield GlobalRole.REGIONAL_LEAD, network_lead(region=Region.LONDON)
    yield GlobalRole.SITE_ADMIN, UserFactory(is_staff=True)


def rows_kept(model, condition, kept) -> set:
    """The primary keys of the rows of ``model`` the filter ``condition`` keeps. Many people and
    permissions come to the same filter (Q objects are equal when their lookups and values are)
    and the data does not change while they are compared, so each distinct filter is asked of
    the database once, remembered in ``kept``. Rows compare by primary key, as model instances
    do; their order and their other columns are nothing to the agreement."""
    try:
        key = (model, condition)
        hash(key)
    except TypeError:  # a value Django cannot make hashable: asked every time
        key = None
    if key is None or key not in kept:
        query = model.objects.filter(condition).order_by().values_list("pk", flat=True)
        rows = set(query)
        if key is None:
            return rows
        kept[key] = rows
    return kept[key]


@pytest.mark.parametrize("rules", [RULES, EXTENDED_RULES], ids=["service rules", "extended"])
def test_the_object_check_and_the_queryset_agree_everywhere(world, rules):
    scoped = [
        Organisation,
        Membership,
        Appointment,
        Invitation,
        Incident,
        AlertResponse,
        AlertActionResponse,
        AlertEvidence,
        Committee,
        TermsOfReference,
        CommitteeMember,
        Meeting,
        MeetingAction,
        AssuranceReport,
    ]
    objects = {model: list(model.objects.all()) for model in scoped}
    disagreements = []
    checked = 0
    kept = {}
    for who, user in list(people(world)):
        access = Access(user, rules=rules, on=TODAY)
        permissions = access.permission_map()
        for perm in Perm:
            for model in scoped:
                filtered = rows_kept(model, access.filter(perm, model), kept)
                for obj in objects[model]:
                    checked += 1
                    by_object = access.has(perm, obj)
                    if by_object != (obj.pk in filtered):
                        disagreements.append(f"{who}, {perm}, {model.__name__} {obj}")
                    if model is Organisation and by_object != (perm in permissions[obj]):
                        disagreements.append(f"{who}, {perm}, map of {obj}")
    assert not disagreements, "\n".join(disagreements[:20])
    assert checked > 10_000


def test_the_ways_of_reaching_are_all_in_the_world(world):
    """The agreement above covers each way of reaching an organisation: a guard against the
    world losing one of them."""
    icb, trust, old_trust, pcn, practice, former_practice, elsewhere, nhs_england = world
    pcn_mso = UserFactory()
    AppointmentFactory(organisation=pcn, post=Post.MSO, user=pcn_mso, start_on=LONG_AGO)
    trust_staff = member(trust, Role.STAFF)
    icb_cdao = UserFactory()
    AppointmentFactory(organisation=icb, post=Post.CDAO, user=icb_cdao, start_on=LONG_AGO)
    assert Access(pcn_mso, on=TODAY).has(Perm.MEMBERS_VIEW, practice)  # PCN coverage
    assert not Access(pcn_mso, on=TODAY).has(Perm.MEMBERS_VIEW, former_practice)
    assert Access(trust_staff, on=TODAY).has(Perm.ORGANISATION_VIEW, old_trust)  # merger
    area = Access(icb_cdao, rules=EXTENDED_RULES, on=TODAY)
    assert all(area.has(Perm.ORGANISATION_VIEW, o) for o in (pcn, practice, trust, old_trust))
    assert not area.has(Perm.ORGANISATION_VIEW, elsewhere)  # ICB area
    regional = Access(network_lead(region=Region.LONDON), on=TODAY)
    assert regional.has(Perm.ORGANISATION_VIEW, trust)
    assert not regional.has(Perm.ORGANISATION_VIEW, elsewhere)  # regional lead
    assert Access(network_lead(), on=TODAY).has(Perm.ORGANISATION_VIEW, elsewhere)  # national
    region_cdao = UserFactory()
    AppointmentFactory(organisation=nhs_england, post=Post.CDAO, user=region_cdao)
    from controlled_drugs.permissions import Perm as ControlledDrugs

    team = Access(region_cdao, on=TODAY)
    assert team.has(ControlledDrugs.REPORTS_VIEW, practice)  # an NHS England team's region
    assert not team.has(ControlledDrugs.REPORTS_VIEW, elsewhere)


def test_a_rule_is_not_narrowed_to_some_organisations():
    """Found on review: a rule narrowed over organisations made the object check and the
    queryset disagree. What a rule reaches is its reach; ``only`` narrows rows of a model."""
    with pytest.raises(ValueError, match="not organisations"):
        Rule(
            Post.CDAO,
            {Perm.MEMBERS_VIEW},
            only={"organisations.Organisation": Q(kind="icb")},
            rows="ICBs",
        )


def test_a_narrowed_rule_says_which_rows_it_reaches():
    with pytest.raises(ValueError, match="say in ``rows``"):
        Rule(Post.CDAO, {Perm.MEMBERS_VIEW}, only={"organisations.Appointment": Q(post="cdao")})


def test_a_narrowed_rule_counts_as_holding_the_permission_somewhere(world):
    icb = world[0]
    cdao = UserFactory()
    AppointmentFactory(organisation=icb, post=Post.BOARD_DIRECTOR, user=cdao, start_on=LONG_AGO)
    assert Access(cdao, rules=EXTENDED_RULES, on=TODAY).has(Perm.MEMBERS_MANAGE)
    assert not Access(cdao, on=TODAY).has(Perm.MEMBERS_MANAGE)
