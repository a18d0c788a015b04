"""Who may do what in the MSO networks, as the rule set says (networks/permissions.py:
COMMUNITY_PERMS, NETWORK_RULES, EVERY_WORKPLAN).

- Each network belongs to a community. Whoever may join the MSO networks (``Perm.NETWORKS_JOIN``:
  MSOs, deputy MSOs and their networks' leads) sees every MSO network and may join it; whoever
  may join the Patient Safety Specialist networks (``Perm.SPECIALIST_NETWORKS_JOIN``: the
  specialists and their networks' leads) sees and joins those (COMMUNITY_PERMS). For anyone
  else a network does not exist (404), even one they joined while they held a post: a
  membership counts only while its holder may join its community.
- A network's members see its members, events and resources, and share resources; someone who
  sees the network without being in it is told to join (403).
- A network's leads add and change its events and remove any resource; a member removes what
  they shared.
- A regional or specialised network's members see its workplan; its leads add and change the
  items, and an item's owner (a member) moves it on; the leads of the national MSO network see
  every network's workplan. Members offer to present at a network's webinar; its leads accept
  an offer for one of its events, or decline it.
- The buddy scheme is for those who may join networks; leads who may pair buddies
  (``Perm.BUDDIES_PAIR``) pair the new MSOs of the organisations they reach.

A person's network roles are read once per request (one query) and kept on the user object.
"""

from dataclasses import dataclass, field

from django.http import Http404

from core.http import Refused
from organisations.access import access_for

from .models import Network, NetworkMembership
from .permissions import COMMUNITY_PERMS, EVERY_WORKPLAN, NETWORK_RULES, NetworkPerm


@dataclass
class NetworkAccess:
    communities: frozenset[str]  # the communities whose networks the person sees and joins
    roles: dict[int, str] = field(default_factory=dict)  # network id -> membership role
    # network id -> its community, for the networks the person is in
    community_of: dict[int, str] = field(default_factory=dict)
    # Leads a national MSO network: sees every network's workplan.
    leads_nationally: bool = False
    user_id: int | None = None

    @property
    def may_join(self) -> bool:
        """Whether the person sees networks at all."""
        return bool(self.communities)

    def can(self, perm: NetworkPerm, network) -> bool:
        """Whether the person's role in the network gives ``perm`` there (NETWORK_RULES), while
        they may join its community's networks."""
        role = self.roles.get(network.pk)
        return role is not None and self.sees(network) and perm in NETWORK_RULES[role]

    def is_member(self, network) -> bool:
        return self.can(NetworkPerm.READ, network)

    def is_lead(self, network) -> bool:
        return self.can(NetworkPerm.RUN, network)

    def sees(self, network) -> bool:
        return network.community in self.communities

    def visible(self):
        return Network.objects.filter(community__in=self.communities)

    def member_of(self) -> list[int]:
        """The networks the person is in and whose community they may join."""
        return [pk for pk, community in self.community_of.items() if community in self.communities]

    def sees_every_workplan(self) -> bool:
        return Network.Community.MSO in self.communities and self.leads_nationally

    def moves_on(self, item) -> bool:
        """Whether the person changes the status of a workplan item: its owner, while a
        member, and the network's leads."""
        return self.can(NetworkPerm.RUN, item.network) or (
            self.can(NetworkPerm.TAKE_PART, item.network) and item.owner_id == self.user_id
        )


def network_access(user) -> NetworkAccess:
    cached = user.__dict__.get("_network_access")
    if cached is None:
        memberships = list(
            NetworkMembership.objects.filter(user=user).values_list(
                "network_id", "role", "network__kind", "network__community"
            )
        )
        access = access_for(user)
        cached = user.__dict__["_network_access"] = NetworkAccess(
            communities=frozenset(
                community for community, perm in COMMUNITY_PERMS.items() if access.has(perm)
            ),
            roles={network: role for network, role, _kind, _community in memberships},
            community_of={network: community for network, _r, _k, community in memberships},
            leads_nationally=any(
                (kind, community, role) == EVERY_WORKPLAN
                for _network, role, kind, community in memberships
            ),
            user_id=user.pk,
        )
    return cached


def forget_network_access(user) -> None:
    user.__dict__.pop("_network_access", None)


def get_network_for(user, slug: str, *, member: bool = False, lead: bool = False) -> Network:
    """The network at ``slug`` if the person sees it (else 404), and is in it when ``member``,
    or leads it when ``lead`` (else 403)."""
    access = network_access(user)
    network = Network.objects.filter(slug=slug).first()
    if network is None or not access.sees(network):
        raise Http404("No such network")
    if member and not access.is_member(network):
        raise Refused(
            f"Only members of {network.name} see its events, its library and its members.",
            link=(network.get_absolute_url(), f"Join {network.name}"),
        )
    if lead and not access.is_lead(network):
        raise Refused(f"Only the leads of {network.name} add and change its events.")
    return network


def can_remove_resource(user, resource) -> bool:
    access = network_access(user)
    return access.can(NetworkPerm.RUN, resource.network) or (
        resource.shared_by_id == user.pk and access.can(NetworkPerm.TAKE_PART, resource.network)
    )
