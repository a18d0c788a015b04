"""Small numbers kept from view (core/disclosure.py), on crafted tables: no count from 1 to 4,
no row of fewer than 3 organisations, and nothing a total would let be worked out."""

import itertools

import pytest

from core.disclosure import FEWER_THAN_5, TOO_FEW_ORGANISATIONS, WOULD_DISCLOSE, protect


def table(*counts, organisations=5):
    return [{"n": count, "organisations": organisations} for count in counts]


def seen(rows, totals):
    cells = [row["n"] for row in rows]
    return [c.value if c.shown else c.why for c in cells], (
        totals["n"].value if totals["n"].shown else totals["n"].why
    )


@pytest.mark.parametrize(
    ("counts", "cells", "total"),
    [
        # Nothing small: all shown.
        ((5, 12, 30), [5, 12, 30], 47),
        # One small count: it and the next smallest hidden, the total shown.
        ((3, 10, 20), [FEWER_THAN_5, WOULD_DISCLOSE, 20], 33),
        # Two small counts: hidden together, nothing more to hide.
        ((3, 4, 20), [FEWER_THAN_5, FEWER_THAN_5, 20], 27),
        # A 0 names nobody and hides nothing: the total, which would give the 3, goes.
        ((3, 0, 0), [FEWER_THAN_5, 0, 0], FEWER_THAN_5),
        ((3, 0, 9), [FEWER_THAN_5, 0, WOULD_DISCLOSE], 12),
        # A lone row under 5: the total too.
        ((2,), [FEWER_THAN_5], FEWER_THAN_5),
        ((0, 0), [0, 0], 0),
    ],
)
def test_small_counts_and_what_would_give_them_away(counts, cells, total):
    assert seen(*protect(table(*counts), ["n"])) == (cells, total)


def test_a_row_of_fewer_than_3_organisations_shows_nothing():
    rows = table(40, 50) + table(60, organisations=1)
    cells, total = seen(*protect(rows, ["n"]))
    assert cells == [WOULD_DISCLOSE, 50, TOO_FEW_ORGANISATIONS]
    assert total == 150  # 60 cannot be had from it: 40 is hidden beside it


def test_a_hidden_count_cannot_be_worked_out_from_any_column_total():
    """Whatever the table, each column with anything hidden hides at least two cells, or
    hides its total."""
    for counts in itertools.product((0, 1, 4, 5, 9), repeat=3):
        rows, totals = protect(table(*counts), ["n"])
        hidden = [row["n"] for row in rows if not row["n"].shown]
        assert len(hidden) != 1 or not totals["n"].shown, counts
        assert all(not (0 < c < 5) or not r["n"].shown for c, r in zip(counts, rows, strict=True))
