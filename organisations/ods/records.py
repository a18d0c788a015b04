"""What reading an extract yields: an ``OdsRow`` for an organisation (what it is, where, its
parent, when it opened and closed), a ``Pcn``, a ``Partner`` (a practice's membership of a
PCN), a ``Succession``, or a ``Rejected`` with its file, line and reason in words; and
``date_of``, which reads ODS's CCYYMMDD dates."""

import datetime
from dataclasses import dataclass


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
