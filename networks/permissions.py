"""What the MSO networks give, and to whom (the rule set: organisations/permissions.py)."""

from enum import StrEnum

from organisations.choices import Post
from organisations.permissions import GlobalRole, Reach, Rule, for_leads


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
