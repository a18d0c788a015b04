"""Which medicines are high-risk, and which are controlled drugs: flagged from the medicine
entered, when it is recorded.

- **High-risk medicines**: the national list below (from the NPSA/NHS England patient safety
  alerts and the medicines MSOs most often name as high-risk: anticoagulants, insulins,
  opioids, methotrexate, potassium, lithium, …) is seeded as ``HighRiskMedicine`` rows with no
  organisation. Each organisation's MSO adds terms of their own and switches national ones off
  (views/high_risk.py); ``high_risk_terms`` reads the list that applies in one query.
- **Controlled drugs**: the Misuse of Drugs Regulations 2001 (as amended to 2024), schedules 2
  to 5, for the medicines incidents name. Where a medicine's schedule depends on its strength
  or form (oral morphine solution 10 mg in 5 ml is schedule 5), the stricter schedule is
  flagged and the reviewer can correct it.

A term matches a medicine's name as a whole word or words, ignoring case: "insulin" matches
"Insulin glargine" and "NovoRapid insulin", not "insulinoma".
"""

import re
from dataclasses import dataclass

from django.db.models import Q

NATIONAL_HIGH_RISK: dict[str, tuple[str, ...]] = {
    "Anticoagulant": (
        "warfarin",
        "apixaban",
        "rivaroxaban",
        "edoxaban",
        "dabigatran",
        "heparin",
        "enoxaparin",
        "dalteparin",
        "tinzaparin",
        "fondaparinux",
    ),
    "Insulin": (
        "insulin",
        "humalog",
        "novorapid",
        "fiasp",
        "lantus",
        "levemir",
        "tresiba",
        "toujeo",
        "abasaglar",
        "humulin",
    ),
    "Opioid": (
        "morphine",
        "diamorphine",
        "oxycodone",
        "fentanyl",
        "alfentanil",
        "hydromorphone",
        "methadone",
        "buprenorphine",
        "tramadol",
        "tapentadol",
        "codeine",
        "dihydrocodeine",
        "pethidine",
    ),
    "Methotrexate": ("methotrexate",),
    "Potassium": ("potassium chloride", "potassium"),
    "Lithium": ("lithium", "priadel"),
    "Sedation (midazolam)": ("midazolam",),
    "Vinca alkaloid": ("vincristine", "vinblastine", "vinorelbine"),
    "Aminoglycoside": ("gentamicin", "amikacin", "tobramycin"),
    "Valproate": ("valproate", "sodium valproate", "valproic acid", "epilim"),
    "Clozapine": ("clozapine",),
    "Digoxin": ("digoxin",),
}

CONTROLLED_DRUGS: dict[str, str] = {
    # Schedule 2
    **dict.fromkeys(
        (
            "morphine",
            "diamorphine",
            "oxycodone",
            "fentanyl",
            "alfentanil",
            "remifentanil",
            "hydromorphone",
            "methadone",
            "pethidine",
            "tapentadol",
            "ketamine",
            "cocaine",
            "dexamfetamine",
            "lisdexamfetamine",
            "methylphenidate",
            "nabilone",
        ),
        "2",
    ),
    # Schedule 3
    **dict.fromkeys(
        (
            "buprenorphine",
            "midazolam",
            "temazepam",
            "tramadol",
            "gabapentin",
            "pregabalin",
            "phenobarbital",
            "pentazocine",
        ),
        "3",
    ),
    # Schedule 4 (parts 1 and 2)
    **dict.fromkeys(
        (
            "diazepam",
            "lorazepam",
            "chlordiazepoxide",
            "clonazepam",
            "nitrazepam",
            "oxazepam",
            "alprazolam",
            "zopiclone",
            "zolpidem",
            "testosterone",
            "nandrolone",
        ),
        "4",
    ),
    # Schedule 5
    **dict.fromkeys(("codeine", "dihydrocodeine", "pholcodine", "co-codamol"), "5"),
}


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9\-]+", text.lower())) + " "


def matches(term: str, name: str) -> bool:
    return _words(term) in _words(name)


@dataclass(frozen=True)
class Flags:
    high_risk_group: str = ""
    cd_schedule: str = ""


def high_risk_terms(organisation) -> list[tuple[str, str]]:
    """(term, group) of the high-risk list that applies in an organisation: the national list
    less the terms it switched off, with its own. One query."""
    from .models import HighRiskMedicine

    rows = HighRiskMedicine.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    ).values_list("organisation_id", "term", "group", "excluded")
    excluded = {term.lower() for org, term, _, off in rows if org is not None and off}
    terms = [
        (term, group)
        for org, term, group, off in rows
        if not off and (org is not None or term.lower() not in excluded)
    ]
    # Longest first: "potassium chloride" names the group before "potassium" does.
    return sorted(terms, key=lambda pair: -len(pair[0]))


# A reviewer's answer for a medicine's controlled drug schedule: worked out from its name, as
# it is for a reporter (who is not asked).
FROM_NAME = "auto"


def schedule_of(medicine: dict, flags: "Flags") -> str:
    """The schedule to keep for ``medicine`` (a service's dict): the reviewer's answer ("" for
    not a controlled drug), or, without one, the schedule worked out from the name."""
    answer = medicine.get("cd_schedule", FROM_NAME)
    return flags.cd_schedule if answer == FROM_NAME else answer


def coded(medicine: dict, terms: list[tuple[str, str]]) -> tuple[str, Flags]:
    """A medicine's dm+d code (the one given, or found by its name written in full) and its
    flags. Coded at product level (a VMP or AMP), its schedule is the dm+d's; otherwise it is
    worked out from the name, as for a medicine the dm+d does not know, until the safety team
    codes it."""
    from medicines import lookup

    found = lookup.code(medicine["name"], medicine.get("dmd_code", ""))
    flags = classify(medicine["name"], terms)
    if found is not None and found.cd_schedule is not None:
        flags = Flags(high_risk_group=flags.high_risk_group, cd_schedule=found.cd_schedule)
    return (found.code if found else medicine.get("dmd_code", "")), flags


def classify(name: str, terms: list[tuple[str, str]]) -> Flags:
    """The flags of a medicine, from its name: the high-risk group (first matching term of
    ``terms``) and the controlled drug schedule (the strictest that matches)."""
    group = next((group for term, group in terms if matches(term, name)), "")
    schedules = [schedule for drug, schedule in CONTROLLED_DRUGS.items() if matches(drug, name)]
    return Flags(high_risk_group=group, cd_schedule=min(schedules) if schedules else "")
