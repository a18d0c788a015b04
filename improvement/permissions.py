"""Who reads and runs safety improvement projects and protocols for high-risk medicines (the
rule set: organisations/permissions.py)."""

from enum import StrEnum

from django.db.models import Q

from organisations.choices import Post, Role
from organisations.permissions import Rule, for_every_role


class Perm(StrEnum):
    # The organisation's improvement projects (read, and start, measure and finish them); its
    # protocols for high-risk medicines, read by every member and kept by the safety team.
    PROJECTS_VIEW = "projects.view"
    IMPROVEMENT_MANAGE = "improvement.manage"
    PROTOCOLS_VIEW = "protocols.view"


P = Perm
# Read by those who give assurance; run by the medication safety team.
PROJECTS = {P.PROJECTS_VIEW, P.PROTOCOLS_VIEW}
IMPROVE = PROJECTS | {P.IMPROVEMENT_MANAGE}


def _leads_project(user) -> Q:
    return Q(lead=user)


# Whoever leads an improvement project keeps it up to date, in whatever role they hold.
LEAD_KEEPS_PROJECT = {"improvement.Project": _leads_project}

RULES: tuple[Rule, ...] = (
    Rule(Role.STAFF, {P.PROTOCOLS_VIEW}),
    Rule(Role.SAFETY_TEAM, IMPROVE),
    Rule(Role.COMMITTEE_CHAIR, PROJECTS),
    Rule(Role.COMMITTEE_SECRETARY, PROJECTS),
    Rule(Role.COMMITTEE_MEMBER, PROJECTS),
    *for_every_role(
        {P.PROJECTS_VIEW, P.IMPROVEMENT_MANAGE},
        only=LEAD_KEEPS_PROJECT,
        rows="the improvement projects they lead",
    ),
    Rule(Post.MSO, IMPROVE),
    Rule(Post.DEPUTY_MSO, IMPROVE),
    Rule(Post.BOARD_DIRECTOR, PROJECTS),
    # Patient Safety Specialists support improvement: they read the projects and protocols.
    Rule(Post.PATIENT_SAFETY_SPECIALIST, PROJECTS),
)

# Its forms that choose one of the organisation's members (a project's lead, a protocol's owner)
# let holders of these look the members up by name (organisations/picking.py).
PICKS_MEMBERS = {Perm.IMPROVEMENT_MANAGE}
