"""What the MSO networks give, and to whom (the rule set: organisations/permissions.py)."""

from enum import StrEnum

from organisations.choices import Post
from organisations.permissions import GlobalRole, Reach, Rule, for_leads

from .models import Network, NetworkMembership


class Perm(StrEnum):
    NETWORKS_JOIN = "networks.join"  # join MSO networks, offer or ask for a buddy
    SPECIALIST_NETWORKS_JOIN = "networks.join-specialists"  # join Patient Safety Specialist ones
    BUDDIES_PAIR = "buddies.pair"  # pair new MSOs of the organisations with buddies


P = Perm
RULES: tuple[Rule, ...] = (
    # The MSO community comes with the post.
    Rule(Post.MSO, {P.NETWORKS_JOIN}),
    Rule(Post.DEPUTY_MSO, {P.NETWORKS_JOIN}),
    # Patient Safety Specialists meet in the specialists' networks.
    Rule(Post.PATIENT_SAFETY_SPECIALIST, {P.SPECIALIST_NETWORKS_JOIN}),
    # The networks' leads pair new MSOs with buddies.
    *for_leads({P.NETWORKS_JOIN, P.BUDDIES_PAIR}),
    Rule(GlobalRole.SPECIALISTS_NATIONAL_LEAD, {P.SPECIALIST_NETWORKS_JOIN}, reach=Reach.ALL),
    Rule(GlobalRole.SPECIALISTS_REGIONAL_LEAD, {P.SPECIALIST_NETWORKS_JOIN}, reach=Reach.REGION),
)


# Inside a network: what its members and its leads do there (networks/access.py applies it).
# Whoever may join a community's networks (COMMUNITY_PERMS) sees them; a membership counts only
# while its holder may, so an MSO whose post has ended no longer reads the members, events or
# library of a network they joined.
COMMUNITY_PERMS = {
    Network.Community.MSO: Perm.NETWORKS_JOIN,
    Network.Community.SPECIALISTS: Perm.SPECIALIST_NETWORKS_JOIN,
}


class NetworkPerm(StrEnum):
    # Its members, events and library; its workplan (a regional or specialised network's).
    READ = "network.read"
    # Share a resource (and remove what one shared), offer to present at a webinar, move on a
    # workplan item one owns.
    TAKE_PART = "network.take-part"
    # Add and change its events, remove any resource, keep its workplan, accept or decline
    # offers to present.
    RUN = "network.run"


Role = NetworkMembership.Role
NETWORK_RULES: dict[str, frozenset[NetworkPerm]] = {
    Role.MEMBER: frozenset({NetworkPerm.READ, NetworkPerm.TAKE_PART}),
    Role.LEAD: frozenset({NetworkPerm.READ, NetworkPerm.TAKE_PART, NetworkPerm.RUN}),
}
# The leads of a national MSO network read every network's workplan.
EVERY_WORKPLAN = (Network.Kind.NATIONAL, Network.Community.MSO, Role.LEAD)
