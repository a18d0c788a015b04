"""Who oversees controlled drugs (the rule set: organisations/permissions.py), as The Controlled
Drugs (Supervision of Management and Use) Regulations 2013 place it:

- the CDAO of each designated body (regulation 8: an NHS trust or foundation trust, an
  independent hospital, NHS England through its regional teams) keeps the concerns about
  individuals raised with them (regulation 11), and reads and reports their own body's
  controlled-drug occurrences each quarter;
- NHS England's regional CDAO reads the occurrences of every organisation in the region, what
  happened and the medicines, never who reported it, and takes each body's quarterly
  occurrence report for the Local Intelligence Network (regulations 14 to 17).

The incidents themselves, reporter included, are read by the body's own CDAO through the
incidents rules (incidents/permissions.py).
"""

from enum import StrEnum

from incidents.permissions import CONTROLLED_DRUG_INCIDENTS
from organisations.choices import DESIGNATED_BODIES, OrganisationKind, Post, Role
from organisations.permissions import Reach, Rule


class Perm(StrEnum):
    # Controlled-drug occurrences: what happened and the medicines, never the reporter.
    OCCURRENCES_VIEW = "controlled-drugs.occurrences"
    # A body's quarterly occurrence report, for the Local Intelligence Network.
    REPORTS_VIEW = "controlled-drugs.reports"
    # Concerns about an individual: recorded, read and closed by the body's CDAO alone.
    CONCERNS_KEEP = "controlled-drugs.concerns"
    # Raise one, in confidence, with the CDAO who oversees the organisation (every member).
    CD_CONCERN_RAISE = "controlled-drugs.raise"


P = Perm

RULES: tuple[Rule, ...] = (
    # Every member raises a concern with the CDAO who oversees their organisation: its own,
    # or, for primary care, NHS England's regional CDAO (concerns.keeper). What they raised
    # is the CDAO's to read from then on, not theirs.
    *(Rule(role, {P.CD_CONCERN_RAISE}) for role in Role),
    Rule(Post.CDAO, {P.REPORTS_VIEW, P.CONCERNS_KEEP}, held_in=DESIGNATED_BODIES),
    Rule(
        Post.CDAO,
        {P.OCCURRENCES_VIEW},
        held_in=DESIGNATED_BODIES,
        only=CONTROLLED_DRUG_INCIDENTS,
        rows="the controlled-drug incidents of their designated body",
    ),
    Rule(
        Post.CDAO,
        {P.REPORTS_VIEW},
        reach=Reach.REGION,
        held_in={OrganisationKind.NHS_ENGLAND_REGION},
    ),
    Rule(
        Post.CDAO,
        {P.OCCURRENCES_VIEW},
        reach=Reach.REGION,
        held_in={OrganisationKind.NHS_ENGLAND_REGION},
        only=CONTROLLED_DRUG_INCIDENTS,
        rows="the controlled-drug incidents of the region's organisations",
    ),
)
SECOND_FACTOR = set(Perm) - {P.CD_CONCERN_RAISE}
