"""Reading the NHS Organisation Data Service's CSV extracts: each row of a file as an ``OdsRow``
(what the organisation is, where, its parent, when it opened and closed), or a ``Rejected``
with its file, line and reason in words.

The layouts are ODS's own, as the PDF inside each extract's zip describes them: no header row,
every field double-quoted, dates as CCYYMMDD, an empty field for none. Column positions
(0-based here):

- ``etr`` (NHS trusts), ``eccg`` (sub-ICB locations, column 3 their ICB), ``epraccur`` (GP
  practices, column 14 their commissioner, 15 and 16 the dates they joined and left it,
  column 25 the prescribing setting: 4, or RO76 in the newer export, a GP practice),
  ``edispensary`` (pharmacies, column 14 their head office, 15 and 16 the dates they joined
  and left it), ``epharmacyhq`` (pharmacy head offices; no region), ``eother`` (other
  national bodies, of which the import reads only the ICBs the sub-ICB locations name, for
  their names): code 0, name 1, national grouping 2 (the NHS England region: Y56 London and
  the rest), high-level health geography 3, postcode 9, open date 10, close date 11,
  status 12.
- Status codes come in the old export's letters (A, C, D, P) and the newer export's words
  (ACTIVE, CLOSED, DORMANT, PROPOSED): both are read.
- ``succ`` (successions): predecessor 0, successor 1, reason 2, effective date 3, and an
  indicator 4 (P: the row is written from the successor's side, so the codes are the other
  way round). Third-party parsers only: docs/adr/0029-organisations-from-ods.md.
- PCNs come as ``ePCN.xlsx`` (inside ``epcn.zip``) with header rows, or as the newer export's
  headerless CSV reports ``epcn`` (code 0, name 1, sub-ICB location 2, open 4, close 5,
  postcode 11) and ``epcncorepartnerdetails`` (practice 0, PCN 4, start 8, end 9).

``read_directory`` finds the extracts in a folder, as ``.csv`` files or inside ``.zip`` files.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
# epraccur's prescribing setting of a GP practice: 4 in the old export, the role RO76 in the new.
GP_PRACTICE_SETTINGS = {"4", "RO76"}
# Sub-ICB reporting entities are not places care is commissioned for: left out.
REPORTING_ENTITY = "SUB-ICB REPORTING ENTITY"


@dataclass(frozen=True)
class Layout:
    """Where a file's fields are: the parent's column (None: none) and the columns of the dates
    it joined and left it, whether the file has a status column and a region (its national
    grouping)."""

    parent: int | None = None
    status: bool = False
    setting: int | None = None  # the column that must say one of GP_PRACTICE_SETTINGS, if any
    joined: int | None = None
    region: bool = True


LAYOUTS = {
    "etr": Layout(),
    "eccg": Layout(parent=3),
    "epraccur": Layout(parent=14, status=True, setting=25, joined=15),
    "edispensary": Layout(parent=14, status=True, joined=15),
    "epharmacyhq": Layout(region=False),
    "eother": Layout(region=False),
}
# The newer export's PCN reports (headerless CSV) and the successions.
PCN_FILES = ("epcn", "epcncorepartnerdetails")
SUCCESSIONS = "succ"
WORKBOOK = "epcn.xlsx"  # ePCN.xlsx, whatever its case
FEWEST_FIELDS = 12  # code to close date


@dataclass(frozen=True)
class OdsRow:
    file: str
    line: int
    code: str
    name: str
    kind: str  # an OrganisationKind, or SUB_ICB for a sub-ICB location
    region: str  # a Region, or "" where the file says none
    parent: str  # the ODS code of its ICB, commissioner or head office ("" for none)
    postcode: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    status: str  # "active", "closed", "dormant", "proposed" or "" where the file has none
    joined_on: datetime.date | None = None  # when it joined its parent, where the file says
    left_on: datetime.date | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None and self.status in ("", "active")

    @property
    def is_closed(self) -> bool:
        """ODS shows it closed: a close date, or the status Closed."""
        return self.closed_on is not None or self.status == "closed"


# A sub-ICB location: read as what names its ICB (NHS Data Dictionary: "reference data
# artefacts … used as proxies for the Integrated Care Board of which they form a component
# part"), not kept as an organisation.
SUB_ICB = "sub-icb"


@dataclass(frozen=True)
class Pcn:
    """A PCN, from ePCN.xlsx's PCNDetails or the epcn report."""

    file: str
    line: int
    code: str
    name: str
    sub_icb: str  # the sub-ICB location it belongs to
    postcode: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None


@dataclass(frozen=True)
class Partner:
    """A practice's membership of a PCN, from the core partner details."""

    file: str
    line: int
    practice: str
    pcn: str
    start_on: datetime.date | None
    end_on: datetime.date | None


@dataclass(frozen=True)
class Succession:
    file: str
    line: int
    predecessor: str
    successor: str
    effective_on: datetime.date | None


@dataclass(frozen=True)
class Rejected:
    file: str
    line: int
    reason: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.reason}"


def date_of(text) -> datetime.date | None:
    """A CCYYMMDD date (None for an empty field), or a spreadsheet's own date; ValueError for
    anything else."""
    if isinstance(text, datetime.datetime):
        return text.date()
    if isinstance(text, datetime.date):
        return text
    text = str(text or "").strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"“{text}” is not a date written as CCYYMMDD")
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"“{text}” is not a date written as CCYYMMDD") from None


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
        "eccg": SUB_ICB,
        "epraccur": OrganisationKind.GP_PRACTICE,
        "edispensary": OrganisationKind.COMMUNITY_PHARMACY,
        "epharmacyhq": OrganisationKind.PHARMACY_HEAD_OFFICE,
        "eother": OrganisationKind.ICB,  # only its ICBs are read (see the module's docstring)
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
        setting = _field(fields, layout.setting).upper() if layout.setting is not None else ""
        if layout.setting is not None and setting not in GP_PRACTICE_SETTINGS:
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
        grouping = fields[2].upper()
        if layout.region and grouping and grouping not in REGIONS:
            yield Rejected(
                file, line, f"national grouping “{grouping}” is not an NHS England region"
            )
            continue
        joined = (None, None) if layout.joined is None else (layout.joined, layout.joined + 1)
        try:
            opened_on, closed_on = date_of(fields[10]), date_of(fields[11])
            joined_on, left_on = (date_of(_field(fields, i)) if i else None for i in joined)
        except ValueError as error:
            yield Rejected(file, line, str(error))
            continue
        if opened_on and closed_on and closed_on < opened_on:
            yield Rejected(file, line, "it closes before it opens")
            continue
        if joined_on and left_on and left_on < joined_on:
            yield Rejected(file, line, "it leaves its parent before it joins it")
            continue
        yield OdsRow(
            file=file,
            line=line,
            code=code,
            name=name,
            kind=kind_of(file, name),
            region=REGIONS.get(grouping, "") if layout.region else "",
            parent=_field(fields, layout.parent).upper() if layout.parent is not None else "",
            postcode=fields[9],
            opened_on=opened_on,
            closed_on=closed_on,
            status=status,
            joined_on=joined_on,
            left_on=left_on,
        )


def read_file(path: Path) -> Iterator[OdsRow | Rejected | None]:
    """An extract on disk, named as ODS names it (``epraccur.csv``)."""
    file = path.stem.lower()
    if file not in LAYOUTS:
        raise ValueError(f"{path.name} is not an ODS extract this import reads")
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        yield from read_rows(file, csv.reader(handle))


def read_successions(file: str, rows: Iterable[list[str]]) -> Iterator[Succession | Rejected]:
    """Each row of ``succ``: who succeeded whom, and from when."""
    for line, fields in enumerate(rows, start=1):
        fields = [field.strip() for field in fields]
        if not any(fields):
            continue
        if len(fields) < 4:
            yield Rejected(file, line, f"{len(fields)} fields, where at least 4 are expected")
            continue
        predecessor, successor = fields[0].upper(), fields[1].upper()
        if _field(fields, 4).upper() == "P":  # written from the successor's side
            predecessor, successor = successor, predecessor
        if not predecessor or not successor or predecessor == successor:
            yield Rejected(file, line, "no predecessor and successor")
            continue
        try:
            effective_on = date_of(fields[3])
        except ValueError as error:
            yield Rejected(file, line, str(error))
            continue
        yield Succession(file, line, predecessor, successor, effective_on)


def read_pcns(file: str, rows: Iterable[list], columns=(0, 1, 2, 4, 5, 11)):
    """Each PCN of the epcn report (``columns``: where its code, name, sub-ICB location, open
    and close dates and postcode are; the workbook passes its own)."""
    code_at, name_at, sub_icb_at, opened_at, closed_at, postcode_at = columns
    for line, fields in rows:
        fields = ["" if f is None else f for f in fields]
        if not any(str(f).strip() for f in fields):
            continue
        code, name = _text(fields, code_at).upper(), _text(fields, name_at)
        if not code or not name:
            yield Rejected(file, line, "no PCN code or name")
            continue
        try:
            opened_on, closed_on = (
                date_of(_cell(fields, opened_at)),
                date_of(_cell(fields, closed_at)),
            )
        except ValueError as error:
            yield Rejected(file, line, str(error))
            continue
        if opened_on and closed_on and closed_on < opened_on:
            yield Rejected(file, line, "it closes before it opens")
            continue
        yield Pcn(
            file,
            line,
            code,
            name,
            _text(fields, sub_icb_at).upper(),
            _text(fields, postcode_at),
            opened_on,
            closed_on,
        )


def read_partners(file: str, rows: Iterable[list], columns=(0, 4, 8, 9)):
    """Each practice's membership of a PCN (``columns``: where the practice, the PCN and the
    membership's start and end dates are)."""
    practice_at, pcn_at, start_at, end_at = columns
    for line, fields in rows:
        fields = ["" if f is None else f for f in fields]
        if not any(str(f).strip() for f in fields):
            continue
        practice, pcn = _text(fields, practice_at).upper(), _text(fields, pcn_at).upper()
        if not practice or not pcn:
            yield Rejected(file, line, "no practice or PCN code")
            continue
        try:
            start_on, end_on = date_of(_cell(fields, start_at)), date_of(_cell(fields, end_at))
        except ValueError as error:
            yield Rejected(file, line, str(error))
            continue
        if start_on and end_on and end_on < start_on:
            yield Rejected(file, line, "the membership ends before it starts")
            continue
        yield Partner(file, line, practice, pcn, start_on, end_on)


# ePCN.xlsx: its sheets, and the header of each column read (headers hold line breaks).
PCN_SHEET, PARTNER_SHEET = "PCNDetails", "PCN Core Partner Details"
PCN_HEADERS = (
    "pcn code",
    "pcn name",
    "current sub icb loc code",
    "open date",
    "close date",
    "postcode",
)
PARTNER_HEADERS = (
    "partner organisation code",
    "pcn code",
    "practice to pcn relationship start date",
    "practice to pcn relationship end date",
)


def _header(cell) -> str:
    return re.sub(r"\s+", " ", str(cell or "")).strip().lower()


def read_workbook(file: str, data: bytes) -> Iterator[Pcn | Partner | Rejected]:
    """ePCN.xlsx: its PCNs, then its practices' memberships. Each sheet's header row (the first
    row naming "PCN Code") says where the columns are; a column it lacks is a Rejected for the
    whole sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not xlsx
        yield Rejected(file, 0, f"not an Excel workbook ({error})")
        return
    try:
        for sheet, headers, reader in (
            (PCN_SHEET, PCN_HEADERS, read_pcns),
            (PARTNER_SHEET, PARTNER_HEADERS, read_partners),
        ):
            where = f"{file} ({sheet})"
            if sheet not in book.sheetnames:
                yield Rejected(where, 0, f"the workbook has no sheet “{sheet}”")
                continue
            rows = enumerate(book[sheet].iter_rows(values_only=True), start=1)
            header = next(((n, c) for n, c in rows if "pcn code" in map(_header, c)), None)
            if header is None:
                yield Rejected(where, 0, "no header row naming the column “PCN Code”")
                continue
            line, names = header[0], [_header(cell) for cell in header[1]]
            missing = [h for h in headers if h not in names and h != "postcode"]
            if missing:
                yield Rejected(where, line, f"no column “{missing[0]}”")
                continue
            columns = tuple(names.index(h) if h in names else len(names) for h in headers)
            yield from reader(where, rows, columns)
    finally:
        book.close()


@dataclass
class Extracts:
    """What a folder of extracts holds, read: organisations by file, PCNs and their members,
    successions, and the rows rejected."""

    rows: dict[str, list[OdsRow]] = field(default_factory=dict)
    pcns: list[Pcn] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    successions: list[Succession] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the files read, as named in the folder
    where: dict[str, str] = field(default_factory=dict)  # extract -> the file it was read from

    @property
    def has_pcns(self) -> bool:
        return bool(self.pcns or self.partners)

    def at(self, item) -> str:
        """Where a row is, for a message: its file as found in the folder, and its line."""
        return f"{self.where.get(item.file, item.file)}:{item.line}"


KNOWN = (*LAYOUTS, *PCN_FILES, SUCCESSIONS)


def _members(directory: Path) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    """(the extract's name, where it was found, how to read its bytes) for every known file in
    the folder, as itself or inside a zip."""
    for path in sorted(Path(directory).iterdir()):
        name = path.name.lower()
        if path.suffix.lower() == ".zip":
            try:
                archive = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                yield "", path.name, lambda: b""
                continue
            with archive:
                for member in archive.namelist():
                    inner = Path(member).name.lower()
                    where = f"{path.name}/{Path(member).name}"
                    if inner == WORKBOOK or inner.removesuffix(".csv") in KNOWN:
                        data = archive.read(member)
                        yield inner, where, lambda data=data: data
        elif name == WORKBOOK or (name.endswith(".csv") and name[:-4] in KNOWN):
            yield name, path.name, path.read_bytes


def read_directory(directory, *, tick: Callable[[], None] = lambda: None) -> Extracts:
    """Every extract in the folder read (``tick`` once a row)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a folder")
    found = Extracts()
    for name, where, read in _members(directory):
        if not name:
            found.rejected.append(Rejected(where, 0, "not a zip file that can be opened"))
            continue
        found.files.append(where)
        found.where[name.removesuffix(".csv")] = where
        data = read()
        if name == WORKBOOK:
            items = read_workbook(where, data)
        else:
            text = data.decode("utf-8-sig", errors="replace")
            records = csv.reader(io.StringIO(text, newline=""))
            file = name.removesuffix(".csv")
            if file in LAYOUTS:
                items = read_rows(file, records)
            elif file == SUCCESSIONS:
                items = read_successions(file, records)
            elif file == "epcn":
                items = read_pcns(file, enumerate(records, start=1))
            else:
                items = read_partners(file, enumerate(records, start=1))
        for item in items:
            tick()
            if item is None:
                continue
            if isinstance(item, Rejected):
                where_found = found.where.get(item.file, item.file)
                found.rejected.append(Rejected(where_found, item.line, item.reason))
            elif isinstance(item, OdsRow):
                found.rows.setdefault(item.file, []).append(item)
            elif isinstance(item, Pcn):
                found.pcns.append(item)
            elif isinstance(item, Partner):
                found.partners.append(item)
            else:
                found.successions.append(item)
    return found


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _cell(fields: list, index: int):
    return fields[index] if index < len(fields) else ""


def _text(fields: list, index: int) -> str:
    return str(_cell(fields, index)).strip()
