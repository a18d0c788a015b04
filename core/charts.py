"""Small charts of a few figures per place, drawn on the server as SVG (as the SPC charts are,
incidents/charts.py): a bar a row, split into parts that add up to the row's total (posts by
state in each region, an alert's responses by state in each region).

Nothing is said by colour alone: each part has a fill and, for some, a pattern; a key names
them; and under each bar a line of text gives every part's figure in words. The drawing has a
title and a description for screen readers, and the page shows the same figures as a table
beside it (``rows`` is what both are drawn from)."""

import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 400  # at 320 pixels wide (288 for the drawing) it is drawn at 0.72: text of 10 pixels
FONT = 14  # the text's size, in the drawing's units
LINE = 20  # a line of text
KEY_ROW = 22  # a row of the key
BAR = 18
GAP = 14  # between one row's figures and the next row's label
CHARACTER_WIDTH = 7.5  # about how wide a character is, at FONT


@dataclass(frozen=True)
class Part:
    """One part of each bar: its key in the rows, its name, its fill and whether it is
    hatched (so that two parts never differ by colour alone)."""

    key: str
    label: str
    fill: str
    hatched: bool = False


@dataclass(frozen=True)
class Row:
    """A bar: its label and each part's figure (``figures``: Part.key -> count)."""

    label: str
    figures: dict

    @property
    def total(self) -> int:
        return sum(self.figures.values())


def table(rows: list[Row], parts: list[Part], *, total: str) -> dict:
    """The chart's figures as its table shows them (templates/includes/bars_table.html): each
    row's label, its parts' names and figures in order, and its total; and a last row
    (``total``: its label) adding them up."""
    rows = [
        *rows,
        Row(total, {p.key: sum(row.figures.get(p.key, 0) for row in rows) for p in parts}),
    ]
    drawn = [
        (row.label, [(part.label, row.figures.get(part.key, 0)) for part in parts], row.total)
        for row in rows
    ]
    return {"parts": parts, "rows": drawn[:-1], "total": drawn[-1]}


def _fill(part: Part, key: str) -> str:
    return f"url(#{key}-{part.key})" if part.hatched else part.fill


def _patterns(parts, key) -> SafeString:
    return format_html_join(
        "",
        '<pattern id="{}-{}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" />'
        '<rect width="3" height="6" fill="{}" /></pattern>',
        ((key, part.key, part.fill) for part in parts if part.hatched),
    )


def _key(parts, key) -> tuple[SafeString, int]:
    """The key, a swatch and a name for each part, wrapped onto as many rows as it needs:
    its drawing and its height."""
    x, y, items = 0.0, 0, []
    for part in parts:
        width = 18 + 6 + len(part.label) * CHARACTER_WIDTH + 16
        if x and x + width > WIDTH:
            x, y = 0.0, y + KEY_ROW
        items.append((x, y, part, width))
        x += width
    drawing = format_html_join(
        "",
        '<rect x="{}" y="{}" width="18" height="14" fill="{}" stroke="#212b32" '
        'stroke-width="1" /><text x="{}" y="{}" font-size="{}" fill="#212b32">{}</text>',
        (
            (round(x, 1), y + 2, _fill(part, key), round(x + 24, 1), y + 14, FONT, part.label)
            for x, y, part, _width in items
        ),
    )
    return drawing, y + KEY_ROW + 8


def in_sentence(label: str) -> str:
    """A label within a sentence: "No MSO cover" -> "no MSO cover"."""
    return label[:1].lower() + label[1:]


def in_words(row: Row, parts, unit: str) -> str:
    """A bar's figures in words: "3 organisations: in post 2, vacant 1" (``unit``: what is
    counted, one of them)."""
    figures = ", ".join(
        f"{in_sentence(part.label)} {row.figures.get(part.key, 0):,}" for part in parts
    )
    return f"{row.total:,} {unit}{'' if row.total == 1 else 's'}: {figures}"


def _lines(words: str) -> list[str]:
    """Words set on lines that fit the drawing's width, broken after a comma or a colon (not
    within a number: "1,234")."""
    most = int(WIDTH / CHARACTER_WIDTH)
    lines, line = [], ""
    for piece in re.findall(r".+?(?:[,:] |$)", words):
        if line and len(line) + len(piece) > most:
            lines.append(line.strip())
            line = ""
        line += piece
    return [*lines, line.strip()]


def _bar(row: Row, parts, y: int, most: int, key: str) -> SafeString:
    """A row's bar at ``y``, its parts side by side from the left, each as long as its share
    of ``most``."""
    x, segments = 0.0, []
    for part in parts:
        value = row.figures.get(part.key, 0)
        if not value:
            continue
        width = WIDTH * value / most
        segments.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" '
                'stroke-width="1"><title>{}, {}: {}</title></rect>',
                round(x, 1),
                y,
                round(width, 1),
                BAR,
                _fill(part, key),
                row.label,
                in_sentence(part.label),
                value,
            )
        )
        x += width
    return format_html(
        '<rect x="0" y="{}" width="{}" height="{}" fill="#f0f4f5" />{}',
        y,
        WIDTH,
        BAR,
        mark_safe("".join(segments)),  # noqa: S308 (each part escaped by format_html)
    )


def stacked_bars(
    rows: list[Row], parts: list[Part], *, title: str, description: str, unit: str, key: str
) -> SafeString:
    """The rows as bars of one scale (the longest row fills the width), each split into its
    parts in their order, with the key above and each row's label over its bar and its figures
    in words under it (``unit``: what is counted, one of them). ``key``: a name for the
    drawing's ids, unique on the page."""
    key_drawing, y = _key(parts, key)
    most = max((row.total for row in rows), default=0) or 1
    drawn = []
    for row in rows:
        drawn.append(
            format_html(
                '<text x="0" y="{}" font-size="{}" font-weight="bold" fill="#212b32">{}</text>',
                y + FONT,
                FONT,
                row.label,
            )
        )
        drawn.append(_bar(row, parts, y + LINE, most, key))
        y += LINE + BAR
        for line in _lines(in_words(row, parts, unit)):
            drawn.append(
                format_html(
                    '<text x="0" y="{}" font-size="{}" fill="#4c6272">{}</text>',
                    y + LINE - 2,
                    FONT,
                    line,
                )
            )
            y += LINE
        y += GAP
    bars = mark_safe("".join(drawn))  # noqa: S308 (each part escaped by format_html)
    height = y
    return format_html(
        '<figure class="mso-figure mso-figure--bars"><svg class="mso-chart" '
        'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc><defs>{}</defs>{}{}</svg>'
        '<figcaption class="nhsuk-body-s">{}</figcaption></figure>',
        WIDTH,
        height,
        key,
        key,
        key,
        title,
        key,
        description,
        _patterns(parts, key),
        key_drawing,
        bars,
        title,
    )


def by_region(rows: list[Row], parts: list[Part], *, title: str, bars: str, key: str) -> dict:
    """A chart of a bar for each NHS England region, as long as its number of organisations
    (``bars``: which organisations they are), split into ``parts``, with the same figures as a
    table: what a page that draws one needs (``chart``, and the table's ``table`` context)."""
    chart = stacked_bars(
        rows,
        parts,
        title=title,
        description=(
            f"A bar for each NHS England region, as long as its number of {bars}: "
            + ", ".join(in_sentence(part.label) for part in parts)
            + ". Under each bar its figures in words; the table below gives them too."
        ),
        unit="organisation",
        key=key,
    )
    return {"chart": chart, **table(rows, parts, total="All regions")}
