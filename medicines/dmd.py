"""Reading NHSBSA's dm+d XML release (TRUD item 24) into the medicines tables.

The release's files (layout: shared reference, integration-layouts.md, section 2):
``f_vtm2_3*.xml`` (VTM records), ``f_vmp2_3*.xml`` (VMP records, and the CONTROL_DRUG_INFO
group giving each VMP's controlled-drug category), ``f_amp2_3*.xml`` (AMP records) and
``f_lookup2_3*.xml`` (the code lists, of which CONTROL_DRUG_CATEGORY is read). Elements come in
any order within a record (the schemas declare ``xs:all``).

The files are read as a stream (lxml's iterparse, each record dropped once read; no entities
resolved, no network), so a full release (about 150,000 AMPs) reads in bounded memory. The
import is idempotent: each record is written only if it is new or changed, by its code. Codes
the dm+d has made invalid stay, marked so. A record without a code or a name is rejected with
its file and line; the rest of the release still loads.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from lxml import etree

from .models import Amp, Vmp, Vtm
from .signals import release_loaded

FILES = {
    "lookup": "f_lookup2_3*.xml",
    "vtm": "f_vtm2_3*.xml",
    "vmp": "f_vmp2_3*.xml",
    "amp": "f_amp2_3*.xml",
}
BATCH = 2000
# A small release in the same layout, with illustrative codes: for the tests and the demo.
SAMPLE_RELEASE = Path(__file__).resolve().parent / "sample_release"


class ReleaseError(Exception):
    """The folder is not a dm+d release (a file missing)."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Summary:
    counts: dict[str, Counts] = field(default_factory=dict)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why
    notes: list[str] = field(default_factory=list)  # what the lists kept by code made of it


def release_files(directory: Path) -> dict[str, Path]:
    found = {}
    for kind, pattern in FILES.items():
        matches = sorted(Path(directory).glob(pattern))
        if not matches:
            raise ReleaseError(f"No {pattern} in {directory}: is it an unzipped dm+d release?")
        found[kind] = matches[-1]  # the newest, should a folder hold two
    return found


def records(path: Path, *tags: str) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(tag, line, {child tag: text}) for each record element of ``tags``, as a stream."""
    parser = etree.iterparse(
        str(path),
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _event, element in parser:
        values = {child.tag: (child.text or "").strip() for child in element}
        yield element.tag, element.sourceline or 0, values
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def cd_categories(path: Path) -> dict[str, str]:
    """The lookup file's CONTROL_DRUG_CATEGORY list: code -> its words."""
    found = {}
    parser = etree.iterparse(
        str(path),
        events=("end",),
        tag="CONTROL_DRUG_CATEGORY",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    for _event, element in parser:
        for info in element.iter("INFO"):
            found[info.findtext("CD", "").strip()] = info.findtext("DESC", "").strip()
        element.clear()
    return found


def _flag(value: str) -> bool:
    return value == "1"


def read(directory: Path, *, reject: Callable[[Path, int, str], None], tick=lambda: None):
    """The release as model rows: (VTMs, VMPs, AMPs), each a list of unsaved objects."""
    files = release_files(directory)
    categories = cd_categories(files["lookup"])

    def coded(path, line, values, code, what) -> bool:
        if not values.get(code) or not values.get("NM"):
            reject(path, line, f"a {what} without its {code} or NM")
            return False
        return True

    vtms = []
    for _tag, line, values in records(files["vtm"], "VTM"):
        tick()
        if coded(files["vtm"], line, values, "VTMID", "VTM"):
            vtms.append(
                Vtm(
                    id=values["VTMID"],
                    name=values["NM"],
                    invalid=_flag(values.get("INVALID", "")),
                    previous_id=values.get("VTMIDPREV", ""),
                )
            )
    vmps, cd = [], {}
    for tag, line, values in records(files["vmp"], "VMP", "CONTROL_INFO"):
        tick()
        if tag == "CONTROL_INFO":
            category = values.get("CATCD", "")
            if category and category not in categories:
                reject(files["vmp"], line, f"controlled drug category {category} is not listed")
            else:
                cd[values.get("VPID", "")] = category
        elif coded(files["vmp"], line, values, "VPID", "VMP"):
            vmps.append(
                Vmp(
                    id=values["VPID"],
                    name=values["NM"],
                    vtm_id=values.get("VTMID", ""),
                    invalid=_flag(values.get("INVALID", "")),
                    previous_id=values.get("VPIDPREV", ""),
                )
            )
    for vmp in vmps:
        vmp.cd_category = cd.get(vmp.id, "")
    amps = []
    for _tag, line, values in records(files["amp"], "AMP"):
        tick()
        if coded(files["amp"], line, values, "APID", "AMP"):
            if not values.get("VPID"):
                reject(files["amp"], line, "an AMP without its VPID")
                continue
            amps.append(
                Amp(
                    id=values["APID"],
                    name=values["NM"],
                    description=values.get("DESC", ""),
                    vmp_id=values["VPID"],
                    invalid=_flag(values.get("INVALID", "")),
                )
            )
    return vtms, vmps, amps


def _fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def _upsert(model, rows, *, dry_run: bool) -> Counts:
    """Write the rows that are new or changed; count what each row was."""
    names = _fields(model)
    existing = {pk: values for pk, *values in model.objects.values_list("pk", *names)}
    counts, changed = Counts(), []
    for row in rows:
        values = [getattr(row, name) for name in names]
        before = existing.get(row.pk)
        if before is None:
            counts.created += 1
        elif list(before) != values:
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        changed.append(row)
    if not dry_run:
        for start in range(0, len(changed), BATCH):
            model.objects.bulk_create(
                changed[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=names,
            )
    return counts


def import_release(directory, *, dry_run: bool = False, tick=lambda: None) -> Summary:
    """Load (or with ``dry_run`` only count) a dm+d release from an unzipped folder."""
    summary = Summary()
    vtms, vmps, amps = read(
        Path(directory),
        reject=lambda path, line, why: summary.rejected.append((path.name, line, why)),
        tick=tick,
    )
    with transaction.atomic():
        for name, model, rows in (("VTMs", Vtm, vtms), ("VMPs", Vmp, vmps), ("AMPs", Amp, amps)):
            summary.counts[name] = _upsert(model, rows, dry_run=dry_run)
        if not dry_run:
            # Lists kept by dm+d code elsewhere (the high-risk medicines) find their codes in
            # the release now loaded, and say what they did.
            summary.notes = [
                note for _, note in release_loaded.send(sender=Summary) if isinstance(note, str)
            ]
    return summary
