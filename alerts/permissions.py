"""Who reads, answers, signs off and publishes national patient safety alerts (the rule set:
organisations/permissions.py)."""

from enum import StrEnum

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from organisations.choices import SENIOR_SIGN_OFF, Post, Role
from organisations.permissions import GlobalRole, Reach, Rule, for_covering_msos, for_every_role


class Perm(StrEnum):
    ALERTS_VIEW = "alerts.view"  # the organisation's alerts and its responses to them
    ALERTS_RESPOND = "alerts.respond"  # acknowledge, decide, lead, assign, complete, reopen
    ALERTS_ACT = "alerts.act"  # record what was done about an action, with its evidence
    ALERTS_SIGN_OFF = "alerts.sign-off"  # executive sign-off of a response
    ALERTS_PUBLISH = "alerts.publish"  # write, import and publish national alerts
    ALERTS_COMPLIANCE = "alerts.compliance"  # who has responded, across organisations


P = Perm


def _signing_kinds() -> dict:
    """Each post that gives senior sign-off, with the kinds of organisation it gives it in."""
    kinds: dict = {}
    for kind, post in SENIOR_SIGN_OFF.items():
        kinds.setdefault(post, set()).add(kind)
    return kinds


# The organisation's response to national alerts.
ALERTS = {P.ALERTS_VIEW, P.ALERTS_RESPOND, P.ALERTS_ACT}


def _leads_or_owns(path: str):
    """The rows whose alert response (at ``path``; "" for the response itself) the person
    leads or owns an action of."""

    def condition(user) -> Q:
        actions = apps.get_model("alerts", "AlertActionResponse").objects
        led = f"{path}__lead" if path else "lead"
        owned = actions.filter(response=OuterRef(path or "pk"), owner=user)
        return Q(**{led: user}) | Q(Exists(owned))

    return condition


def _owned_or_led(user) -> Q:
    return Q(owner=user) | Q(response__lead=user)


# Whoever leads an organisation's response to an alert, or owns one of its actions, sees that
# response and records what was done about the actions they own (or all, as its lead).
LEAD_OR_OWNER_SEES_RESPONSE = {
    "alerts.AlertResponse": _leads_or_owns(""),
    "alerts.AlertEvidence": _leads_or_owns("action_response__response"),
}
LEAD_OR_OWNER_ACTS = {"alerts.AlertActionResponse": _owned_or_led}

RULES: tuple[Rule, ...] = (
    Rule(Role.SAFETY_TEAM, {P.ALERTS_VIEW, P.ALERTS_ACT}),
    Rule(Role.COMMITTEE_CHAIR, {P.ALERTS_VIEW}),
    Rule(Role.COMMITTEE_SECRETARY, {P.ALERTS_VIEW}),
    Rule(Role.COMMITTEE_MEMBER, {P.ALERTS_VIEW}),
    *for_every_role(
        {P.ALERTS_VIEW},
        only=LEAD_OR_OWNER_SEES_RESPONSE,
        rows="the alert responses they lead or own an action of",
    ),
    *for_every_role(
        {P.ALERTS_VIEW, P.ALERTS_ACT},
        only=LEAD_OR_OWNER_ACTS,
        rows="the alert actions they own, or all of a response they lead",
    ),
    Rule(Post.MSO, ALERTS),
    Rule(Post.DEPUTY_MSO, ALERTS),
    # The MSO who covers an organisation answers for it (choices.MSO_COVERED_BY: a practice by
    # its PCN's or ICB's, a pharmacy by its company's or national pharmacy body's).
    *for_covering_msos(ALERTS),
    # Senior sign-off, by the kind of organisation (organisations.choices.SENIOR_SIGN_OFF): the
    # board director wherever there is one; where there is no board, the post that answers for
    # the organisation.
    Rule(Post.BOARD_DIRECTOR, {P.ALERTS_VIEW, P.ALERTS_SIGN_OFF}),
    *(
        Rule(post, {P.ALERTS_VIEW, P.ALERTS_SIGN_OFF}, held_in=kinds)
        for post, kinds in _signing_kinds().items()
        if post != Post.BOARD_DIRECTOR
    ),
    # Patient Safety Specialists are told of national alerts and read their organisation's
    # responses.
    Rule(Post.PATIENT_SAFETY_SPECIALIST, {P.ALERTS_VIEW}),
    # The Medical Devices Safety Officer is told of device alerts beside the MSO, and reads the
    # organisation's responses.
    Rule(Post.MDSO, {P.ALERTS_VIEW}),
    # National Patient Safety Alerts are issued through the Central Alerting System (CAS): the
    # national patient safety team (the lead of the national Patient Safety Specialist
    # network) or the site administrator records them here, by import or by hand. The MSO
    # networks' leads, a peer network, see who has responded and support; they never publish.
    Rule(
        GlobalRole.SPECIALISTS_NATIONAL_LEAD,
        {P.ALERTS_PUBLISH, P.ALERTS_COMPLIANCE},
        reach=Reach.ALL,
    ),
    Rule(GlobalRole.SITE_ADMIN, {P.ALERTS_PUBLISH}, reach=Reach.ALL),
    Rule(GlobalRole.NATIONAL_LEAD, {P.ALERTS_COMPLIANCE}, reach=Reach.ALL),
    Rule(GlobalRole.REGIONAL_LEAD, {P.ALERTS_COMPLIANCE}, reach=Reach.REGION),
)
# Signing off a response for the board, and publishing to every organisation.
SECOND_FACTOR = {P.ALERTS_SIGN_OFF, P.ALERTS_PUBLISH}

# Its forms that choose one of the organisation's members (an alert action's owner, a response's
# lead) let holders of these look the members up by name (organisations/picking.py).
PICKS_MEMBERS = {Perm.ALERTS_RESPOND}
