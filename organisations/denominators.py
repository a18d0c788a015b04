"""Denominators: what each organisation's incidents are counted against, month by month
(choices.DENOMINATOR_FOR_KIND; docs/adr/0027-funnel-plots-and-denominators.md).

- ``denominator_record(*, by, organisation, month, value)``: the organisation's safety team
  records one month, or corrects it (the month's value is replaced); audited.
- ``plan(data, *, by)`` reads a CSV file of ``ods_code,month,value`` rows and says what
  importing it would do: each row new, changed or unchanged, or rejected with its line and
  why (an organisation the person does not import for, a month that is not one or has not
  begun, a value that is not a month's). ``apply(plan, by=…)`` then writes the accepted rows
  in one transaction, each new or changed row audited as a save would be; rejected rows are
  left out. The same file imported again changes nothing.

Pages that keep figures worked out from denominators read ``version()`` into their keys: each
write changes it, once committed, so they are worked out again.
"""

import csv
import datetime
import io
import re
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_as
from core.tasks import after_commit

from .bulk import audit_bulk
from .choices import OrganisationKind, denominator_problem, measure_for
from .models import Denominator, Organisation
from .permissions import Perm
from .services import lock
from .validators import normalise_ods_code

COLUMNS = ("ods_code", "month", "value")
MAX_BYTES = 8 * 1024 * 1024  # 20,000 organisations' year is about 5 MB
EARLIEST = datetime.date(2000, 1, 1)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_CHUNK = 2_000  # ids and codes a query is given at once
_VERSION = "organisations:denominators:version"


def version() -> int:
    """Which denominators there are, as a number that changes with each write."""
    return cache.get_or_set(_VERSION, 0, None)


def _changed() -> None:
    # After the commit, and never an error for a change already saved: a cache that cannot be
    # written leaves the funnel's kept rows to expire on their own.
    after_commit(lambda: cache.set(_VERSION, time.time_ns(), None))


def month_of(value: str, today: datetime.date | None = None) -> datetime.date:
    """The first day of a month written as YYYY-MM, or ValidationError saying why not: a month
    that has not begun has no denominator yet."""
    found = _MONTH.match((value or "").strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise ValidationError(f"the month “{value}” is not a month: write it as 2026-03")
    month = datetime.date(int(found[1]), int(found[2]), 1)
    if month > (today or timezone.localdate()):
        raise ValidationError(f"the month {month:%Y-%m} has not begun")
    if month < EARLIEST:
        raise ValidationError(f"the month {month:%Y-%m} is before {EARLIEST:%Y}")
    return month


def denominator_record(*, by, organisation, month: datetime.date, value: int) -> Denominator:
    """Record an organisation's denominator for a month, replacing what the month had."""
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError({"month": "Choose a month that has begun"}, code="future")
    with transaction.atomic(), audit_as(by):
        lock(organisation)  # a month sent twice at once, before it has a row: recorded once
        row = (
            Denominator.objects.select_for_update()
            .filter(organisation=organisation, month=month)
            .first()
        )
        if row is not None and row.value == value:
            return row
        row = row or Denominator(organisation=organisation, month=month)
        row.value, row.source = value, Denominator.Source.ENTERED
        row.recorded_by, row.recorded_at = by, timezone.now()
        row.full_clean(validate_unique=False)
        row.save()
        _changed()
    return row


# Importing a file ---------------------------------------------------------------------------


@dataclass
class Planned:
    line: int
    organisation: Organisation
    month: datetime.date
    value: int
    existing: Denominator | None = None

    @property
    def outcome(self) -> str:
        if self.existing is None:
            return "new"
        return "unchanged" if self.existing.value == self.value else "changed"


@dataclass
class Plan:
    rows: list[Planned] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    problem: str = ""  # why the whole file cannot be read

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> str:
        return (
            f"{self.count('new'):,} new, {self.count('changed'):,} changed, "
            f"{self.count('unchanged'):,} unchanged, {len(self.rejected):,} rejected"
        )

    @property
    def readable(self) -> bool:
        return not self.problem


def _header(cells: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lower().replace(" ", "_") for cell in cells]
    if sorted(names) != sorted(COLUMNS):
        return None
    return {name: names.index(name) for name in COLUMNS}


def _value(text: str) -> int:
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned.isdigit():
        raise ValidationError(f"the value “{text}” is not a whole number")
    return int(cleaned)


def plan(data: bytes, *, by, today: datetime.date | None = None) -> Plan:
    """What importing a CSV file of denominators would do (see the module's docstring)."""
    found = Plan()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found.problem = "The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8"
        return found
    reader = csv.reader(io.StringIO(text))
    try:
        records = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        found.problem = f"The CSV file cannot be read: line {reader.line_num}: {error}"
        return found
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records or (columns := _header(records[0][1])) is None:
        found.problem = "The first line must name the columns ods_code, month and value (line 1)"
        return found
    read: list[tuple[int, str, datetime.date, int]] = []
    for line, cells in records[1:]:
        if len(cells) != len(COLUMNS):
            found.rejected.append((line, f"it has {len(cells)} columns, not {len(COLUMNS)}"))
            continue
        code = normalise_ods_code(cells[columns["ods_code"]])
        try:
            month = month_of(cells[columns["month"]], today)
            value = _value(cells[columns["value"]])
        except ValidationError as error:
            found.rejected.append((line, error.messages[0]))
            continue
        read.append((line, code, month, value))
    reached = _reached(by, {code for _, code, _, _ in read})
    existing = _existing(by, reached.values(), [month for *_, month, _ in read])
    seen: dict[tuple[int, datetime.date], int] = {}
    for line, code, month, value in read:
        organisation = reached.get(code)
        if organisation is None:
            found.rejected.append(
                (line, f"no organisation with ODS code “{code}” among those you import for")
            )
            continue
        if measure_for(organisation.kind) is None:
            kind = OrganisationKind(organisation.kind).label
            found.rejected.append(
                (line, f"{organisation.ods_code} is of a kind with no denominator ({kind})")
            )
            continue
        if problem := denominator_problem(organisation.kind, value):
            found.rejected.append((line, f"{organisation.ods_code}'s value {problem}"))
            continue
        if (organisation.pk, month) in seen:
            found.rejected.append(
                (
                    line,
                    f"{organisation.ods_code} {month:%Y-%m} is in the file twice (first on "
                    f"line {seen[organisation.pk, month]})",
                )
            )
            continue
        seen[organisation.pk, month] = line
        found.rows.append(
            Planned(line, organisation, month, value, existing.get((organisation.pk, month)))
        )
    found.rejected.sort()
    return found


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _reached(by, codes: set[str]) -> dict[str, Organisation]:
    """The organisations of these codes that the person imports denominators for."""
    reached = Organisation.objects.visible_to(by, Perm.DENOMINATORS_IMPORT).only(
        "pk", "ods_code", "name", "kind"
    )
    return {
        organisation.ods_code: organisation
        for chunk in _chunks(sorted(codes))
        for organisation in reached.filter(ods_code__in=chunk)
    }


def _existing(by, organisations, months) -> dict[tuple[int, datetime.date], Denominator]:
    if not months:
        return {}
    rows = Denominator.objects.visible_to(by, Perm.DENOMINATORS_IMPORT).filter(
        month__gte=min(months), month__lte=max(months)
    )
    return {
        (row.organisation_id, row.month): row
        for chunk in _chunks(sorted(o.pk for o in organisations))
        for row in rows.filter(organisation_id__in=chunk)
    }


def apply(found: Plan, *, by) -> Plan:
    """Write the new and changed rows of a plan, in one transaction, each audited. Returns the
    plan."""
    now = timezone.now()
    writes = [row for row in found.rows if row.outcome != "unchanged"]
    if not writes:
        return found
    with transaction.atomic():
        written = Denominator.objects.bulk_create(
            [
                Denominator(
                    organisation=row.organisation,
                    month=row.month,
                    value=row.value,
                    source=Denominator.Source.IMPORTED,
                    recorded_by=by,
                    recorded_at=now,
                )
                for row in writes
            ],
            batch_size=2_000,
            update_conflicts=True,
            unique_fields=["organisation", "month"],
            update_fields=["value", "source", "recorded_by", "recorded_at"],
        )
        _audit(writes, written, by)
        _changed()
    return found


def _audit(writes: list[Planned], written: list[Denominator], by) -> None:
    """The audit log's entries for rows written in bulk (organisations/bulk.py)."""
    changes = []
    for row, saved in zip(writes, written, strict=True):
        if saved.pk is None:  # a backend that gives no ids back from an upsert
            saved = Denominator.objects.get(organisation=row.organisation, month=row.month)
        changes.append((row.existing, saved))
    audit_bulk(Denominator, changes, by)
