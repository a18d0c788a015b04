"""The demo's MSO community and register life, on top of demo/seed.py: networks with
their leads and members, events (the monthly webinar), a library, the buddy scheme with one
pairing and one new MSO waiting, an MSO leaving with a handover under way and a change waiting
for a lead, a Patient Safety Specialist's identification waiting for the national patient
safety team, a regional workplan with an item due this week, an offer to present at the
webinar waiting for the national lead, a pharmacy whose own MSO has left and whom its national
pharmacy body's MSO now covers, a new MSO with their getting-started
checklist, and the reminders all of that is due (so the demo has unread notifications).

Dates are set from the day the demo is first seeded; running it again finds what is there
(by email, title or name) and adds nothing twice.
"""

from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from networks import services as network_services
from networks.models import (
    BuddyOffer,
    BuddyRequest,
    Event,
    GettingStartedTick,
    Network,
    NetworkMembership,
    Resource,
    WebinarOffer,
    WorkplanItem,
)
from notifications import services as notifications
from organisations import change_requests
from organisations import services as organisation_services
from organisations.choices import OrganisationKind as Kind
from organisations.choices import Post, Region, Role
from organisations.models import Appointment, ChangeRequest, HandoverItem, Membership

NETWORKS = [
    # name, slug, kind, region, description
    (
        "National MSO Network",
        "national",
        Network.Kind.NATIONAL,
        "",
        "Every Medication Safety Officer in England: the monthly webinar, national alerts "
        "and the learning from them.",
    ),
    (
        "Midlands MSO Network",
        "midlands",
        Network.Kind.REGIONAL,
        Region.MIDLANDS,
        "MSOs of the Midlands: quarterly meetings and shared audits.",
    ),
    (
        "Community Pharmacy MSO Group",
        "community-pharmacy",
        Network.Kind.SPECIALISED,
        "",
        "MSOs of community pharmacies and their contractors.",
    ),
    (
        "National Patient Safety Specialist Network",
        "patient-safety-specialists",
        Network.Kind.NATIONAL,
        "",
        "Every organisation's Patient Safety Specialists, with the national patient safety team.",
    ),
]
COMMUNITY = {"patient-safety-specialists": Network.Community.SPECIALISTS}

# email -> the networks they are in (the leads are named below)
MEMBERS = {
    "mso@trust-a.example": ["national", "midlands"],
    "mso@trust-b.example": ["national"],
    "mso@pcn.example": ["national", "midlands", "community-pharmacy"],
}

LINKS = [
    (
        "National Patient Safety Alerts",
        "https://www.england.nhs.uk/patient-safety/patient-safety-alerts/",
        "NHS England's list of alerts, with their actions and deadlines.",
        "alerts, natpsa",
    ),
    (
        "Yellow Card: report a suspected side effect",
        "https://yellowcard.mhra.gov.uk/",
        "The MHRA's reporting site, for incidents that meet the Yellow Card criteria.",
        "yellow card, mhra",
    ),
    (
        "Learn from patient safety events (LFPSE)",
        "https://record.learn-from-patient-safety-events.nhs.uk/",
        "The national service where organisations record patient safety events.",
        "lfpse, reporting",
    ),
]

# A small, valid PDF: the demo library's one document.
CHECKLIST_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 62>>stream\nBT /F1 18 Tf 72 760 Td (Insulin safety: ward checklist) Tj ET"
    b"\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_community(organisations, user, today=None) -> None:
    """``organisations``: ODS code -> Organisation; ``user(email, name, **extra)`` makes or
    refreshes a demo sign-in."""
    today = today or timezone.localdate()
    networks = _networks()
    national_lead = user("lead@network.example", "Nadia Osei", job_title="Network lead")
    midlands_lead = user(
        "lead@midlands.example", "Kwame Mensah", job_title="Regional network lead, Midlands"
    )
    patient_safety_lead = user(
        "patient.safety@network.example",
        "Joy Adebayo",
        job_title="National patient safety team",
    )
    for slug, lead in (
        ("national", national_lead),
        ("midlands", midlands_lead),
        ("patient-safety-specialists", patient_safety_lead),
    ):
        NetworkMembership.objects.update_or_create(
            network=networks[slug], user=lead, defaults={"role": NetworkMembership.Role.LEAD}
        )
    people = {u.email: u for u in _people(user)}
    for email, slugs in MEMBERS.items():
        for slug in slugs:
            NetworkMembership.objects.get_or_create(network=networks[slug], user=people[email])
    _events(networks, national_lead, midlands_lead, today)
    _library(networks["national"], people["mso@trust-a.example"])
    new_mso = _new_mso(organisations["QZZ"], user, today)
    _covered_after_leaving(organisations["FZZ01"], today)
    _leaving(organisations["RZB"], people["mso@trust-b.example"], today)
    _buddies(people, new_mso, organisations, midlands_lead)
    _specialist_identified(organisations["RZA"], today)
    _workplan(networks["midlands"], midlands_lead, people, organisations, today)
    _webinar_offer(networks["national"], people["mso@pcn.example"], today)
    notifications.sweep(today)


def _networks():
    networks = {}
    for name, slug, kind, region, description in NETWORKS:
        networks[slug], _ = Network.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "region": region,
                "description": description,
                "community": COMMUNITY.get(slug, Network.Community.MSO),
            },
        )
    return networks


def _people(user):
    return User.objects.filter(email__in=MEMBERS)


def _events(networks, national_lead, midlands_lead, today):
    zone = timezone.get_current_timezone()
    first = today.replace(day=1)
    for months in range(-1, 4):  # last month's, and the next four: the second Wednesday
        month = (first.month - 1 + months) % 12 + 1
        year = first.year + (first.month - 1 + months) // 12
        day = first.replace(year=year, month=month, day=8)
        day += timedelta(days=(2 - day.weekday()) % 7)
        Event.objects.get_or_create(
            network=networks["national"],
            title=f"Monthly MSO webinar, {day:%B %Y}",
            defaults={
                "starts_at": datetime.combine(day, time(12, 30), tzinfo=zone),
                "ends_at": datetime.combine(day, time(13, 30), tzinfo=zone),
                "joining_link": "https://meet.example/mso-webinar",
                "agenda": "1. National alerts this month\n2. Learning from incidents\n"
                "3. Questions to the national team",
                "created_by": national_lead,
            },
        )
    meeting = today + timedelta(days=24)
    Event.objects.get_or_create(
        network=networks["midlands"],
        title="Midlands MSO quarterly meeting",
        defaults={
            "starts_at": datetime.combine(meeting, time(10), tzinfo=zone),
            "ends_at": datetime.combine(meeting, time(12, 30), tzinfo=zone),
            "joining_link": "https://meet.example/midlands-mso",
            "agenda": "1. Opioid incidents across the region\n2. Shared insulin audit",
            "created_by": midlands_lead,
        },
    )


def _library(network, sharer):
    for title, link, description, tags in LINKS:
        if not Resource.objects.filter(network=network, title=title).exists():
            network_services.resource_share(
                by=sharer,
                resource=Resource(network=network, title=title, link=link, description=description),
                tags=network_services.tag_names(tags),
            )
    title = "Insulin safety: ward checklist"
    if not Resource.objects.filter(network=network, title=title).exists():
        document = Resource(
            network=network,
            title=title,
            description="A one-page checklist for ward audits of insulin prescribing.",
            filename="insulin-ward-checklist.pdf",
            content_type="application/pdf",
            size=len(CHECKLIST_PDF),
        )
        document.file.save("upload", ContentFile(CHECKLIST_PDF), save=False)
        network_services.resource_share(by=sharer, resource=document, tags=["insulin", "audit"])


def _new_mso(icb, user, today):
    """The ICB's MSO started a month ago: their home page has the getting-started checklist."""
    new = user("mso@icb.example", "Laura Kent", job_title="Medicines safety lead, ICB")
    Membership.objects.get_or_create(user=new, organisation=icb, role=Role.SAFETY_TEAM)
    Appointment.objects.get_or_create(
        organisation=icb,
        post=Post.MSO,
        user=new,
        defaults={"start_on": today - timedelta(days=30)},
    )
    GettingStartedTick.objects.get_or_create(user=new, organisation=icb, item="mailbox")
    return new


def _covered_after_leaving(pharmacy, today):
    """The independent pharmacy's own MSO left three days ago and nobody is named there: the MSO
    of the national pharmacy body it belongs to covers it (an independent pharmacy need not name
    its own), so the register shows it covered, not vacant."""
    Appointment.objects.get_or_create(
        organisation=pharmacy,
        post=Post.MSO,
        name="Ben Hughes",
        defaults={
            "email": "ben.hughes@pharmacy.example",
            "start_on": today - timedelta(days=700),
            "end_on": today - timedelta(days=3),
        },
    )


def _leaving(trust, mso, today):
    """Trust B's MSO leaves in six days: a handover under way, two items done, and the new
    MSO asked for through a change to the register that waits for the regional lead."""
    appointment = Appointment.objects.get(organisation=trust, post=Post.MSO, user=mso)
    if appointment.end_on is None:
        appointment.end_on = today + timedelta(days=6)
        organisation_services.appointment_save(by=mso, appointment=appointment)
        for task in (HandoverItem.Task.MAILBOX, HandoverItem.Task.COMMITTEE):
            item = HandoverItem.objects.get(handover__appointment=appointment, task=task)
            organisation_services.handover_item_done(by=mso, item=item, done=True)
    if not ChangeRequest.objects.filter(organisation=trust).exists():
        change_requests.submit(
            by=mso,
            request=ChangeRequest(
                organisation=trust,
                kind=ChangeRequest.Kind.NEW_MSO,
                name="Daniel Morgan",
                email="daniel.morgan@trust-b.example",
                starts_on=appointment.end_on + timedelta(days=1),
                note="Daniel is our deputy chief pharmacist and starts as MSO the day after "
                "Priya leaves.",
            ),
        )


def _specialist_identified(trust, today):
    """Trust A's executive director for patient safety identifies a second Patient Safety
    Specialist: the request waits for the national patient safety team."""
    if ChangeRequest.objects.filter(
        organisation=trust, kind=ChangeRequest.Kind.NEW_SPECIALIST
    ).exists():
        return
    change_requests.submit(
        by=User.objects.get(email="safety.director@trust-a.example"),
        request=ChangeRequest(
            organisation=trust,
            kind=ChangeRequest.Kind.NEW_SPECIALIST,
            basis=ChangeRequest.Basis.ADDITION,
            name="Ngozi Eze",
            email="ngozi.eze@trust-a.example",
            phone="0121 496 0000",
            starts_on=today + timedelta(days=28),
            job_title="Patient safety lead for medicines",
            pay_band=ChangeRequest.PayBand.BAND_8A,
            guidance_considered=True,
            note="Ngozi joins Sam to cover the trust's community services.",
        ),
    )


def _workplan(network, lead, people, organisations, today):
    """The Midlands network's workplan: an audit due within the week (so its owner has a
    reminder), and an item planned for the spring."""
    items = [
        (
            "Opioid safety",
            "Audit opioid prescribing on discharge in the region's trusts",
            people["mso@trust-a.example"],
            today + timedelta(days=5),
            WorkplanItem.State.IN_PROGRESS,
            ["RZA", "RZB"],
        ),
        (
            "Insulin safety",
            "Share one insulin passport across primary care",
            people["mso@pcn.example"],
            today + timedelta(days=120),
            WorkplanItem.State.PLANNED,
            ["U99901", "QZZ"],
        ),
    ]
    for priority, title, owner, due_on, state, involved in items:
        if WorkplanItem.objects.filter(network=network, title=title).exists():
            continue
        network_services.workplan_item_save(
            by=lead,
            item=WorkplanItem(
                network=network,
                priority=priority,
                title=title,
                owner=owner,
                due_on=due_on,
                state=state,
            ),
            organisations=[organisations[code] for code in involved],
        )


def _webinar_offer(network, member, today):
    """A member offers a talk at next month's webinar: waiting for the national lead."""
    if not WebinarOffer.objects.filter(network=network, offered_by=member).exists():
        network_services.webinar_offer(
            by=member,
            offer=WebinarOffer(
                network=network,
                topic="Methotrexate in primary care: what our practices changed",
                summary="The PCN's audit after the national alert, and the template we share.",
                preferred_month=(today.replace(day=1) + timedelta(days=32)).replace(day=1),
            ),
        )


def _buddies(people, new_mso, organisations, lead):
    amir, tom = people["mso@trust-a.example"], people["mso@pcn.example"]
    offers = {}
    for person, sectors, capacity in (
        (amir, [Kind.NHS_TRUST, Kind.FOUNDATION_TRUST, Kind.ICB], 2),
        (people["mso@trust-b.example"], [Kind.FOUNDATION_TRUST, Kind.NHS_TRUST], 1),
    ):
        offers[person.email], _ = BuddyOffer.objects.get_or_create(
            user=person,
            defaults={"sectors": sectors, "region": Region.MIDLANDS, "capacity": capacity},
        )
    if not BuddyRequest.objects.filter(user=tom).exists():
        paired = BuddyRequest.objects.create(user=tom, organisation=organisations["U99901"])
        network_services.buddy_pair(by=lead, request=paired, offer=offers[amir.email])
    BuddyRequest.objects.get_or_create(
        user=new_mso,
        organisation=organisations["QZZ"],
        defaults={"note": "Alerts and the ICB's committee: I have not run either before."},
    )
