"""The demo's national patient safety alerts, on top of demo/seed.py: a National Patient
Safety Alert, medicines recalls of Class 1, 2 and 3, a Class 4 medicines notification, a
supply disruption alert and a Dear Doctor letter, recorded from CAS and published by the
national patient safety team to the demo organisations, and one draft NatPSA waiting for the
team to publish. Each
organisation's response is in a state a new user can find: not acknowledged yet,
acknowledged, in progress (actions done with evidence, a stock check kept as a file), not
applicable with its rationale, completed with the board director's sign-off, reopened after
sign-off, waiting for the board director's sign-off, and past a deadline; Trust A linked two
of its methotrexate incidents to the NatPSA. The medicines are those of the demo incidents,
so "is the alert working?" has counts before and after each alert.

Everything is written through alerts/services.py (so the tallies of the national view and each
response's timeline are kept as they would be), then moved back to the day it happened: the
services stamp "now", and the demo's story took weeks (``_backdate`` changes timestamps only,
never what the tallies count). The MSOs are told of each alert as publishing tells them
(``services.fan_out``, which publishing starts once its transaction commits: the demo runs in
one transaction, so it is called here too; the reminder ledger sends each notice once), and the
reminders then due (not acknowledged, Class 1 not acknowledged, deadlines near and past) are
written by a sweep.

Dates are set from the day the demo is first seeded; running it again adds nothing (the
alerts are found by title).
"""

from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from alerts import feeds, services
from alerts.choices import NATPSA_TYPES, ActionState, AlertType, Issuer
from alerts.models import (
    Alert,
    AlertActionResponse,
    AlertEvidence,
    AlertIncident,
    AlertResponse,
    AlertResponseEvent,
)
from incidents.models import Incident, Status
from notifications import services as notifications
from organisations.choices import OrganisationKind as Kind

# The national patient safety team records the alerts CAS issues (the MSO network's lead does
# not publish).
PUBLISHER = "patient.safety@network.example"
DIRECTOR = "director@trust-a.example"
# Who answers for each organisation: its MSO (the PCN's MSO for its practices).
RESPONDER = {
    "RZA": "mso@trust-a.example",
    "RZB": "mso@trust-b.example",
    "U99901": "mso@pcn.example",
    "Z99901": "mso@pcn.example",
    "Z99902": "mso@pcn.example",
    "QZZ": "mso@icb.example",
    # The independent pharmacy's MSO is its national pharmacy body's.
    "FZZ01": "mso@pharmacies.example",
}
# Senior sign-off where there is no board (organisations.choices.SENIOR_SIGN_OFF).
SIGNERS = {
    "U99901": "cd@pcn.example",
    "Z99901": "partner@riverside.example",
    "Z99902": "manager@weir-lane.example",
    "FZZ01": "pharmacist@market-square.example",
}
AMIR, PRIYA, KEMI = "mso@trust-a.example", "mso@trust-b.example", "nurse@trust-b.example"
TOM, OWEN, LUCY = "mso@pcn.example", "nurse@riverside.example", "nurse@weir-lane.example"
RAVI = "pharmacist@market-square.example"

TRUSTS = [Kind.NHS_TRUST, Kind.FOUNDATION_TRUST]
DISPENSING = [*TRUSTS, Kind.GP_PRACTICE, Kind.COMMUNITY_PHARMACY]

NATPSA_LINK = "https://www.england.nhs.uk/patient-safety/patient-safety-alerts/"
MHRA_LINK = "https://www.gov.uk/drug-device-alerts"

STOCK_CHECK = (
    "Site,Area,Batch,Ampoules found,Quarantined,Returned to\n"
    "Brookfield Community Hospital,Ward 1,HP2231,4,yes,Wholesaler (returns note RN-55802)\n"
    "Brookfield Community Hospital,Ward 2,HP2231,0,,\n"
    "Hollins Lane Community Hospital,Rehabilitation ward,HP2231,2,yes,"
    "Wholesaler (returns note RN-55802)\n"
    "North base,District nursing stock,HP2231,0,,\n"
    "South base,District nursing stock,HP2231,0,,\n"
)

# Steps of a response: (days after the alert was issued, hour, what, *details). What:
# "ack"; "applies"; "not-applicable" rationale; "lead" email; "action" number, state, owner,
# evidence; "file" number, file name, content type, text; "sign-off" note (the board
# director); "complete"; "cas" (recorded as closed in CAS that day); "reopen" reason; "link"
# how many incidents with the alert's medicine.
# Done at the organisation by its responder (RESPONDER) unless said.

ALERTS = [
    {
        "natpsa": 3,  # its number in the year's sequence
        "title": "Oral methotrexate: risk of daily instead of once-weekly dosing",
        "issuer": Issuer.NHS_ENGLAND,
        "alert_type": AlertType.NATPSA,
        "issued": 196,  # days before the demo's first day
        "at": 9,
        "summary": (
            "Oral methotrexate for non-cancer conditions is taken once a week. Patients continue "
            "to be harmed, and some have died, when it is prescribed, dispensed or taken daily; "
            "an overdose of methotrexate for non-cancer treatment is a Never Event.\n\n"
            "Prescribing and dispensing systems must default to once weekly and ask for the day "
            "of the week; every patient should carry a methotrexate card and know their day; "
            "organisations should audit their prescribing and report the results to their "
            "medication safety committee."
        ),
        "link": NATPSA_LINK,
        "kinds": DISPENSING,
        "medicines": ["Methotrexate"],
        "actions": [
            (
                "Make once weekly the default frequency for oral methotrexate on every "
                "prescribing and dispensing system, with the day of the week required",
                28,
            ),
            (
                "Give every patient on oral methotrexate the patient card, and check at each "
                "supply that they know their weekly day",
                84,
            ),
            (
                "Audit a sample of oral methotrexate prescriptions and report the findings to "
                "the medication safety committee",
                168,
            ),
        ],
        "responses": {
            "RZA": [
                (0, 11, "ack"),
                (1, 10, "applies"),
                (1, 10, "lead", AMIR),
                (
                    20,
                    15,
                    "action",
                    0,
                    ActionState.DONE,
                    AMIR,
                    "The electronic prescribing system's methotrexate order sets now default "
                    "to once weekly and require the day; the pharmacy system warns on any "
                    "daily frequency. Tested on the training system before go-live.",
                ),
                (
                    70,
                    14,
                    "action",
                    1,
                    ActionState.DONE,
                    AMIR,
                    "Outpatient pharmacy gives the card at every supply; ward pharmacists check "
                    "the weekly day at medicines reconciliation (checklist updated).",
                ),
                (
                    150,
                    16,
                    "action",
                    2,
                    ActionState.DONE,
                    AMIR,
                    "Audit of 40 oral methotrexate prescriptions over three months: 39 had the "
                    "weekly day; the one without was stopped at the pharmacy check (linked "
                    "below). Reported to the Medication Safety Committee.",
                ),
                (150, 16, "link", 2),
                (
                    155,
                    10,
                    "sign-off",
                    "Assured by the audit and the committee's review: the actions are in "
                    "place and working.",
                ),
                (156, 9, "complete"),
                (157, 10, "cas"),
            ],
            "RZB": [
                (2, 9, "ack"),
                (3, 14, "applies"),
                (3, 14, "lead", PRIYA),
                (
                    40,
                    11,
                    "action",
                    0,
                    ActionState.DONE,
                    PRIYA,
                    "Community prescribing templates set to once weekly with the day required.",
                ),
                (
                    100,
                    10,
                    "action",
                    1,
                    ActionState.DONE,
                    KEMI,
                    "District nurses check the patient-held card and the weekly day at each "
                    "visit; cards given to every patient on the caseload.",
                ),
                (
                    160,
                    12,
                    "action",
                    2,
                    ActionState.IN_PROGRESS,
                    PRIYA,
                    "Audit started: 12 of 30 patients' records reviewed so far.",
                ),
            ],
            "Z99901": [
                (5, 10, "applies"),
                (
                    30,
                    12,
                    "action",
                    0,
                    ActionState.DONE,
                    OWEN,
                    "The practice's prescribing template for methotrexate is set to weekly, "
                    "with the day in the dose instructions.",
                ),
                (
                    60,
                    11,
                    "action",
                    1,
                    ActionState.IN_PROGRESS,
                    OWEN,
                    "Cards given to 18 of the practice's 25 patients on methotrexate; the rest "
                    "at their next review.",
                ),
            ],
            "Z99902": [(8, 9, "ack")],
            # Past the first deadline: the dispensing system's default is not changed yet.
            "FZZ01": [
                (3, 10, "applies"),
                (
                    40,
                    16,
                    "action",
                    0,
                    ActionState.IN_PROGRESS,
                    RAVI,
                    "Asked the dispensing system's supplier to make weekly the default; "
                    "waiting for their update.",
                ),
            ],
        },
    },
    {
        "reference": "EL ({yy})A/09",
        "title": "Class 3 Medicines Recall: Paracetamol 500 mg tablets (Norbury Generics), "
        "batch NG07731",
        "issuer": Issuer.MHRA,
        "alert_type": AlertType.RECALL_3,
        "issued": 58,
        "at": 10,
        "summary": (
            "Norbury Generics is recalling one batch of paracetamol 500 mg tablets (32 tablets, "
            "batch NG07731, expiry 03/2028) as a precaution: some packs contain the patient "
            "information leaflet of a different product. The tablets themselves are not "
            "affected. Stop supplying the batch, quarantine it and return it to your supplier. "
            "Patients need not be recalled."
        ),
        "link": MHRA_LINK,
        "kinds": DISPENSING,
        "medicines": ["Paracetamol"],
        "actions": [("Quarantine all stock of batch NG07731 and return it to the supplier", None)],
        "responses": {
            "RZA": [
                (0, 14, "ack"),
                (1, 10, "applies"),
                (
                    2,
                    16,
                    "action",
                    0,
                    ActionState.DONE,
                    AMIR,
                    "Pharmacy and ward stock checked: 40 packs of NG07731 quarantined and "
                    "returned to the wholesaler.",
                ),
                (4, 11, "sign-off", "Recall completed within the deadline."),
                (4, 12, "complete"),
                (
                    30,
                    10,
                    "reopen",
                    "Four packs of batch NG07731 were found in the discharge lounge's stock at "
                    "the quarterly stock audit: the first check missed the satellite stock "
                    "areas.",
                ),
                (
                    30,
                    11,
                    "action",
                    0,
                    ActionState.IN_PROGRESS,
                    AMIR,
                    "Discharge lounge stock quarantined; checking outpatients and day surgery "
                    "before this is signed off again.",
                ),
            ],
            "RZB": [
                (
                    1,
                    9,
                    "not-applicable",
                    "Brookfield Community Health holds no stock of this product: our "
                    "paracetamol comes from a different manufacturer (checked against the "
                    "stock list).",
                ),
            ],
            "Z99901": [
                (
                    2,
                    10,
                    "not-applicable",
                    "Riverside Medical Practice does not dispense and holds no paracetamol stock.",
                ),
            ],
            "Z99902": [
                (
                    2,
                    10,
                    "not-applicable",
                    "Weir Lane Surgery does not dispense and holds no paracetamol stock.",
                ),
            ],
            "FZZ01": [
                (0, 15, "applies"),
                (
                    1,
                    9,
                    "action",
                    0,
                    ActionState.DONE,
                    RAVI,
                    "Two packs of NG07731 found on the dispensary shelf, quarantined and "
                    "returned to the wholesaler.",
                ),
                (1, 12, "sign-off", "Stock checked and returned the day after the recall."),
                (1, 13, "complete"),
                (1, 14, "cas"),
            ],
        },
    },
    {
        "reference": "SDA/{yyyy}/021",
        "title": "Supply disruption: Apixaban 2.5 mg tablets",
        "issuer": Issuer.DHSC,
        "alert_type": AlertType.SUPPLY,
        "issued": 15,
        "at": 12,
        "summary": (
            "Apixaban 2.5 mg tablets are out of stock from the main suppliers until the end of "
            "next month; apixaban 5 mg tablets are not affected. Do not start new patients on "
            "apixaban 2.5 mg while supplies are limited, and review patients with less than "
            "four weeks' supply against the alternatives in the alert's clinical guidance."
        ),
        "link": MHRA_LINK,
        "kinds": [*DISPENSING, Kind.PCN, Kind.ICB],
        "medicines": ["Apixaban"],
        "actions": [
            (
                "Do not start new patients on apixaban 2.5 mg tablets until supplies resume; "
                "tell prescribers of the alternatives in the clinical guidance",
                1,
            ),
            (
                "Identify patients with less than four weeks' supply and review them with the "
                "alternatives in the clinical guidance",
                21,
            ),
        ],
        "responses": {
            "RZA": [
                (0, 14, "applies"),
                (
                    1,
                    10,
                    "action",
                    0,
                    ActionState.DONE,
                    AMIR,
                    "Formulary note and a prescribing system message added; prescribers told "
                    "in the trust's daily bulletin.",
                ),
            ],
            "RZB": [
                (1, 9, "applies"),
                (
                    1,
                    12,
                    "action",
                    0,
                    ActionState.DONE,
                    PRIYA,
                    "Community formulary updated; prescribers told by email.",
                ),
                (
                    5,
                    10,
                    "action",
                    1,
                    ActionState.IN_PROGRESS,
                    PRIYA,
                    "Search run: 14 patients; 9 reviewed so far.",
                ),
            ],
            "U99901": [
                (1, 10, "applies"),
                (1, 10, "lead", TOM),
                (
                    1,
                    15,
                    "action",
                    0,
                    ActionState.DONE,
                    TOM,
                    "Prescribing message added for both practices; discussed at the PCN "
                    "clinical meeting.",
                ),
                (
                    3,
                    11,
                    "action",
                    1,
                    ActionState.DONE,
                    TOM,
                    "PCN pharmacists ran the search across both practices: 6 patients "
                    "reviewed and switched where needed.",
                ),
                (4, 9, "sign-off", "Reviewed with the PCN pharmacists: done across the network."),
                (4, 10, "complete"),
            ],
            "Z99901": [
                (1, 10, "applies"),
                (
                    1,
                    15,
                    "action",
                    0,
                    ActionState.DONE,
                    OWEN,
                    "Prescribing message added to the practice system.",
                ),
            ],
            "Z99902": [
                (2, 10, "applies"),
                (
                    2,
                    11,
                    "action",
                    0,
                    ActionState.DONE,
                    LUCY,
                    "Prescribing message added; the practice's prescribers told.",
                ),
                (
                    5,
                    10,
                    "action",
                    1,
                    ActionState.DONE,
                    LUCY,
                    "Search run: 2 patients with less than four weeks' supply, both reviewed.",
                ),
                (5, 15, "sign-off", "Checked the search and the two reviews."),
            ],
            # Done, waiting for the owner's sign-off.
            "FZZ01": [
                (1, 11, "applies"),
                (
                    2,
                    10,
                    "action",
                    0,
                    ActionState.DONE,
                    RAVI,
                    "Prescribers who send to the pharmacy told; the 5 mg tablets are not affected.",
                ),
                (
                    6,
                    16,
                    "action",
                    1,
                    ActionState.DONE,
                    RAVI,
                    "Patients with less than four weeks' supply referred to their practices: "
                    "three, all reviewed.",
                ),
            ],
        },
    },
    {
        "reference": "DHCP/{yyyy}/006",
        "title": "Dear Doctor letter: Oxycodone modified-release tablets, new pack design",
        "issuer": Issuer.MHRA,
        "alert_type": AlertType.DEAR_DOCTOR,
        "issued": 10,
        "at": 11,
        "summary": (
            "A letter to healthcare professionals from the marketing authorisation holder, "
            "agreed with the MHRA: the packs of its oxycodone 10 mg and 20 mg modified-release "
            "tablets now look like those of its immediate-release capsules. Modified-release "
            "oxycodone has been given in error for breakthrough pain. Check the release type "
            "at every supply and administration, and store the two apart."
        ),
        "link": MHRA_LINK,
        "kinds": [*DISPENSING, Kind.PCN],
        "medicines": ["Oxycodone"],
        "actions": [
            (
                "Share the letter with everyone who prescribes, supplies or gives oxycodone",
                14,
            ),
            (
                "Store modified-release and immediate-release oxycodone on separate, labelled "
                "shelves of the controlled drug cupboard",
                28,
            ),
        ],
        "responses": {
            "RZA": [(1, 9, "ack")],
            "RZB": [
                (2, 10, "applies"),
                (2, 10, "lead", KEMI),
                (
                    3,
                    14,
                    "action",
                    0,
                    ActionState.DONE,
                    PRIYA,
                    "Letter sent to community prescribers and the district nursing team leads.",
                ),
            ],
            "Z99902": [(3, 10, "ack")],
        },
    },
    {
        "reference": "EL ({yy})A/13",
        "title": "Class 2 Medicines Recall: Midazolam 10 mg/2 ml solution for injection "
        "(Halden Pharma), batch HP2231",
        "issuer": Issuer.MHRA,
        "alert_type": AlertType.RECALL_2,
        "issued": 6,
        "at": 10,
        "summary": (
            "Halden Pharma is recalling one batch of midazolam 10 mg/2 ml solution for "
            "injection (batch HP2231, expiry 11/2027): particles have been seen in some "
            "ampoules. Stop using the batch, quarantine it and return it to your supplier "
            "within 48 hours, including anticipatory ('just in case') medicines kept in "
            "patients' homes."
        ),
        "link": MHRA_LINK,
        "kinds": TRUSTS,
        "medicines": ["Midazolam"],
        "actions": [
            ("Quarantine all stock of batch HP2231 and return it to the supplier", None),
            (
                "Check the anticipatory ('just in case') medicines kept in patients' homes and "
                "replace any ampoules of batch HP2231",
                14,
            ),
        ],
        "responses": {
            "RZA": [
                (0, 11, "applies"),
                (0, 11, "lead", AMIR),
                (
                    1,
                    10,
                    "action",
                    0,
                    ActionState.DONE,
                    AMIR,
                    "Theatres, endoscopy, the emergency department and critical care checked: "
                    "two boxes of HP2231 in endoscopy quarantined and returned (returns note "
                    "RN-55790).",
                ),
                (
                    3,
                    15,
                    "action",
                    1,
                    ActionState.NOT_NEEDED,
                    AMIR,
                    "The trust supplies no anticipatory medicines for patients' homes: that is "
                    "Brookfield Community Health's (checked with the chief pharmacist).",
                ),
            ],
            "RZB": [
                (0, 14, "ack"),
                (1, 9, "applies"),
                (1, 9, "lead", PRIYA),
                (
                    1,
                    11,
                    "action",
                    0,
                    ActionState.DONE,
                    PRIYA,
                    "Stock checked at both community hospitals and both district nursing "
                    "bases: 6 ampoules of HP2231 quarantined and returned (the stock check is "
                    "attached).",
                ),
                (
                    1,
                    11,
                    "file",
                    0,
                    "midazolam-hp2231-stock-check.csv",
                    "text/csv",
                    STOCK_CHECK,
                ),
                (
                    4,
                    10,
                    "action",
                    1,
                    ActionState.IN_PROGRESS,
                    KEMI,
                    "District nursing teams are checking just-in-case boxes at their next "
                    "visit: 11 of 27 homes checked, 2 ampoules replaced.",
                ),
            ],
        },
    },
    {
        "reference": "EL ({yy})A/14",
        "title": "Class 4 Medicines Notification: Lithium carbonate 400 mg modified-release "
        "tablets (Demolith), carton redesign",
        "issuer": Issuer.MHRA,
        "alert_type": AlertType.NOTIFICATION_4,
        "needs_sign_off": False,
        "issued": 4,
        "at": 11,
        "summary": (
            "The cartons of Demolith 400 mg modified-release lithium carbonate tablets now "
            "print the strength in a smaller type, and look like the 200 mg cartons. There is "
            "no problem with the tablets. Take care at dispensing, and tell patients and "
            "carers of the change."
        ),
        "link": MHRA_LINK,
        "kinds": DISPENSING,
        "medicines": ["Lithium carbonate"],
        "actions": [
            (
                "Tell prescribers, pharmacy staff and patients on lithium of the new cartons; "
                "check the strength on the carton at every dispensing",
                14,
            ),
        ],
        "responses": {
            "RZB": [(1, 10, "ack")],
            "Z99901": [
                (1, 11, "applies"),
                (
                    2,
                    9,
                    "action",
                    0,
                    ActionState.DONE,
                    OWEN,
                    "Practice team told at the clinical meeting; a note on the lithium "
                    "patients' records to tell them at dispensing.",
                ),
                (3, 9, "complete"),  # a notification: its terms need no senior sign-off
            ],
        },
    },
    {
        # Issued by the MHRA as a National Patient Safety Alert: its reference is a NatPSA's.
        "title": "Class 1 Medicines Recall: Insulin aspart 100 units/ml pre-filled pens "
        "(Demolife Pharma), batches DL4471 and DL4472",
        "issuer": Issuer.MHRA,
        "alert_type": AlertType.RECALL_1,
        "issued": 1,
        "at": 8,
        "summary": (
            "Demolife Pharma is recalling two batches of insulin aspart 100 units/ml solution "
            "for injection in pre-filled pens (batches DL4471 and DL4472): some pens may "
            "deliver more insulin than the dose dialled. Stop supplying the batches at once, "
            "quarantine them and return them to your supplier. Contact patients supplied with "
            "pens from these batches so that they can exchange them, and advise them to check "
            "their blood glucose more often until they do."
        ),
        "link": MHRA_LINK,
        "kinds": DISPENSING,
        "medicines": ["Insulin aspart"],
        "actions": [
            (
                "Stop supplying, quarantine all stock of batches DL4471 and DL4472 and return "
                "it to the supplier",
                None,
            ),
            (
                "Identify patients supplied pens from these batches and arrange for them to "
                "exchange them",
                7,
            ),
        ],
        "responses": {
            "RZA": [
                (0, 9, "ack"),
                (0, 10, "applies"),
                (0, 10, "lead", AMIR),
                (
                    0,
                    13,
                    "action",
                    0,
                    ActionState.DONE,
                    AMIR,
                    "Pharmacy stores and all 14 wards that keep insulin checked by 12:40: 23 "
                    "pens of batch DL4471 quarantined and returned to the wholesaler (returns "
                    "note RN-55812). No stock of DL4472.",
                ),
                (
                    0,
                    15,
                    "action",
                    1,
                    ActionState.IN_PROGRESS,
                    AMIR,
                    "Outpatient and discharge supplies of the last three months being checked: "
                    "9 patients found so far, 6 contacted.",
                ),
            ],
            "RZB": [(0, 16, "ack")],
        },
    },
]

DRAFT = {
    "title": "Strong potassium chloride solutions: remove from general ward stock",
    "issuer": Issuer.NHS_ENGLAND,
    "alert_type": AlertType.NATPSA,
    "summary": (
        "Concentrated potassium chloride (15%, 2 mmol/ml) ampoules are still found in general "
        "ward stock, where they can be mistaken for sodium chloride 0.9% or water for "
        "injection; mis-selection of a strong potassium solution is a Never Event. Keep them "
        "only in critical care and theatres, in a separate locked cupboard, and use "
        "ready-to-use diluted infusions everywhere else."
    ),
    "link": NATPSA_LINK,
    "kinds": TRUSTS,
    "medicines": ["Potassium chloride"],
    "actions": [
        (
            "Remove strong potassium chloride ampoules from general ward stock; keep them only "
            "in critical care and theatres, in a separate locked cupboard",
            28,
        ),
        ("Audit the storage of strong potassium on every ward and report it to the board", 90),
    ],
}


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _reference(spec: dict, issued: date, natpsa_years: dict) -> str:
    """A NatPSA's (a Class 1 recall's too) is the next in its year's one sequence, whoever
    issues it; any other's as its spec gives it."""
    if spec["alert_type"] in NATPSA_TYPES:
        number = natpsa_years[issued.year] = natpsa_years.get(issued.year, 0) + 1
        issuer = "MHRA" if spec["issuer"] == Issuer.MHRA else "NHSPS"
        return f"NatPSA/{issued.year}/{number:03d}/{issuer}"
    return spec["reference"].format(yy=f"{issued:%y}", yyyy=issued.year)


def seed_alerts(organisations, today=None) -> int:
    """Seed the alerts (once) and write the reminders due. ``organisations``: ODS code ->
    Organisation. Returns how many alerts there are."""
    today = today or timezone.localdate()
    titles = [spec["title"] for spec in ALERTS] + [DRAFT["title"]]
    if not Alert.objects.filter(title__in=titles).exists():
        _seed(organisations, today)
    notifications.sweep(today)
    return Alert.objects.count()


def _seed(organisations, today):
    emails = {PUBLISHER, DIRECTOR, *SIGNERS.values(), *RESPONDER.values(), KEMI, OWEN, LUCY, RAVI}
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    publisher = people[PUBLISHER]
    began = timezone.now()
    # The NatPSAs' numbers: one sequence a year, the draft the next in its year.
    natpsa = next(spec for spec in ALERTS if spec["alert_type"] == AlertType.NATPSA)
    natpsa_issued = _working_day(today - timedelta(days=natpsa["issued"]))
    natpsa_years = {natpsa_issued.year: natpsa["natpsa"] - 1}
    for spec in ALERTS:
        issued = _working_day(today - timedelta(days=spec["issued"]))
        alert = _alert(spec, issued, _reference(spec, issued, natpsa_years), publisher)
        services.alert_publish(by=publisher, alert=alert)
        services.fan_out(alert)  # as publishing does once the (demo's) transaction commits
        published = _at(issued, spec["at"], 30)
        Alert.objects.filter(pk=alert.pk).update(
            created_at=published - timedelta(hours=2),
            published_at=published,
            notified_at=published + timedelta(minutes=1),
        )
        for ods_code, steps in spec["responses"].items():
            if ods_code in organisations:
                response = AlertResponse.objects.get(
                    alert=alert, organisation=organisations[ods_code]
                )
                _respond(response, issued, steps, people, ods_code, began)
    _alert(DRAFT, today, _reference(DRAFT, today, natpsa_years), publisher)
    _from_the_feed(today)


# Two entries of the MHRA's alert feed as it publishes them (Atom): read as the hourly task
# reads the real feed, they become drafts waiting for the national patient safety team.
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://www.gov.uk/drug-device-alerts</id>
  <title>Alerts, recalls and safety information: medicines and medical devices</title>
  <updated>{published}</updated>
  <entry>
    <id>tag:www.gov.uk,2005:/drug-device-alerts/demo-class-2-recall-gliclazide</id>
    <published>{published}</published>
    <updated>{published}</updated>
    <link rel="alternate" type="text/html"
          href="https://www.gov.uk/drug-device-alerts/demo-class-2-recall-gliclazide"/>
    <title>Class 2 Medicines Recall: Demolife Pharma, Gliclazide 80 mg tablets,
      EL ({yy})A/52</title>
    <summary type="html">&lt;p&gt;Batch DL9921: some blisters hold 40 mg tablets.&lt;/p&gt;
    </summary>
  </entry>
  <entry>
    <id>tag:www.gov.uk,2005:/drug-device-alerts/demo-syringe-pumps</id>
    <published>{published}</published>
    <updated>{published}</updated>
    <link rel="alternate" type="text/html"
          href="https://www.gov.uk/drug-device-alerts/demo-syringe-pumps"/>
    <title>Medical Device Safety Information: Demo syringe drivers, risk of
      under-infusion</title>
    <summary type="html">&lt;p&gt;Reference DSI/{yyyy}/009. Check the syringe is
      seated.&lt;/p&gt;</summary>
  </entry>
</feed>
"""


def _from_the_feed(today):
    published = f"{_working_day(today - timedelta(days=1)):%Y-%m-%d}T09:00:00+00:00"
    content = FEED.format(published=published, yy=f"{today:%y}", yyyy=today.year)
    feeds.read(content.encode(), "https://www.gov.uk/drug-device-alerts.atom")


def _alert(spec, issued, reference, lead) -> Alert:
    actions = [
        {
            "description": description,
            "due_on": issued + timedelta(days=after)
            if after is not None
            else services.default_deadline(spec["alert_type"], issued),
        }
        for description, after in spec["actions"]
    ]
    return services.alert_save(
        by=lead,
        alert=Alert(
            reference=reference,
            title=spec["title"],
            issuer=spec["issuer"],
            alert_type=spec["alert_type"],
            issued_on=issued,
            summary=spec["summary"],
            link=spec["link"],
            applicable_kinds=list(spec["kinds"]),
            needs_sign_off=spec.get("needs_sign_off", True),
        ),
        medicines=[{"name": name} for name in spec["medicines"]],
        actions=actions,
    )


def _respond(response, issued, steps, people, ods_code, began):
    responder = people[RESPONDER[ods_code]]
    actions = list(response.alert.actions.all())
    latest = timezone.now() - timedelta(minutes=1)
    for after, hour, what, *details in steps:
        when = min(_at(issued + timedelta(days=after), hour, 5), latest)
        _step(response, what, details, when, responder, people, actions)
        _backdate(response, when, began)


def _answer(response, action) -> AlertActionResponse:
    return AlertActionResponse.objects.select_related("response", "action").get(
        response=response, action=action
    )


def _step(response, what, details, when, by, people, actions):
    if what == "ack":
        services.response_acknowledge(by=by, response=response)
    elif what == "applies":
        services.response_decide(by=by, response=response, applies=True)
    elif what == "not-applicable":
        services.response_decide(by=by, response=response, applies=False, rationale=details[0])
    elif what == "lead":
        services.response_lead_set(by=by, response=response, lead=people[details[0]])
    elif what == "action":
        number, state, owner, evidence = details
        services.action_response_save(
            by=by,
            answer=_answer(response, actions[number]),
            owner=people[owner],
            state=state,
            evidence=evidence,
            done_on=when.date() if state == ActionState.DONE else None,
        )
    elif what == "file":
        number, filename, content_type, text = details
        content = text.encode()
        services.evidence_add(
            by=by,
            answer=_answer(response, actions[number]),
            upload=ContentFile(content, name=filename),
            filename=filename,
            content_type=content_type,
        )
    elif what == "sign-off":  # by whoever gives senior sign-off there
        signer = people[SIGNERS.get(response.organisation.ods_code, DIRECTOR)]
        services.response_sign_off(by=signer, response=response, note=details[0])
    elif what == "complete":
        services.response_complete(by=by, response=response)
    elif what == "cas":
        services.response_cas_closed(by=by, response=response, closed_on=timezone.localdate(when))
    elif what == "reopen":
        services.response_reopen(by=by, response=response, reason=details[0])
    elif what == "link":
        for incident in _incidents(response, details[0], when):
            services.incident_link(by=by, response=response, incident=incident)
    else:  # pragma: no cover - a mistake in the steps above
        raise ValueError(what)


def _incidents(response, how_many, before):
    """The organisation's incidents with the alert's medicine, from its issue (or, if there
    are none since, any), reported before the link was made."""
    names = [medicine.name for medicine in response.alert.medicines.all()]
    incidents = (
        Incident.objects.filter(
            organisation_id=response.organisation_id,
            medicine_names__icontains=names[0],
            reported_at__lt=before,
        )
        .exclude(status=Status.DUPLICATE)
        .order_by("occurred_on", "pk")
    )
    since = incidents.filter(occurred_on__gte=response.alert.issued_on)
    return list((since if since.exists() else incidents)[:how_many])


def _backdate(response, when, began):
    """What the last step stamped "now", moved to when it happened in the demo's story: the
    timeline, and the response's acknowledged, signed-off and completed times. Timestamps only:
    the tallies count none of them."""
    AlertResponseEvent.objects.filter(response=response, at__gte=began).update(at=when)
    for field in ("acknowledged_at", "signed_off_at", "completed_at"):
        AlertResponse.objects.filter(pk=response.pk, **{f"{field}__gte": began}).update(
            **{field: when}
        )
    AlertEvidence.objects.filter(action_response__response=response, uploaded_at__gte=began).update(
        uploaded_at=when
    )
    AlertIncident.objects.filter(response=response, linked_at__gte=began).update(linked_at=when)
