"""The demo's safety improvement, on top of demo/seed.py: Trust A's project on omitted
and delayed time-critical medicines (a year of monthly audits, three PDSA cycles, two adopted
or adapted and one running, co-produced with a Parkinson's lived-experience partner,
responding to two of its incidents, with gentamicin and insulin, and a national alert), a
project on insulin at discharge finished last quarter with its results, and its protocols for
insulin and anticoagulants, one due for review (its keeper is reminded), the other shared with
the national MSO network's library.

Everything is written through improvement/services.py. Dates are set from the day the demo is
first seeded; running it again adds nothing (the projects are found by title).
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from alerts.models import Alert
from improvement import services
from improvement.models import MeasurePoint, PdsaCycle, Project, Protocol
from incidents.models import Incident
from networks.models import Network

TIME_CRITICAL = "Time-critical medicines on time"
# Two years of the monthly audit: omitted or delayed doses, % of doses audited (lower is
# better). A year of the ward's usual process, the project's year, and the change adopted from
# the cycle that ended three months ago: its chart has limits from the months before, and a
# run chart since the change (fewer than 12 months).
AUDIT = [
    *(15.3, 14.6, 16.2, 15.0, 14.1, 15.8, 16.4, 14.9, 15.5, 14.3, 15.9, 15.1),
    *(14.2, 15.1, 13.4, 14.8, 16.0, 13.9, 12.5, 10.8, 8.9, 8.1, 7.4, 6.9),
]
# Each cycle as written up: its fields, in this order.
CYCLE_FIELDS = ("change", "plan", "do", "study", "act", "decision")
CYCLES = [
    (
        "A time-critical medicines sticker on the drug chart",
        "Ward 7 for two weeks: nurses stick a purple label beside each time-critical medicine. "
        "We predict fewer omissions on the audit.",
        "Used on 38 of 40 charts; nurses said it was easy to miss on the electronic chart.",
        "Omissions fell from 15% to 12% on ward 7; most that remained were at night.",
        "Keep the sticker and add a prompt at the night handover.",
        PdsaCycle.Decision.ADAPT,
    ),
    (
        "The sticker and a night handover prompt",
        "Wards 7 and 9 for four weeks: the nurse in charge asks about time-critical doses at "
        "the 20:00 handover. We predict night omissions will halve.",
        "Prompt used at 51 of 56 handovers.",
        "Night omissions fell from 9 to 3; the audit showed 8.9% against 13.9% the month before.",
        "Adopt on every medical ward from next month.",
        PdsaCycle.Decision.ADOPT,
    ),
    (
        "An e-prescribing alert for Parkinson's medicines on admission",
        "Admissions unit for four weeks: the e-prescribing system alerts the prescriber when a "
        "Parkinson's medicine is due within the hour. We predict fewer first-dose delays.",
        "",
        "",
        "",
        "",
    ),
]


def _months_back(today: datetime.date, months: int) -> datetime.date:
    month = today.month - months
    return datetime.date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small one-page PDF of text (a protocol's document in the demo)."""
    text = [f"BT /F1 16 Tf 56 780 Td ({title}) Tj ET"]
    for i, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 56 {750 - 18 * i} Td ({line}) Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def seed_improvement(organisations, people, today=None) -> int:
    """Seed Trust A's projects and protocols (once). Returns how many projects there are."""
    today = today or timezone.localdate()
    trust = organisations["RZA"]
    if not Project.objects.filter(organisation=trust, title=TIME_CRITICAL).exists():
        mso = people["mso@trust-a.example"]
        _time_critical(trust, mso, today)
        _insulin_at_discharge(trust, mso, today)
        _protocols(trust, mso, today)
    return Project.objects.count()


def _time_critical(trust, mso, today):
    # Time-critical medicines in Trust A's incidents: an antimicrobial and insulin.
    incidents = [
        reference
        for start in ("Gentamicin level not taken", "Insulin given twice")
        for reference in Incident.objects.filter(
            organisation=trust, what_happened__startswith=start
        )
        .order_by("reported_at")
        .values_list("reference", flat=True)[:1]
    ]
    alerts = list(Alert.objects.published().values_list("reference", flat=True)[:1])
    project = services.project_save(
        by=mso,
        project=Project(
            organisation=trust,
            title=TIME_CRITICAL,
            aim="Halve omitted and delayed doses of time-critical medicines (Parkinson's "
            "medicines, insulin, anticoagulants, antimicrobials) on the medical wards, from 14% "
            "of doses audited to 7%, within twelve months.",
            medicines="Parkinson's medicines, insulin, anticoagulants",
            lead=mso,
            started_on=_months_back(today, 12),
            measure="Omitted or delayed doses of time-critical medicines",
            measure_unit="% of doses audited",
            frequency="monthly",
            better="lower",
            co_production="A lived-experience partner from a Parkinson's support group joined "
            "the project team: she described what a late dose meant for her husband, chose the "
            "sticker's wording and tested the handover prompt with the nurses.",
        ),
        references={"incidents": incidents, "alerts": alerts},
    )
    for months_ago, value in zip(range(len(AUDIT), 0, -1), AUDIT, strict=True):
        MeasurePoint.objects.create(
            project=project,
            period_start=_months_back(today, months_ago),
            value=Decimal(str(value)),
            recorded_by=mso,
        )
    for number, cycle in enumerate(CYCLES):
        written = dict(zip(CYCLE_FIELDS, cycle, strict=True))
        decided = written["decision"]
        starts_on = (
            _months_back(today, 6 - 2 * number) + datetime.timedelta(days=6)
            if decided
            else today - datetime.timedelta(days=10)  # running now
        )
        ends_on = starts_on + datetime.timedelta(weeks=4) if decided else None
        services.cycle_save(
            by=mso,
            cycle=PdsaCycle(project=project, starts_on=starts_on, ends_on=ends_on, **written),
        )


def _insulin_at_discharge(trust, mso, today):
    start = _months_back(today, 11)
    project = services.project_save(
        by=mso,
        project=Project(
            organisation=trust,
            title="Insulin at discharge",
            aim="Every patient discharged on insulin has their doses and pen device on the "
            "discharge letter, from 60% to 95% within six months.",
            medicines="Insulin",
            lead=mso,
            started_on=start,
            measure="Discharge letters with complete insulin details",
            measure_unit="% of letters audited",
            frequency="monthly",
            better="higher",
        ),
        references={},
    )
    for months_ago, value in zip(range(11, 3, -1), [61, 58, 64, 72, 81, 88, 93, 96], strict=True):
        MeasurePoint.objects.create(
            project=project,
            period_start=_months_back(today, months_ago),
            value=Decimal(value),
            recorded_by=mso,
        )
    services.project_finish(
        by=mso,
        project=project,
        status=Project.Status.FINISHED,
        finished_on=_months_back(today, 3) + datetime.timedelta(days=9),
        results="Complete insulin details on discharge letters rose from 61% to 96%: a "
        "mandatory field in the discharge template and a pharmacy check before the letter is "
        "sent. The check continues as normal practice; the audit moves to quarterly.",
    )


def _protocols(trust, mso, today):
    national = Network.objects.filter(slug="national").first()
    for title, medicines, version, approved_years_ago, review_in_days, lines in (
        (
            "Insulin prescribing and administration for adults",
            "Insulin",
            "4.2",
            1,
            365,
            [
                "Prescribe insulin by brand and device, in units written in full.",
                "Never draw insulin from a pen or cartridge with a syringe.",
                "Check blood glucose before each dose; do not omit a dose without advice.",
            ],
        ),
        (
            "Anticoagulants: warfarin and direct oral anticoagulants",
            "Warfarin, apixaban, rivaroxaban, edoxaban, dabigatran",
            "3.0",
            3,
            20,
            [
                "Record the indication, target INR and duration on every prescription.",
                "Check renal function before starting a direct oral anticoagulant.",
                "Give the patient an anticoagulant alert card and counselling.",
            ],
        ),
    ):
        content = _pdf(title, lines)
        protocol = Protocol(
            organisation=trust,
            title=title,
            medicines=medicines,
            summary=f"The trust's standard protocol for {medicines.lower()}.",
            version=version,
            approved_on=today.replace(year=today.year - approved_years_ago, day=1),
            review_on=today + datetime.timedelta(days=review_in_days),
            owner=mso,
            filename=f"{title.split(':')[0].lower().replace(' ', '-')}.pdf",
            content_type="application/pdf",
            size=len(content),
        )
        protocol.file.save(protocol.filename, ContentFile(content), save=False)
        services.protocol_save(by=mso, protocol=protocol)
        if national is not None and medicines == "Insulin":
            services.protocol_share(by=mso, protocol=protocol, network=national, tags=["insulin"])
