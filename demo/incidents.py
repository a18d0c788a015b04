"""The demo's medication incidents, on top of demo/seed.py: fifteen months of fictional
reports for each organisation that reports (the trusts most, the practices and the pharmacy a
few), in every state of the review, with learning, actions (some overdue), feedback, anonymous
reports, a duplicate, a file, incidents sent to LFPSE through its local simulator (one
refused), and controlled-drug incidents of which the trust's CDAO was told. A month with a
cluster of insulin incidents gives the SPC chart something to find.

Made from a fixed seed, so every demo looks the same; seeded once (nothing is added when the
demo already has incidents).
"""

import functools
import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from incidents import medicines as flags
from incidents import services
from incidents.models import (
    Incident,
    IncidentAction,
    IncidentAttachment,
    IncidentComment,
    IncidentEvent,
    IncidentMedicine,
    LfpseChoice,
    ProcessChange,
    Status,
    Theme,
    new_tiebreak,
    unordered_id,
)
from incidents.services import _next_reference
from medicines import lookup

Kind = IncidentEvent.Kind

# what happened, done straight away, medicines (name, route, dose), location, processes,
# drugs involved {code: detail codes}, themes, the learning, the action, feedback
SCENARIOS = [
    (
        "Insulin given twice at breakfast: the first dose was not signed for on the chart.",
        "Blood glucose checked hourly; doctor told; patient given extra carbohydrate.",
        [
            (
                "Insulin aspart 100units/ml solution for injection 10ml vials",
                "subcutaneous",
                "8 units",
            )
        ],
        "4",
        ["3"],
        {"1": ["5"]},
        ["insulin", "charting"],
        "Doses given at handover were not signed for at once.",
        "Remind ward staff to sign for insulin at the bedside, before moving on",
        "Thank you. The ward now signs for insulin at the bedside; we are auditing it monthly.",
    ),
    (
        "Apixaban 5 mg prescribed twice daily for a patient whose dose should have been 2.5 mg "
        "(weight and renal function).",
        "Dose changed by the ward pharmacist before the second dose.",
        [("Apixaban 5mg tablets", "oral", "5 mg")],
        "4",
        ["1"],
        {"1": ["1"]},
        ["anticoagulants", "dose adjustment"],
        "The dose-adjustment criteria were not prompted on the electronic prescribing system.",
        "Add the apixaban dose-reduction criteria to the prescribing order set",
        "Thank you for spotting this. A prompt now shows the dose-reduction criteria.",
    ),
    (
        "Morphine sulfate oral solution 10 mg/5 ml measured as 10 ml instead of 5 ml.",
        "Patient observed; respiratory rate checked every 30 minutes; naloxone ready.",
        [("Morphine sulfate 10mg/5ml oral solution", "oral", "20 mg")],
        "4",
        ["3"],
        {"1": ["1"]},
        ["opioids", "measuring"],
        "Oral syringes were out of stock on the ward; a medicine pot was used.",
        "Keep oral syringes on the controlled drug cupboard's top-up list",
        "Thank you. Oral syringes are now stocked with the controlled drugs.",
    ),
    (
        "Gentamicin level not taken before the second dose.",
        "Level taken; dose held until the result.",
        [("Gentamicin 80mg/2ml solution for injection ampoules", "intravenous", "420 mg")],
        "4",
        ["3"],
        {"2": ["2"]},
        ["monitoring", "antibiotics"],
        "Level timing was not on the handover sheet.",
        "Add gentamicin level times to the handover sheet",
        "Thank you. Level times are now part of the handover.",
    ),
    (
        "Methotrexate 10 mg dispensed for daily use instead of weekly.",
        "Caught at the final check; prescriber contacted; label corrected.",
        [("Methotrexate 2.5mg tablets", "oral", "10 mg")],
        "12",
        ["2"],
        {"1": ["5"]},
        ["methotrexate", "dispensing"],
        "The weekly day was not written on the prescription.",
        "Refuse methotrexate prescriptions without the weekly day",
        "Thank you for stopping this. We now refuse prescriptions without the day.",
    ),
    (
        "Potassium chloride 15% ampoule found in ward stock.",
        "Removed at once and returned to pharmacy.",
        [
            (
                "Potassium chloride 15% (potassium 2mmol/ml) concentrate for solution for "
                "infusion 10ml ampoules",
                "intravenous",
                "",
            )
        ],
        "4",
        ["4"],
        {"4": ["1"]},
        ["potassium", "stock"],
        "A returned ampoule was put back into the wrong cupboard.",
        "Audit strong potassium storage on every ward",
        "Thank you. Every ward has been checked and returns now go to pharmacy only.",
    ),
    (
        "Oxycodone modified-release given in place of immediate-release for breakthrough pain.",
        "Patient observed; pain team told.",
        [("Oxycodone 10mg modified-release tablets", "oral", "10 mg")],
        "4",
        ["3"],
        {"3": ["2"]},
        ["opioids", "look-alike"],
        "Both strengths sit side by side in the controlled drug cupboard.",
        "Separate modified- and immediate-release opioids in the cupboard",
        "Thank you. The cupboard has been reorganised and labelled.",
    ),
    (
        "Lithium level overdue by three weeks in a patient on long-term lithium.",
        "Level requested; GP told.",
        [("Lithium carbonate 400mg modified-release tablets", "oral", "800 mg")],
        "11",
        ["1"],
        {"2": ["2"]},
        ["monitoring", "lithium"],
        "No recall was set when the patient moved practice.",
        "Set lithium recalls for patients who join the practice",
        "Thank you. Recalls are now set when a patient on lithium registers.",
    ),
    (
        "Warfarin not restarted on discharge after surgery.",
        "Patient contacted; warfarin restarted; INR checked in clinic.",
        [("Warfarin 3mg tablets", "oral", "6 mg")],
        "2",
        ["1"],
        {"2": ["6"]},
        ["anticoagulants", "discharge"],
        "Held medicines were not reviewed on the discharge letter.",
        "Add held medicines to the discharge checklist",
        "Thank you. Held medicines are now on the discharge checklist.",
    ),
    (
        "Midazolam 10 mg/2 ml taken from stock for conscious sedation instead of 2 mg/2 ml.",
        "Noticed before drawing up; correct strength obtained.",
        [("Midazolam 10mg/2ml solution for injection ampoules", "intravenous", "2 mg")],
        "4",
        ["3"],
        {"3": ["2"]},
        ["sedation", "look-alike"],
        "High-strength midazolam was kept in a theatre recovery area.",
        "Remove high-strength midazolam from general areas",
        "Thank you. High-strength midazolam is now kept only where it is needed.",
    ),
    (
        "Paracetamol given at 4 g a day to a patient weighing 42 kg, beside the senna they "
        "brought from home.",
        "Dose reduced; liver function tests taken.",
        # The patient's own senna, named as they called it: not coded, for the safety team.
        [("Paracetamol 500mg tablets", "oral", "1 g"), ("Senna (own supply)", "oral", "15 mg")],
        "4",
        ["1", "3"],
        {"1": ["1"]},
        ["dose adjustment", "low weight"],
        "Weight was not recorded on admission.",
        "Record weight on admission for every adult patient",
        "Thank you. Weight on admission is now a required field.",
    ),
    (
        "Diazepam dispensed to the wrong patient with a similar name.",
        "Collected back before it was taken; patient given the right medicine.",
        [("Diazepam 5mg tablets", "oral", "5 mg")],
        "12",
        ["2"],
        {"3": ["8"]},
        ["patient identification", "dispensing"],
        "Only the name was checked at hand-out.",
        "Check two identifiers at hand-out",
        "Thank you. We now check name and address or date of birth at hand-out.",
    ),
]

LOCATIONS_WORDS = {"4": "Ward 12 (acute medicine)", "11": "Consulting room 2", "12": "Dispensary"}
# How many incidents a month each organisation reports, and where they happen.
VOLUMES = {
    "RZA": (16, "4"),
    "RZB": (7, "4"),
    "Z99901": (2, "11"),
    "Z99902": (1, "11"),
    "FZZ01": (1, "12"),
}
MONTHS = 15
# How the demo's incidents came to light: one in ten through a medicines advice query.
IDENTIFIED = [
    *["medicines-advice"] * 2,
    *["clinical-check"] * 6,
    *["reconciliation"] * 4,
    *["dispensing"] * 3,
    *["administration"] * 3,
    "patient",
    "audit",
]
FEEDBACK = [
    # days ago, from, medicines, what they said, themes
    (
        12,
        "carer",
        "Insulin glargine",
        "Her discharge letter did not say when to restart her evening insulin.",
        ["insulin", "discharge"],
    ),
    (
        40,
        "patient",
        "Methotrexate 2.5 mg tablets",
        "The pharmacy label and the leaflet gave different days for the weekly dose.",
        ["methotrexate", "labelling"],
    ),
    (
        75,
        "lived-experience",
        "",
        "Patients on the ward did not know who to ask about new medicines before going home.",
        ["discharge"],
    ),
]


def _at(day, hour) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_incidents(organisations, people, today=None) -> int:
    """Seed the incidents (once). ``people``: email -> user. Returns how many there are."""
    if Incident.objects.exists():
        return Incident.objects.count()
    today = today or timezone.localdate()
    rng = random.Random(2026)
    start = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    reporters = {
        "RZA": people["reporter@trust-a.example"],
        "RZB": people["nurse@trust-b.example"],
        "Z99901": people["nurse@riverside.example"],
        "Z99902": people["nurse@weir-lane.example"],
        "FZZ01": people["pharmacist@market-square.example"],
    }
    reviewers = {
        "RZA": people["mso@trust-a.example"],
        "RZB": people["mso@trust-b.example"],
        "Z99901": people["mso@pcn.example"],
        "Z99902": people["mso@pcn.example"],
        # The independent pharmacy's MSO is its national pharmacy body's.
        "FZZ01": people["mso@pharmacies.example"],
    }
    made, batch = 0, _Rows()
    for ods_code, (per_month, location) in VOLUMES.items():
        organisation = organisations[ods_code]
        high_risk = flags.high_risk_codes(organisation)
        themes = {}
        month, index = start, 0
        while month <= today:
            count = per_month + rng.randint(-per_month // 3, per_month // 3)
            if ods_code == "RZA" and index == MONTHS - 5:
                count += 12  # a cluster: the SPC chart flags it as special cause
            for _ in range(max(count, 0)):
                day = month + timedelta(days=rng.randint(0, 27))
                if day > today:
                    continue
                scenario = SCENARIOS[rng.randrange(len(SCENARIOS))]
                if ods_code == "RZA" and index == MONTHS - 5 and rng.random() < 0.6:
                    scenario = SCENARIOS[0]
                made += _incident(
                    batch,
                    organisation,
                    scenario,
                    day,
                    today,
                    rng,
                    high_risk,
                    themes,
                    reporter=reporters[ods_code],
                    reviewer=reviewers[ods_code],
                    location=location,
                )
            month, index = (month + timedelta(days=32)).replace(day=1), index + 1
    batch.write()
    _duplicates(organisations["RZA"], reviewers["RZA"], today)
    _sent_to_lfpse(organisations, reviewers, today)
    _a_file(organisations["RZA"], reviewers["RZA"])
    _controlled_drug_notices(today)
    made += _shared_across_a_transition(organisations, people, today)
    _patient_feedback(organisations["RZA"], people["mso@trust-a.example"], today)
    _process_change(organisations["RZB"], people["mso@trust-b.example"], today)
    return made


def _process_change(trust, mso, today):
    """Trust B's community teams moved to electronic prescribing three months ago: its chart
    starts again after it, too few months since to set limits (the dashboard says so)."""
    changed_on = (today.replace(day=1) - timedelta(days=75)).replace(day=1)
    services.process_change_record(
        by=mso,
        change=ProcessChange(
            organisation=trust,
            changed_on=changed_on,
            what="Electronic prescribing went live in the community teams",
        ),
    )


def _patient_feedback(trust, mso, today):
    from incidents import services
    from incidents.models import PatientFeedback

    for days_ago, source, medicines, summary, themes in FEEDBACK:
        services.feedback_record(
            by=mso,
            feedback=PatientFeedback(
                organisation=trust,
                received_on=today - timedelta(days=days_ago),
                source=source,
                medicines=medicines,
                summary=summary,
            ),
            themes=themes,
        )


def _shared_across_a_transition(organisations, people, today) -> int:
    """A practice of the PCN finds that Trust A's discharge letter stopped a patient's
    warfarin: the PCN's MSO shares it with Trust A, where it arose, and the two keep a thread."""
    from incidents import services

    practice, trust = organisations["Z99901"], organisations["RZA"]
    pcn_mso, trust_mso = people["mso@pcn.example"], people["mso@trust-a.example"]
    incident, _ = services.report_submit(
        by=people["nurse@riverside.example"],
        organisation=practice,
        details={
            "occurred_on": today - timedelta(days=9),
            "time_bracket": "2",
            "location": VOLUMES["Z99901"][1],
            "service_area": "Medication review clinic",
            "what_happened": "The discharge letter from Ashby General listed warfarin as "
            "stopped; it had been held for surgery only. The patient went 9 days without it.",
            "immediate_actions": "Warfarin restarted with the anticoagulation clinic; INR "
            "checked the same day.",
            "reached_patient": "y",
            "physical_harm": "3",
            "psychological_harm": "4",
            "age_bracket": "12",
            "gender": "2",
        },
        medicines=[{"name": "Warfarin 3mg tablets", "route": "oral", "dose": "3 mg"}],
    )
    incident = services.incident_share(by=pcn_mso, incident=incident, organisation=trust)
    services.shared_note_add(
        by=trust_mso,
        incident=incident,
        side=trust,
        kind="learning",
        body="Held medicines were recorded as stopped by the discharge template.",
    )
    services.shared_note_add(
        by=trust_mso,
        incident=incident,
        side=trust,
        kind="action",
        body="Add a 'held, restart on' line to the discharge template",
        due_on=today + timedelta(days=21),
    )
    return 1


def _sent_to_lfpse(organisations, reviewers, today):
    """Trust A's team marked some closed incidents ready for LFPSE: each goes through the local
    LFPSE simulator as it would to LFPSE, and comes back accepted with LFPSE's reference. One,
    recorded as a Never Event without saying which, LFPSE refuses (its reasons shown on the
    incident, its MSO told). Trust A sends when its team marks an incident ready; Trust B as
    soon as each is reported."""
    from incidents.lfpse import fhir, submission

    trust_a = organisations["RZA"]
    closed = fhir.ready(
        Incident.objects.filter(
            organisation=trust_a,
            status=Status.CLOSED,
            closed_at__lt=_at(today - timedelta(days=90), 0),
            anonymous=False,
        )
    ).order_by("closed_at")[:5]
    closed = list(closed)
    if not closed:
        return
    *accepted, refused = closed
    Incident.objects.filter(pk=refused.pk).update(never_event=True, never_event_type="")
    for incident in closed:
        submission.lfpse_submit(by=reviewers["RZA"], incident=incident)
    submission.deliver_pending(inline=True, older_than=timedelta(0))
    submission.lfpse_choice_set(
        by=reviewers["RZA"], organisation=trust_a, when=LfpseChoice.When.READY
    )
    submission.lfpse_choice_set(
        by=reviewers["RZB"], organisation=organisations["RZB"], when=LfpseChoice.When.AT_ONCE
    )


AUDIT_NOTE = (
    b"Ward 7 insulin audit\n\nCharts checked: 30\nDoses signed for at the bedside: 28\n"
    b"Follow-up: two charts discussed with the ward manager.\n"
)


def _a_file(organisation, reviewer):
    """The audit that closed an action, kept with its incident."""
    incident = (
        Incident.objects.filter(organisation=organisation, status=Status.CLOSED)
        .order_by("-closed_at")
        .first()
    )
    if incident is None:
        return
    attachment = IncidentAttachment(
        incident=incident,
        filename="ward-7-insulin-audit.txt",
        content_type="text/plain",
        size=len(AUDIT_NOTE),
        uploaded_by=reviewer,
        uploaded_at=incident.closed_at - timedelta(days=1),
    )
    attachment.file.save("upload", ContentFile(AUDIT_NOTE), save=False)
    attachment.save()


def _controlled_drug_notices(today):
    """The CDAO's notices of the last fortnight's controlled-drug incidents, as the service
    would have given them."""
    from incidents.services import controlled_drug_notices
    from notifications.services import notify

    recent = Incident.objects.filter(
        controlled_drug=True, reported_at__gte=_at(today - timedelta(days=14), 0)
    ).select_related("organisation")
    for incident in recent:
        notify(controlled_drug_notices(incident, today))


class _Rows:
    """The rows of the incidents made so far, written at once: each table in one insert, in the
    order the incidents were made (so they take the same ids as written one by one would)."""

    def __init__(self):
        self.incidents, self.medicines, self.actions, self.comments = [], [], [], []
        self.events, self.themes = [], []

    def write(self):
        Incident.objects.bulk_create(self.incidents)
        IncidentMedicine.objects.bulk_create(self.medicines)
        IncidentAction.objects.bulk_create(self.actions)
        IncidentComment.objects.bulk_create(self.comments)
        IncidentEvent.objects.bulk_create(self.events)
        Incident.themes.through.objects.bulk_create(
            Incident.themes.through(incident=incident, theme=theme)
            for incident, theme in self.themes
        )


@functools.cache
def _coded(name, code=""):
    """A demo medicine coded from the dm+d, each name looked up once."""
    return lookup.code(name, code)


def _incident(
    batch,
    organisation,
    scenario,
    day,
    today,
    rng,
    high_risk,
    themes,
    *,
    reporter,
    reviewer,
    location,
):
    what, done, medicines, _loc, processes, involved, theme_names, learning, action, feedback = (
        scenario
    )
    age = (today - day).days
    anonymous = rng.random() < 0.08
    reported = _at(day + timedelta(days=rng.randint(0, 2)), 9 + rng.randint(0, 8))
    if reported.date() > today:
        reported = _at(today, 9)
    harm = rng.choices(["5", "4", "3", "2"], weights=[55, 32, 11, 2])[0]
    incident = Incident(
        # An anonymous report's rows take ids out of the sequence, as the service gives them.
        id=unordered_id() if anonymous else None,
        organisation=organisation,
        reference=_next_reference(organisation, reported.year, anonymous=anonymous),
        reporter=None if anonymous else reporter,
        anonymous=anonymous,
        reported_at=_at(reported.date(), 0) if anonymous else reported,
        occurred_on=day,
        time_bracket=rng.choice(["1", "1", "2", "3"]),
        location=location,
        service_area=LOCATIONS_WORDS.get(location, ""),
        what_happened=what,
        immediate_actions=done,
        reached_patient="n" if harm == "5" and rng.random() < 0.4 else "y",
        physical_harm=harm,
        psychological_harm="4" if harm in ("5", "4") else "3",
        age_bracket=rng.choice(["9", "10", "11", "11", "12"]),
        gender=rng.choice(["1", "2"]),
        processes=processes,
        # LFPSE's Process: prescribing ("5") when the prescription was involved, else giving,
        # dispensing or administering ("6").
        process="5" if "1" in processes else "6",
        drugs_involved=list(involved),
        detection_point=rng.choice(["3", "4", "6"]),
        identified_through=rng.choice(IDENTIFIED),
        ncc_merp={"5": "C", "4": "E", "3": "F", "2": "G"}[harm],
        duty_of_candour="y" if harm in ("3", "2") else "n",
    )
    for code, details in involved.items():
        name = {
            "1": "too_much",
            "2": "too_little",
            "3": "administered_incorrectly",
            "4": "packaging_problem",
        }[code]
        setattr(incident, name, details)
    rows = []
    for position, (name, route, dose) in enumerate(medicines):
        code, flagged = flags.coded({"name": name}, high_risk, lookup=_coded)
        rows.append(
            IncidentMedicine(
                id=unordered_id() if anonymous else None,
                incident=incident,
                position=position,
                name=name,
                dmd_code=code,
                route=route,
                dose=dose,
                high_risk_group=flagged.high_risk_group,
                cd_schedule=flagged.cd_schedule,
                substance=flagged.substance,
                product=flagged.product,
            )
        )
    batch.medicines += rows
    incident.high_risk = any(r.high_risk_group for r in rows)
    incident.controlled_drug = any(r.cd_schedule for r in rows)
    incident.medicine_names = " | ".join(r.name for r in rows)
    events = [
        IncidentEvent(
            id=unordered_id() if anonymous else None,
            incident=incident,
            kind=Kind.SUBMITTED,
            by=incident.reporter,
            at=incident.reported_at,
        )
    ]
    # The older the report, the further its review has gone.
    if age > 12 or rng.random() < 0.35:
        started = incident.reported_at + timedelta(days=rng.randint(1, 5))
        incident.status, incident.review_started_at = Status.IN_REVIEW, started
        events.append(
            IncidentEvent(incident=incident, kind=Kind.REVIEW_STARTED, by=reviewer, at=started)
        )
        if age > 21:
            incident.learning_response = (
                rng.choice(["none", "swarm", "swarm", "aar"])
                if harm in ("5", "4")
                else rng.choice(["mdt", "aar", "psii"])
            )
            incident.learning_summary = learning
            owner_due = day + timedelta(days=rng.randint(21, 60))
            action_state = IncidentAction.State.DONE if age > 75 else IncidentAction.State.OPEN
            batch.actions.append(
                IncidentAction(
                    incident=incident,
                    description=action,
                    owner=reviewer,
                    due_on=owner_due,
                    state=action_state,
                    evidence="Seen on the ward audit" if action_state == "done" else "",
                    done_on=owner_due - timedelta(days=3) if action_state == "done" else None,
                )
            )
            if action_state == IncidentAction.State.DONE:
                closed = started + timedelta(days=rng.randint(20, 60))
                incident.status, incident.closed_at, incident.feedback = (
                    Status.CLOSED,
                    closed,
                    feedback,
                )
                events.append(
                    IncidentEvent(incident=incident, kind=Kind.CLOSED, by=reviewer, at=closed)
                )
            else:
                incident.status = Status.AWAITING_ACTIONS
                events.append(
                    IncidentEvent(
                        incident=incident,
                        kind=Kind.AWAITING_ACTIONS,
                        by=reviewer,
                        at=started + timedelta(days=2),
                    )
                )
            batch.comments.append(
                IncidentComment(
                    incident=incident,
                    author=reviewer,
                    body="Spoke to the ward manager: agreed the action.",
                    created_at=started + timedelta(hours=3),
                )
            )
    batch.incidents.append(incident)
    batch.events += events
    if incident.learning_summary:
        chosen = []
        for name in theme_names:
            if name not in themes:
                themes[name], _ = Theme.objects.get_or_create(
                    organisation=incident.organisation, name=name
                )
            chosen.append(themes[name])
        batch.themes += [(incident, theme) for theme in chosen]
    return 1


def _duplicates(organisation, reviewer, today):
    """Two reports of one event: the later is rejected as a duplicate of the earlier."""
    original = Incident.objects.filter(organisation=organisation).order_by("-occurred_on").first()
    if original is None:
        return
    copy = Incident.objects.get(pk=original.pk)
    copy.pk, copy.tiebreak = unordered_id(), new_tiebreak()  # anonymous, and its own place
    copy.reference = _next_reference(organisation, today.year, anonymous=True)
    copy.anonymous, copy.reporter = True, None
    copy.reported_at = _at(timezone.localtime(copy.reported_at).date(), 0)  # the day only
    copy.status, copy.duplicate_of, copy.closed_at = Status.DUPLICATE, original, timezone.now()
    copy.save(force_insert=True)
    for medicine in original.medicines.all():
        medicine.pk, medicine.incident = unordered_id(), copy
        medicine.save(force_insert=True)
    IncidentEvent.objects.create(
        id=unordered_id(), incident=copy, kind=Kind.SUBMITTED, at=copy.reported_at
    )
    IncidentEvent.objects.create(
        incident=copy, kind=Kind.DUPLICATE, by=reviewer, note=f"Duplicate of {original.reference}."
    )
