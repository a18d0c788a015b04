"""National value lists for medication incidents, each named with its standard and version.

- **LFPSE taxonomy, version 5** (NHS England, Learn from Patient Safety Events, FHIR
  AdverseEvent code systems): read from ``lfpse/code-systems-v5.json``, the published list as it
  is, so a code and its words are never typed twice. ``LFPSE_VERSION`` names it in exports.
- **NCC MERP Index for Categorizing Medication Errors** (National Coordinating Council for
  Medication Error Reporting and Prevention, 2001): categories A to I.
- **NRLS degree of harm** (National Reporting and Learning System, closed 30 June 2024): kept
  for trend continuity; each LFPSE physical harm level is shown with its NRLS and NCC MERP
  equivalents.
- **PSIRF learning responses** (NHS England, Patient Safety Incident Response Framework, 2022).
- Never Events involving medicines: NHS England's Never Events list (2018, revised 2021), as
  coded in LFPSE's ``never-event-type-5``.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import models

LFPSE_VERSION = "5"
LFPSE_CODE_SYSTEMS = Path(__file__).parent / "lfpse" / f"code-systems-v{LFPSE_VERSION}.json"


@cache
def _systems() -> dict[str, dict]:
    data = json.loads(LFPSE_CODE_SYSTEMS.read_text(encoding="utf-8"))
    return {system["id"]: system for system in data["systems"]}


@dataclass(frozen=True)
class CodeList:
    """One LFPSE code system: its codes and words, in the published order."""

    system: str  # the code system's id, e.g. "level-of-physical-harm-5"
    only: tuple[str, ...] = ()  # a subset of the codes, when not all of them apply

    @property
    def title(self) -> str:
        return _systems()[self.system]["title"]

    @property
    def choices(self) -> list[tuple[str, str]]:
        codes = [(c["code"], c["display"]) for c in _systems()[self.system]["codes"]]
        if self.only:
            codes = [code for code in codes if code[0] in self.only]
        return codes

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.choices)

    def label(self, code: str) -> str:
        return dict(self.choices).get(code, code)

    def labels(self, codes) -> list[str]:
        words = dict(self.choices)
        return [words.get(code, code) for code in codes or ()]

    def url(self) -> str:
        """The code system's canonical address, as LFPSE's FHIR profiles name it."""
        return f"https://fhir.nhs.uk/CodeSystem/{self.system}"


# Step 1: what every reporter answers.
YES_NO_UNKNOWN = CodeList("yes-no-unknown-codes-5")
TIME_BRACKETS = CodeList("time-of-incident-brackets-5")
LOCATIONS = CodeList("incident-location-5")
PHYSICAL_HARM = CodeList("level-of-physical-harm-5")
PSYCHOLOGICAL_HARM = CodeList("level-of-psychological-harm-5")
AGE_BRACKETS = CodeList("age-brackets-5")
GENDERS = CodeList("gender-5")
# Step 2: the medication problem, and governance.
SERVICE_TYPES = CodeList("service-type-5")
HEALTHCARE_PROCESSES = CodeList("healthcare-process-5")  # LFPSE's Process: required to submit
DRUGS_INVOLVED = CodeList("drugs-involved-5")
TOO_MUCH = CodeList("too-much-drug-5")
TOO_LITTLE = CodeList("too-little-drug-5")
ADMINISTERED_INCORRECTLY = CodeList("medication-administered-incorrectly-5")
PACKAGING_PROBLEM = CodeList("problem-medication-or-packaging-5")
PROCESSES = CodeList("involved-processes-5")
YELLOW_CARD = CodeList("yellow-card-criteria-5")
DETECTION_POINTS = CodeList("detection-points-5")
CQC_CRITERIA = CodeList("cqc-criteria-5")
# The Never Events that involve medicines (codes 4 to 8 of the list).
NEVER_EVENT_TYPES = CodeList("never-event-type-5", only=("4", "5", "6", "7", "8"))

# Which detail list belongs to which "drugs involved" answer.
DRUGS_INVOLVED_DETAIL = {
    "1": ("too_much", TOO_MUCH),
    "2": ("too_little", TOO_LITTLE),
    "3": ("administered_incorrectly", ADMINISTERED_INCORRECTLY),
    "4": ("packaging_problem", PACKAGING_PROBLEM),
}


@cache
def themes() -> dict[str, tuple[str, str, str]]:
    """What went wrong, as LFPSE codes it (the detail of "drugs involved"): the themes national
    trends count, by key ("too_little:6": a dose omitted) → (field, code, words)."""
    return {
        f"{field}:{code}": (field, code, words)
        for field, codes in DRUGS_INVOLVED_DETAIL.values()
        for code, words in codes.choices
    }


NO_PHYSICAL_HARM = "5"
MODERATE_OR_WORSE = ("3", "2", "1")  # LFPSE physical harm: moderate, severe, fatal


class IdentifiedThrough(models.TextChoices):
    """How the incident came to light: a medicines advice (medicines information) query among
    them, so the medicines advice team's part in finding errors is counted."""

    MEDICINES_ADVICE = "medicines-advice", "A medicines advice query"
    CLINICAL_CHECK = "clinical-check", "A pharmacist's clinical check or ward round"
    RECONCILIATION = "reconciliation", "Medicines reconciliation (admission, transfer, discharge)"
    DISPENSING = "dispensing", "Dispensing or the final check in the pharmacy"
    ADMINISTRATION = "administration", "Giving the medicine"
    PATIENT = "patient", "The patient or their carer"
    AUDIT = "audit", "An audit or a review of records"
    OTHER = "other", "Another way"


class NccMerp(models.TextChoices):
    A = "A", "A: circumstances or events that have the capacity to cause error"
    B = "B", "B: an error occurred but did not reach the patient"
    C = "C", "C: reached the patient, no harm"
    D = "D", "D: reached the patient, needed monitoring or intervention to confirm no harm"
    E = "E", "E: temporary harm, needed intervention"
    F = "F", "F: temporary harm, initial or prolonged hospitalisation"
    G = "G", "G: permanent harm"
    H = "H", "H: intervention required to sustain life"
    I = "I", "I: death"  # noqa: E741 (the index's own letter)


class NrlsHarm(models.TextChoices):
    NO_HARM_PREVENTED = "no-harm-prevented", "No harm (impact prevented)"
    NO_HARM = "no-harm", "No harm (impact not prevented)"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    DEATH = "death", "Death"


@dataclass(frozen=True)
class HarmEquivalent:
    nrls: str
    ncc_merp: str


# LFPSE physical harm level -> its legacy NRLS grade and the NCC MERP categories it takes in,
# so that trends run on across the change from NRLS to LFPSE and a reviewer can grade by the
# index (shared/reference: NRLS, NCC MERP). By the index's own groups, B to D are errors
# without harm (D: monitoring or intervention confirmed there was none) and E to H errors with
# harm. A is not an incident: a circumstance that could cause an error, with no patient
# involved. H (intervention to sustain life) is moderate harm when the patient recovers fully
# and severe when the harm lasts.
HARM_EQUIVALENTS = {
    "5": HarmEquivalent("No harm", "B, C or D"),
    "4": HarmEquivalent("Low", "E"),
    "3": HarmEquivalent("Moderate", "F, or H with full recovery"),
    "2": HarmEquivalent("Severe", "G, or H with lasting harm"),
    "1": HarmEquivalent("Death", "I"),
}

# What each level of physical harm means, as the reporter is shown it: NHS England's
# definitions for LFPSE, whose moderate and severe harm are the statutory duty of candour's
# (Health and Social Care Act 2008 (Regulated Activities) Regulations 2014, regulation 20).
PHYSICAL_HARM_MEANINGS = {
    "5": "No harm to the patient's body, including where the error was caught before the "
    "medicine reached them",
    "4": "Minimal harm: the patient needed extra observation or minor treatment",
    "3": "Significant but not permanent harm, or a moderate increase in treatment (an "
    "unplanned return to surgery or readmission, a longer stay, a move to intensive care)",
    "2": "Permanent lessening of bodily, sensory, motor, physiological or intellectual "
    "functions, caused by the incident",
    "1": "The incident caused the patient's death, rather than the natural course of their illness",
}


def harm_with_equivalents(code: str) -> str:
    """'Moderate physical harm (NRLS: Moderate; NCC MERP: F)'."""
    if code not in HARM_EQUIVALENTS:
        return ""
    equivalent = HARM_EQUIVALENTS[code]
    return f"{PHYSICAL_HARM.label(code)} (NRLS: {equivalent.nrls}; NCC MERP: {equivalent.ncc_merp})"


class LearningResponse(models.TextChoices):
    """PSIRF (2022) learning responses."""

    NONE = "none", "No learning response"
    SWARM = "swarm", "SWARM huddle"
    AAR = "aar", "After action review (AAR)"
    MDT = "mdt", "Multidisciplinary team (MDT) review"
    PSII = "psii", "Patient safety incident investigation (PSII)"
    THEMATIC = "thematic", "Thematic review"


class Route(models.TextChoices):
    """Routes of administration, in the words of the dm+d route list (NHSBSA)."""

    ORAL = "oral", "Oral"
    INTRAVENOUS = "intravenous", "Intravenous"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    INTRAMUSCULAR = "intramuscular", "Intramuscular"
    INTRATHECAL = "intrathecal", "Intrathecal"
    EPIDURAL = "epidural", "Epidural"
    ENTERAL = "enteral", "Enteral (feeding tube)"
    INHALATION = "inhalation", "Inhalation"
    NASAL = "nasal", "Nasal"
    SUBLINGUAL = "sublingual", "Sublingual or buccal"
    TOPICAL = "topical", "Topical (skin)"
    TRANSDERMAL = "transdermal", "Transdermal (patch)"
    RECTAL = "rectal", "Rectal"
    OPHTHALMIC = "ophthalmic", "Eye"
    OTHER = "other", "Other"
    NOT_KNOWN = "not-known", "Not known"


class CdSchedule(models.TextChoices):
    """Schedules of the Misuse of Drugs Regulations 2001 (as amended) that MSOs report on."""

    SCHEDULE_1 = "1", "Schedule 1 controlled drug"
    SCHEDULE_2 = "2", "Schedule 2 controlled drug"
    SCHEDULE_3 = "3", "Schedule 3 controlled drug"
    SCHEDULE_4 = "4", "Schedule 4 controlled drug"
    SCHEDULE_5 = "5", "Schedule 5 controlled drug"
