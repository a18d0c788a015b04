"""Monthly denominators at national scale, fictional but of the sizes the national sources give
(docs/adr/0027-funnel-plots-and-denominators.md): occupied bed days for the trusts and
independent providers, list sizes for the GP practices, items dispensed for the community
pharmacies, for the last 12 whole months, as if imported from those sources by one account.
About 3% of organisations have none recorded and 5% miss a few months, as real returns do.

``seed_denominators(seed)`` loads them by COPY on PostgreSQL (240,000 rows in a few seconds;
bulk inserts elsewhere), once: a second run finds the last month recorded and adds nothing. An
organisation that has its own for those months (the demo's) keeps them.
"""

import random
from datetime import datetime, time

from django.db import connection, transaction
from django.utils import timezone

from incidents.figures import month_starts
from organisations.choices import DENOMINATOR_FOR_KIND, OrganisationKind
from organisations.models import Denominator, Organisation

MONTHS = 12
NONE_RECORDED = 0.03
MONTHS_MISSED = 0.05
IMPORTER = "denominators@people.example"
COLUMNS = ("organisation_id", "month", "value", "source", "recorded_by_id", "recorded_at")


def _size(kind: str, rng: random.Random) -> float:
    """A month's value for an organisation of this kind: skewed, as sizes are."""
    if kind in (OrganisationKind.NHS_TRUST, OrganisationKind.FOUNDATION_TRUST):
        beds = min(2_500, max(80, rng.lognormvariate(6.2, 0.6)))  # about 500 beds
        return beds * 0.9 * 30.4
    if kind == OrganisationKind.INDEPENDENT_PROVIDER:
        return min(400, max(10, rng.lognormvariate(3.8, 0.7))) * 0.8 * 30.4  # about 45 beds
    if kind == OrganisationKind.GP_PRACTICE:
        return min(80_000, max(1_000, rng.lognormvariate(9.1, 0.5)))  # about 9,000 patients
    return min(200_000, max(1_500, rng.lognormvariate(8.9, 0.45)))  # about 7,300 items


def seed_denominators(seed: int = 2026, *, today=None) -> dict[str, int]:
    """Record every organisation's last 12 whole months (those of a kind with a denominator)."""
    from accounts.models import User

    last = month_starts(today or timezone.localdate(), 2)[0]
    months = month_starts(last, MONTHS)
    if Denominator.objects.filter(month=last, recorded_by__email=IMPORTER).exists():
        return {"denominators": Denominator.objects.count()}
    # An organisation with its own (the demo's) keeps them.
    recorded = set(
        Denominator.objects.filter(month__in=months).values_list("organisation_id", flat=True)
    )
    importer, _ = User.objects.get_or_create(
        email=IMPORTER, defaults={"full_name": "National data import", "is_active": False}
    )
    rng = random.Random(seed + 7)
    recorded_at = timezone.make_aware(datetime.combine(last, time(9)))
    rows = []
    for pk, kind in (
        Organisation.objects.filter(kind__in=list(DENOMINATOR_FOR_KIND))
        .order_by("pk")
        .values_list("pk", "kind")
    ):
        size = _size(kind, rng)
        share = rng.random()
        if share < NONE_RECORDED or pk in recorded:
            continue
        missed = set(rng.sample(months, rng.randint(1, 4))) if share > 1 - MONTHS_MISSED else set()
        for month in months:
            if month not in missed:
                value = max(1, round(size * rng.uniform(0.94, 1.06)))
                rows.append((pk, month, value, "imported", importer.pk, recorded_at))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor
                statement = f"COPY organisations_denominator ({', '.join(COLUMNS)}) FROM STDIN"
                with raw.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            Denominator.objects.bulk_create(
                (Denominator(**dict(zip(COLUMNS, row, strict=True))) for row in rows),
                batch_size=2_000,
                ignore_conflicts=True,
            )
    if connection.vendor == "postgresql":
        # As autovacuum leaves a table after a bulk load (its visibility map set, so that it is
        # read from its index alone); inside a transaction, only its statistics.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{vacuum} organisations_denominator")
    return {"denominators": Denominator.objects.count()}
