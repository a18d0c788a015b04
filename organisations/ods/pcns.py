"""Reading the PCNs: ``ePCN.xlsx`` (inside ``epcn.zip``), whose sheets' header rows say where
the columns are, or the newer export's headerless CSV reports ``epcn`` (the PCNs) and
``epcncorepartnerdetails`` (their practices' memberships)."""

import io
import re
from collections.abc import Iterable, Iterator

from .records import Partner, Pcn, Rejected, date_of


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


def _cell(fields: list, index: int):
    return fields[index] if index < len(fields) else ""


def _text(fields: list, index: int) -> str:
    return str(_cell(fields, index)).strip()
