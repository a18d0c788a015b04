"""Loading the organisations from the NHS Organisation Data Service's extracts
(reading.py reads them; docs/adr/0029-organisations-from-ods.md).

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
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_as

from .. import closure
from ..bulk import audit_bulk
from ..choices import RelationshipKind
from ..models import Organisation, OrganisationRelationship
from ..services import organisation_save
from .names import FROM_FILE, PLACEHOLDER
from .plan import Plan, Wanted
from .reading import read_directory

BATCH = 2_000
# Extracts in ODS's layouts holding the demo's organisations (codes made up): the demo loads them.
SAMPLES = Path(__file__).resolve().parent.parent / "ods_samples"


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    moved: int = 0  # of those updated, how many changed region or kind
    links_started: int = 0
    links_ended: int = 0
    rejected: list[str] = field(default_factory=list)  # "file:line: reason"
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links_started or self.links_ended)

    @property
    def reach_refreshed(self) -> bool:
        """The reach table is rebuilt exactly when something changed (``ods_import``)."""
        return self.changed

    def __str__(self):
        return (
            f"{self.created:,} created, {self.updated:,} updated ({self.moved:,} moved region or "
            f"kind, {self.closed:,} closed), {self.unchanged:,} unchanged; "
            f"{self.links_started:,} links started, {self.links_ended:,} ended; "
            f"{len(self.rejected):,} rows rejected"
        )


class OdsImportError(Exception):
    """The folder cannot be imported at all (it holds no extract)."""


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
        found = read_directory(directory, tick=tick)
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
        plan = Plan(found, existing, today)
        plan.read()
        codes = _write_organisations(plan, summary, by, today)
        # Links change only under the lock relationship_save takes, held to the end: no link
        # saved meanwhile is missed by the rebuild, and no save waits on a row this holds.
        closure.lock()
        _write_links(plan, codes, summary, by)
        if summary.changed:
            closure.rebuild()
        summary.rejected, summary.notes = plan.rejected, plan.notes
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _write_organisations(plan: Plan, summary: Summary, by, today) -> dict[str, int]:
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
            plan.existing[organisation.ods_code] = before  # as it is still saved
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


def _write_links(plan: Plan, codes: dict[str, int], summary: Summary, by) -> None:
    """Start the links the files give that are not there, and end the ones they replace."""
    # Every organisation as saved, already read (_write_organisations): no second read of them.
    by_pk = {o.pk: o for o in plan.existing.values()}
    held: dict[tuple[int, str], list[OrganisationRelationship]] = defaultdict(list)
    successors: set[tuple[int, int]] = set()
    for link in OrganisationRelationship.objects.all():
        if link.kind == RelationshipKind.SUCCESSOR:
            successors.add((link.child_id, link.parent_id))
        else:
            held[link.child_id, by_pk[link.parent_id].kind].append(link)
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
