"""The dated reach table (``OrganisationClosure``), kept in step with the organisation links.

Every link points from a child to a parent: a practice is part of its PCN, a PCN or a trust is
part of its ICB, and a predecessor is succeeded by its successor. The parent reaches the child.
The closure holds one row for every path upwards through the links, at any depth:
(ancestor, descendant, whether the path goes through a part-of link, depth, and the dates on
which every link of the path holds), and a row of depth 0 from each organisation to itself, so
that what a grant reaches is one indexed subquery. A grant that reaches its own organisation
follows the successor links only (``area`` false); a grant that reaches the area follows them
all.

The table is derived, never edited: ``refresh()`` recomputes the rows of the organisations a
changed link sits above, and runs from the link's save and delete signals (apps.py), in the
same transaction. ``rebuild()`` recomputes everything (after bulk loads).
"""

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from django.db import transaction

from .choices import RelationshipKind

# A hierarchy deeper than this is a data error; it also stops a cycle that slipped in.
MAX_DEPTH = 12
# The transaction-level lock that serialises changes to the links and the reach table.
LINKS_LOCK = 0x4D534F4C494E4B  # "MSOLINK"


def lock() -> None:
    """Serialise writes to the links and their reach table until the transaction ends: two
    link changes computed at once could each miss the other and leave a reach that no link
    gives. A transaction-level advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions
    already serialise every write."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LINKS_LOCK])


def _edges_above(organisation_ids):
    """Every link above these organisations, as child -> [(parent, area, start, end)]."""
    from .models import OrganisationRelationship

    edges = defaultdict(list)
    seen: set[int] = set()
    frontier = set(organisation_ids)
    for _ in range(MAX_DEPTH):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        links = OrganisationRelationship.objects.filter(child_id__in=frontier).values_list(
            "child_id", "parent_id", "kind", "start_on", "end_on"
        )
        frontier = set()
        for child, parent, kind, start, end in links:
            edges[child].append((parent, kind == RelationshipKind.PART_OF, start, end))
            frontier.add(parent)
    return edges


class Path(NamedTuple):
    """One row of the reach table, named as its fields are."""

    ancestor_id: int
    descendant_id: int
    area: bool
    depth: int
    valid_from: date | None
    valid_to: date | None


def paths_up(descendant: int, edges) -> set[Path]:
    """Closure rows for every path up from one organisation, and its row to itself."""
    rows = {Path(descendant, descendant, False, 0, None, None)}
    stack = [(descendant, False, 0, None, None, frozenset({descendant}))]
    while stack:
        node, area, depth, valid_from, valid_to, on_path = stack.pop()
        for parent, part_of, start, end in edges.get(node, ()):
            if parent in on_path or depth >= MAX_DEPTH:
                continue
            path_from = max(filter(None, (valid_from, start)), default=None)
            path_to = min(filter(None, (valid_to, end)), default=None)
            if path_from and path_to and path_from > path_to:
                continue  # the links of this path never held on the same day
            rows.add(Path(parent, descendant, area or part_of, depth + 1, path_from, path_to))
            stack.append(
                (parent, area or part_of, depth + 1, path_from, path_to, on_path | {parent})
            )
    return rows


def _write(descendants, edges) -> None:
    from .models import OrganisationClosure

    OrganisationClosure.objects.filter(descendant_id__in=descendants).delete()
    OrganisationClosure.objects.bulk_create(
        [
            OrganisationClosure(**path._asdict())
            for descendant in descendants
            for path in paths_up(descendant, edges)
        ],
        batch_size=2000,
    )


@transaction.atomic
def refresh(organisation_ids) -> None:
    """Recompute the rows of these organisations and of every organisation below them (whose
    paths upwards go through them), after a link above them changed."""
    from .models import OrganisationClosure

    lock()  # before reading: a change committed meanwhile is then seen
    ids = set(organisation_ids)
    below = OrganisationClosure.objects.filter(ancestor_id__in=ids).values_list(
        "descendant_id", flat=True
    )
    descendants = ids | set(below)
    _write(descendants, _edges_above(descendants))


@transaction.atomic
def rebuild() -> int:
    """Recompute the whole table. Returns the number of rows."""
    from .models import Organisation, OrganisationClosure

    lock()
    OrganisationClosure.objects.all().delete()
    everyone = set(Organisation.objects.values_list("pk", flat=True))
    _write(everyone, _edges_above(everyone))
    return OrganisationClosure.objects.count()


def add_organisation(organisation) -> None:
    """A new organisation reaches itself (its links, when made, refresh the rest)."""
    from .models import OrganisationClosure

    OrganisationClosure.objects.get_or_create(
        ancestor=organisation, descendant=organisation, defaults={"area": False, "depth": 0}
    )


def reaches(ancestor_id: int, descendant_id: int, on: date | None = None) -> bool:
    """Whether one organisation reaches another through the links (on a day, or ever)."""
    from .models import OrganisationClosure

    rows = OrganisationClosure.objects.filter(ancestor_id=ancestor_id, descendant_id=descendant_id)
    return (rows.valid_on(on) if on else rows).exists()
