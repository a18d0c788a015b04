"""Medication incidents at national scale, fictional: 2,000,000 at scale 1.0 over five years,
loaded by COPY (PostgreSQL) into the organisations of ``demo.national.organisations``.

Skewed as reporting is: the trusts and a tenth of the other organisations hold about three
quarters, and one trust (the first, "the largest trust" of the benchmarks) about 2%. Harm,
medicines (high-risk groups and controlled drugs among them), stages, how they were found,
anonymity, never events and the state of the review are mixed as in the national data: most
incidents of no or low harm, those older than two months closed with feedback, a few marked
duplicates. Each organisation's reference counters are set to the numbers used, so that an
incident reported afterwards takes the next number. Repeatable for a seed. Each incident has
its random list key (``tiebreak``); the anonymous ones keep ids from the sequence, as loading
them by COPY gives (fictional data: the service gives a reported one ids out of it).
"""

import json
import random
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from demo.national.loaded import said, taken_with
from demo.national.organisations import TRUST_KINDS, largest_trust
from incidents import choices

# name, high-risk group, controlled drug schedule; how often
MEDICINES = [
    ("Insulin aspart 100 units/ml", "Insulin", "", 12),
    ("Apixaban 5 mg tablets", "Anticoagulant", "", 8),
    ("Enoxaparin 40 mg/0.4 ml injection", "Anticoagulant", "", 6),
    ("Oxycodone 5 mg capsules", "Opioid", "2", 6),
    ("Morphine sulfate 10 mg/5 ml oral solution", "Opioid", "2", 6),
    ("Paracetamol 500 mg tablets", "", "", 14),
    ("Gentamicin 80 mg/2 ml injection", "Aminoglycoside", "", 4),
    ("Amoxicillin 500 mg capsules", "", "", 10),
    ("Methotrexate 2.5 mg tablets", "Methotrexate", "", 3),
    ("Diazepam 5 mg tablets", "", "4", 4),
    ("Midazolam 10 mg/2 ml injection", "Sedation (midazolam)", "3", 3),
    ("Levothyroxine 50 microgram tablets", "", "", 8),
    ("Amlodipine 5 mg tablets", "", "", 8),
    ("Potassium chloride 15% concentrate", "Concentrated potassium", "", 2),
    ("Sodium valproate 200 mg tablets", "", "", 3),
    ("Lithium carbonate 400 mg tablets", "Lithium", "", 3),
]
# The dm+d codes of those the sample release (medicines/sample_release) holds: the product's
# (VMP) and its substance's (VTM). The rest are left for the safety team to code.
CODED = {
    "Insulin aspart 100 units/ml": ("9991013000001105", "9990010000001101"),
    "Apixaban 5 mg tablets": ("9991015000001105", "9990012000001101"),
    "Oxycodone 5 mg capsules": ("9991011000001105", "9990008000001101"),
    "Morphine sulfate 10 mg/5 ml oral solution": ("9991001000001105", "9990001000001101"),
    "Paracetamol 500 mg tablets": ("9991014000001105", "9990011000001101"),
    "Gentamicin 80 mg/2 ml injection": ("9991019000001105", "9990016000001101"),
    "Methotrexate 2.5 mg tablets": ("9991016000001105", "9990013000001101"),
    "Diazepam 5 mg tablets": ("9991020000001105", "9990017000001101"),
    "Midazolam 10 mg/2 ml injection": ("9991018000001105", "9990015000001101"),
    "Potassium chloride 15% concentrate": ("9991009000001105", "9990006000001101"),
    "Lithium carbonate 400 mg tablets": ("9991017000001105", "9990014000001101"),
}
WORDS = [
    "dose omitted at the morning round",
    "chart not signed after administration",
    "look-alike packaging picked from the shelf",
    "wrong patient's label on the bag",
    "infusion rate set too fast",
    "allergy not checked before the first dose",
    "discharge letter did not list the change of dose",
    "dispensed the wrong strength",
    "dose given twice across a shift change",
    "monitoring bloods not taken before the dose",
]
HARM = (("5", 60.0), ("4", 28.0), ("3", 10.0), ("2", 1.6), ("1", 0.4))
STAGES = (("1", 25), ("2", 15), ("3", 50), ("4", 7), ("5", 3))  # prescribing ... not known
LEARNING_WEIGHTS = (
    ("swarm", 30),
    ("aar", 20),
    ("mdt", 15),
    ("psii", 2),
    ("thematic", 8),
    ("none", 25),
)
LEARNING = [code for code, _ in LEARNING_WEIGHTS]
# How incidents came to light, taken in turn (one in ten through a medicines advice query),
# without drawing on the random stream that the rest of the data comes from.
# LFPSE's Process (healthcare-process-5) of medication incidents: prescribing, and giving or
# dispensing, most often; taken in turn, so the random draws stay as they were.
PROCESSES = ("6", "6", "5", "6", "7", "6", "9", "5")
IDENTIFIED = (
    "clinical-check",
    "reconciliation",
    "medicines-advice",
    "dispensing",
    "administration",
    "clinical-check",
    "",
    "reconciliation",
    "patient",
    "clinical-check",
    "dispensing",
    "audit",
    "medicines-advice",
    "administration",
    "",
    "clinical-check",
    "reconciliation",
    "dispensing",
    "other",
    "",
)
TOTAL = 2_000_000
YEARS = 5
# What was done at once, the same words in every incident loaded here: how a later run tells
# them from the incidents it did not load (the demo's, or those people reported), which it
# never replaces.
LOADED_ACTIONS = "The doctor in charge was told and the patient checked."
LARGEST_SHARE = 0.02  # of every incident, the largest trust's
COLUMNS = (
    "organisation_id",
    "reference",
    "anonymous",
    "receipt_hash",
    "reported_at",
    "occurred_on",
    "time_bracket",
    "location",
    "service_area",
    "what_happened",
    "immediate_actions",
    "reached_patient",
    "physical_harm",
    "psychological_harm",
    "age_bracket",
    "gender",
    "service_type",
    "process",
    "drugs_involved",
    "too_much",
    "too_little",
    "administered_incorrectly",
    "packaging_problem",
    "processes",
    "yellow_card",
    "detection_point",
    "identified_through",
    "ncc_merp",
    "nrls_harm",
    "duty_of_candour",
    "never_event",
    "never_event_type",
    "cqc_notification",
    "cqc_criteria",
    "high_risk",
    "controlled_drug",
    "medicine_names",
    "status",
    "review_started_at",
    "closed_at",
    "learning_response",
    "learning_summary",
    "feedback",
    "lfpse_state",
    "lfpse_reference",
    "lfpse_id",
    "tiebreak",
)


def _weights(organisations, rng) -> tuple[list[int], list[float]]:
    """Each organisation's share: the trusts 45% between them, a tenth of the others 30%,
    the rest 25%, and the largest trust its own 2% on top."""
    trusts = [pk for pk, kind in organisations if kind in TRUST_KINDS]
    others = [pk for pk, kind in organisations if kind not in TRUST_KINDS]
    busy = set(rng.sample(others, max(1, len(others) // 10))) if others else set()
    ids, weights = [], []
    for pk, kind in organisations:
        if kind in TRUST_KINDS:
            share = 0.45 / len(trusts)
        elif pk in busy:
            share = 0.30 / len(busy)
        else:
            share = 0.25 / max(1, len(others) - len(busy))
        ids.append(pk)
        weights.append(share)
    return ids, weights


def not_loaded() -> dict[str, int]:
    """What loading the incidents again would replace that was not loaded here: incidents,
    and what emptying their table would take with them (demo.national.loaded)."""
    from incidents.models import Incident

    held = {"incidents": Incident.objects.exclude(immediate_actions=LOADED_ACTIONS).count()}
    return {name: count for name, count in held.items() if count} | taken_with(Incident)


def seed_incidents(
    scale: float = 1.0, seed: int = 2026, *, today=None, largest_id: int | None = None
) -> dict[str, int]:
    """Load ``2,000,000 × scale`` incidents (and their medicines) once; a second run with the
    same numbers adds nothing, one with others loads them in place of those loaded before.
    Refuses a database holding incidents it did not load. ``largest_id``: the organisation
    given 2% of them (by default the largest trust). Needs PostgreSQL (COPY)."""
    from incidents import summary
    from incidents.models import Incident, IncidentMedicine, IncidentMonth

    if held := not_loaded():
        raise RuntimeError(f"seed_national did not load these and would replace them: {said(held)}")
    total = max(1, round(TOTAL * scale))
    loaded = {"incidents": Incident.objects.count(), "medicines": IncidentMedicine.objects.count()}
    if loaded["incidents"] == loaded["medicines"] == total:
        coded = _code_medicines() + _what_went_wrong()
        return {
            "incidents": total,
            "incident medicines": total,
            "months counted": (
                summary.rebuild() if coded else IncidentMonth.objects.count() or summary.rebuild()
            ),
        }
    if connection.vendor != "postgresql":
        raise RuntimeError("national incidents are loaded by COPY: use PostgreSQL")
    with transaction.atomic():
        _load(total, seed, today or timezone.localdate(), largest_id)
        _what_went_wrong()
    with connection.cursor() as cursor:  # as autovacuum leaves them after a bulk load
        cursor.execute("VACUUM ANALYZE incidents_incident, incidents_incidentmedicine")
    months = summary.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_incidentmonth")
    return {"incidents": total, "incident medicines": total, "months counted": months}


# What went wrong (LFPSE's "drugs involved" and its detail), given to every incident by its id:
# three in ten too much, four too little, two given wrongly, one a problem with the medicine;
# within each, its detail codes in turn.
WHAT_WENT_WRONG = f"""
    UPDATE incidents_incident SET
        drugs_involved = (CASE WHEN id % 10 < 3 THEN '["1"]' WHEN id % 10 < 7 THEN '["2"]'
                               WHEN id % 10 < 9 THEN '["3"]' ELSE '["4"]' END)::jsonb,
        {
    ", ".join(
        f"{field} = CASE WHEN id % 10 >= {low} AND id % 10 < {high} "
        f"THEN jsonb_build_array(((id / 10) % {count} + 1)::text) ELSE '[]'::jsonb END"
        for field, low, high, count in (
            ("too_much", 0, 3, 6),
            ("too_little", 3, 7, 6),
            ("administered_incorrectly", 7, 9, 8),
            ("packaging_problem", 9, 10, 3),
        )
    )
}
    WHERE drugs_involved = '[]'::jsonb"""  # noqa: S608 (constants of this module)


def _what_went_wrong() -> int:
    """Say what went wrong in the incidents loaded without it; how many were."""
    with connection.cursor() as cursor:
        cursor.execute(WHAT_WENT_WRONG)
        return cursor.rowcount


def _code_medicines() -> int:
    """Code the medicines of a database loaded before they were coded; how many were."""
    with connection.cursor() as cursor:
        coded = 0
        for name, (code, substance) in CODED.items():
            cursor.execute(
                "UPDATE incidents_incidentmedicine SET dmd_code = %s, substance = %s, "
                "product = %s WHERE name = %s AND (dmd_code = '' OR product = '')",
                [code, substance, code, name],
            )
            coded += cursor.rowcount
    return coded


def _load(total: int, seed: int, today, largest_id: int | None) -> None:
    from incidents.models import ReferenceCounter
    from organisations.models import Organisation

    # Another size was loaded before: start again (every incident here is one loaded before).
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE incidents_incident, incidents_incidentmedicine, "
            "incidents_referencecounter CASCADE"
        )
    rng = random.Random(seed)
    # Each incident's random place among those a list shows alike, from a stream of its own
    # (so the rest of the data is what the same seed always gave).
    tiebreaks = random.Random(seed + 1)
    organisations = list(Organisation.objects.values_list("pk", "kind").order_by("pk"))
    codes = dict(Organisation.objects.values_list("pk", "ods_code"))
    ids, weights = _weights(organisations, rng)
    if largest_id is None:
        largest_id = getattr(largest_trust(), "pk", None)
    every = round(1 / LARGEST_SHARE)
    medicine_weights = [m[3] for m in MEDICINES]
    pick = {
        name: [code for code, _ in getattr(choices, name).choices]
        for name in (
            "TIME_BRACKETS",
            "LOCATIONS",
            "AGE_BRACKETS",
            "GENDERS",
            "SERVICE_TYPES",
            "DETECTION_POINTS",
        )
    }
    never_types = [code for code, _ in choices.NEVER_EVENT_TYPES.choices]
    counters: dict[tuple[int, int, bool], int] = {}
    medicines: list[int] = []
    batch = 50_000
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY incidents_incident ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            done = 0
            while done < total:
                size = min(batch, total - done)
                chosen = rng.choices(ids, weights=weights, k=size)
                for n in range(size):
                    number = done + n
                    organisation_id = (
                        largest_id if largest_id and number % every == 0 else chosen[n]
                    )
                    medicine = rng.choices(range(len(MEDICINES)), weights=medicine_weights)[0]
                    medicines.append(medicine)
                    row = _row(
                        rng, today, organisation_id, codes, counters, medicine, pick, never_types
                    )
                    copy.write_row((*row, tiebreaks.getrandbits(63)))
                done += size
        cursor.execute("SELECT id FROM incidents_incident ORDER BY id")
        incident_ids = [row[0] for row in cursor.fetchall()]
        with raw.copy(
            "COPY incidents_incidentmedicine (incident_id, position, name, dmd_code, substance, "
            "product, route, dose, high_risk_group, cd_schedule) FROM STDIN"
        ) as copy:
            for incident_id, medicine in zip(incident_ids, medicines, strict=True):
                name, group, schedule, _ = MEDICINES[medicine]
                code, substance = CODED.get(name, ("", ""))
                copy.write_row(
                    (incident_id, 0, name, code, substance, code, "oral", "", group, schedule)
                )
    ReferenceCounter.objects.bulk_create(
        (
            ReferenceCounter(organisation_id=pk, year=year, anonymous=anonymous, last=last)
            for (pk, year, anonymous), last in counters.items()
        ),
        batch_size=5000,
    )


def _row(rng, today, organisation_id, codes, counters, medicine, pick, never_types) -> tuple:
    day = today - timedelta(days=rng.randint(0, YEARS * 365 - 1))
    reported = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))
    reported += timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)))
    reported = min(reported, datetime(today.year, today.month, today.day, 0, 0))
    anonymous = rng.random() < 0.05
    key = (organisation_id, reported.year, anonymous)
    counters[key] = counters.get(key, 0) + 1
    sequence = f"A{counters[key]:05d}" if anonymous else f"{counters[key]:06d}"
    harm = rng.choices([h for h, _ in HARM], weights=[w for _, w in HARM])[0]
    stage = rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0]
    name, group, schedule, _ = MEDICINES[medicine]
    never = harm in "123" and rng.random() < 0.01
    age_days = (today - day).days
    if rng.random() < 0.005:
        status = "duplicate"
    elif age_days > 60:
        status = "closed"
    else:
        status = rng.choice(["submitted", "in-review", "awaiting-actions"])
    stamp = reported.isoformat() + "+00:00"
    reviewed = (reported + timedelta(days=2)).isoformat() + "+00:00"
    closed = (reported + timedelta(days=rng.randint(14, 60))).isoformat() + "+00:00"
    if status != "closed":
        learning = ""
    elif harm == "5":
        learning = "none"
    else:
        learning = rng.choices(LEARNING, weights=[w for _, w in LEARNING_WEIGHTS])[0]
    return (
        organisation_id,
        f"{codes[organisation_id]}-{reported.year}-{sequence}",
        anonymous,
        "",
        stamp,
        day,
        rng.choice(pick["TIME_BRACKETS"]),
        rng.choice(pick["LOCATIONS"]),
        "Ward 3" if rng.random() < 0.5 else "Outpatients",
        f"{name}: {rng.choice(WORDS)}.",
        LOADED_ACTIONS,
        "y" if harm != "5" or rng.random() < 0.6 else "n",
        harm,
        rng.choice(["4", "4", "4", "3"]),
        rng.choice(pick["AGE_BRACKETS"]),
        rng.choice(pick["GENDERS"]),
        rng.choice(pick["SERVICE_TYPES"]),
        PROCESSES[counters[key] % len(PROCESSES)],
        "[]",
        "[]",
        "[]",
        "[]",
        "[]",
        json.dumps([stage]),
        "[]",
        rng.choice(pick["DETECTION_POINTS"]),
        IDENTIFIED[counters[key] % len(IDENTIFIED)],
        "",
        "",
        "",
        never,
        rng.choice(never_types) if never else "",
        False,
        "[]",
        bool(group),
        bool(schedule),
        name,
        status,
        reviewed if status != "submitted" else None,
        closed if status == "closed" else None,
        learning,
        "Shared at the safety huddle." if learning not in ("", "none") else "",
        "Thank you: the team has changed the check." if status == "closed" else "",
        "not-sent",
        "",
        "",
    )
