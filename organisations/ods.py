"""Reading the NHS Organisation Data Service's CSV extracts: each row of a file as an ``OdsRow``
(what the organisation is, where, its parent, when it opened and closed), or a ``Rejected``
with its file, line and reason in words.

The layouts are ODS's own, as the PDF inside each extract's zip describes them: no header row,
every field double-quoted, dates as CCYYMMDD, an empty field for none. Column positions
(0-based here):

- ``etr`` (NHS trusts), ``eccg`` (sub-ICB locations, column 4 their ICB), ``epraccur`` (GP
  practices, column 14 their commissioner, column 25 the prescribing setting: 4 a GP practice),
  ``edispensary`` (pharmacies, column 14 their head office), ``epharmacyhq`` (pharmacy head
  offices): code 0, name 1, national grouping 2 (the NHS England region: Y56 London and the
  rest), high-level health geography 3, postcode 9, open date 10, close date 11, status 12.
- Status codes come in the old export's letters (A, C, D, P) and the newer export's words
  (ACTIVE, CLOSED, DORMANT, PROPOSED): both are read.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .choices import OrganisationKind, Region

# NHS England's regions by their ODS codes (the extracts' "national grouping").
REGIONS = {
    "Y56": Region.LONDON,
    "Y58": Region.SOUTH_WEST,
    "Y59": Region.SOUTH_EAST,
    "Y60": Region.MIDLANDS,
    "Y61": Region.EAST_OF_ENGLAND,
    "Y62": Region.NORTH_WEST,
    "Y63": Region.NORTH_EAST_AND_YORKSHIRE,
}
STATUSES = {
    "A": "active",
    "ACTIVE": "active",
    "C": "closed",
    "CLOSED": "closed",
    "D": "dormant",
    "DORMANT": "dormant",
    "P": "proposed",
    "PROPOSED": "proposed",
}
GP_PRACTICE_SETTING = "4"  # epraccur's prescribing setting of a GP practice
# Sub-ICB reporting entities are not places care is commissioned for: left out.
REPORTING_ENTITY = "SUB-ICB REPORTING ENTITY"


@dataclass(frozen=True)
class Layout:
    """Where a file's fields are: the parent's column (None: none), and whether the file has a
    status column."""

    parent: int | None = None
    status: bool = False
    setting: int | None = None  # the column that must say GP_PRACTICE_SETTING, if any


LAYOUTS = {
    "etr": Layout(),
    "eccg": Layout(parent=3),
    "epraccur": Layout(parent=14, status=True, setting=25),
    "edispensary": Layout(parent=14, status=True),
    "epharmacyhq": Layout(),
}
FEWEST_FIELDS = 12  # code to close date


@dataclass(frozen=True)
class OdsRow:
    file: str
    line: int
    code: str
    name: str
    kind: str  # an OrganisationKind, or "sub-icb" for a sub-ICB location
    region: str  # a Region, or "" where the file says none
    parent: str  # the ODS code of its ICB, commissioner or head office ("" for none)
    postcode: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    status: str  # "active", "closed", "dormant", "proposed" or "" where the file has none

    @property
    def is_open(self) -> bool:
        return self.closed_on is None and self.status in ("", "active")


@dataclass(frozen=True)
class Rejected:
    file: str
    line: int
    reason: str

    def __str__(self):
        return f"{self.file}, line {self.line}: {self.reason}"


def date_of(text: str) -> datetime.date | None:
    """A CCYYMMDD date (None for an empty field); ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"“{text}” is not a date written as CCYYMMDD")
    return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def kind_of(file: str, name: str) -> str:
    """What an organisation of this file is: an NHS trust's kind from its name (ODS's etr holds
    trusts, foundation trusts and ambulance trusts alike)."""
    if file == "etr":
        upper = name.upper()
        if "AMBULANCE" in upper:
            return OrganisationKind.AMBULANCE_TRUST
        if "FOUNDATION TRUST" in upper:
            return OrganisationKind.FOUNDATION_TRUST
        return OrganisationKind.NHS_TRUST
    return {
        "eccg": "sub-icb",
        "epraccur": OrganisationKind.GP_PRACTICE,
        "edispensary": OrganisationKind.COMMUNITY_PHARMACY,
        "epharmacyhq": OrganisationKind.PHARMACY_HEAD_OFFICE,
    }[file]


def read_rows(file: str, rows: Iterable[list[str]]) -> Iterator[OdsRow | Rejected | None]:
    """Each row of one extract (``file``: its name, e.g. "epraccur") read: an ``OdsRow``, a
    ``Rejected``, or None for a row the import leaves out on purpose (a prescribing setting
    other than a GP practice's; a sub-ICB reporting entity)."""
    layout = LAYOUTS[file]
    for line, fields in enumerate(rows, start=1):
        fields = [field.strip() for field in fields]
        if not any(fields):
            continue
        if len(fields) < FEWEST_FIELDS:
            yield Rejected(file, line, f"{len(fields)} fields, where at least 12 are expected")
            continue
        code, name = fields[0].upper(), fields[1]
        if not code or not name:
            yield Rejected(file, line, "no organisation code or name")
            continue
        if layout.setting is not None and _field(fields, layout.setting) != GP_PRACTICE_SETTING:
            yield None
            continue
        if file == "eccg" and name.upper().endswith(REPORTING_ENTITY):
            yield None
            continue
        status = ""
        if layout.status:
            written = _field(fields, 12).upper()
            if written and written not in STATUSES:
                yield Rejected(file, line, f"status “{written}” is not one ODS uses")
                continue
            status = STATUSES.get(written, "")
        try:
            opened_on, closed_on = date_of(fields[10]), date_of(fields[11])
        except ValueError as error:
            yield Rejected(file, line, str(error))
            continue
        if opened_on and closed_on and closed_on < opened_on:
            yield Rejected(file, line, "it closes before it opens")
            continue
        yield OdsRow(
            file=file,
            line=line,
            code=code,
            name=name,
            kind=kind_of(file, name),
            region=REGIONS.get(fields[2].upper(), ""),
            parent=_field(fields, layout.parent).upper() if layout.parent is not None else "",
            postcode=fields[9],
            opened_on=opened_on,
            closed_on=closed_on,
            status=status,
        )


def read_file(path: Path) -> Iterator[OdsRow | Rejected | None]:
    """An extract on disk, named as ODS names it (``epraccur.csv``)."""
    file = path.stem.lower()
    if file not in LAYOUTS:
        raise ValueError(f"{path.name} is not an ODS extract this import reads")
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        yield from read_rows(file, csv.reader(handle))


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""
