"""Enumerations for organisations and the people in them.

Regions: the seven NHS England regions (NHS England, 2020 onwards).
Organisation kinds: the kinds of NHS and NHS-commissioned organisations that name an MSO
(NHS England / MHRA Medication Safety Officer guidance, 2014, and the MSO network register).
"""

from dataclasses import dataclass

from django.db import models


class Region(models.TextChoices):
    NORTH_EAST_AND_YORKSHIRE = "north-east-and-yorkshire", "North East and Yorkshire"
    NORTH_WEST = "north-west", "North West"
    MIDLANDS = "midlands", "Midlands"
    EAST_OF_ENGLAND = "east-of-england", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"


def region_choices(regions, *, everywhere: str) -> list[tuple[str, str]]:
    """The places a person may look at figures for: all of England ("", called
    ``everywhere``) where they reach every region (``regions`` None), and each region they
    reach."""
    names = dict(Region.choices)
    england = [("", everywhere)] if regions is None else []
    return england + [(code, names[code]) for code in names if regions is None or code in regions]


class OrganisationKind(models.TextChoices):
    NHS_TRUST = "nhs-trust", "NHS trust"
    FOUNDATION_TRUST = "foundation-trust", "NHS foundation trust"
    AMBULANCE_TRUST = "ambulance-trust", "Ambulance trust"
    ICB = "icb", "Integrated care board (ICB)"
    PCN = "pcn", "Primary care network (PCN)"
    GP_PRACTICE = "gp-practice", "GP practice"
    COMMUNITY_PHARMACY = "community-pharmacy", "Community pharmacy"
    # The head office of a pharmacy company (ODS "epharmacyhq"): its pharmacies are part of it.
    PHARMACY_HEAD_OFFICE = "pharmacy-head-office", "Pharmacy company head office"
    # A national body whose MSO serves the independent pharmacies that are its members.
    PHARMACY_BODY = "pharmacy-body", "National pharmacy body"
    INDEPENDENT_PROVIDER = "independent-provider", "Independent provider"
    # One of NHS England's seven regional teams: a designated body for controlled drugs, whose
    # CDAO oversees the controlled-drug occurrences of the organisations in its region.
    NHS_ENGLAND_REGION = "nhs-england-region", "NHS England regional team"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    # The child is part of the parent: a practice in a PCN, a PCN or trust in an ICB's area.
    PART_OF = "part-of", "Part of"
    # The parent is the successor of the child: the child merged into (or was replaced by) it.
    SUCCESSOR = "successor", "Succeeded by"


class Role(models.TextChoices):
    """Roles a member holds in an organisation (DESIGN.md section 1).

    The MSO, deputy MSO, board director and CDAO are named posts, not roles: their permissions
    come from the post while it is held (organisations/permissions.py).
    """

    STAFF = "staff", "Staff reporter"
    SAFETY_TEAM = "safety-team", "Medication safety team member"
    COMMITTEE_CHAIR = "committee-chair", "Committee chair"
    COMMITTEE_SECRETARY = "committee-secretary", "Committee secretary"
    COMMITTEE_MEMBER = "committee-member", "Committee member"


# One line for each role: what it lets a person do. Shown wherever roles are chosen.
ROLE_HINTS = {
    Role.STAFF: "Reports medication incidents and sees the feedback on their own reports",
    Role.SAFETY_TEAM: "Reviews incidents, records learning and owns actions; sees the members",
    Role.COMMITTEE_CHAIR: "Chairs the medication safety committee and approves assurance reports",
    Role.COMMITTEE_SECRETARY: "Keeps the committee's meetings, agendas, minutes and actions",
    Role.COMMITTEE_MEMBER: "Sits on the medication safety committee and sees its papers",
}


class Post(models.TextChoices):
    """Named posts on the national register (DESIGN.md section 2, Appointment)."""

    MSO = "mso", "Medication Safety Officer (MSO)"
    DEPUTY_MSO = "deputy-mso", "Deputy MSO"
    BOARD_DIRECTOR = "board-director", "Board director for medication safety"
    PATIENT_SAFETY_SPECIALIST = "patient-safety-specialist", "Patient Safety Specialist"
    PATIENT_SAFETY_DIRECTOR = "patient-safety-director", "Executive director for patient safety"
    MDSO = "mdso", "Medical Devices Safety Officer (MDSO)"
    CDAO = "cdao", "Controlled drugs accountable officer (CDAO)"
    CHIEF_PHARMACIST = "chief-pharmacist", "Chief pharmacist"
    GOVERNANCE_LEAD = "governance-lead", "Clinical governance lead"
    MEDICINES_ADVICE = "medicines-advice", "Medicines advice service lead"
    # Senior sign-off of alert responses where there is no board (SENIOR_SIGN_OFF).
    SUPERINTENDENT_PHARMACIST = (
        "superintendent-pharmacist",
        "Superintendent pharmacist or pharmacy owner",
    )
    PRACTICE_SENIOR_LEAD = "practice-senior-lead", "GP partner or practice manager for alerts"
    PCN_CLINICAL_DIRECTOR = "pcn-clinical-director", "PCN clinical director"
    REGISTERED_MANAGER = "registered-manager", "Registered manager"


# Posts that at most one person holds at a time in an organisation (a database constraint).
SINGLE_HOLDER_POSTS = (Post.MSO, Post.BOARD_DIRECTOR)

# Posts that grant clinical or assurance powers: the MSO (the organisation's incidents and
# alerts), the board director (executive sign-off of alert responses), the CDAO (its
# designated body's controlled-drug incidents and concerns), the executive director for
# patient safety and the Patient Safety Specialists (whom the national patient safety team
# names), and the MDSO (the medical devices counterpart the 2014 MSO/MDSO alert names beside
# the MSO). They are named only through a
# change to the register that someone else approves (change_requests), as the MSO network's
# change of details form names them; never recorded directly on the organisation's page, so
# nobody empowers themselves.
APPROVED_POSTS = (
    Post.MSO,
    Post.BOARD_DIRECTOR,
    Post.CDAO,
    Post.PATIENT_SAFETY_DIRECTOR,
    Post.PATIENT_SAFETY_SPECIALIST,
    Post.MDSO,
    Post.SUPERINTENDENT_PHARMACIST,
    Post.PRACTICE_SENIOR_LEAD,
    Post.PCN_CLINICAL_DIRECTOR,
    Post.REGISTERED_MANAGER,
)

# Posts one person may not hold at once in the same organisation (a database constraint): the
# board director gives the board assurance on the MSO's work and signs off the alert responses
# the MSO leads. The NHS England / MHRA Patient Safety Alert on MSOs (2014) asks each
# organisation for an MSO and, separately, a board-level director to support them; DESIGN.md
# section 1: "never the same person as the MSO".
SEPARATE_POSTS = (Post.MSO, Post.BOARD_DIRECTOR)


class ChangeKind(models.TextChoices):
    """Changes to an organisation's entry on the national register (ChangeRequest.kind): a new
    holder of a post that needs approval, a holder leaving it, or the generic mailbox."""

    NEW_MSO = "new-mso", "A new MSO"
    NEW_BOARD_DIRECTOR = "new-board-director", "A new board director for medication safety"
    MSO_LEAVES = "mso-leaves", "The MSO leaves, with no successor named yet"
    BOARD_DIRECTOR_LEAVES = "board-director-leaves", "The board director leaves"
    NEW_CDAO = "new-cdao", "A new controlled drugs accountable officer (CDAO)"
    CDAO_LEAVES = "cdao-leaves", "The controlled drugs accountable officer (CDAO) leaves"
    NEW_MDSO = "new-mdso", "A new Medical Devices Safety Officer (MDSO)"
    MDSO_LEAVES = "mdso-leaves", "The Medical Devices Safety Officer (MDSO) leaves"
    NEW_PATIENT_SAFETY_DIRECTOR = (
        "new-patient-safety-director",
        "A new executive director for patient safety",
    )
    PATIENT_SAFETY_DIRECTOR_LEAVES = (
        "patient-safety-director-leaves",
        "The executive director for patient safety leaves",
    )
    CONTACT = "contact", "New contact details: the generic MSO mailbox"
    NEW_SPECIALIST = "new-specialist", "A Patient Safety Specialist identified"
    NEW_SUPERINTENDENT = "new-superintendent", "A new superintendent pharmacist or owner"
    SUPERINTENDENT_LEAVES = "superintendent-leaves", "The superintendent pharmacist leaves"
    NEW_PRACTICE_SENIOR_LEAD = (
        "new-practice-senior-lead",
        "A new GP partner or practice manager for alerts",
    )
    PRACTICE_SENIOR_LEAD_LEAVES = (
        "practice-senior-lead-leaves",
        "The GP partner or practice manager for alerts leaves",
    )
    NEW_PCN_CLINICAL_DIRECTOR = "new-pcn-clinical-director", "A new PCN clinical director"
    PCN_CLINICAL_DIRECTOR_LEAVES = (
        "pcn-clinical-director-leaves",
        "The PCN clinical director leaves",
    )
    NEW_REGISTERED_MANAGER = "new-registered-manager", "A new registered manager"
    REGISTERED_MANAGER_LEAVES = "registered-manager-leaves", "The registered manager leaves"


# The post each change is about: a new holder, or the holder leaving.
NEW_HOLDER = {
    ChangeKind.NEW_MSO: Post.MSO,
    ChangeKind.NEW_BOARD_DIRECTOR: Post.BOARD_DIRECTOR,
    ChangeKind.NEW_CDAO: Post.CDAO,
    ChangeKind.NEW_MDSO: Post.MDSO,
    ChangeKind.NEW_PATIENT_SAFETY_DIRECTOR: Post.PATIENT_SAFETY_DIRECTOR,
    ChangeKind.NEW_SPECIALIST: Post.PATIENT_SAFETY_SPECIALIST,
    ChangeKind.NEW_SUPERINTENDENT: Post.SUPERINTENDENT_PHARMACIST,
    ChangeKind.NEW_PRACTICE_SENIOR_LEAD: Post.PRACTICE_SENIOR_LEAD,
    ChangeKind.NEW_PCN_CLINICAL_DIRECTOR: Post.PCN_CLINICAL_DIRECTOR,
    ChangeKind.NEW_REGISTERED_MANAGER: Post.REGISTERED_MANAGER,
}
LEAVES = {
    ChangeKind.MSO_LEAVES: Post.MSO,
    ChangeKind.BOARD_DIRECTOR_LEAVES: Post.BOARD_DIRECTOR,
    ChangeKind.CDAO_LEAVES: Post.CDAO,
    ChangeKind.MDSO_LEAVES: Post.MDSO,
    ChangeKind.PATIENT_SAFETY_DIRECTOR_LEAVES: Post.PATIENT_SAFETY_DIRECTOR,
    ChangeKind.SUPERINTENDENT_LEAVES: Post.SUPERINTENDENT_PHARMACIST,
    ChangeKind.PRACTICE_SENIOR_LEAD_LEAVES: Post.PRACTICE_SENIOR_LEAD,
    ChangeKind.PCN_CLINICAL_DIRECTOR_LEAVES: Post.PCN_CLINICAL_DIRECTOR,
    ChangeKind.REGISTERED_MANAGER_LEAVES: Post.REGISTERED_MANAGER,
}
# Changes the national patient safety team decides (its Patient Safety Specialist programme
# names the specialists and the executive director who identifies them); the MSO networks'
# leads decide the rest.
PATIENT_SAFETY_TEAM_CHANGES = frozenset(
    {
        ChangeKind.NEW_SPECIALIST,
        ChangeKind.NEW_PATIENT_SAFETY_DIRECTOR,
        ChangeKind.PATIENT_SAFETY_DIRECTOR_LEAVES,
    }
)
# The posts whose changes that team decides.
PATIENT_SAFETY_TEAM_POSTS = frozenset(
    (NEW_HOLDER | LEAVES)[kind] for kind in PATIENT_SAFETY_TEAM_CHANGES
)

# Posts whose holders manage the organisation's members and named posts.
MANAGING_POSTS = (Post.MSO, Post.DEPUTY_MSO)

Kind = OrganisationKind
_TRUSTS = frozenset({Kind.NHS_TRUST, Kind.FOUNDATION_TRUST, Kind.AMBULANCE_TRUST})
# Organisations with a board: a board director, a medical devices safety officer and a chief
# pharmacist belong to them (NHS England / MHRA patient safety alert on MSOs and MDSOs, 2014).
_WITH_A_BOARD = _TRUSTS | {Kind.ICB, Kind.INDEPENDENT_PROVIDER, Kind.PHARMACY_BODY, Kind.OTHER}
# Designated bodies, each of which appoints a controlled drugs accountable officer (The
# Controlled Drugs (Supervision of Management and Use) Regulations 2013, regulation 8): NHS
# England (its regional teams), NHS trusts and foundation trusts, and independent hospitals;
# never a GP practice, a PCN or a community pharmacy, whose controlled drugs NHS England's
# regional CDAO oversees.
DESIGNATED_BODIES = _TRUSTS | {Kind.INDEPENDENT_PROVIDER, Kind.NHS_ENGLAND_REGION}
# Primary care: the practices, their networks and the community pharmacies, whose
# controlled-drug incidents an ICB's CDAO reads under the primary care duties NHS England
# delegates to it (the ICB is not a designated body of regulation 8).
PRIMARY_CARE = frozenset({Kind.GP_PRACTICE, Kind.PCN, Kind.COMMUNITY_PHARMACY})
# A medication safety committee sits in a trust, an ICB, a PCN or an independent provider; a GP
# practice or a single community pharmacy takes part in its PCN's or ICB's committee instead.
_WITH_A_COMMITTEE = _WITH_A_BOARD | {Kind.PCN, Kind.PHARMACY_HEAD_OFFICE}
_ANY = frozenset(Kind)
_PHARMACIES = frozenset({Kind.COMMUNITY_PHARMACY, Kind.PHARMACY_HEAD_OFFICE})

# Who must name an MSO of their own, and who is covered by another's. The NHS England / MHRA
# Patient Safety Alert on medication error reporting (NHS/PSA/D/2014/005, stage one) asked the
# large organisations to identify an MSO: NHS trusts and foundation trusts, CCGs (now ICBs),
# NHS England's area teams (now its regional teams), and the independent and primary care
# providers of NHS care that are large (pharmacy companies, home healthcare providers, the
# independent sector). Smaller primary care organisations were not asked to name their own:
# a GP practice is covered by its PCN's MSO or, where the PCN names none, its ICB's; a PCN by
# its ICB's; a pharmacy by the MSO of its company's head office or, independent, of the
# national pharmacy body it belongs to. "Vacant" is said only of an organisation that must name
# its own MSO (organisations/register.py).
MSO_REQUIRED = frozenset(
    _TRUSTS
    | {
        Kind.ICB,
        Kind.NHS_ENGLAND_REGION,
        Kind.INDEPENDENT_PROVIDER,
        Kind.PHARMACY_HEAD_OFFICE,
        Kind.PHARMACY_BODY,
        Kind.OTHER,
    }
)
# Kind -> the kinds of organisation, above it in its area, whose MSO covers it; nearest first.
MSO_COVERED_BY: dict[str, tuple[str, ...]] = {
    Kind.GP_PRACTICE: (Kind.PCN, Kind.ICB),
    Kind.PCN: (Kind.ICB,),
    Kind.COMMUNITY_PHARMACY: (Kind.PHARMACY_HEAD_OFFICE, Kind.PHARMACY_BODY),
}
# Who covers, in words: "the MSO of their PCN or their ICB".
_COVER_WORDS = {
    Kind.PCN: "their PCN",
    Kind.ICB: "their ICB",
    Kind.PHARMACY_HEAD_OFFICE: "their company's head office",
    Kind.PHARMACY_BODY: "the national pharmacy body they belong to",
}


def covered_by_words(kind: str) -> str:
    """How organisations of ``kind`` are covered, in words; "" where they name their own."""
    above = [_COVER_WORDS[above] for above in MSO_COVERED_BY.get(kind, ())]
    return f"the MSO of {' or '.join(above)}" if above else ""


# The same, turned round: covering kind -> the kinds its MSO covers in its area.
MSO_COVERS: dict[str, frozenset[str]] = {
    above: frozenset(kind for kind, kinds in MSO_COVERED_BY.items() if above in kinds)
    for above in dict.fromkeys(k for kinds in MSO_COVERED_BY.values() for k in kinds)
}

# The kinds of organisation in which each post and role can be held.
POST_KINDS: dict[str, frozenset[str]] = {
    Post.MSO: _ANY,
    Post.DEPUTY_MSO: _ANY,
    Post.BOARD_DIRECTOR: _WITH_A_BOARD,
    Post.PATIENT_SAFETY_SPECIALIST: _ANY,
    Post.PATIENT_SAFETY_DIRECTOR: _WITH_A_BOARD,
    Post.MDSO: _WITH_A_BOARD,
    Post.CDAO: DESIGNATED_BODIES | {Kind.ICB},
    Post.CHIEF_PHARMACIST: _WITH_A_BOARD,
    Post.GOVERNANCE_LEAD: _WITH_A_COMMITTEE,
    # Medicines advice (medicines information) services are run by trusts' pharmacies.
    Post.MEDICINES_ADVICE: _TRUSTS | {Kind.INDEPENDENT_PROVIDER},
    Post.SUPERINTENDENT_PHARMACIST: _PHARMACIES,
    Post.PRACTICE_SENIOR_LEAD: frozenset({Kind.GP_PRACTICE}),
    Post.PCN_CLINICAL_DIRECTOR: frozenset({Kind.PCN}),
    Post.REGISTERED_MANAGER: frozenset({Kind.INDEPENDENT_PROVIDER}),
}

# Who gives an alert response senior sign-off, by the kind of organisation: the board director
# where there is a board (trusts, foundation trusts, ICBs); the superintendent pharmacist (or
# the owner) of a pharmacy (the General Pharmaceutical Council's standards for registered
# pharmacies hold them responsible); a GP partner or practice manager named for it in a
# practice; the clinical director of a PCN (the Network Contract DES names one); the registered
# manager of an independent provider (the CQC registers one for each regulated activity).
SENIOR_SIGN_OFF: dict[str, Post] = {
    **dict.fromkeys(_TRUSTS | {Kind.ICB, Kind.PHARMACY_BODY, Kind.OTHER}, Post.BOARD_DIRECTOR),
    **dict.fromkeys(_PHARMACIES, Post.SUPERINTENDENT_PHARMACIST),
    Kind.GP_PRACTICE: Post.PRACTICE_SENIOR_LEAD,
    Kind.PCN: Post.PCN_CLINICAL_DIRECTOR,
    Kind.INDEPENDENT_PROVIDER: Post.REGISTERED_MANAGER,
}
ROLE_KINDS: dict[str, frozenset[str]] = {
    Role.STAFF: _ANY,
    Role.SAFETY_TEAM: _ANY,
    Role.COMMITTEE_CHAIR: _WITH_A_COMMITTEE,
    Role.COMMITTEE_SECRETARY: _WITH_A_COMMITTEE,
    Role.COMMITTEE_MEMBER: _WITH_A_COMMITTEE,
}


def posts_for(kind: str) -> list[Post]:
    """The named posts an organisation of this kind has, in register order."""
    return [post for post in Post if kind in POST_KINDS[post]]


def roles_for(kind: str) -> list[Role]:
    """The roles a member of an organisation of this kind can hold."""
    return [role for role in Role if kind in ROLE_KINDS[role]]


class Measure(models.TextChoices):
    """What an organisation's incidents are counted against, month by month (its denominator):
    docs/adr/0027-funnel-plots-and-denominators.md names the national sources of each."""

    # NHS England's KH03 return (bed availability and occupancy): occupied beds a day, summed
    # over the days of the month.
    BED_DAYS = "bed-days", "Occupied bed days"
    # NHS Digital's "Patients Registered at a GP Practice": the list size in the month.
    REGISTERED_PATIENTS = "registered-patients", "Registered patients"
    # The NHS Business Services Authority's dispensing data: items dispensed in the month.
    ITEMS_DISPENSED = "items-dispensed", "Items dispensed"


@dataclass(frozen=True)
class MeasureRule:
    """How a measure's months add up over a period, and the rate it gives."""

    unit: str  # one month's value, in words: "occupied bed days in the month"
    exposure: str  # what a period adds up to, in words (the funnel's x axis)
    rate: str  # the rate's words, after its number: "incidents per 1,000 occupied bed days"
    per: int  # the rate's multiplier (1,000 bed days; 10,000 items)
    # Months are summed (bed days, items); a list size is a count of people on a day, so 12
    # months of it are a year of registration: the months' values summed over 12 (the mean
    # list size times the years covered).
    months_a_unit: int = 1
    most: int = 0  # the largest value one month may have: more is a mistake (a year, not a month)


MEASURES: dict[str, MeasureRule] = {
    Measure.BED_DAYS: MeasureRule(
        unit="occupied bed days in the month",
        exposure="occupied bed days",
        rate="incidents per 1,000 occupied bed days",
        per=1_000,
        most=31 * 5_000,  # the largest trusts have fewer than 5,000 beds
    ),
    Measure.REGISTERED_PATIENTS: MeasureRule(
        unit="patients registered in the month (the list size)",
        exposure="registered patient-years (the mean list size over the months recorded)",
        rate="incidents per 1,000 registered patients a year",
        per=1_000,
        months_a_unit=12,
        most=1_000_000,
    ),
    Measure.ITEMS_DISPENSED: MeasureRule(
        unit="items dispensed in the month",
        exposure="items dispensed",
        rate="incidents per 10,000 items dispensed",
        per=10_000,
        most=10_000_000,  # a distance-selling pharmacy dispenses about a million a month
    ),
}

# Which measure each kind of organisation counts its incidents against. Kinds without one (an
# ICB, a PCN, a region, a head office, an ambulance trust: no beds, patients or dispensing of
# their own) are on no funnel plot.
DENOMINATOR_FOR_KIND: dict[str, str] = {
    Kind.NHS_TRUST: Measure.BED_DAYS,
    Kind.FOUNDATION_TRUST: Measure.BED_DAYS,
    Kind.INDEPENDENT_PROVIDER: Measure.BED_DAYS,
    Kind.GP_PRACTICE: Measure.REGISTERED_PATIENTS,
    Kind.COMMUNITY_PHARMACY: Measure.ITEMS_DISPENSED,
}


class PeerGroup(models.TextChoices):
    """Whom an organisation is compared with on a funnel plot: its own kind, with NHS trusts and
    foundation trusts together (they differ in how they are governed, not in the care they
    give)."""

    TRUSTS = "trusts", "NHS trusts and foundation trusts"
    INDEPENDENT_PROVIDERS = "independent-providers", "Independent providers"
    GP_PRACTICES = "gp-practices", "GP practices"
    COMMUNITY_PHARMACIES = "community-pharmacies", "Community pharmacies"


PEER_KINDS: dict[str, frozenset[str]] = {
    PeerGroup.TRUSTS: frozenset({Kind.NHS_TRUST, Kind.FOUNDATION_TRUST}),
    PeerGroup.INDEPENDENT_PROVIDERS: frozenset({Kind.INDEPENDENT_PROVIDER}),
    PeerGroup.GP_PRACTICES: frozenset({Kind.GP_PRACTICE}),
    PeerGroup.COMMUNITY_PHARMACIES: frozenset({Kind.COMMUNITY_PHARMACY}),
}


def measure_of(peers: str) -> str:
    """The measure a peer group's organisations share."""
    (measure,) = {DENOMINATOR_FOR_KIND[kind] for kind in PEER_KINDS[peers]}
    return measure


def measure_for(kind: str) -> Measure | None:
    """The measure an organisation of this kind counts its incidents against (None: it has
    none, and is on no funnel plot)."""
    measure = DENOMINATOR_FOR_KIND.get(kind)
    return Measure(measure) if measure else None


def denominator_problem(kind: str, value: int) -> str:
    """What is wrong with ``value`` as one month's denominator of an organisation of ``kind``,
    as the end of a sentence about it ("… has no denominator"); "" when nothing is."""
    measure = measure_for(kind)
    if measure is None:
        return f"has no use: an organisation of this kind ({Kind(kind).label}) has no denominator"
    if value < 1:
        return "must be a whole number more than 0"
    rule = MEASURES[measure]
    if value > rule.most:
        return f"is more than {rule.most:,} {rule.unit}: is it a year's, not a month's?"
    return ""
