"""Who may do what, where: every rule, declared once.

A person holds *grants*: a role in an organisation (``Membership``), a named post they hold
today (a current ``Appointment``: start ≤ today ≤ end), the lead of an MSO network, or the site
administrator flag. Each ``Rule`` below says which grant gives which permissions, and how far
it reaches from the organisation where it is held:

- ``OWN``: that organisation, and the organisations it took over (successor links, any depth);
- ``AREA``: ``OWN`` and every organisation in its area (part-of links, any depth), with theirs;
- ``REGION``: every organisation of the region whose network the person leads, or, for a grant
  held in a regional body (NHS England's regional team), of that body's region;
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

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from .choices import MSO_COVERS, PATIENT_SAFETY_TEAM_CHANGES, OrganisationKind, Post, Role


class Perm(StrEnum):
    """The permissions of the ground floor: organisations, their people, posts and handovers,
    and the registers. Each app above declares its own (``<app>/permissions.py``) and adds
    them, with the rules that give them, to the rule set (``register``)."""

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
    # Which kinds of change one asks for: the MSO register's (its MSO, deputy and board
    # director), or those the national patient safety team decides (naming the executive
    # director for patient safety, identifying Patient Safety Specialists).
    REGISTER_CHANGES_ASK = "changes.ask-register"
    PATIENT_SAFETY_CHANGES_ASK = "changes.ask-patient-safety"
    CHANGES_DECIDE = "changes.decide"  # approve (and so apply) or reject a request
    # Patient Safety Specialists: their register and its export; deciding a specialist's
    # identification (the national patient safety team); the job title and pay band it gives.
    SPECIALISTS_VIEW = "specialists.view"
    SPECIALISTS_DECIDE = "specialists.decide"
    SPECIALISTS_CONFIDENTIAL = "specialists.confidential"
    # An organisation's monthly denominators (occupied bed days, registered patients, items
    # dispensed: choices.DENOMINATOR_FOR_KIND), which its incident rate is counted against:
    # recorded by its safety team; imported from a file, for the organisations they reach, by
    # the MSO networks' leads and the national patient safety team.
    DENOMINATORS_MANAGE = "denominators.manage"
    DENOMINATORS_IMPORT = "denominators.import"


class GlobalRole(StrEnum):
    """Grants held by a person, not in an organisation."""

    SITE_ADMIN = "site-admin"  # an active user with is_staff
    NATIONAL_LEAD = "national-lead"  # leads a national or specialised MSO network
    REGIONAL_LEAD = "regional-lead"  # leads a regional MSO network
    # Leads a national (the national patient safety team) or regional Patient Safety
    # Specialist network.
    SPECIALISTS_NATIONAL_LEAD = "specialists-national-lead"
    SPECIALISTS_REGIONAL_LEAD = "specialists-regional-lead"


# The kinds of organisation that serve a region, whose posts may reach it.
REGIONAL_BODIES = frozenset({OrganisationKind.NHS_ENGLAND_REGION})


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
    # The kinds of organisation an area rule reaches in its area (None: every kind): the MSO of
    # an ICB covers its practices and PCNs, never the trusts of its area.
    over: frozenset[str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "perms", frozenset(self.perms))
        object.__setattr__(self, "only", MappingProxyType(dict(self.only)))
        object.__setattr__(self, "through", MappingProxyType(dict(self.through)))
        if set(self.through) - set(self.only):
            raise ValueError(f"{self.grant}: a rule reaching rows through another path names them")
        if self.held_in is not None:
            object.__setattr__(self, "held_in", frozenset(self.held_in))
        if self.over is not None:
            if self.reach != Reach.AREA:
                raise ValueError(f"{self.grant}: only an area rule reaches some kinds in it")
            object.__setattr__(self, "over", frozenset(self.over))
        is_global = isinstance(self.grant, GlobalRole)
        if is_global and self.reach not in (Reach.REGION, Reach.ALL):
            raise ValueError(f"{self.grant}: global grants reach a region or all")
        if not is_global and self.reach == Reach.ALL:
            raise ValueError(f"{self.grant}: a grant held in an organisation never reaches all")
        if (
            not is_global
            and self.reach == Reach.REGION
            and not (self.held_in and self.held_in <= REGIONAL_BODIES)
        ):
            # A regional body (NHS England's regional team) reaches its own region: only one.
            raise ValueError(
                f"{self.grant}: only a grant held in a regional body reaches its region"
            )
        if "organisations.Organisation" in self.only:
            # Which organisations a rule reaches is what reach and held_in say; ``only``
            # narrows it to some rows *of* those organisations, so that permissions in an
            # organisation stay whole (and one permission map can give them).
            raise ValueError(f"{self.grant}: narrow a rule to rows of a model, not organisations")
        if bool(self.only) == (self.rows == "all"):
            raise ValueError(f"{self.grant}: say in ``rows`` which rows ``only`` reaches")

    @property
    def personal(self) -> bool:
        """Whether the rule reaches only rows chosen by who the person is (their own report,
        the actions they own): each filter of ``only`` is a function of the person."""
        return bool(self.only) and all(callable(rows) for rows in self.only.values())


# The rule set ------------------------------------------------------------------------------
# Filled at start-up: this module's rules below, and each app's (its AppConfig.ready calls
# ``register``). Read by access.py, which derives the checks and the filters from it.
RULES: list[Rule] = []
PERMISSIONS: list[type[StrEnum]] = []
# The permissions that open what a stolen password must not: incident detail, sign-off,
# committees' business, the registers' confidential columns, running the service.
SECOND_FACTOR_PERMS: set[str] = set()


def register(perms: type[StrEnum], rules, *, second_factor=()) -> None:
    """Add an app's permissions, the rules that give them, and those of them that need a
    second factor, to the rule set."""
    if perms not in PERMISSIONS:
        PERMISSIONS.append(perms)
    RULES.extend(rule for rule in rules if rule not in RULES)
    SECOND_FACTOR_PERMS.update(second_factor)


def every_perm():
    """Every permission of every app."""
    return [perm for perms in PERMISSIONS for perm in perms]


def second_factor_grants(rules=None) -> frozenset:
    """The grants whose holders must sign in with a second factor (MFA_REQUIRED): those a
    rule gives a second-factor permission beyond the person's own rows (hazard H-012). A
    reporter reading their own report, or the owner of an action recording it, needs none."""
    return frozenset(
        rule.grant
        for rule in (RULES if rules is None else rules)
        if rule.perms & SECOND_FACTOR_PERMS and not rule.personal
    )


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
# The organisation's side of its register entry: ask for changes and follow them.
CHANGES = {P.CHANGES_VIEW, P.CHANGES_SUBMIT}
# The network's side: the register across organisations, deciding the changes (which they
# read through MSO_REGISTER_CHANGES).
REGISTER = {P.ORGANISATIONS_DIRECTORY, P.REGISTER_VIEW, P.REGISTER_PROFESSIONAL, P.CHANGES_DECIDE}


def _successor_of(handover: str):
    """The handovers (at the path ``handover``) a person takes over: the next appointment to
    the post after the outgoing one's end date is theirs, even before it starts."""

    def condition(user) -> Q:
        appointments = apps.get_model("organisations", "Appointment").objects
        return Q(
            Exists(
                appointments.filter(
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
    items = apps.get_model("organisations", "HandoverItem").objects
    return Q(Exists(items.filter(handover=OuterRef("pk"), owner=user)))


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


def for_every_role(perms, *, only, rows) -> tuple[Rule, ...]:
    """The same rule for every role: permissions on the person's own rows, whatever their role
    (their own report, the actions they own)."""
    return tuple(Rule(role, perms, only=only, rows=rows) for role in Role)


def for_covering_msos(perms, **narrowed) -> tuple[Rule, ...]:
    """The same rule for the MSO of each kind of organisation that covers others in its area
    (choices.MSO_COVERS: a PCN's practices, an ICB's practices and PCNs, a pharmacy company's
    or national pharmacy body's pharmacies), reaching only the kinds it covers."""
    return tuple(
        Rule(Post.MSO, perms, reach=Reach.AREA, held_in={above}, over=covered, **narrowed)
        for above, covered in MSO_COVERS.items()
    )


def for_leads(perms, *, specialists=False, **narrowed) -> tuple[Rule, ...]:
    """The same rule for the national (all of England) and regional (their region) leads of the
    MSO networks, or with ``specialists`` of the Patient Safety Specialist networks."""
    if specialists:
        leads = (GlobalRole.SPECIALISTS_NATIONAL_LEAD, GlobalRole.SPECIALISTS_REGIONAL_LEAD)
    else:
        leads = (GlobalRole.NATIONAL_LEAD, GlobalRole.REGIONAL_LEAD)
    return tuple(
        Rule(lead, perms, reach=reach, **narrowed)
        for lead, reach in zip(leads, (Reach.ALL, Reach.REGION), strict=True)
    )


ORGANISATION_RULES: tuple[Rule, ...] = (
    # Roles of members.
    Rule(Role.STAFF, VIEW),
    Rule(Role.SAFETY_TEAM, VIEW | {P.MEMBERS_VIEW, P.DENOMINATORS_MANAGE}),
    Rule(Role.COMMITTEE_CHAIR, VIEW),
    Rule(Role.COMMITTEE_SECRETARY, VIEW),
    Rule(Role.COMMITTEE_MEMBER, VIEW),
    *for_every_role(
        {P.HANDOVER_VIEW},
        only=SUCCESSOR_SEES_HANDOVER,
        rows="the handover of the post they take over",
    ),
    *for_every_role(
        {P.HANDOVER_VIEW}, only=OUTGOING_SEES_HANDOVER, rows="the handover of the post they leave"
    ),
    *for_every_role(
        {P.HANDOVER_VIEW}, only=OWNER_SEES_HANDOVER, rows="the handovers where they own an item"
    ),
    *for_every_role(
        {P.HANDOVER_VIEW, P.HANDOVER_MANAGE},
        only=OWNER_KEEPS_ITEM,
        rows="the handover items they own",
    ),
    *for_every_role({P.CHANGES_VIEW}, only=ASKER_SEES_CHANGE, rows="the changes they asked for"),
    # Named posts, while they are held.
    Rule(Post.MSO, MANAGE | CHANGES | {P.REGISTER_CHANGES_ASK, P.DENOMINATORS_MANAGE}),
    Rule(Post.DEPUTY_MSO, MANAGE | CHANGES | {P.REGISTER_CHANGES_ASK, P.DENOMINATORS_MANAGE}),
    # The MSO of an organisation that covers others (a PCN's practices) sees them and their
    # members, and records their denominators.
    *for_covering_msos(VIEW | {P.MEMBERS_VIEW, P.DENOMINATORS_MANAGE}),
    Rule(
        Post.BOARD_DIRECTOR,
        VIEW
        | CHANGES
        | {P.MEMBERS_VIEW, P.HANDOVER_VIEW, P.REGISTER_CHANGES_ASK, P.PATIENT_SAFETY_CHANGES_ASK},
    ),
    Rule(Post.CDAO, VIEW),
    Rule(Post.PATIENT_SAFETY_SPECIALIST, VIEW),
    # The executive director for patient safety identifies the Patient Safety Specialists, and
    # names their own successor.
    Rule(Post.PATIENT_SAFETY_DIRECTOR, VIEW | CHANGES | {P.PATIENT_SAFETY_CHANGES_ASK}),
    # Across organisations: the leads of the MSO networks keep the register, and import the
    # denominators of the organisations they reach.
    Rule(GlobalRole.NATIONAL_LEAD, VIEW | REGISTER | {P.DENOMINATORS_IMPORT}, reach=Reach.ALL),
    Rule(GlobalRole.REGIONAL_LEAD, VIEW | REGISTER | {P.DENOMINATORS_IMPORT}, reach=Reach.REGION),
    *for_leads(
        {P.CHANGES_VIEW}, only=MSO_REGISTER_CHANGES, rows="the requests to change the MSO register"
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
            P.DENOMINATORS_IMPORT,
        },
        reach=Reach.ALL,
    ),
    Rule(
        GlobalRole.SPECIALISTS_REGIONAL_LEAD,
        VIEW | {P.ORGANISATIONS_DIRECTORY, P.SPECIALISTS_VIEW},
        reach=Reach.REGION,
    ),
    *for_leads(
        {P.CHANGES_VIEW},
        specialists=True,
        only=SPECIALISTS_IDENTIFIED,
        rows="the requests naming Patient Safety Specialists and executive directors for "
        "patient safety",
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
            P.REGISTER_CHANGES_ASK,
            P.PATIENT_SAFETY_CHANGES_ASK,
        },
        reach=Reach.ALL,
    ),
)
register(
    Perm,
    ORGANISATION_RULES,
    second_factor={
        P.MEMBERS_MANAGE,
        P.APPOINTMENTS_MANAGE,
        P.HANDOVER_MANAGE,
        P.SERVICE_ADMIN,
        P.REGISTER_PROFESSIONAL,
        P.CHANGES_DECIDE,
        P.SPECIALISTS_VIEW,
        P.SPECIALISTS_DECIDE,
        P.SPECIALISTS_CONFIDENTIAL,
    },
)

# Its forms that choose one of the organisation's members (a named post's holder) let holders of
# these look the members up by name (organisations/picking.py).
PICKS_MEMBERS = {Perm.APPOINTMENTS_MANAGE}
