"""Which medicines are high-risk, and which are controlled drugs: flagged from the medicine as
the dm+d codes it, when it is recorded.

- **High-risk medicines** are kept by dm+d code, never by name: a VTM (every product of the
  substance: warfarin) or a VMP (one product: the strong potassium chloride concentrate, not the
  ready-mixed infusion). The national starting list below names, for each group, the national
  patient safety alert it comes from and its medicines as the dm+d names them; each time a dm+d
  release is loaded (``import_dmd``) they are looked up by those names and kept as
  ``HighRiskMedicine`` rows with no organisation (``refresh_national``). Each organisation's
  MSO adds medicines of their own and switches national ones off (views/high_risk.py).
  A medicine that is not coded is not flagged high-risk until the safety team codes it.
- **Controlled drugs**: the schedule of the Misuse of Drugs Regulations 2001 is the dm+d's, from
  the VMP's controlled-drug category (medicines/lookup.py). A medicine that is not coded at
  product level is classed from its name, with the stricter schedule where its strength or form
  decides (morphine: Schedule 2), until it is coded or the reviewer corrects it; the incident page
  marks it not coded.
"""

import re
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class NationalGroup:
    name: str
    source: str  # the national patient safety alert the group comes from
    vtms: tuple[str, ...] = ()  # VTM names, as the dm+d writes them
    vmps: tuple[str, ...] = ()  # VMP names, for a group that is only some products


NATIONAL_SOURCE = (
    "The medicines named in the NPSA's and NHS England's National Patient Safety Alerts on "
    "high-risk medicines, as the dm+d names them"
)

NATIONAL_HIGH_RISK = (
    NationalGroup(
        "Anticoagulant",
        "NPSA/2007/18: Actions that can make anticoagulant therapy safer",
        vtms=(
            "Warfarin",
            "Apixaban",
            "Rivaroxaban",
            "Edoxaban",
            "Dabigatran etexilate",
            "Heparin sodium",
            "Enoxaparin sodium",
            "Dalteparin sodium",
            "Tinzaparin sodium",
            "Fondaparinux sodium",
        ),
    ),
    NationalGroup(
        "Insulin",
        "NPSA/2010/RRR013: Safer administration of insulin",
        vtms=(
            "Insulin aspart",
            "Insulin degludec",
            "Insulin detemir",
            "Insulin glargine",
            "Insulin glulisine",
            "Insulin lispro",
            "Insulin human",
            "Insulin soluble human",
            "Insulin isophane human",
            "Insulin soluble porcine",
            "Insulin isophane porcine",
            "Insulin soluble bovine",
            "Insulin isophane bovine",
            "Biphasic insulin aspart",
            "Biphasic insulin lispro",
            "Biphasic isophane insulin",
        ),
    ),
    NationalGroup(
        "Opioid",
        "NPSA/2008/RRR005: Reducing dosing errors with opioid medicines",
        vtms=(
            "Morphine",
            "Diamorphine",
            "Oxycodone",
            "Fentanyl",
            "Alfentanil",
            "Hydromorphone",
            "Methadone",
            "Buprenorphine",
            "Tramadol",
            "Tapentadol",
            "Codeine",
            "Dihydrocodeine",
            "Pethidine",
        ),
    ),
    NationalGroup(
        "Methotrexate",
        "NPSA/2006/13: Improving compliance with oral methotrexate guidelines",
        vtms=("Methotrexate",),
    ),
    NationalGroup(
        "Potassium concentrate",
        "NPSA Patient Safety Alert 01 (2002): Potassium chloride concentrate solutions",
        vmps=(
            "Potassium chloride 15% (potassium 2mmol/ml) concentrate for solution for infusion "
            "10ml ampoules",
            "Potassium chloride 20% (potassium 2.68mmol/ml) concentrate for solution for "
            "infusion 10ml ampoules",
        ),
    ),
    NationalGroup(
        "Lithium",
        "NPSA/2009/PSA005: Safer lithium therapy",
        vtms=("Lithium carbonate", "Lithium citrate"),
    ),
    NationalGroup(
        "Midazolam",
        "NPSA/2008/RRR011: Reducing risk of overdose with midazolam injection in adults",
        vtms=("Midazolam",),
    ),
    NationalGroup(
        "Vinca alkaloid",
        "NPSA/2008/RRR004: Using vinca alkaloid minibags",
        vtms=("Vincristine", "Vinblastine", "Vinorelbine", "Vindesine"),
    ),
    NationalGroup(
        "Gentamicin",
        "NPSA/2010/PSA001: Safer use of intravenous gentamicin for neonates",
        vtms=("Gentamicin",),
    ),
    NationalGroup(
        "Valproate",
        "NatPSA/2023/013/MHRA: Valproate: organisations to prepare for new regulatory measures",
        vtms=("Valproic acid", "Sodium valproate", "Valproate semisodium"),
    ),
)

SOURCES = {group.name: group.source for group in NATIONAL_HIGH_RISK}
# The national groups' names: the only groups counted beyond an organisation (one it adds to
# its own list is named in its words).
NATIONAL_GROUPS = frozenset(SOURCES)


def refresh_national(**_) -> str:
    """Key the national list to the dm+d loaded: each medicine it names found by its dm+d name
    (any case); a medicine the dm+d no longer names leaves the list. Organisations' own
    medicines and switches are kept. Returns what it did, for ``import_dmd`` to print."""
    from medicines.models import Vmp, Vtm

    from .models import HighRiskMedicine

    wanted = {}  # code -> (level, name, group)
    missing = []
    for group in NATIONAL_HIGH_RISK:
        for level, model, names in (("VTM", Vtm, group.vtms), ("VMP", Vmp, group.vmps)):
            for name in names:
                found = model.objects.filter(name__iexact=name, invalid=False).first()
                if found is None:
                    missing.append(name)
                else:
                    wanted[found.pk] = (level, found.name, group.name)
    national = HighRiskMedicine.objects.filter(organisation__isnull=True)
    national.exclude(dmd_code__in=wanted).delete()
    kept = {row.dmd_code: row for row in national}
    for code, (level, name, group) in wanted.items():
        row = kept.get(code)
        if row is None:
            row = HighRiskMedicine(organisation=None, dmd_code=code)
        elif (row.level, row.name, row.group) == (level, name, group):
            continue
        row.level, row.name, row.group = level, name, group
        row.save()
    rekeyed = _rekey_replaced_codes()
    note = f"High-risk medicines: {len(wanted)} of the national list found in this release"
    if rekeyed:
        note += f"; {rekeyed} of the organisations' medicines moved to the code replacing theirs"
    return note + (f"; not found: {', '.join(missing)}" if missing else "")


def _rekey_replaced_codes() -> int:
    """An organisation's medicine (or switch) kept under a code the dm+d has since replaced
    takes the code that replaced it (the VTM's or VMP's previous code), so that it still flags
    (or still switches off) what it did. Returns how many moved."""
    from medicines.models import Vmp, Vtm

    from .models import HighRiskMedicine

    kept = HighRiskMedicine.objects.filter(organisation__isnull=False).exclude(dmd_code="")
    moved = 0
    for model in (Vtm, Vmp):
        replaced = model.objects.filter(
            invalid=False, previous_id__in=kept.values("dmd_code")
        ).values_list("pk", "previous_id")
        for new, old in replaced:
            for row in kept.filter(dmd_code=old):
                if kept.filter(organisation=row.organisation_id, dmd_code=new).exists():
                    row.delete()  # the organisation has the new code already
                else:
                    row.dmd_code = new
                    row.save(update_fields=["dmd_code"])
                moved += 1
    return moved


def refresh_after_migrating(**_) -> None:
    """After the database is migrated, the national list is keyed again when a dm+d release is
    loaded here (the list moved to codes in migration 0018, and is keyed at each import)."""
    from medicines.models import Vmp

    if Vmp.objects.exists():
        refresh_national()


def high_risk_codes(organisation) -> dict[str, str]:
    """The dm+d codes of the high-risk list that applies in an organisation, with their group:
    the national list less what it switched off, with its own. One query."""
    from .models import HighRiskMedicine

    rows = (
        HighRiskMedicine.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .exclude(dmd_code="")
        .values_list("organisation_id", "dmd_code", "group", "excluded")
    )
    off = {code for org, code, _, excluded in rows if org is not None and excluded}
    codes = {code: group for org, code, group, excluded in rows if org is None and code not in off}
    codes |= {
        code: group for org, code, group, excluded in rows if org is not None and not excluded
    }
    return codes


@dataclass(frozen=True)
class Flags:
    high_risk_group: str = ""
    cd_schedule: str = ""
    substance: str = ""  # the dm+d substance (lookup.Coded.substance), for national figures
    product: str = ""  # and the product (VMP) it is or is a brand of (lookup.Coded.product)


# A reviewer's answer for a medicine's controlled drug schedule: the dm+d's for a coded
# product, worked out from the name otherwise, as it is for a reporter (who is not asked).
FROM_NAME = "auto"


def schedule_of(medicine: dict, flags: Flags) -> str:
    """The schedule to keep for ``medicine`` (a service's dict): the reviewer's answer ("" for
    not a controlled drug), or, without one, the one found for it (``coded``)."""
    answer = medicine.get("cd_schedule", FROM_NAME)
    return flags.cd_schedule if answer == FROM_NAME else answer


def coded(medicine: dict, high_risk: dict[str, str], lookup=None) -> tuple[str, Flags]:
    """A medicine's dm+d code (the one given, or found by its name written in full) and its
    flags: the high-risk group of its code, its VMP's or its VTM's (``high_risk``:
    ``high_risk_codes``); the dm+d's controlled-drug schedule for a product, otherwise the one
    its name suggests. ``lookup`` codes a medicine (medicines.lookup.code, or a cached one)."""
    from medicines import lookup as dmd

    found = (lookup or dmd.code)(medicine["name"], medicine.get("dmd_code", ""))
    if found is None:
        return medicine.get("dmd_code", ""), Flags(cd_schedule=schedule_from_name(medicine["name"]))
    group = next((high_risk[code] for code in found.codes if code in high_risk), "")
    schedule = found.cd_schedule
    if schedule is None:  # a substance alone: its products' schedules differ
        schedule = schedule_from_name(medicine["name"]) or schedule_from_name(found.name)
    return found.code, Flags(
        high_risk_group=group,
        cd_schedule=schedule,
        substance=found.substance,
        product=found.product,
    )


# For a medicine not coded at product level only: the Misuse of Drugs Regulations 2001 (as
# amended), schedules 2 to 5, of the controlled drugs incidents most often name.
CONTROLLED_DRUGS: dict[str, str] = {
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
            "oramorph",
            "sevredol",
            "oxynorm",
            "oxycontin",
            "zomorph",
        ),
        "2",
    ),
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
            "sativex",
        ),
        "4",
    ),
    **dict.fromkeys(("codeine", "dihydrocodeine", "pholcodine", "co-codamol"), "5"),
}


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9\-]+", text.lower())) + " "


def schedule_from_name(name: str) -> str:
    """The strictest schedule whose controlled drug the name holds as a whole word ("morphine"
    is not in "hydromorphone"), or ""."""
    words = _words(name)
    schedules = [s for drug, s in CONTROLLED_DRUGS.items() if _words(drug) in words]
    return min(schedules) if schedules else ""
