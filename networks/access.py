"""Who may do what in the MSO networks, declared once.

- Whoever may join networks (``Perm.NETWORKS_JOIN``: MSOs, deputy MSOs and network leads, from
  the permission rule set) sees every network and may join it. For anyone else networks do
  not exist (404), even those they joined while they held a post: a membership counts only
  while its holder may join.
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

from mso_portal.http import Refused
from organisations.access import access_for
from organisations.permissions import Perm

from .models import Network, NetworkMembership


@dataclass
class NetworkAccess:
    may_join: bool
    roles: dict[int, str] = field(default_factory=dict)  # network id -> membership role
    # Leads a national MSO network: sees every network's workplan.
    leads_nationally: bool = False
    user_id: int | None = None

    # A membership counts while the person may join networks: an MSO whose post has ended, or
    # who left their organisation, no longer sees the members, events or library.
    def is_member(self, network) -> bool:
        return self.may_join and network.pk in self.roles

    def is_lead(self, network) -> bool:
        return self.may_join and self.roles.get(network.pk) == NetworkMembership.Role.LEAD

    def sees(self, network) -> bool:
        return self.may_join

    def visible(self):
        return Network.objects.all() if self.may_join else Network.objects.none()

    def sees_every_workplan(self) -> bool:
        return self.may_join and self.leads_nationally

    def moves_on(self, item) -> bool:
        """Whether the person changes the status of a workplan item: its owner, while a
        member, and the network's leads."""
        return self.is_lead(item.network) or (
            self.is_member(item.network) and item.owner_id == self.user_id
        )


def network_access(user) -> NetworkAccess:
    cached = user.__dict__.get("_network_access")
    if cached is None:
        memberships = list(
            NetworkMembership.objects.filter(user=user).values_list(
                "network_id", "role", "network__kind", "network__community"
            )
        )
        cached = user.__dict__["_network_access"] = NetworkAccess(
            may_join=access_for(user).has(Perm.NETWORKS_JOIN),
            roles={network: role for network, role, _kind, _community in memberships},
            leads_nationally=any(
                role == NetworkMembership.Role.LEAD
                and kind == Network.Kind.NATIONAL
                and community == Network.Community.MSO
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
    return resource.shared_by_id == user.pk or network_access(user).is_lead(resource.network)
