"""What the files ask for, worked out before anything is written (``Plan``): each organisation
as the files have it (``Wanted``), its dated links to its parents (``Link``), the
successions, and the rows that cannot be used, from the extracts read and the organisations
already known."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..choices import OrganisationKind as Kind
from ..models import Organisation
from .names import FROM_FILE, FROM_NOTHING, FROM_SUB_ICB, PLACEHOLDER, SUB_ICB_NAME, nhs_titlecase
from .reading import Extracts
from .records import OdsRow


@dataclass
class Wanted:
    """An organisation as the files have it."""

    at: str  # file:line, for messages
    name: str
    kind: str
    region: str
    postcode: str = ""
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    closed: bool = False  # ODS shows it closed (with or without a date)
    sure: int = FROM_FILE  # how sure the name is
    dates: bool = True  # the files give its dates (not so for an ICB known only by its code)


@dataclass(frozen=True)
class Link:
    at: str
    child: str
    parent: str
    start_on: datetime.date
    end_on: datetime.date | None


class Plan:
    """What the files ask for, worked out from them and the organisations already known."""

    def __init__(self, found: Extracts, existing: dict[str, Organisation], today):
        self.found, self.existing, self.today = found, existing, today
        self.wanted: dict[str, Wanted] = {}
        # (child, the parent's kind or the successor link) -> the links the files give it; the
        # children whose links of that kind the files speak for.
        self.links: dict[tuple[str, str], list[Link]] = defaultdict(list)
        self.managed: set[tuple[str, str]] = set()
        self.successions: list[Link] = []
        self.rejected: list[str] = [str(r) for r in found.rejected]
        self.notes: list[str] = []
        self.sub_icbs: dict[str, OdsRow] = {}

    def reject(self, at: str, reason: str) -> None:
        self.rejected.append(f"{at}: {reason}")

    def want(self, code: str, wanted: Wanted) -> None:
        if code in self.wanted and self.wanted[code].sure >= wanted.sure:
            self.reject(wanted.at, f"{code} is already read, at {self.wanted[code].at}")
            return
        self.wanted[code] = wanted

    def kind_of(self, code: str) -> str | None:
        if code in self.wanted:
            return self.wanted[code].kind
        known = self.existing.get(code)
        return known.kind if known else None

    def region_of(self, code: str) -> str:
        if code in self.wanted and self.wanted[code].region:
            return self.wanted[code].region
        known = self.existing.get(code)
        return known.region if known else ""

    def link(self, slot: str, child: str, parent: str, start, end, at: str) -> None:
        """A dated link from the files: from when the child joined (or, not said, opened), and
        not before the parent opened."""
        parent_opened = self.wanted[parent].opened_on if parent in self.wanted else None
        if parent_opened is None and parent in self.existing:
            parent_opened = self.existing[parent].opened_on
        start = max(filter(None, (start, parent_opened)), default=None) or self.today
        if end and end < start:
            end = start
        self.links[child, slot].append(Link(at, child, parent, start, end))

    # Reading each file ---------------------------------------------------------------------

    def rows(self, file: str) -> list[OdsRow]:
        return self.found.rows.get(file, [])

    def organisation(self, row: OdsRow, region: str | None = None) -> bool:
        region = row.region if region is None else region
        if not region:
            self.reject(self.found.at(row), "no NHS England region (national grouping)")
            return False
        self.want(
            row.code,
            Wanted(
                at=self.found.at(row),
                name=nhs_titlecase(row.name),
                kind=row.kind,
                region=region,
                postcode=row.postcode,
                opened_on=row.opened_on,
                closed_on=row.closed_on,
                closed=row.is_closed,
            ),
        )
        return True

    def read(self) -> None:
        for row in self.rows("etr"):
            self.organisation(row)
        self.icbs()
        self.practices()
        self.pharmacies()
        self.pcns()
        self.successors()

    def icbs(self) -> None:
        """The ICBs the open sub-ICB locations name, with their names."""
        others = {row.code: row for row in self.rows("eother")}
        for row in self.rows("eccg"):
            if not row.parent:
                self.reject(self.found.at(row), "no ICB (column 4) for the sub-ICB location")
                continue
            if not row.region:
                self.reject(self.found.at(row), "no NHS England region (national grouping)")
                continue
            self.sub_icbs[row.code] = row
        for row in self.sub_icbs.values():
            if not row.is_open or row.parent in self.wanted:
                continue
            own = others.get(row.parent)
            if own is not None:
                name, sure, dates = nhs_titlecase(own.name), FROM_FILE, own
            elif found := SUB_ICB_NAME.match(row.name):
                name, sure, dates = nhs_titlecase(found["icb"]), FROM_SUB_ICB, None
            else:
                name, sure, dates = PLACEHOLDER.format(code=row.parent), FROM_NOTHING, None
            self.want(
                row.parent,
                Wanted(
                    at=self.found.at(own or row),
                    name=name,
                    kind=Kind.ICB,
                    region=row.region,
                    postcode=own.postcode if own else "",
                    opened_on=dates.opened_on if dates else None,
                    closed_on=dates.closed_on if dates else None,
                    closed=dates.is_closed if dates else False,
                    sure=sure,
                    dates=dates is not None,
                ),
            )

    def icb_of(self, sub_icb: str) -> str | None:
        row = self.sub_icbs.get(sub_icb)
        if row is None or self.kind_of(row.parent) != Kind.ICB:
            return None
        return row.parent

    def practices(self) -> None:
        rows = self.rows("epraccur")
        if rows and not self.rows("eccg"):
            self.notes.append(
                "There is no eccg file, so the practices' ICBs (through their commissioners) "
                "are left as they are."
            )
        for row in rows:
            if not self.organisation(row) or not self.rows("eccg"):
                continue
            self.managed.add((row.code, Kind.ICB))
            if not row.parent:
                continue
            icb = self.icb_of(row.parent)
            if icb is None:
                self.reject(
                    self.found.at(row),
                    f"its commissioner “{row.parent}” is not a sub-ICB location of an ICB in eccg",
                )
                continue
            self.link(
                Kind.ICB,
                row.code,
                icb,
                row.joined_on or row.opened_on,
                row.left_on,
                self.found.at(row),
            )

    def pharmacies(self) -> None:
        """Head offices, then their pharmacies; a head office is placed in the region where
        most of its pharmacies are (ODS gives it none)."""
        pharmacies = self.rows("edispensary")
        regions: dict[str, Counter] = defaultdict(Counter)
        for row in pharmacies:
            if row.parent and row.region:
                regions[row.parent][row.region] += 1
        for row in self.rows("epharmacyhq"):
            counted = regions.get(row.code)
            region = counted.most_common(1)[0][0] if counted else self.region_of(row.code)
            if not region:
                self.reject(
                    self.found.at(row),
                    "no NHS England region: ODS gives a head office none, and none of its "
                    "pharmacies is in edispensary",
                )
                continue
            self.organisation(row, region)
        for row in pharmacies:
            if not self.organisation(row):
                continue
            self.managed.add((row.code, Kind.PHARMACY_HEAD_OFFICE))
            if not row.parent:
                continue
            if self.kind_of(row.parent) != Kind.PHARMACY_HEAD_OFFICE:
                self.reject(
                    self.found.at(row),
                    f"its head office “{row.parent}” is not a head office in epharmacyhq",
                )
                continue
            self.link(
                Kind.PHARMACY_HEAD_OFFICE,
                row.code,
                row.parent,
                row.joined_on or row.opened_on,
                row.left_on,
                self.found.at(row),
            )

    def pcns(self) -> None:
        for pcn in self.found.pcns:
            at = self.found.at(pcn)
            sub_icb = self.sub_icbs.get(pcn.sub_icb)
            icb = self.icb_of(pcn.sub_icb)
            region = sub_icb.region if sub_icb else self.region_of(pcn.code)
            if not region:
                self.reject(at, f"no region: its sub-ICB location “{pcn.sub_icb}” is not in eccg")
                continue
            self.want(
                pcn.code,
                Wanted(
                    at=at,
                    name=nhs_titlecase(pcn.name),
                    kind=Kind.PCN,
                    region=region,
                    postcode=pcn.postcode,
                    opened_on=pcn.opened_on,
                    closed_on=pcn.closed_on,
                    closed=pcn.closed_on is not None,
                ),
            )
            if self.sub_icbs:
                self.managed.add((pcn.code, Kind.ICB))
                if icb is None:
                    self.reject(
                        at, f"its sub-ICB location “{pcn.sub_icb}” is not one of an ICB in eccg"
                    )
                else:
                    self.link(Kind.ICB, pcn.code, icb, pcn.opened_on, pcn.closed_on, at)
        for partner in self.found.partners:
            at = self.found.at(partner)
            if self.kind_of(partner.practice) != Kind.GP_PRACTICE:
                self.reject(
                    at, f"the practice “{partner.practice}” is not a GP practice in epraccur"
                )
                continue
            if self.kind_of(partner.pcn) != Kind.PCN:
                self.reject(at, f"the PCN “{partner.pcn}” is not a PCN in the PCN details")
                continue
            self.managed.add((partner.practice, Kind.PCN))
            self.link(Kind.PCN, partner.practice, partner.pcn, partner.start_on, partner.end_on, at)

    def successors(self) -> None:
        pairs = set()
        for row in self.found.successions:
            if self.kind_of(row.predecessor) is None or self.kind_of(row.successor) is None:
                continue  # not organisations of ours (sites, Welsh bodies, …)
            pair = (row.predecessor, row.successor)
            if pair in pairs:
                continue
            if pair[::-1] in pairs:
                self.reject(
                    self.found.at(row),
                    f"{row.successor} is already recorded as succeeded by {row.predecessor}",
                )
                continue
            pairs.add(pair)
            self.successions.append(
                Link(
                    self.found.at(row),
                    row.predecessor,
                    row.successor,
                    row.effective_on or self.today,
                    None,
                )
            )
