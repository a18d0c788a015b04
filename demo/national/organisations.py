"""The organisations of England at national scale, fictional but shaped like the real ones: the
7 NHS England regions, 42 ICBs, about 210 trusts (some the successors of merged ones), 1,260
PCNs with about 6,300 GP practices (some moved between PCNs), about 10,900 community
pharmacies (most the branches of 12 pharmacy companies, the rest independents belonging to a
national body) and the independent providers, 20,000 organisations at scale 1.0.

``seed_organisations(scale, seed)`` is repeatable for a seed, writes with bulk inserts, and
builds the reach table once at the end. ``seed_register(seed)`` then names their MSOs and board
directors as the register would show them: most in post, some vacant, about 2% of MSOs
leaving with a handover open, about 1% of organisations with a change waiting for a lead.
The scale sets the number of areas (ICBs); each area keeps its realistic shape, so scale 0.1
gives 4 areas and about 1,900 organisations. Used by ``manage.py seed_national`` and the
benchmarks (tests/bench/).
"""

import random
from datetime import date, timedelta

from django.db import transaction

from organisations import closure
from organisations.choices import OrganisationKind as Kind
from organisations.choices import Region, RelationshipKind
from organisations.models import Organisation, OrganisationRelationship

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SINCE = date(2022, 7, 1)  # ICBs were established on 1 July 2022
MERGED_ON = date(2025, 4, 1)
MOVED_ON = date(2026, 4, 1)

# Per ICB at scale 1.0 (42 ICBs): the national totals are 42 times these.
PER_ICB = {
    Kind.NHS_TRUST: 3,
    Kind.FOUNDATION_TRUST: 2,
    Kind.PCN: 30,
    Kind.COMMUNITY_PHARMACY: 259,
    Kind.INDEPENDENT_PROVIDER: 31,
}
PRACTICES_PER_PCN = 5
ICBS = 42
# About 60% of England's community pharmacies belong to companies with a head office; the
# rest are independents.
PHARMACY_COMPANIES = 12
MULTIPLES = 0.6
UNAFFILIATED = 0.03


def _code(prefix: str, n: int, width: int, digits: bool = False) -> str:
    if digits:
        return f"{prefix}{n:0{width}d}"
    chars = []
    for _ in range(width):
        n, rest = divmod(n, 36)
        chars.append(ALPHANUMERIC[rest])
    return prefix + "".join(reversed(chars))


class _Codes:
    def __init__(self):
        self.counts = {}

    def next(self, kind) -> str:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        return {
            Kind.ICB: lambda: _code("Q", n, 2),
            Kind.NHS_TRUST: lambda: _code("R", n, 2),
            Kind.FOUNDATION_TRUST: lambda: _code("R", 600 + n, 2),
            Kind.AMBULANCE_TRUST: lambda: _code("R", 1200 + n, 2),
            Kind.PCN: lambda: _code("U", n, 5, digits=True),
            Kind.GP_PRACTICE: lambda: _code(ALPHANUMERIC[10 + n // 99_999], n % 99_999, 5, True),
            Kind.COMMUNITY_PHARMACY: lambda: _code("F", n, 4),
            Kind.INDEPENDENT_PROVIDER: lambda: _code("N", n, 4),
            Kind.PHARMACY_HEAD_OFFICE: lambda: _code("FH", n, 3),
            Kind.PHARMACY_BODY: lambda: _code("FNB", n, 2),
        }[kind]()


@transaction.atomic
def seed_organisations(scale: float = 1.0, seed: int = 2026) -> dict[str, int]:
    """Create the national hierarchy (scale 1.0: 20,000 organisations) unless it is there."""
    if Organisation.objects.filter(ods_code="Q01").exists():
        return counts()
    rng = random.Random(seed)
    codes = _Codes()
    organisations: list[Organisation] = []
    links: list[tuple[int, int, str, date, date | None]] = []  # child, parent by list index

    def add(kind, name, region, closed_on=None) -> int:
        organisations.append(
            Organisation(
                ods_code=codes.next(kind),
                name=name,
                kind=kind,
                region=region,
                opened_on=SINCE,
                closed_on=closed_on,
            )
        )
        return len(organisations) - 1

    regions = list(Region)
    # The pharmacy companies' head offices and the national body of independent pharmacies,
    # whose MSOs cover their pharmacies (choices.MSO_COVERED_BY).
    companies = [
        add(Kind.PHARMACY_HEAD_OFFICE, f"Pharmacy Company {n + 1}", regions[n % len(regions)])
        for n in range(max(2, round(PHARMACY_COMPANIES * scale)))
    ]
    body = add(Kind.PHARMACY_BODY, "National Body of Independent Pharmacies", Region.LONDON)
    icbs = max(1, round(ICBS * scale))
    for i in range(icbs):
        region = regions[i % len(regions)]
        icb = add(Kind.ICB, f"NHS Area {i + 1} Integrated Care Board", region)
        pcns = []
        for kind, per_icb in PER_ICB.items():
            for j in range(per_icb):
                name = f"Area {i + 1} {kind.label} {j + 1}"
                index = add(kind, name, region)
                links.append((index, icb, RelationshipKind.PART_OF, SINCE, None))
                if kind == Kind.PCN:
                    pcns.append(index)
                if kind == Kind.COMMUNITY_PHARMACY:  # a company's branch, or independent
                    share = rng.random()
                    owner = rng.choice(companies) if share < MULTIPLES else body
                    if share < 1 - UNAFFILIATED:  # a few independents belong to no body
                        links.append((index, owner, RelationshipKind.PART_OF, SINCE, None))
        if i % 4 == 0:  # an ambulance trust serves several ICBs
            index = add(Kind.AMBULANCE_TRUST, f"Area {i + 1} Ambulance Service", region)
            links.append((index, icb, RelationshipKind.PART_OF, SINCE, None))
        for p, pcn in enumerate(pcns):
            for k in range(PRACTICES_PER_PCN):
                practice = add(
                    Kind.GP_PRACTICE, f"Area {i + 1} PCN {p + 1} Practice {k + 1}", region
                )
                if rng.random() < 0.05 and len(pcns) > 1:  # moved from another PCN this year
                    before = rng.choice([other for other in pcns if other != pcn])
                    links.append((practice, before, RelationshipKind.PART_OF, SINCE, MOVED_ON))
                    links.append((practice, pcn, RelationshipKind.PART_OF, MOVED_ON, None))
                else:
                    links.append((practice, pcn, RelationshipKind.PART_OF, SINCE, None))
        if i % 2 == 0:  # a merger: an older trust taken over by one of the area's trusts
            successor = next(
                index
                for index, parent, *_ in reversed(links)
                if parent == icb and organisations[index].kind == Kind.NHS_TRUST
            )
            old = add(Kind.NHS_TRUST, f"Area {i + 1} Former Hospitals", region, MERGED_ON)
            links.append((old, icb, RelationshipKind.PART_OF, SINCE, MERGED_ON))
            links.append((old, successor, RelationshipKind.SUCCESSOR, MERGED_ON, None))

    Organisation.objects.bulk_create(organisations, batch_size=2000)  # no signals: rebuilt below
    OrganisationRelationship.objects.bulk_create(
        [
            OrganisationRelationship(
                child_id=organisations[child].pk,
                parent_id=organisations[parent].pk,
                kind=kind,
                start_on=start,
                end_on=end,
            )
            for child, parent, kind, start, end in links
        ],
        batch_size=2000,
    )
    closure.rebuild()
    _analyse()
    return counts()


# Of each kind of organisation, the share with its own MSO: a PCN's (or ICB's) MSO covers its
# practices, and a pharmacy company's or the national body's its pharmacies.
MSO_SHARE = {Kind.GP_PRACTICE: 0.3, Kind.COMMUNITY_PHARMACY: 0.02}
FIRST_NAMES = ("Amir", "Grace", "Helen", "Priya", "Sam", "Nadia", "Tom", "Ruth", "Kofi", "Jo")
LAST_NAMES = ("Shah", "Obi", "Carter", "Nair", "Lee", "Osei", "Evans", "Patel", "Mensah", "Reid")


@transaction.atomic
def seed_register(seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Name the MSOs and board directors of the organisations (people without accounts), open
    handovers for some leaving MSOs and leave some changes waiting. Does nothing if done."""
    from accounts.models import User
    from organisations.choices import POST_KINDS, Post
    from organisations.models import Appointment, ChangeRequest, Handover, HandoverItem

    if Appointment.objects.filter(email__endswith="@register.example").exists():
        return register_counts()
    today = today or date.today()
    rng = random.Random(seed)
    clerk, _ = User.objects.get_or_create(
        email="register.clerk@register.example", defaults={"full_name": "Register Clerk"}
    )
    appointments, leaving = [], []
    held = set(
        Appointment.objects.filter(end_on__isnull=True).values_list("organisation_id", "post")
    )
    for pk, kind in Organisation.objects.open(today).values_list("pk", "kind").order_by("pk"):
        for post in (Post.MSO, Post.BOARD_DIRECTOR):
            if kind not in POST_KINDS[post] or rng.random() > MSO_SHARE.get(kind, 0.93):
                continue
            if (pk, post) in held:
                continue
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            start = SINCE.replace(year=SINCE.year + rng.randrange(0, 4))
            end = None
            if post == Post.MSO and rng.random() < 0.02:
                end = today + timedelta(days=rng.randrange(1, 60))
            appointment = Appointment(
                organisation_id=pk,
                post=post,
                name=name,
                email=f"{name.lower().replace(' ', '.')}.{pk}@register.example",
                start_on=start,
                end_on=end,
            )
            appointments.append(appointment)
            if end:
                leaving.append(appointment)
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    handovers = Handover.objects.bulk_create(
        [Handover(organisation_id=a.organisation_id, appointment=a) for a in leaving]
    )
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(handover=handover, task=task, due_on=handover.appointment.end_on)
            for handover in handovers
            for task in HandoverItem.Task
        ],
        batch_size=2000,
    )
    waiting = [
        pk for pk in Organisation.objects.values_list("pk", flat=True) if rng.random() < 0.01
    ]
    ChangeRequest.objects.bulk_create(
        [
            ChangeRequest(
                organisation_id=pk,
                kind=ChangeRequest.Kind.CONTACT,
                mso_mailbox=f"mso.{pk}@register.example",
                submitted_by=clerk,
            )
            for pk in waiting
        ]
    )
    _analyse()
    return register_counts()


def register_counts() -> dict[str, int]:
    from organisations.models import Appointment, ChangeRequest, Handover

    return {
        "named posts": Appointment.objects.count(),
        "open handovers": Handover.objects.open().count(),
        "changes waiting": ChangeRequest.objects.pending().count(),
    }


def _analyse() -> None:
    """Fresh planner statistics after a bulk load (autovacuum would get there later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def counts() -> dict[str, int]:
    from organisations.models import OrganisationClosure

    return {
        "organisations": Organisation.objects.count(),
        "links": OrganisationRelationship.objects.count(),
        "reach rows": OrganisationClosure.objects.count(),
    }


TRUST_KINDS = (Kind.NHS_TRUST, Kind.FOUNDATION_TRUST, Kind.AMBULANCE_TRUST)


def largest_trust():
    """The trust that the national data gives the most incidents and members: the first."""
    return Organisation.objects.filter(kind__in=TRUST_KINDS).order_by("pk").first()


USERS = 120_000  # at scale 1.0
LARGEST_TRUST_MEMBERS = 5_000
PEOPLE_DOMAIN = "people.example"
# Of the staff beyond the named posts, each kind of organisation's share of a national total.
STAFF_SHARE = {
    Kind.NHS_TRUST: 0.40,
    Kind.FOUNDATION_TRUST: 0.30,
    Kind.AMBULANCE_TRUST: 0.03,
    Kind.ICB: 0.02,
    Kind.PCN: 0.03,
    Kind.GP_PRACTICE: 0.14,
    Kind.COMMUNITY_PHARMACY: 0.06,
    Kind.INDEPENDENT_PROVIDER: 0.02,
}


@transaction.atomic
def seed_people(scale: float = 1.0, seed: int = 2026) -> dict[str, int]:
    """Accounts for 120,000 people at scale 1.0: the named MSOs and board directors of the
    register take accounts (so that alerts and reminders reach them), trusts and ICBs get
    deputy MSOs, every trust a committee chair and secretary, and the rest are staff who
    report, 5,000 of them in the largest trust. Passwords are unusable. Does nothing if done."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from accounts.models import User
    from organisations.choices import Post, Role
    from organisations.models import Appointment, Membership

    made = User.objects.filter(email__endswith=f"@{PEOPLE_DOMAIN}")
    if made.exists():
        return people_counts()
    rng = random.Random(seed + 1)
    target = max(50, round(USERS * scale))
    kinds = dict(Organisation.objects.open().values_list("pk", "kind"))
    users, memberships, link = [], [], []

    def person(organisation_id, role, label):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = User(
            email=f"{first}.{last}.{len(users) + 1}@{PEOPLE_DOMAIN}".lower(),
            full_name=f"{first} {last}",
            job_title=label,
            password=UNUSABLE_PASSWORD_PREFIX,  # these people sign in nowhere
        )
        users.append(user)
        memberships.append((user, organisation_id, role))
        return user

    named = Appointment.objects.filter(
        email__endswith="@register.example", user__isnull=True, organisation_id__in=kinds
    ).order_by("pk")
    for appointment in named:
        role = Role.SAFETY_TEAM if appointment.post == Post.MSO else Role.STAFF
        user = person(appointment.organisation_id, role, appointment.get_post_display())
        user.full_name = appointment.name
        link.append((appointment, user))
    deputies = []
    for pk, kind in sorted(kinds.items()):
        if kind in (Kind.NHS_TRUST, Kind.FOUNDATION_TRUST, Kind.ICB) and rng.random() < 0.6:
            deputies.append((pk, person(pk, Role.SAFETY_TEAM, "Deputy MSO")))
        if kind in (Kind.NHS_TRUST, Kind.FOUNDATION_TRUST):
            person(pk, Role.COMMITTEE_CHAIR, "Consultant, chair of the medication safety committee")
            person(pk, Role.COMMITTEE_SECRETARY, "Clinical governance facilitator")
    largest = largest_trust()
    staff_left = max(0, target - len(users))
    if largest is not None:
        for _ in range(min(staff_left, round(LARGEST_TRUST_MEMBERS * min(1.0, scale * 10)))):
            person(largest.pk, Role.STAFF, "Staff nurse")
        staff_left = max(0, target - len(users))
    by_kind: dict[str, list[int]] = {}
    for pk, kind in kinds.items():
        by_kind.setdefault(kind, []).append(pk)
    shares = {kind: share for kind, share in STAFF_SHARE.items() if by_kind.get(kind)}
    whole = sum(shares.values())
    for kind, share in shares.items():
        pks = sorted(by_kind[kind])
        for _ in range(round(staff_left * share / whole)):
            person(rng.choice(pks), Role.STAFF, "Staff reporter")
    User.objects.bulk_create(users, batch_size=5000)
    saved = {user.email: user.pk for user in users}
    Membership.objects.bulk_create(
        (
            Membership(user_id=saved[user.email], organisation_id=pk, role=role)
            for user, pk, role in memberships
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    for appointment, user in link:
        appointment.user_id = saved[user.email]
    Appointment.objects.bulk_update([a for a, _ in link], ["user"], batch_size=5000)
    Appointment.objects.bulk_create(
        (
            Appointment(
                organisation_id=pk, post=Post.DEPUTY_MSO, user_id=saved[user.email], start_on=SINCE
            )
            for pk, user in deputies
        ),
        batch_size=5000,
    )
    _analyse()
    return people_counts()


def people_counts() -> dict[str, int]:
    from accounts.models import User
    from organisations.models import Membership

    return {"users": User.objects.count(), "memberships": Membership.objects.count()}
