"""Who reads and runs the medication safety committee, and who compares its assurance reports
(the rule set: organisations/permissions.py)."""

from enum import StrEnum

from django.db.models import Q

from organisations.choices import OrganisationKind, Post, Role
from organisations.permissions import Reach, Rule, for_every_role, for_leads


class Perm(StrEnum):
    COMMITTEES_VIEW = "committees.view"  # the committee, its members, meetings and minutes
    COMMITTEES_MANAGE = "committees.manage"  # set it up, its meetings, minutes and actions
    COMMITTEE_ACTIONS_UPDATE = "committees.action"  # record what was done about an action
    COMMITTEE_REPORTS_APPROVE = "committees.approve"  # approve an assurance report, submit it
    COMMITTEE_REPORTS_COMPARE = "committees.compare"  # approved reports, side by side


P = Perm
# Read by its members, the MSO and the board director; run by its chair and secretary.
COMMITTEE = {P.COMMITTEES_VIEW}
# The chair and secretary keep the committee's action log: they record what was done about any
# of its actions, as an action's owner records their own.
COMMITTEE_RUN = {P.COMMITTEES_VIEW, P.COMMITTEES_MANAGE, P.COMMITTEE_ACTIONS_UPDATE}


def _committee_action_owner(user) -> Q:
    return Q(owner=user)


# Whoever owns an action of a committee meeting sees it and records what was done.
OWNER_UPDATES_COMMITTEE_ACTION = {"committees.MeetingAction": _committee_action_owner}
# Assurance reports once approved, never a draft: what an ICB or a network compares.
APPROVED_REPORTS = {"committees.AssuranceReport": ~Q(state="draft")}

RULES: tuple[Rule, ...] = (
    Rule(Role.COMMITTEE_CHAIR, COMMITTEE_RUN | {P.COMMITTEE_REPORTS_APPROVE}),
    Rule(Role.COMMITTEE_SECRETARY, COMMITTEE_RUN),
    Rule(Role.COMMITTEE_MEMBER, COMMITTEE),
    *for_every_role(
        {P.COMMITTEES_VIEW, P.COMMITTEE_ACTIONS_UPDATE},
        only=OWNER_UPDATES_COMMITTEE_ACTION,
        rows="the committee actions they own",
    ),
    Rule(Post.MSO, COMMITTEE),
    Rule(Post.DEPUTY_MSO, COMMITTEE),
    Rule(Post.BOARD_DIRECTOR, COMMITTEE),
    # The MSO of an ICB compares the approved assurance reports of the organisations of its
    # area, side by side.
    *(
        Rule(
            post,
            {P.COMMITTEE_REPORTS_COMPARE},
            reach=Reach.AREA,
            held_in={OrganisationKind.ICB},
            only=APPROVED_REPORTS,
            rows="the approved assurance reports of the area",
        )
        for post in (Post.MSO, Post.DEPUTY_MSO)
    ),
    *for_leads(
        {P.COMMITTEE_REPORTS_COMPARE}, only=APPROVED_REPORTS, rows="approved assurance reports"
    ),
)
# Running the committee, whose minutes discuss incidents, and approving its reports.
SECOND_FACTOR = {P.COMMITTEES_MANAGE, P.COMMITTEE_REPORTS_APPROVE}

# Its forms that choose one of the organisation's members (a committee's members, a meeting
# action's owner) let holders of these look the members up by name (organisations/picking.py).
PICKS_MEMBERS = {Perm.COMMITTEES_MANAGE}
