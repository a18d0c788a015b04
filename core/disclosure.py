"""Small numbers, kept from view outside the organisation they belong to (statistical
disclosure control, as NHS England's and NHS Digital's published statistics apply it).

A table of counts shown across organisations:

- a count of 1 to 4 is not shown ("fewer than 5"); 0 is shown, as it names nobody;
- a row drawn from fewer than 3 organisations shows no counts at all: a region's only
  community pharmacy would otherwise be named by its row;
- where a column would then have just one count hidden, the next smallest count of that column
  is hidden too, so the column's total cannot give it away; and a total that could still give
  one away, or is itself under 5, is not shown either.

Each hidden cell says why in words.
"""

from dataclasses import dataclass

SMALL = 5  # counts below this (and above 0) are not shown
FEWEST_ORGANISATIONS = 3  # a row drawn from fewer organisations shows nothing


@dataclass(frozen=True)
class Cell:
    value: int | None  # None: not shown
    why: str = ""  # why not, in words

    @property
    def shown(self) -> bool:
        return self.value is not None


FEWER_THAN_5 = "fewer than 5"
TOO_FEW_ORGANISATIONS = f"fewer than {FEWEST_ORGANISATIONS} organisations"
WOULD_DISCLOSE = "not shown, so that a smaller count cannot be worked out"


def protect(rows: list[dict], columns: list[str], *, organisations: str = "organisations"):
    """The rows with each of ``columns`` a ``Cell``, and the totals row (a ``Cell`` a column),
    as the rules above allow. ``organisations``: the key of how many organisations a row is
    drawn from."""
    protected = [dict(row) for row in rows]
    for row in protected:
        few = row.get(organisations, FEWEST_ORGANISATIONS) < FEWEST_ORGANISATIONS
        for column in columns:
            value = row[column]
            if few:
                row[column] = Cell(None, TOO_FEW_ORGANISATIONS)
            elif 0 < value < SMALL:
                row[column] = Cell(None, FEWER_THAN_5)
            else:
                row[column] = Cell(value)
    totals = {}
    for column in columns:
        cells = [row[column] for row in protected]
        hidden = [cell for cell in cells if not cell.shown]
        if len(hidden) == 1:
            _hide_the_next_smallest(protected, rows, column)
            hidden = [row[column] for row in protected if not row[column].shown]
        total = sum(row[column] for row in rows)
        if 0 < total < SMALL or len(hidden) == 1:
            totals[column] = Cell(None, FEWER_THAN_5 if total < SMALL else WOULD_DISCLOSE)
        else:
            totals[column] = Cell(total)
    return protected, totals


def _hide_the_next_smallest(protected, rows, column) -> None:
    """Hide the smallest count still shown in the column (0s name nobody and hide nothing)."""
    shown = [
        (raw[column], index)
        for index, (raw, row) in enumerate(zip(rows, protected, strict=True))
        if row[column].shown and raw[column] > 0
    ]
    if shown:
        _, index = min(shown)
        protected[index][column] = Cell(None, WOULD_DISCLOSE)
