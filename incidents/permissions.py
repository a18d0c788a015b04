"""Who reports, reads and reviews medication incidents (the rule set:
organisations/permissions.py)."""

from enum import StrEnum

from django.db.models import Q

from organisations.choices import DESIGNATED_BODIES, PRIMARY_CARE, OrganisationKind, Post, Role
from organisations.permissions import Reach, Rule, for_covering_msos, for_every_role, for_leads


class Perm(StrEnum):
    INCIDENTS_REPORT = "incidents.report"  # report a medication incident
    INCIDENTS_VIEW = "incidents.view"  # read incidents: what happened, to whom, and the review
    INCIDENTS_LIST = "incidents.list"  # list and search the incidents one may read
    INCIDENTS_REVIEW = "incidents.review"  # review, correct, learn from and close incidents
    INCIDENTS_FIGURES = "incidents.figures"  # an organisation's incident figures and charts
    INCIDENTS_STATISTICS = "incidents.statistics"  # counts by region and kind, no detail
    # An incident shared between the organisation that received it and the one where it arose
    # (a discharge, a dispensing from a hospital letter): its narrative and medicines, never
    # the reporter, and the thread between the two.
    INCIDENTS_SHARED = "incidents.shared"
    HIGH_RISK_MANAGE = "incidents.high-risk"  # the organisation's list of high-risk medicines
    # The shapes of the organisation's hospital numbers, refused in its reports.
    HOSPITAL_NUMBERS_MANAGE = "incidents.hospital-numbers"
    # When the organisation's incidents go to LFPSE: marked ready, or as soon as reported.
    LFPSE_MANAGE = "incidents.lfpse"


P = Perm
REPORT = {P.INCIDENTS_REPORT}
FIGURES = {P.INCIDENTS_FIGURES}
# The organisation's medication safety team: its incidents, their review and figures.
REVIEW = {
    P.INCIDENTS_VIEW,
    P.INCIDENTS_LIST,
    P.INCIDENTS_REVIEW,
    P.INCIDENTS_FIGURES,
    P.INCIDENTS_SHARED,
}

# What the MSO (and deputy) keeps for the organisation's reporting.
MSO_LISTS = {P.HIGH_RISK_MANAGE, P.HOSPITAL_NUMBERS_MANAGE, P.LFPSE_MANAGE}


def _reported_by(user) -> Q:
    return Q(reporter=user)


# Whoever reports an incident sees their report, its progress and the feedback on it.
REPORTER_SEES_REPORT = {"incidents.Incident": _reported_by}
# Controlled drugs, as The Controlled Drugs (Supervision of Management and Use) Regulations
# 2013 place them: the CDAO of a designated body (a trust, an independent hospital) reads its
# own body's controlled-drug incidents; an ICB's CDAO, under the primary care duties NHS
# England delegates, those of the practices, networks and pharmacies of its area. NHS
# England's regional CDAO reads the region's occurrences without their reporters
# (controlled_drugs/permissions.py).
CONTROLLED_DRUG_INCIDENTS = {"incidents.Incident": Q(controlled_drug=True)}
PRIMARY_CARE_CONTROLLED_DRUG_INCIDENTS = {
    "incidents.Incident": Q(controlled_drug=True, organisation__kind__in=sorted(PRIMARY_CARE))
}
BODIES_WITH_THEIR_OWN_INCIDENTS = DESIGNATED_BODIES - {OrganisationKind.NHS_ENGLAND_REGION}
# An incident is shared with the organisation named as where it arose: reached through that
# organisation (``through``), not the one that received the report.
AROSE_HERE = {"incidents.Incident": Q(arose_in__isnull=False)}
AROSE_IN = {"incidents.Incident": "arose_in"}

RULES: tuple[Rule, ...] = (
    Rule(Role.STAFF, REPORT),
    Rule(Role.SAFETY_TEAM, REPORT | REVIEW),
    Rule(Role.COMMITTEE_CHAIR, REPORT | FIGURES),
    Rule(Role.COMMITTEE_SECRETARY, REPORT | FIGURES),
    Rule(Role.COMMITTEE_MEMBER, REPORT | FIGURES),
    *for_every_role(
        {P.INCIDENTS_VIEW}, only=REPORTER_SEES_REPORT, rows="the incidents they reported"
    ),
    Rule(Post.MSO, REPORT | REVIEW | MSO_LISTS),
    Rule(Post.DEPUTY_MSO, REPORT | REVIEW | MSO_LISTS),
    # The MSO who covers an organisation (a PCN's, for its GP practices) reviews its incidents,
    # and a roll-up of them.
    *for_covering_msos(REVIEW),
    Rule(Post.BOARD_DIRECTOR, FIGURES),
    *(
        Rule(
            post,
            {P.INCIDENTS_SHARED},
            only=AROSE_HERE,
            through=AROSE_IN,
            rows="the incidents shared with the organisation as where they arose",
        )
        for post in (Post.MSO, Post.DEPUTY_MSO)
    ),
    # And the MSO who covers an organisation, for it (who is told when one is shared with it).
    *for_covering_msos(
        {P.INCIDENTS_SHARED},
        only=AROSE_HERE,
        through=AROSE_IN,
        rows="the incidents shared with the organisations they cover as where they arose",
    ),
    Rule(
        Post.CDAO,
        {P.INCIDENTS_VIEW, P.INCIDENTS_LIST},
        held_in=BODIES_WITH_THEIR_OWN_INCIDENTS,
        only=CONTROLLED_DRUG_INCIDENTS,
        rows="the controlled-drug incidents of their designated body",
    ),
    Rule(
        Post.CDAO,
        {P.INCIDENTS_VIEW, P.INCIDENTS_LIST},
        reach=Reach.AREA,
        held_in={OrganisationKind.ICB},
        only=PRIMARY_CARE_CONTROLLED_DRUG_INCIDENTS,
        rows="the controlled-drug incidents of the area's practices, networks and pharmacies",
    ),
    # Across organisations: network leads see incident counts, never an incident.
    *for_leads({P.INCIDENTS_STATISTICS}),
)
# Incident detail: what happened, to whom.
SECOND_FACTOR = {P.INCIDENTS_VIEW, P.INCIDENTS_LIST, P.INCIDENTS_REVIEW, P.INCIDENTS_SHARED}

# Its forms that choose one of the organisation's members (an incident action's owner) let holders
# of these look the members up by name (organisations/picking.py).
PICKS_MEMBERS = {Perm.INCIDENTS_REVIEW}
