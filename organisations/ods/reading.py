"""Reading the NHS Organisation Data Service's CSV extracts in their own layouts
(layouts.py): each row of an organisations file as an ``OdsRow`` or a ``Rejected``
(``read_rows``, ``read_file``), the successions (``read_successions``), and
``read_directory``, which finds the extracts in a folder, as ``.csv`` files or inside
``.zip`` files, and reads them all (the PCNs through pcns.py) into an ``Extracts``."""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .layouts import (
    FEWEST_FIELDS,
    GP_PRACTICE_SETTINGS,
    KNOWN,
    LAYOUTS,
    REGIONS,
    REPORTING_ENTITY,
    STATUSES,
    SUCCESSIONS,
    WORKBOOK,
    kind_of,
)
from .pcns import read_partners, read_pcns, read_workbook
from .records import OdsRow, Partner, Pcn, Rejected, Succession, date_of


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
            yield Rejected(
                file, line, f"{len(fields)} fields, where at least {FEWEST_FIELDS} are expected"
            )
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
    yield from read_rows(file, _records(path.read_bytes()))


def _records(data: bytes) -> Iterator[list[str]]:
    """An extract's CSV rows (UTF-8, with or without a byte order mark; a byte that is not
    UTF-8 read as U+FFFD rather than refusing the whole file)."""
    return csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))


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

    def at(self, item) -> str:
        """Where a row is, for a message: its file as found in the folder, and its line."""
        return f"{self.where.get(item.file, item.file)}:{item.line}"


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
        for item in _items(name, where, read()):
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


def _items(name: str, where: str, data: bytes) -> Iterator:
    """What one extract holds, read by the reader for its kind."""
    if name == WORKBOOK:
        return read_workbook(where, data)
    file, records = name.removesuffix(".csv"), _records(data)
    if file in LAYOUTS:
        return read_rows(file, records)
    if file == SUCCESSIONS:
        return read_successions(file, records)
    if file == "epcn":
        return read_pcns(file, enumerate(records, start=1))
    return read_partners(file, enumerate(records, start=1))


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""
