"""Loading the organisations from the NHS Organisation Data Service's extracts
(organisations/ods.py reads them; docs/adr/0029-organisations-from-ods.md).

``ods_import(*, by, directory, dry_run=False)`` creates and updates the organisations ODS lists
(name, kind, region, postcode, opening and closing dates) and their dated links:

- a GP practice is part of the ICB its commissioner (a sub-ICB location, epraccur column 15)
  belongs to (eccg column 4), from the day it joined that commissioner;
- a PCN is part of its sub-ICB location's ICB; a practice part of its PCNs, with the dates of
  each membership (the core partner details);
- a community pharmacy is part of its company's head office (edispensary column 15);
- a predecessor is succeeded by its successor (succ), from the day of the succession.

An ICB the sub-ICB locations name is created if it is not known: its name from ``eother`` when
that file is there, else from its sub-ICB locations' names ("NHS X ICB - 52R": "NHS X ICB"),
else a placeholder that says so (PLACEHOLDER); a later run with a better source corrects it.

When ODS gives a child another parent of the same kind, the link to the old one ends the day
before the new one starts. Links to parents the files do not speak of (a trust in its ICB's
area, a pharmacy in a national body) are left as they are. An organisation ODS shows closed
gets its close date (or, with the status Closed and no date, the day of the first import that
saw it so). Nothing is ever deleted, and organisations the files do not list are left alone.

The organisations are read once into a dict and written in batches (``bulk_create`` and
``bulk_update``, audited by organisations/bulk.py); an organisation that moves to another
region or becomes another kind is saved through ``services.organisation_save``, so the signals
that move its kept incident counts fire. The reach table is rebuilt once at the end. A second
run of the same files writes nothing. A row that cannot be used is reported as
``file:line: reason`` and the rest is loaded; ``dry_run`` does everything in a transaction that
is then rolled back.
"""

import copy
import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from titlecase import titlecase

from core.audit import audit_as

from . import closure, ods
from .bulk import audit_bulk
from .choices import OrganisationKind as Kind
from .choices import RelationshipKind
from .models import Organisation, OrganisationRelationship
from .services import organisation_save

BATCH = 2_000
# Extracts in ODS's layouts holding the demo's organisations (codes made up): the demo loads them.
SAMPLES = Path(__file__).resolve().parent / "ods_samples"
PLACEHOLDER = "ICB {code} (name to come from ODS)"
# Words ODS writes in capitals that stay so in a name written in title case.
ACRONYMS = frozenset(
    {"NHS", "ICB", "PCN", "CCG", "GP", "GPS", "UK", "LLP", "PLC", "CIC", "HIV", "A&E", "ENT"}
)
# Words of no vowels that are not acronyms (titlecase would keep them in capitals).
WORDS = {"LTD": "Ltd", "DR": "Dr", "ST": "St", "MR": "Mr", "MRS": "Mrs"}
# "NHS NOTTINGHAM AND NOTTINGHAMSHIRE ICB - 52R": the ICB's name, then the location's code.
_SUB_ICB_NAME = re.compile(r"^(?P<icb>.+\bICB)\s*-\s*[A-Z0-9]+$", re.IGNORECASE)
# How sure a name is: one from the ICB's own row beats one read from a sub-ICB location's,
# which beats the placeholder; a name is only ever replaced by one as sure or surer.
FROM_FILE, FROM_SUB_ICB, FROM_NOTHING = 3, 2, 1
TRUSTS = (Kind.NHS_TRUST, Kind.FOUNDATION_TRUST, Kind.AMBULANCE_TRUST)


class OdsImportError(Exception):
    """The folder cannot be imported at all (it holds no extract)."""


def nhs_titlecase(name: str) -> str:
    """An ODS name (in capitals) in title case, its NHS acronyms and codes kept in capitals."""

    def keep(word, **kwargs):
        upper = word.upper()
        if upper in ACRONYMS or any(c.isdigit() for c in word):
            return upper
        return WORDS.get(upper)

    return titlecase(name.lower(), callback=keep)


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


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    moved: int = 0  # of those updated, how many changed region or kind
    links_started: int = 0
    links_ended: int = 0
    reach_refreshed: bool = False
    rejected: list[str] = field(default_factory=list)  # "file:line: reason"
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links_started or self.links_ended)

    def __str__(self):
        return (
            f"{self.created:,} created, {self.updated:,} updated ({self.moved:,} moved region or "
            f"kind, {self.closed:,} closed), {self.unchanged:,} unchanged; "
            f"{self.links_started:,} links started, {self.links_ended:,} ended; "
            f"{len(self.rejected):,} rows rejected"
        )


class _Plan:
    """What the files ask for, worked out from them and the organisations already known."""

    def __init__(self, found: ods.Extracts, existing: dict[str, Organisation], today):
        self.found, self.existing, self.today = found, existing, today
        self.wanted: dict[str, Wanted] = {}
        # (child, the parent's kind or the successor link) -> the links the files give it; the
        # children whose links of that kind the files speak for.
        self.links: dict[tuple[str, str], list[Link]] = defaultdict(list)
        self.managed: set[tuple[str, str]] = set()
        self.successions: list[Link] = []
        self.rejected: list[str] = [str(r) for r in found.rejected]
        self.notes: list[str] = []
        self.sub_icbs: dict[str, ods.OdsRow] = {}

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

    def rows(self, file: str) -> list[ods.OdsRow]:
        return self.found.rows.get(file, [])

    def organisation(self, row: ods.OdsRow, region: str | None = None) -> bool:
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
            elif found := _SUB_ICB_NAME.match(row.name):
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


def _changes(organisation: Organisation, wanted: Wanted, today) -> dict:
    """The fields of a known organisation that the files change. A name is replaced by one as
    sure as a file's own, or where it is the placeholder."""
    values = {"kind": wanted.kind, "region": wanted.region}
    if wanted.postcode:
        values["postcode"] = wanted.postcode
    if wanted.sure >= FROM_FILE or organisation.name == PLACEHOLDER.format(
        code=organisation.ods_code
    ):
        values["name"] = wanted.name
    if wanted.dates:
        closed_on = wanted.closed_on
        if wanted.closed and closed_on is None:  # status Closed, no date: the first day seen
            closed_on = organisation.closed_on or today
        values |= {"opened_on": wanted.opened_on, "closed_on": closed_on}
    return {name: value for name, value in values.items() if getattr(organisation, name) != value}


def ods_import(
    *, by=None, directory, dry_run: bool = False, tick: Callable[[], None] = lambda: None
) -> Summary:
    """Import a folder of ODS extracts (see the module's docstring). ``by``: the person
    recorded in the audit log (None: no one, a scheduled run). ``tick``: called once a row
    read, for a progress bar. Raises OdsImportError when the folder holds no extract."""
    try:
        found = ods.read_directory(directory, tick=tick)
    except FileNotFoundError as error:
        raise OdsImportError(str(error)) from None
    if not found.files:
        raise OdsImportError(
            f"There is no ODS extract in {directory}: expected files such as etr.csv, "
            "eccg.csv, epraccur.csv, edispensary.csv, epharmacyhq.csv, ePCN.xlsx or "
            "epcn.csv, or the zips ODS publishes them in"
        )
    summary = Summary(files=found.files, dry_run=dry_run)
    today = timezone.localdate()
    with transaction.atomic(), audit_as(by):
        existing = {o.ods_code: o for o in Organisation.objects.all()}
        plan = _Plan(found, existing, today)
        plan.read()
        codes = _write_organisations(plan, summary, by, today)
        _write_links(plan, codes, summary, by)
        if summary.changed:
            closure.rebuild()
            summary.reach_refreshed = True
        summary.rejected, summary.notes = plan.rejected, plan.notes
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _write_organisations(plan: _Plan, summary: Summary, by, today) -> dict[str, int]:
    """Create and update the organisations; returns every known organisation's id by code."""
    created, updated, moves = [], [], []
    now = timezone.now()
    for code, wanted in plan.wanted.items():
        organisation = plan.existing.get(code)
        if organisation is None:
            closed_on = wanted.closed_on or (today if wanted.closed else None)
            organisation = Organisation(
                ods_code=code,
                name=wanted.name,
                kind=wanted.kind,
                region=wanted.region,
                postcode=wanted.postcode,
                opened_on=wanted.opened_on,
                closed_on=closed_on,
            )
            try:
                organisation.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                plan.reject(wanted.at, _message(error))
                continue
            created.append(organisation)
            summary.closed += closed_on is not None
            continue
        changes = _changes(organisation, wanted, today)
        if not changes:
            summary.unchanged += 1
            continue
        before = copy.copy(organisation)
        for name, value in changes.items():
            setattr(organisation, name, value)
        if "kind" in changes or "region" in changes:
            moves.append((organisation, wanted, before))
        else:
            organisation.updated_at = now
            updated.append((before, organisation))
    for start in range(0, len(created), BATCH):
        Organisation.objects.bulk_create(created[start : start + BATCH])
    audit_bulk(Organisation, [(None, o) for o in created], by)
    fields = ["name", "postcode", "opened_on", "closed_on", "updated_at"]
    Organisation.objects.bulk_update([o for _, o in updated], fields, batch_size=BATCH)
    audit_bulk(Organisation, updated, by)
    moved = []
    for organisation, wanted, before in moves:
        try:  # through the service: its checks, its audit, and the signals that move counts
            with transaction.atomic():
                organisation_save(by=by, organisation=organisation)
        except ValidationError as error:
            plan.reject(wanted.at, _message(error))
            continue
        moved.append((before, organisation))
    summary.created = len(created)
    summary.updated = len(updated) + len(moved)
    summary.moved = len(moved)
    summary.closed += sum(
        1 for before, after in [*updated, *moved] if after.closed_on and not before.closed_on
    )
    plan.existing |= {o.ods_code: o for o in created}
    return {code: o.pk for code, o in plan.existing.items()}


def _message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            message for messages in error.message_dict.values() for message in messages
        )
    return "; ".join(error.messages)


def _write_links(plan: _Plan, codes: dict[str, int], summary: Summary, by) -> None:
    """Start the links the files give that are not there, and end the ones they replace."""
    kinds = dict(Organisation.objects.values_list("pk", "kind"))
    held: dict[tuple[int, str], list[OrganisationRelationship]] = defaultdict(list)
    successors: set[tuple[int, int]] = set()
    for link in OrganisationRelationship.objects.all():
        if link.kind == RelationshipKind.SUCCESSOR:
            successors.add((link.child_id, link.parent_id))
        else:
            held[link.child_id, kinds[link.parent_id]].append(link)
    started: list[OrganisationRelationship] = []
    ended: list[tuple[OrganisationRelationship, OrganisationRelationship]] = []
    reopened: list[tuple[OrganisationRelationship, OrganisationRelationship]] = []

    for child, slot in sorted(plan.managed):
        child_pk = codes.get(child)
        if child_pk is None:
            continue  # the organisation itself was rejected
        links = held.get((child_pk, slot), [])
        wanted = [link for link in plan.links.get((child, slot), []) if link.parent in codes]
        used: set[int] = set()
        current: set[int] = set()  # parents it has an open link to, once written
        for link in wanted:
            parent_pk = codes[link.parent]
            if link.end_on is None and parent_pk in current:
                plan.reject(link.at, f"{child} is already given {link.parent} as its parent")
                continue
            same = [h for h in links if h.parent_id == parent_pk and h.pk not in used]
            # The same membership (its start), else the open link to the same parent (one at
            # a time: the database holds to it).
            match = next((h for h in same if h.start_on == link.start_on), None) or next(
                (h for h in same if h.end_on is None), None
            )
            if link.end_on is None:
                current.add(parent_pk)
            if match is None:
                started.append(
                    OrganisationRelationship(
                        child_id=child_pk,
                        parent_id=parent_pk,
                        kind=RelationshipKind.PART_OF,
                        start_on=link.start_on,
                        end_on=link.end_on,
                    )
                )
                continue
            used.add(match.pk)
            if link.end_on != match.end_on:
                if link.end_on is None and any(h.end_on is None for h in same if h is not match):
                    continue  # the open link to it is another: it stays the one
                before = copy.copy(match)
                match.end_on = link.end_on and max(link.end_on, match.start_on)
                (ended if match.end_on else reopened).append((before, match))
        # An open link to a parent the files no longer give ends the day before the new one
        # starts (or today, where the files give no new one).
        starts = sorted(link.start_on for link in wanted if link.end_on is None)
        for held_link in links:
            if held_link.end_on is not None or held_link.pk in used:
                continue
            if held_link.parent_id in current:
                continue  # the files give this parent still (under another start)
            later = [start for start in starts if start > held_link.start_on]
            last_day = later[0] - datetime.timedelta(days=1) if later else plan.today
            before = copy.copy(held_link)
            held_link.end_on = max(last_day, held_link.start_on)
            ended.append((before, held_link))

    for link in plan.successions:
        if link.child not in codes or link.parent not in codes:
            continue
        pair = (codes[link.child], codes[link.parent])
        if pair in successors or pair[::-1] in successors:
            continue
        successors.add(pair)
        started.append(
            OrganisationRelationship(
                child_id=pair[0],
                parent_id=pair[1],
                kind=RelationshipKind.SUCCESSOR,
                start_on=link.start_on,
            )
        )
    # Ends first: a new open link to a parent may follow the end of the old one to it.
    # Each link's organisations as already read, so its description asks the database nothing.
    by_pk = {o.pk: o for o in plan.existing.values()}
    for link in [*started, *(after for _, after in [*ended, *reopened])]:
        link.child, link.parent = by_pk[link.child_id], by_pk[link.parent_id]
    changed = [*ended, *reopened]
    OrganisationRelationship.objects.bulk_update(
        [after for _, after in changed], ["end_on"], batch_size=BATCH
    )
    audit_bulk(OrganisationRelationship, changed, by)
    for start in range(0, len(started), BATCH):
        OrganisationRelationship.objects.bulk_create(started[start : start + BATCH])
    audit_bulk(OrganisationRelationship, [(None, link) for link in started], by)
    summary.links_started, summary.links_ended = len(started) + len(reopened), len(ended)
