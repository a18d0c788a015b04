"""Fictional demo data: an ICB, two trusts (one of which took over a third, now closed), a PCN
with two GP practices (one of which moved in from a PCN since closed, and a third practice now
closed), a community pharmacy and a pharmacy company's branch with its head office, loaded from
ODS extracts in ODS's own layouts (organisations/ods_samples, through ``import_ods``'s importer);
NHS England's regional team and a national pharmacy body, which ODS's files do not give; and
one sign-in for each kind of user; then the MSO
community and the register's comings and goings (demo_community.py), fifteen months of
medication incidents (demo_incidents.py), national alerts with each organisation's response
(demo_alerts.py), Trust A's improvement projects and protocols (demo_improvement.py), and its
medication safety committee (demo_committees.py). Every name, code, incident, alert and meeting
here is made up.

Running it again changes nothing but the demo passwords (set to DEMO_PASSWORD each time).
"""

from datetime import date

from auditlog.context import disable_auditlog
from django.db import transaction

from accounts.models import (
    REGULATOR_OF,
    Profession,
    ProfessionalRegistration,
    SyllabusLevel,
    SyllabusTraining,
    Training,
    User,
)
from alerts.models import Alert, AlertResponse
from committees.models import Committee, Meeting
from improvement.models import Project
from incidents.models import HospitalNumber, Incident
from incidents.summary import counted_afterwards
from medicines.dmd import SAMPLE_RELEASE, import_release
from medicines.models import Amp, Vmp
from networks.models import Event, Network, Resource
from notifications.models import Notification
from organisations import closure
from organisations.choices import OrganisationKind as Kind
from organisations.choices import Post, Region, RelationshipKind, Role
from organisations.models import (
    Appointment,
    ChangeRequest,
    Membership,
    Organisation,
    OrganisationRelationship,
)
from organisations.ods import SAMPLES, ods_import

from .alerts import seed_alerts
from .committees import seed_committees
from .community import seed_community
from .controlled_drugs import seed_controlled_drugs
from .denominators import seed_denominators
from .improvement import seed_improvement
from .incidents import seed_incidents

SINCE = date(2024, 4, 1)

# The organisations of the sample ODS extracts, and their generic MSO mailboxes (not ODS's).
MAILBOXES = {
    "QZZ": "medicines.safety@icb.example",
    "RZA": "mso@trust-a.example",
    "U99901": "medicines@pcn.example",
}

ORGANISATIONS = [
    # ods_code, name, kind, mso mailbox: those ODS's files do not give
    # A national body whose MSO covers the independent pharmacies that belong to it.
    (
        "FZZ90",
        "Independent Pharmacies Association",
        Kind.PHARMACY_BODY,
        "medication.safety@pharmacies.example",
    ),
    ("Y60", "NHS England Midlands", Kind.NHS_ENGLAND_REGION, ""),
]

# Trust A took over Old Town Hospitals on this date (succ.csv); the older trust closed the day
# before (etr.csv).
MERGED_ON = date(2025, 4, 1)

# child, parent: the child is part of the parent, where ODS's files do not say so (the PCN and
# the practices are in the ICB through their sub-ICB location, the branch in its company).
PART_OF = [
    ("RZA", "QZZ"),
    ("RZB", "QZZ"),
    ("FZZ01", "QZZ"),
    ("FZZ01", "FZZ90"),
]

# email, full name, job title, organisation, roles, named post (which gives its own permissions)
PEOPLE = [
    ("reporter@trust-a.example", "Rosa Reid", "Staff nurse", "RZA", [Role.STAFF], None),
    (
        "mso@trust-a.example",
        "Amir Shah",
        "Lead pharmacist, medication safety",
        "RZA",
        [Role.SAFETY_TEAM],
        Post.MSO,
    ),
    (
        "director@trust-a.example",
        "Dr Helen Carter",
        "Medical director",
        "RZA",
        [Role.STAFF],
        Post.BOARD_DIRECTOR,
    ),
    (
        "chair@trust-a.example",
        "Gareth Lewis",
        "Consultant anaesthetist",
        "RZA",
        [Role.COMMITTEE_CHAIR],
        None,
    ),
    (
        "secretary@trust-a.example",
        "Megan Hughes",
        "Clinical governance facilitator",
        "RZA",
        [Role.COMMITTEE_SECRETARY],
        None,
    ),
    (
        "mso@trust-b.example",
        "Priya Nair",
        "Medication safety pharmacist",
        "RZB",
        [Role.SAFETY_TEAM],
        Post.MSO,
    ),
    (
        "mso@pcn.example",
        "Tom Bright",
        "PCN clinical pharmacist",
        "U99901",
        [Role.SAFETY_TEAM],
        Post.MSO,
    ),
    # Staff who report at the other organisations (no sign-in is listed for them).
    ("nurse@trust-b.example", "Kemi Adeyemi", "District nurse", "RZB", [Role.STAFF], None),
    ("nurse@riverside.example", "Owen Hughes", "Practice nurse", "Z99901", [Role.STAFF], None),
    ("nurse@weir-lane.example", "Lucy Chen", "Practice nurse", "Z99902", [Role.STAFF], None),
    # The pharmacist who owns the independent pharmacy: its senior sign-off.
    (
        "pharmacist@market-square.example",
        "Ravi Mistry",
        "Pharmacist and owner",
        "FZZ01",
        [Role.STAFF],
        Post.SUPERINTENDENT_PHARMACIST,
    ),
    (
        "mso@pharmacies.example",
        "Grace Obi",
        "Medication safety officer for independent pharmacies",
        "FZZ90",
        [Role.SAFETY_TEAM],
        Post.MSO,
    ),
    (
        "safety.director@trust-a.example",
        "Ruth Mensah",
        "Chief nurse",
        "RZA",
        [Role.STAFF],
        Post.PATIENT_SAFETY_DIRECTOR,
    ),
    (
        "pss@trust-b.example",
        "Hannah Wells",
        "Patient safety specialist",
        "RZB",
        [Role.STAFF],
        Post.PATIENT_SAFETY_SPECIALIST,
    ),
    (
        "cdao@icb.example",
        "Fiona Grant",
        "Controlled drugs lead for primary care",
        "QZZ",
        [Role.STAFF],
        Post.CDAO,
    ),
    # Senior sign-off of alert responses where there is no board.
    (
        "cd@pcn.example",
        "Dr Imran Ali",
        "PCN clinical director",
        "U99901",
        [Role.STAFF],
        Post.PCN_CLINICAL_DIRECTOR,
    ),
    (
        "partner@riverside.example",
        "Dr Sarah Okoye",
        "GP partner",
        "Z99901",
        [Role.STAFF],
        Post.PRACTICE_SENIOR_LEAD,
    ),
    (
        "manager@weir-lane.example",
        "Paul Grant",
        "Practice manager",
        "Z99902",
        [Role.STAFF],
        Post.PRACTICE_SENIOR_LEAD,
    ),
    (
        "cdao@trust-a.example",
        "Dr Sunil Rao",
        "Director of pharmacy",
        "RZA",
        [Role.STAFF],
        Post.CDAO,
    ),
    (
        "cdao@nhse-midlands.example",
        "Margaret Osei",
        "Regional controlled drugs accountable officer",
        "Y60",
        [Role.STAFF],
        Post.CDAO,
    ),
]

# Named posts held by people without an account.
NAMED_ONLY = [
    ("RZA", Post.PATIENT_SAFETY_SPECIALIST, "Sam Okafor", "sam.okafor@trust-a.example"),
    ("RZA", Post.CHIEF_PHARMACIST, "Joanna Price", "joanna.price@trust-a.example"),
    ("RZB", Post.BOARD_DIRECTOR, "Dr Malcolm Ayres", "malcolm.ayres@trust-b.example"),
]

REGION = Region.MIDLANDS


def _user(email, full_name, password, **extra):
    user, _ = User.objects.update_or_create(
        email=email, defaults={"full_name": full_name, "is_active": True, **extra}
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# The MSOs' professions and registrations (fictional numbers in each regulator's format), and
# their training: what the network leads see against them on the register.
PROFESSIONAL = [
    ("mso@trust-a.example", "pharmacist", "2071234", "inside"),
    ("mso@trust-b.example", "nurse", "04I1234E", "outside"),
    ("mso@pcn.example", "pharmacist", "2098765", "inside"),
]
TRAINING = [
    ("mso@trust-a.example", "National MSO induction", "NHS England", date(2024, 6, 12)),
    ("mso@trust-a.example", "Patient safety syllabus level 2", "NHS England", date(2025, 2, 3)),
    (
        "mso@trust-b.example",
        "Medication safety in practice",
        "Centre for Pharmacy Postgraduate Education",
        date(2025, 9, 18),
    ),
]


# Levels of the national patient safety syllabus: on the register of Patient Safety Specialists.
SYLLABUS = [
    ("pss@trust-b.example", SyllabusLevel.ESSENTIALS, date(2023, 5, 2)),
    ("pss@trust-b.example", SyllabusLevel.ACCESS, date(2023, 9, 14)),
    ("pss@trust-b.example", SyllabusLevel.LEVEL_3, date(2024, 11, 20)),
    ("mso@trust-a.example", SyllabusLevel.ACCESS, date(2025, 2, 3)),
]


def _professional_details():
    for email, profession, number, team in PROFESSIONAL:
        ProfessionalRegistration.objects.update_or_create(
            user=User.objects.get(email=email),
            defaults={
                "profession": profession,
                "regulator": REGULATOR_OF[Profession(profession)],
                "number": number,
                "pharmacy_team": team,
            },
        )
    for email, title, provider, completed_on in TRAINING:
        Training.objects.get_or_create(
            user=User.objects.get(email=email),
            title=title,
            defaults={"provider": provider, "completed_on": completed_on},
        )
    for email, level, completed_on in SYLLABUS:
        SyllabusTraining.objects.update_or_create(
            user=User.objects.get(email=email), level=level, defaults={"completed_on": completed_on}
        )


@transaction.atomic
def seed_demo(password: str) -> dict[str, int]:
    """Create or refresh the demo data. Returns how many of each thing exist afterwards."""
    with disable_auditlog():
        ods_import(directory=SAMPLES)
        for ods_code, mailbox in MAILBOXES.items():
            Organisation.objects.filter(ods_code=ods_code).update(mso_mailbox=mailbox)
        for ods_code, name, kind, mailbox in ORGANISATIONS:
            Organisation.objects.update_or_create(
                ods_code=ods_code,
                defaults={"name": name, "kind": kind, "region": REGION, "mso_mailbox": mailbox},
            )
        organisations = {o.ods_code: o for o in Organisation.objects.all()}
        for child, parent in PART_OF:
            OrganisationRelationship.objects.get_or_create(
                parent=organisations[parent],
                child=organisations[child],
                kind=RelationshipKind.PART_OF,
                end_on=None,
                defaults={"start_on": SINCE},
            )
        for email, full_name, job_title, ods_code, roles, post in PEOPLE:
            user = _user(email, full_name, password, job_title=job_title)
            organisation = organisations[ods_code]
            for role in roles:
                Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
            if post:
                Appointment.objects.get_or_create(
                    organisation=organisation,
                    post=post,
                    user=user,
                    defaults={"start_on": SINCE},
                )
        for ods_code, post, name, email in NAMED_ONLY:
            Appointment.objects.get_or_create(
                organisation=organisations[ods_code],
                post=post,
                name=name,
                defaults={"email": email, "start_on": SINCE},
            )

        _professional_details()
        _user("admin@example.com", "Site Administrator", password, is_staff=True)
        # The dm+d's medicines, from the sample release (a live service imports NHSBSA's).
        import_release(SAMPLE_RELEASE)
        closure.rebuild()
        people = {
            user.email: user for user in User.objects.filter(email__in=[p[0] for p in PEOPLE])
        }
        # Trust A's hospital numbers look like RZ1234567: refused in its reports.
        HospitalNumber.objects.get_or_create(
            organisation=organisations["RZA"],
            example="RZ1234567",
            defaults={"added_by": people["mso@trust-a.example"]},
        )
        with counted_afterwards():  # the dashboards' monthly counts, once at the end
            seed_incidents(organisations, people)
        seed_denominators(organisations, people)
        seed_community(
            organisations, lambda email, name, **extra: _user(email, name, password, **extra)
        )
        seed_alerts(organisations)
        seed_improvement(organisations, people)
        seed_committees(organisations, people)
        seed_controlled_drugs(organisations, people)
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "appointments": Appointment.objects.count(),
        "networks": Network.objects.count(),
        "events": Event.objects.count(),
        "library resources": Resource.objects.count(),
        "changes waiting": ChangeRequest.objects.pending().count(),
        "notifications": Notification.objects.count(),
        "incidents": Incident.objects.count(),
        "incidents open": Incident.objects.open().count(),
        "alerts": Alert.objects.count(),
        "alert responses open": AlertResponse.objects.open().count(),
        "committees": Committee.objects.count(),
        "committee meetings": Meeting.objects.count(),
        "improvement projects": Project.objects.count(),
        "dm+d products": Vmp.objects.count() + Amp.objects.count(),
    }
