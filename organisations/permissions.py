"""Who may do what, where: every rule, declared once.

A person holds *grants*: a role in an organisation (``Membership``), a named post they hold
today (a current ``Appointment``: start ≤ today ≤ end), the lead of an MSO network, or the site
administrator flag. Each ``Rule`` below says which grant gives which permissions, and how far
it reaches from the organisation where it is held:

- ``OWN``: that organisation, and the organisations it took over (successor links, any depth);
- ``AREA``: ``OWN`` and every organisation in its area (part-of links, any depth), with theirs;
- ``REGION``: every organisation of the region whose network the person leads;
- ``ALL``: every organisation.

Links are dated, and a reach through a link holds only while the link does (closure.py keeps
the dated reach table). A rule can be narrower than "everything of an organisation": ``only``
maps a model (``"app_label.ModelName"``) to a filter over it, and the rule gives its
permissions on those rows of that model and nothing else (the CDAO of an ICB reaches the
controlled-drug incidents of the area, nothing else of it). It narrows rows of a model, never
the organisations a rule reaches.

``access.py`` derives from these rules both the object check (``has_permission``) and the
queryset filter (``visible_to``), so the two cannot disagree; ``tests/organisations/
test_rules_agree.py`` proves it for every rule and every way of reaching an organisation.
See docs/adr/0005-one-rule-set-and-a-dated-reach-table.md.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from django.db.models import Q

from .choices import PATIENT_SAFETY_TEAM_CHANGES, OrganisationKind, Post, Role


class Perm(StrEnum):
    ORGANISATION_VIEW = "organisation.view"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    APPOINTMENTS_MANAGE = "appointments.manage"
    ORGANISATIONS_DIRECTORY = "organisations.directory"
    SERVICE_ADMIN = "service.admin"  # the Django admin: organisations, their links, people
    HANDOVER_VIEW = "handover.view"
    HANDOVER_MANAGE = "handover.manage"
    REGISTER_VIEW = "register.view"  # the national MSO register, and its exports
    # The MSOs' professions, registration numbers and training on the register (and in its
    # export): the network leads alone.
    REGISTER_PROFESSIONAL = "register.professional"
    CHANGES_VIEW = "changes.view"  # requests to change the register, and their history
    CHANGES_SUBMIT = "changes.submit"
    CHANGES_DECIDE = "changes.decide"  # approve (and so apply) or reject a request
    # Patient Safety Specialists: their register and its export; deciding a specialist's
    # identification (the national patient safety team); the job title and pay band it gives.
    SPECIALISTS_VIEW = "specialists.view"
    SPECIALISTS_DECIDE = "specialists.decide"
    SPECIALISTS_CONFIDENTIAL = "specialists.confidential"
    NETWORKS_JOIN = "networks.join"  # join MSO networks, offer or ask for a buddy
    SPECIALIST_NETWORKS_JOIN = "networks.join-specialists"  # join Patient Safety Specialist ones
    BUDDIES_PAIR = "buddies.pair"  # pair new MSOs of the organisations with buddies
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
    ALERTS_VIEW = "alerts.view"  # the organisation's alerts and its responses to them
    ALERTS_RESPOND = "alerts.respond"  # acknowledge, decide, lead, assign, complete, reopen
    ALERTS_ACT = "alerts.act"  # record what was done about an action, with its evidence
    ALERTS_SIGN_OFF = "alerts.sign-off"  # executive sign-off of a response
    ALERTS_PUBLISH = "alerts.publish"  # write, import and publish national alerts
    ALERTS_COMPLIANCE = "alerts.compliance"  # who has responded, across organisations
    COMMITTEES_VIEW = "committees.view"  # the committee, its members, meetings and minutes
    COMMITTEES_MANAGE = "committees.manage"  # set it up, its meetings, minutes and actions
    COMMITTEE_ACTIONS_UPDATE = "committees.action"  # record what was done about an action
    COMMITTEE_REPORTS_APPROVE = "committees.approve"  # approve an assurance report, submit it
    COMMITTEE_REPORTS_COMPARE = "committees.compare"  # approved reports, side by side
    # Safety improvement: the organisation's improvement projects (read, and start, measure and
    # finish them); its protocols for high-risk medicines, read by every member and kept by
    # the safety team.
    PROJECTS_VIEW = "projects.view"
    IMPROVEMENT_MANAGE = "improvement.manage"
    PROTOCOLS_VIEW = "protocols.view"


class GlobalRole(StrEnum):
    """Grants held by a person, not in an organisation."""

    SITE_ADMIN = "site-admin"  # an active user with is_staff
    NATIONAL_LEAD = "national-lead"  # leads a national or specialised MSO network
    REGIONAL_LEAD = "regional-lead"  # leads a regional MSO network
    # Leads a national (the national patient safety team) or regional Patient Safety
    # Specialist network.
    SPECIALISTS_NATIONAL_LEAD = "specialists-national-lead"
    SPECIALISTS_REGIONAL_LEAD = "specialists-regional-lead"


class Reach(StrEnum):
    OWN = "own"
    AREA = "area"
    REGION = "region"
    ALL = "all"


@dataclass(frozen=True)
class Rule:
    grant: Role | Post | GlobalRole
    perms: frozenset[Perm]
    reach: Reach = Reach.OWN
    # The kinds of organisation the grant must be held in for this rule (None: any).
    held_in: frozenset[str] | None = None
    # "app_label.ModelName" -> the rows of that model the rule reaches; nothing else. A filter
    # may depend on the person: a function (user) -> Q.
    only: Mapping[str, Q | Callable] = field(default_factory=lambda: MappingProxyType({}))
    # What ``only`` reaches, in words (docs/access.md).
    rows: str = "all"
    # "app_label.ModelName" -> another path from that model to an organisation, by which the
    # rule reaches its rows instead of the model's ``scope_path`` (an incident shared with the
    # organisation where it arose reaches that organisation's MSO through ``arose_in``). Only
    # with ``only``, which names the rows.
    through: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):
        object.__setattr__(self, "perms", frozenset(self.perms))
        object.__setattr__(self, "only", MappingProxyType(dict(self.only)))
        object.__setattr__(self, "through", MappingProxyType(dict(self.through)))
        if set(self.through) - set(self.only):
            raise ValueError(f"{self.grant}: a rule reaching rows through another path names them")
        if self.held_in is not None:
            object.__setattr__(self, "held_in", frozenset(self.held_in))
        is_global = isinstance(self.grant, GlobalRole)
        if is_global != (self.reach in (Reach.REGION, Reach.ALL)):
            raise ValueError(f"{self.grant}: global grants reach a region or all, others do not")
        if "organisations.Organisation" in self.only:
            # Which organisations a rule reaches is what reach and held_in say; ``only``
            # narrows it to some rows *of* those organisations, so that permissions in an
            # organisation stay whole (and one permission map can give them).
            raise ValueError(f"{self.grant}: narrow a rule to rows of a model, not organisations")
        if bool(self.only) == (self.rows == "all"):
            raise ValueError(f"{self.grant}: say in ``rows`` which rows ``only`` reaches")


P = Perm
VIEW = {P.ORGANISATION_VIEW}
MANAGE = {
    P.ORGANISATION_VIEW,
    P.MEMBERS_VIEW,
    P.MEMBERS_MANAGE,
    P.APPOINTMENTS_MANAGE,
    P.HANDOVER_VIEW,
    P.HANDOVER_MANAGE,
}
# The organisation's side of its register entry: ask for changes and follow them. And the
# MSO community that comes with the post.
CHANGES = {P.CHANGES_VIEW, P.CHANGES_SUBMIT}
# The network's side: the register across organisations, deciding the changes (which they
# read through MSO_REGISTER_CHANGES), buddies.
REGISTER = {
    P.ORGANISATIONS_DIRECTORY,
    P.REGISTER_VIEW,
    P.REGISTER_PROFESSIONAL,
    P.CHANGES_DECIDE,
    P.NETWORKS_JOIN,
    P.BUDDIES_PAIR,
}


def _successor_of(handover: str):
    """The handovers (at the path ``handover``) a person takes over: the next appointment to
    the post after the outgoing one's end date is theirs, even before it starts."""

    def condition(user) -> Q:
        from django.db.models import Exists, OuterRef

        from .models import Appointment

        return Q(
            Exists(
                Appointment.objects.filter(
                    organisation=OuterRef(f"{handover}organisation"),
                    post=OuterRef(f"{handover}appointment__post"),
                    start_on__gt=OuterRef(f"{handover}appointment__end_on"),
                    user=user,
                )
            )
        )

    return condition


# A member who succeeds an MSO sees the handover they take over, before their post starts.
SUCCESSOR_SEES_HANDOVER = {
    "organisations.Handover": _successor_of(""),
    "organisations.HandoverItem": _successor_of("handover__"),
}


def _left_by(handover: str):
    """The handovers (at the path ``handover``) of a post the person held: the outgoing MSO
    follows their handover after their last day, when the post no longer gives them it."""

    def condition(user) -> Q:
        return Q(**{f"{handover}appointment__user": user})

    return condition


def _owned_by(user) -> Q:
    return Q(owner=user)


def _with_an_item_owned_by(user) -> Q:
    from django.db.models import Exists, OuterRef

    from .models import HandoverItem

    return Q(Exists(HandoverItem.objects.filter(handover=OuterRef("pk"), owner=user)))


OUTGOING_SEES_HANDOVER = {
    "organisations.Handover": _left_by(""),
    "organisations.HandoverItem": _left_by("handover__"),
}
# Whoever owns an item of a handover sees the handover, and keeps the items they own.
OWNER_SEES_HANDOVER = {"organisations.Handover": _with_an_item_owned_by}
OWNER_KEEPS_ITEM = {"organisations.HandoverItem": _owned_by}


def _asked_by(user) -> Q:
    return Q(submitted_by=user)


# Whoever asked for a change to the register follows it, in post or not.
ASKER_SEES_CHANGE = {"organisations.ChangeRequest": _asked_by}
# The national patient safety team follows the changes it decides (a Patient Safety Specialist
# identified, a new executive director for patient safety); the MSO networks' leads follow the
# rest of the register.
SPECIALISTS_IDENTIFIED = {
    "organisations.ChangeRequest": Q(kind__in=sorted(PATIENT_SAFETY_TEAM_CHANGES))
}
MSO_REGISTER_CHANGES = {
    "organisations.ChangeRequest": ~Q(kind__in=sorted(PATIENT_SAFETY_TEAM_CHANGES))
}
# An incident is shared with the organisation named as where it arose: reached through that
# organisation (``through``), not the one that received the report.
AROSE_HERE = {"incidents.Incident": Q(arose_in__isnull=False)}
AROSE_IN = {"incidents.Incident": "arose_in"}


def _reported_by(user) -> Q:
    return Q(reporter=user)


# Whoever reports an incident sees their report, its progress and the feedback on it.
REPORTER_SEES_REPORT = {"incidents.Incident": _reported_by}
# The controlled drugs accountable officer sees the controlled-drug incidents of the area.
CONTROLLED_DRUG_INCIDENTS = {"incidents.Incident": Q(controlled_drug=True)}


def _leads_or_owns(path: str):
    """The rows whose alert response (at ``path``; "" for the response itself) the person
    leads or owns an action of. Alerts stand above organisations: the model is found by name."""

    def condition(user) -> Q:
        from django.apps import apps
        from django.db.models import Exists, OuterRef

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


def _committee_action_owner(user) -> Q:
    return Q(owner=user)


def _leads_project(user) -> Q:
    return Q(lead=user)


# Whoever leads an improvement project keeps it up to date, in whatever role they hold.
LEAD_KEEPS_PROJECT = {"improvement.Project": _leads_project}

# Whoever owns an action of a committee meeting sees it and records what was done.
OWNER_UPDATES_COMMITTEE_ACTION = {"committees.MeetingAction": _committee_action_owner}

# Assurance reports once approved, never a draft: what an ICB or a network compares.
APPROVED_REPORTS = {"committees.AssuranceReport": ~Q(state="draft")}

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
# The organisation's response to national alerts.
ALERTS = {P.ALERTS_VIEW, P.ALERTS_RESPOND, P.ALERTS_ACT}
# Its medication safety committee: read by its members, the MSO and the board director; run by
# its chair and secretary.
COMMITTEE = {P.COMMITTEES_VIEW}
COMMITTEE_RUN = {P.COMMITTEES_VIEW, P.COMMITTEES_MANAGE}
# Safety improvement: read by those who give assurance; run by the medication safety team.
PROJECTS = {P.PROJECTS_VIEW, P.PROTOCOLS_VIEW}
IMPROVE = PROJECTS | {P.IMPROVEMENT_MANAGE}

RULES: tuple[Rule, ...] = (
    # Roles of members.
    Rule(Role.STAFF, VIEW | REPORT | {P.PROTOCOLS_VIEW}),
    Rule(
        Role.SAFETY_TEAM,
        VIEW | REPORT | REVIEW | IMPROVE | {P.MEMBERS_VIEW, P.ALERTS_VIEW, P.ALERTS_ACT},
    ),
    Rule(
        Role.COMMITTEE_CHAIR,
        VIEW
        | REPORT
        | FIGURES
        | COMMITTEE_RUN
        | PROJECTS
        | {P.ALERTS_VIEW, P.COMMITTEE_REPORTS_APPROVE},
    ),
    Rule(
        Role.COMMITTEE_SECRETARY,
        VIEW | REPORT | FIGURES | COMMITTEE_RUN | PROJECTS | {P.ALERTS_VIEW},
    ),
    Rule(Role.COMMITTEE_MEMBER, VIEW | REPORT | FIGURES | COMMITTEE | PROJECTS | {P.ALERTS_VIEW}),
    *(
        Rule(
            role,
            {P.PROJECTS_VIEW, P.IMPROVEMENT_MANAGE},
            only=LEAD_KEEPS_PROJECT,
            rows="the improvement projects they lead",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.INCIDENTS_VIEW},
            only=REPORTER_SEES_REPORT,
            rows="the incidents they reported",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.HANDOVER_VIEW},
            only=SUCCESSOR_SEES_HANDOVER,
            rows="the handover of the post they take over",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.HANDOVER_VIEW},
            only=OUTGOING_SEES_HANDOVER,
            rows="the handover of the post they leave",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.HANDOVER_VIEW},
            only=OWNER_SEES_HANDOVER,
            rows="the handovers where they own an item",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.HANDOVER_VIEW, P.HANDOVER_MANAGE},
            only=OWNER_KEEPS_ITEM,
            rows="the handover items they own",
        )
        for role in Role
    ),
    *(
        Rule(role, {P.CHANGES_VIEW}, only=ASKER_SEES_CHANGE, rows="the changes they asked for")
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.COMMITTEES_VIEW, P.COMMITTEE_ACTIONS_UPDATE},
            only=OWNER_UPDATES_COMMITTEE_ACTION,
            rows="the committee actions they own",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.ALERTS_VIEW},
            only=LEAD_OR_OWNER_SEES_RESPONSE,
            rows="the alert responses they lead or own an action of",
        )
        for role in Role
    ),
    *(
        Rule(
            role,
            {P.ALERTS_VIEW, P.ALERTS_ACT},
            only=LEAD_OR_OWNER_ACTS,
            rows="the alert actions they own, or all of a response they lead",
        )
        for role in Role
    ),
    # Named posts, while they are held.
    Rule(
        Post.MSO,
        MANAGE
        | CHANGES
        | REPORT
        | REVIEW
        | ALERTS
        | COMMITTEE
        | IMPROVE
        | {P.NETWORKS_JOIN, P.HIGH_RISK_MANAGE},
    ),
    Rule(
        Post.DEPUTY_MSO,
        MANAGE
        | CHANGES
        | REPORT
        | REVIEW
        | ALERTS
        | COMMITTEE
        | IMPROVE
        | {P.NETWORKS_JOIN, P.HIGH_RISK_MANAGE},
    ),
    # The MSO of a primary care network covers the network's GP practices: each practice's
    # incidents, and a roll-up of them.
    Rule(
        Post.MSO,
        VIEW | REVIEW | ALERTS | {P.MEMBERS_VIEW},
        reach=Reach.AREA,
        held_in={OrganisationKind.PCN},
    ),
    Rule(
        Post.BOARD_DIRECTOR,
        VIEW
        | FIGURES
        | CHANGES
        | COMMITTEE
        | PROJECTS
        | {P.MEMBERS_VIEW, P.HANDOVER_VIEW, P.ALERTS_VIEW, P.ALERTS_SIGN_OFF},
    ),
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
    # And the MSO of a PCN, for its practices (who is told when one is shared with them).
    Rule(
        Post.MSO,
        {P.INCIDENTS_SHARED},
        reach=Reach.AREA,
        held_in={OrganisationKind.PCN},
        only=AROSE_HERE,
        through=AROSE_IN,
        rows="the incidents shared with the area's practices as where they arose",
    ),
    Rule(Post.CDAO, VIEW),
    # Patient Safety Specialists are told of national alerts and read their organisation's
    # responses; they meet in the specialists' networks. The executive director for patient
    # safety identifies them (change_requests.ASKED_BY: which changes each post asks for).
    # They support improvement: they read the projects and protocols.
    Rule(
        Post.PATIENT_SAFETY_SPECIALIST,
        VIEW | PROJECTS | {P.ALERTS_VIEW, P.SPECIALIST_NETWORKS_JOIN},
    ),
    Rule(Post.PATIENT_SAFETY_DIRECTOR, VIEW | CHANGES),
    Rule(
        Post.CDAO,
        {P.INCIDENTS_VIEW, P.INCIDENTS_LIST},
        reach=Reach.AREA,
        only=CONTROLLED_DRUG_INCIDENTS,
        rows="the controlled-drug incidents of the area",
    ),
    # Across organisations: network leads see incident counts, never an incident.
    # They publish national alerts (the national lead) and see who has responded.
    Rule(
        GlobalRole.NATIONAL_LEAD,
        VIEW | REGISTER | {P.INCIDENTS_STATISTICS, P.ALERTS_PUBLISH, P.ALERTS_COMPLIANCE},
        reach=Reach.ALL,
    ),
    Rule(
        GlobalRole.REGIONAL_LEAD,
        VIEW | REGISTER | {P.INCIDENTS_STATISTICS, P.ALERTS_COMPLIANCE},
        reach=Reach.REGION,
    ),
    *(
        Rule(
            lead,
            {P.CHANGES_VIEW},
            reach=reach,
            only=MSO_REGISTER_CHANGES,
            rows="the requests to change the MSO register",
        )
        for lead, reach in (
            (GlobalRole.NATIONAL_LEAD, Reach.ALL),
            (GlobalRole.REGIONAL_LEAD, Reach.REGION),
        )
    ),
    *(
        Rule(
            lead,
            {P.COMMITTEE_REPORTS_COMPARE},
            reach=reach,
            only=APPROVED_REPORTS,
            rows="approved assurance reports",
        )
        for lead, reach in (
            (GlobalRole.NATIONAL_LEAD, Reach.ALL),
            (GlobalRole.REGIONAL_LEAD, Reach.REGION),
        )
    ),
    # The national patient safety team (the leads of the national Patient Safety Specialist
    # network) decides identifications and sees what they give; regional leads follow theirs.
    Rule(
        GlobalRole.SPECIALISTS_NATIONAL_LEAD,
        VIEW
        | {
            P.ORGANISATIONS_DIRECTORY,
            P.SPECIALISTS_VIEW,
            P.SPECIALISTS_DECIDE,
            P.SPECIALISTS_CONFIDENTIAL,
            P.SPECIALIST_NETWORKS_JOIN,
        },
        reach=Reach.ALL,
    ),
    Rule(
        GlobalRole.SPECIALISTS_REGIONAL_LEAD,
        VIEW | {P.ORGANISATIONS_DIRECTORY, P.SPECIALISTS_VIEW, P.SPECIALIST_NETWORKS_JOIN},
        reach=Reach.REGION,
    ),
    *(
        Rule(
            lead,
            {P.CHANGES_VIEW},
            reach=reach,
            only=SPECIALISTS_IDENTIFIED,
            rows="the requests naming Patient Safety Specialists and executive directors for "
            "patient safety",
        )
        for lead, reach in (
            (GlobalRole.SPECIALISTS_NATIONAL_LEAD, Reach.ALL),
            (GlobalRole.SPECIALISTS_REGIONAL_LEAD, Reach.REGION),
        )
    ),
    # Site administrators run the service: organisations, people and the admin. They will
    # not be given the permissions that open incident narratives or patient details. They ask
    # for changes to the register on an organisation's behalf (its first MSO, when nobody is in
    # post to ask), which someone else approves.
    Rule(
        GlobalRole.SITE_ADMIN,
        MANAGE
        | {
            P.ORGANISATIONS_DIRECTORY,
            P.SERVICE_ADMIN,
            P.REGISTER_VIEW,
            P.CHANGES_VIEW,
            P.CHANGES_SUBMIT,
            P.ALERTS_PUBLISH,
        },
        reach=Reach.ALL,
    ),
)

# Grants whose holders see incident detail, sign off alerts or run the service: they must
# sign in with a second factor (MFA_REQUIRED).
MFA_GRANTS: frozenset[str] = frozenset(
    {
        Post.MSO,
        Post.DEPUTY_MSO,
        Post.BOARD_DIRECTOR,
        Post.CDAO,
        Role.SAFETY_TEAM,
        Role.COMMITTEE_CHAIR,
        Role.COMMITTEE_SECRETARY,
        GlobalRole.SITE_ADMIN,
        GlobalRole.NATIONAL_LEAD,
        GlobalRole.REGIONAL_LEAD,
        GlobalRole.SPECIALISTS_NATIONAL_LEAD,
        GlobalRole.SPECIALISTS_REGIONAL_LEAD,
    }
)


def has_permission(user, perm: Perm, obj=None) -> bool:
    """Whether the user holds ``perm`` on ``obj``: an organisation, an object of a scoped model,
    or (None) anywhere at all."""
    from .access import access_for

    return access_for(user).has(perm, obj)
