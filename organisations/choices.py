"""Enumerations for organisations and the people in them.

Regions: the seven NHS England regions (NHS England, 2020 onwards).
Organisation kinds: the kinds of NHS and NHS-commissioned organisations that name an MSO
(NHS England / MHRA Medication Safety Officer guidance, 2014, and the MSO network register).
"""

from django.db import models


class Region(models.TextChoices):
    NORTH_EAST_AND_YORKSHIRE = "north-east-and-yorkshire", "North East and Yorkshire"
    NORTH_WEST = "north-west", "North West"
    MIDLANDS = "midlands", "Midlands"
    EAST_OF_ENGLAND = "east-of-england", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"


class OrganisationKind(models.TextChoices):
    NHS_TRUST = "nhs-trust", "NHS trust"
    FOUNDATION_TRUST = "foundation-trust", "NHS foundation trust"
    AMBULANCE_TRUST = "ambulance-trust", "Ambulance trust"
    ICB = "icb", "Integrated care board (ICB)"
    PCN = "pcn", "Primary care network (PCN)"
    GP_PRACTICE = "gp-practice", "GP practice"
    COMMUNITY_PHARMACY = "community-pharmacy", "Community pharmacy"
    INDEPENDENT_PROVIDER = "independent-provider", "Independent provider"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    # The child is part of the parent: a practice in a PCN, a PCN or trust in an ICB's area.
    PART_OF = "part-of", "Part of"
    # The parent is the successor of the child: the child merged into (or was replaced by) it.
    SUCCESSOR = "successor", "Succeeded by"


class Role(models.TextChoices):
    """Roles a person holds in an organisation (DESIGN.md section 1)."""

    STAFF = "staff", "Staff reporter"
    SAFETY_TEAM = "safety-team", "Medication safety team member"
    MSO = "mso", "Medication Safety Officer"
    BOARD_DIRECTOR = "board-director", "Board director for medication safety"
    COMMITTEE_CHAIR = "committee-chair", "Committee chair"
    COMMITTEE_SECRETARY = "committee-secretary", "Committee secretary"
    COMMITTEE_MEMBER = "committee-member", "Committee member"
    CDAO = "cdao", "Controlled drugs accountable officer (CDAO)"


class Post(models.TextChoices):
    """Named posts on the national register (DESIGN.md section 2, Appointment)."""

    MSO = "mso", "Medication Safety Officer (MSO)"
    DEPUTY_MSO = "deputy-mso", "Deputy MSO"
    BOARD_DIRECTOR = "board-director", "Board director for medication safety"
    PATIENT_SAFETY_SPECIALIST = "patient-safety-specialist", "Patient Safety Specialist"
    MDSO = "mdso", "Medical Devices Safety Officer (MDSO)"
    CDAO = "cdao", "Controlled drugs accountable officer (CDAO)"
    CHIEF_PHARMACIST = "chief-pharmacist", "Chief pharmacist"


# Posts that at most one person holds at a time in an organisation (a database constraint).
SINGLE_HOLDER_POSTS = (Post.MSO, Post.BOARD_DIRECTOR)

# Holding one of these posts as a user gives that user the matching role.
POST_ROLES = {
    Post.MSO: Role.MSO,
    Post.DEPUTY_MSO: Role.SAFETY_TEAM,
    Post.BOARD_DIRECTOR: Role.BOARD_DIRECTOR,
    Post.CDAO: Role.CDAO,
}
