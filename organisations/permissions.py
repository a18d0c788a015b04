"""Who may do what, where: the one place roles become permissions.

Every permission is checked server side, per organisation. A role held in an organisation gives
its permissions there. Some roles also reach other organisations through dated links: the MSO
of a primary care network covers the network's current GP practices. (The controlled drugs
accountable officer of an ICB will see the controlled-drug incidents of the organisations in
its area, and nothing else of them: that permission comes with incidents.)
Network leads hold permissions across organisations (a regional lead: those of the region).
Site administrators (active superusers) hold every permission.

Views ask ``has_permission(user, perm, organisation)``; querysets ask
``organisations_with(user, perm)`` through their ``visible_to(user)`` methods. See
docs/adr/0002-scoping-and-permissions.md.
"""

from enum import StrEnum

from django.db.models import Q

from .choices import OrganisationKind, RelationshipKind, Role


class Perm(StrEnum):
    ORGANISATION_VIEW = "organisation.view"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    APPOINTMENTS_MANAGE = "appointments.manage"
    ORGANISATIONS_DIRECTORY = "organisations.directory"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.STAFF: frozenset({Perm.ORGANISATION_VIEW}),
    Role.SAFETY_TEAM: frozenset({Perm.ORGANISATION_VIEW, Perm.MEMBERS_VIEW}),
    Role.MSO: frozenset(
        {
            Perm.ORGANISATION_VIEW,
            Perm.MEMBERS_VIEW,
            Perm.MEMBERS_MANAGE,
            Perm.APPOINTMENTS_MANAGE,
        }
    ),
    Role.BOARD_DIRECTOR: frozenset({Perm.ORGANISATION_VIEW, Perm.MEMBERS_VIEW}),
    Role.COMMITTEE_CHAIR: frozenset({Perm.ORGANISATION_VIEW}),
    Role.COMMITTEE_SECRETARY: frozenset({Perm.ORGANISATION_VIEW}),
    Role.COMMITTEE_MEMBER: frozenset({Perm.ORGANISATION_VIEW}),
    Role.CDAO: frozenset({Perm.ORGANISATION_VIEW}),
}

# (kind of the parent organisation, role held there) -> permissions in its current children.
COVERAGE_PERMISSIONS: dict[tuple[str, str], frozenset[Perm]] = {
    (OrganisationKind.PCN, Role.MSO): frozenset({Perm.ORGANISATION_VIEW, Perm.MEMBERS_VIEW}),
}

# Network leads: permissions in every organisation (national) or in their region (regional).
NETWORK_LEAD_PERMISSIONS: frozenset[Perm] = frozenset(
    {Perm.ORGANISATION_VIEW, Perm.ORGANISATIONS_DIRECTORY}
)

ALL_PERMISSIONS: frozenset[Perm] = frozenset(Perm)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _lead_regions(user) -> tuple[bool, frozenset[str]]:
    """(leads a national or specialised network, regions whose network the user leads)."""
    cached = getattr(user, "_mso_lead_regions", None)
    if cached is None:
        from networks.models import Network, NetworkMembership

        rows = NetworkMembership.objects.filter(
            user=user, role=NetworkMembership.Role.LEAD
        ).values_list("network__kind", "network__region")
        national = any(kind != Network.Kind.REGIONAL for kind, _ in rows)
        regions = frozenset(region for kind, region in rows if kind == Network.Kind.REGIONAL)
        cached = user._mso_lead_regions = (national, regions)
    return cached


def is_network_lead(user) -> bool:
    if not _active(user):
        return False
    national, regions = _lead_regions(user)
    return national or bool(regions)


def permissions_in(user, organisation) -> frozenset[Perm]:
    """Every permission the user holds in the organisation (cached on the user object)."""
    if not _active(user) or organisation is None:
        return frozenset()
    if user.is_superuser:
        return ALL_PERMISSIONS
    cache = user.__dict__.setdefault("_mso_permissions", {})
    if organisation.pk in cache:
        return cache[organisation.pk]

    from .models import Membership, OrganisationRelationship

    perms: set[Perm] = set()
    for role in Membership.objects.filter(user=user, organisation=organisation).values_list(
        "role", flat=True
    ):
        perms |= ROLE_PERMISSIONS[role]
    covering = Membership.objects.filter(
        user=user,
        organisation__in=OrganisationRelationship.objects.current()
        .filter(kind=RelationshipKind.PART_OF, child=organisation)
        .values("parent_id"),
    ).values_list("organisation__kind", "role")
    for parent_kind, role in covering:
        perms |= COVERAGE_PERMISSIONS.get((parent_kind, role), frozenset())
    national, regions = _lead_regions(user)
    if national or organisation.region in regions:
        perms |= NETWORK_LEAD_PERMISSIONS
    cache[organisation.pk] = frozenset(perms)
    return cache[organisation.pk]


def has_permission(user, perm: Perm, organisation=None) -> bool:
    """Whether the user holds ``perm`` in ``organisation``.

    With no organisation: whether the user holds it anywhere it can be held without one
    (site administrators and network leads).
    """
    if organisation is None:
        if not _active(user):
            return False
        if user.is_superuser:
            return True
        return perm in NETWORK_LEAD_PERMISSIONS and is_network_lead(user)
    return perm in permissions_in(user, organisation)


def organisations_with(user, perm: Perm, *, through_networks: bool = True):
    """A queryset of the organisations where the user holds ``perm``; None means all of them.

    It is lazy and used as a subquery, so scoping costs no extra query and does not grow
    with the number of organisations. ``through_networks=False`` leaves out what network
    leads and site administrators see of organisations they are not part of.
    """
    from .models import Membership, Organisation, OrganisationRelationship

    if not _active(user):
        return Organisation.objects.none()
    if user.is_superuser and through_networks:
        return None

    condition = Q(
        pk__in=Membership.objects.filter(
            user=user, role__in=[role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
        ).values("organisation_id")
    )
    for (parent_kind, role), perms in COVERAGE_PERMISSIONS.items():
        if perm in perms:
            condition |= Q(
                pk__in=OrganisationRelationship.objects.current()
                .filter(
                    kind=RelationshipKind.PART_OF,
                    parent__kind=parent_kind,
                    parent__in=Membership.objects.filter(user=user, role=role).values(
                        "organisation_id"
                    ),
                )
                .values("child_id")
            )
    if through_networks and perm in NETWORK_LEAD_PERMISSIONS:
        national, regions = _lead_regions(user)
        if national:
            return None
        if regions:
            condition |= Q(region__in=regions)
    return Organisation.objects.filter(condition)


def organisations_of(user):
    """The organisations a user works in: by membership, or covered through a PCN or ICB role.

    These are the organisations a person switches between on their home page.
    """
    return organisations_with(user, Perm.ORGANISATION_VIEW, through_networks=False)


def organisation_ids_with(user, perm: Perm):
    """Like ``organisations_with`` but as a subquery of ids, for filtering related models."""
    organisations = organisations_with(user, perm)
    return None if organisations is None else organisations.values("pk")
