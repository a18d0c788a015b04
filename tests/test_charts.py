"""Small charts of parts per place (core/charts.py): bars of one scale, each part as long as its
figure, nothing said by colour alone (a key, hatching, the figures in words), the text wrapped
to the drawing and escaped, and a table of the same figures."""

import re

from core.charts import WIDTH, Part, Row, _lines, stacked_bars, table

PARTS = [
    Part("done", "Completed", "#007f3b"),
    Part("late", "Past a deadline", "#d5281b", hatched=True),
]
ROWS = [Row("London", {"done": 3, "late": 1}), Row("North West", {"done": 0, "late": 2})]


def draw(rows=ROWS, parts=PARTS):
    return stacked_bars(
        rows, parts, title="Responses", description="Bars a region", unit="response", key="k"
    )


def segments(svg):
    """(x, width, fill, title) of each part drawn."""
    return [
        (float(x), float(width), fill, title)
        for x, width, fill, title in re.findall(
            r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)" height="\d+" fill="([^"]+)" '
            r'stroke="#ffffff" stroke-width="1"><title>([^<]*)</title>',
            svg,
        )
    ]


def test_each_part_is_as_long_as_its_figure_on_one_scale():
    found = segments(draw())
    unit = WIDTH / 4  # the longest row, London's 4, fills the width
    assert found == [
        (0.0, 3 * unit, "#007f3b", "London, completed: 3"),
        (3 * unit, 1 * unit, "url(#k-late)", "London, past a deadline: 1"),
        (0.0, 2 * unit, "url(#k-late)", "North West, past a deadline: 2"),  # none completed
    ]


def test_nothing_is_said_by_colour_alone():
    svg = draw()
    assert '<pattern id="k-late"' in svg  # the hatched part
    key = re.findall(r'<text x="[\d.]+" y="\d+" font-size="14" fill="#212b32">([^<]*)</text>', svg)
    assert key == ["Completed", "Past a deadline"]
    words = " ".join(re.findall(r'fill="#4c6272">([^<]*)</text>', svg))
    assert words == (
        "4 responses: completed 3, past a deadline 1 2 responses: completed 0, past a deadline 2"
    )
    assert '<title id="k-title">Responses</title><desc id="k-desc">Bars a region</desc>' in svg
    assert 'aria-labelledby="k-title k-desc"' in svg


def test_long_figures_wrap_to_the_drawing_and_no_number_is_broken():
    words = "1,234 organisations: in post 1,000, handover in progress 10, covered 100, vacant 2"
    lines = _lines(words)
    assert len(lines) > 1 and " ".join(lines) == words
    assert all(len(line) * 7.5 <= WIDTH for line in lines)
    assert all(not line.startswith(("0", "2")) for line in lines[1:])


def test_labels_are_escaped():
    svg = draw([Row("<script>", {"done": 1})])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_an_empty_chart_is_drawn_without_failing():
    assert "<svg" in draw([])


def test_the_table_holds_the_same_figures_and_their_totals():
    assert table(ROWS, PARTS, total="All regions") == {
        "parts": PARTS,
        "rows": [
            ("London", [("Completed", 3), ("Past a deadline", 1)], 4),
            ("North West", [("Completed", 0), ("Past a deadline", 2)], 2),
        ],
        "total": ("All regions", [("Completed", 3), ("Past a deadline", 3)], 6),
    }
