"""Charts drawn on the server as SVG (here: a template took a millisecond a chart), so the same
markup serves the web page and the PDF board reports. Each chart has a title and a description for
screen readers, and the page shows its data as a table; special cause points are drawn as
larger squares, not only in another colour."""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.spc import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 44


# "Nice" steps between ticks: these times a power of ten.
NICE = (1, 2, 2.5, 5, 10)
# About how wide a label's character is, at the charts' 11-point text, in the drawing's units.
CHARACTER_WIDTH = 6.5


def nice_axis(value: float, *, whole: bool = True, most: int = 5) -> list[float]:
    """The ticks of an axis from 0 to at least ``value``: at most ``most`` steps of a nice size
    (1, 2, 2.5 or 5 times a power of ten); for counts (``whole``) whole numbers only, so 3
    gives 0, 1, 2, 3, never 0, 1, 2, 2, 3 or steps of 1.25."""
    value = max(value, 1) if whole or value <= 0 else value
    magnitude = 10 ** math.floor(math.log10(value / most))
    step = value
    for factor in (*NICE, *(10 * n for n in NICE)):
        candidate = factor * magnitude
        if whole and (candidate < 1 or candidate != int(candidate)):
            continue
        if value <= candidate * most + 1e-9:
            step = candidate
            break
    count = math.ceil(value / step - 1e-9)
    return [int(step * k) if whole else round(step * k, 10) for k in range(count + 1)]


def label_every(count: int, plot_width: float, longest: int) -> int:
    """Label every how many points, so that labels of ``longest`` characters never overlap:
    counted back from the last point, so the last is always labelled and the rest at a regular
    step."""
    if count < 2:
        return 1
    spacing = plot_width / (count - 1)
    return max(1, math.ceil((longest * CHARACTER_WIDTH + 8) / spacing))


def _tick(value: float) -> float:
    """A tick's value as written: whole numbers without a point, others to two places (a
    measure of 0 to 1)."""
    return int(value) if value == int(value) else round(value, 2)


@dataclass
class SpcDrawing:
    width: int
    height: int
    points: list[dict]
    line: str
    # Each group's mean and (where it has them) process limits, from its first point to its
    # last: {"x1", "x2", "y", "kind"} with kind "mean", "upper" or "lower".
    lines: list[dict]
    ticks: list[dict]
    left: int
    right: int

    @property
    def tick_x(self) -> int:
        """Where the ticks' values end, left of the plot."""
        return self.left - 6

    @property
    def label_y(self) -> int:
        """The baseline of the months' labels, under the plot."""
        return self.height - 24


def spc_drawing(chart: Chart, *, whole: bool = True) -> SpcDrawing:
    """Where everything of an SPC chart is drawn. ``whole``: the values are counts, so the axis
    has whole-number ticks."""
    values = [point.value for point in chart.points]
    uppers = [group.upper for group in chart.groups if group.upper is not None]
    axis = nice_axis(max([*values, *uppers, 0]), whole=whole)
    top = axis[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value):
        return round(TOP + plot_h * (1 - value / top), 1)

    n = max(len(values) - 1, 1)
    every = label_every(len(values), plot_w, max((len(p.label) for p in chart.points), default=1))
    drawn = []
    for i, point in enumerate(chart.points):
        drawn.append(
            {
                "x": round(LEFT + plot_w * i / n, 1),
                "y": y(point.value),
                "label": point.label,
                "value": point.value,
                "special": point.special,
                "incomplete": point.incomplete,
                # A special cause point is a square 10 wide around the point.
                "square_x": round(LEFT + plot_w * i / n - 5, 1),
                "square_y": round(y(point.value) - 5, 1),
                # The last and every ``every`` before it: never touching.
                "show_label": (len(values) - 1 - i) % every == 0,
                "anchor": _anchor(i, len(values), every),
            }
        )
    line = " ".join(f"{p['x']},{p['y']}" for p in drawn)
    ticks = [{"y": y(value), "value": _tick(value)} for value in axis]
    lines = []
    for group in chart.groups:
        if group.mean is None:
            continue
        x1, x2 = drawn[group.first]["x"], drawn[group.last]["x"]
        levels = [("mean", group.mean)]
        if group.has_limits:
            floor = chart.floor if chart.floor is not None else group.lower
            levels += [("upper", group.upper), ("lower", max(floor, group.lower))]
        lines += [{"x1": x1, "x2": x2, "y": y(value), "kind": kind} for kind, value in levels]
    return SpcDrawing(WIDTH, HEIGHT, drawn, line, lines, ticks, LEFT, WIDTH - RIGHT)


def _anchor(i: int, count: int, every: int) -> str:
    """Labels at the ends are held inside the plot: the last ends at its point, the first
    starts at it (when a label's half width would cross the edge)."""
    if i == count - 1 and i:
        return "end"
    if i == 0 and count > 1:
        return "start"
    return "middle"


def spc_svg(spc: SpcDrawing, title: str, description: str, *, key: str = "spc") -> str:
    """An SPC chart as SVG: the monthly counts as a line, the mean and the process limits, each
    special cause point a larger orange square, and a month's name every few months."""
    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d8dde0" stroke-width="1" />'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11" '
        'fill="#4c6272">{}</text>',
        (
            (spc.left, spc.right, tick["y"], tick["y"], spc.tick_x, tick["y"], tick["value"])
            for tick in spc.ticks
        ),
    )
    styles = {
        "mean": ("#212b32", ""),
        "upper": ("#4c6272", 'stroke-dasharray="6 4" '),
        "lower": ("#4c6272", 'stroke-dasharray="6 4" '),
    }
    limits = format_html_join(
        "",
        '<line class="mso-chart__{}" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" {}'
        'stroke-width="1.5" />',
        (
            (
                line["kind"],
                line["x1"],
                line["x2"],
                line["y"],
                line["y"],
                styles[line["kind"]][0],
                mark_safe(styles[line["kind"]][1]),  # noqa: S308 (our own)
            )
            for line in spc.lines
        ),
    )
    points = []
    for point in spc.points:
        if point["special"]:
            points.append(
                format_html(
                    '<rect x="{}" y="{}" width="10" height="10" fill="#ed8b00" stroke="#212b32" '
                    'stroke-width="1"><title>{}: {} (special cause)</title></rect>',
                    point["square_x"],
                    point["square_y"],
                    point["label"],
                    point["value"],
                )
            )
        elif point["incomplete"]:
            points.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="#ffffff" stroke="#005eb8" '
                    'stroke-width="1.5"><title>{}: {} (still filling: reports arrive late)'
                    "</title></circle>",
                    point["x"],
                    point["y"],
                    point["label"],
                    point["value"],
                )
            )
        else:
            points.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" fill="#005eb8"><title>{}: {}</title></circle>',
                    point["x"],
                    point["y"],
                    point["label"],
                    point["value"],
                )
            )
        if point["show_label"]:
            points.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" font-size="11" fill="#4c6272">{}</text>',
                    point["x"],
                    spc.label_y,
                    point["anchor"],
                    point["label"],
                )
            )
    caption = title
    if spc.points:
        first, last = spc.points[0]["label"], spc.points[-1]["label"]
        caption = f"{title}, {first} to {last}" if first != last else f"{title}, {first}"
    return format_html(
        '<figure class="mso-figure"><svg class="mso-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}'
        '<polyline points="{}" fill="none" stroke="#005eb8" stroke-width="2" />{}</svg>'
        '<figcaption class="nhsuk-body-s">{}.</figcaption></figure>',
        spc.width,
        spc.height,
        key,
        key,
        key,
        caption,
        key,
        description,
        ticks,
        limits,
        spc.line,
        mark_safe("".join(points)),  # noqa: S308 (each part escaped by format_html)
        caption,
    )


def bars(rows: list[tuple[str, int]], *, width=560, bar_height=16) -> dict:
    """A horizontal bar chart of (label, count) rows: each label above its bar, the count at
    its end (drawn by ``bars_svg``)."""
    most = max([value for _, value in rows] or [1]) or 1
    row = bar_height + 26
    drawn = []
    for i, (label, value) in enumerate(rows):
        top, length = i * row, round((width - 60) * value / most, 1)
        drawn.append(
            {
                "label": label[:70],
                "value": value,
                "width": length,
                "label_y": top + 14,
                "bar_y": top + 20,
                "value_x": round(length + 6, 1),
                "value_y": top + 33,
            }
        )
    return {
        "bars": drawn,
        "width": width,
        "height": max(1, len(rows)) * row,
        "bar_height": bar_height,
    }


def bars_svg(chart: dict, title: str) -> str:
    """A bar chart as SVG: a chart of a dozen bars is drawn here rather than by a template,
    which took a millisecond a chart."""
    shapes = format_html_join(
        "",
        '<text x="0" y="{}" font-size="13" fill="#212b32">{}</text>'
        '<rect x="0" y="{}" width="{}" height="{}" fill="#005eb8" />'
        '<text x="{}" y="{}" font-size="13" fill="#212b32">{}</text>',
        (
            (
                bar["label_y"],
                bar["label"],
                bar["bar_y"],
                bar["width"],
                chart["bar_height"],
                bar["value_x"],
                bar["value_y"],
                bar["value"],
            )
            for bar in chart["bars"]
        ),
    )
    return format_html(
        '<svg class="mso-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}: bar chart. The table below gives its figures.">{}</svg>',
        chart["width"],
        chart["height"],
        title,
        shapes,
    )


def columns(rows: list[tuple[str, int, bool]], *, width=WIDTH, height=220) -> dict:
    """A column chart of (label, count, after) rows in time order: columns after a date (an
    alert's issue) are drawn in another colour and hatched, and a line marks the change."""
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    axis = nice_axis(max([value for _, value, _ in rows] or [1]), most=4)
    top = axis[-1]
    step = plot_w / max(len(rows), 1)
    drawn, marker = [], None
    for i, (label, value, after) in enumerate(rows):
        h = round(plot_h * value / top, 1)
        x = round(LEFT + i * step + step * 0.15, 1)
        if after and marker is None:
            marker = round(LEFT + i * step, 1)
        drawn.append(
            {
                "x": x,
                "y": round(TOP + plot_h - h, 1),
                "w": round(step * 0.7, 1),
                "h": h,
                "label": label,
                "value": value,
                "after": after,
                "show_label": i % max(1, len(rows) // 6) == 0,
            }
        )
    # Whole numbers on gridlines that the columns meet.
    ticks = [{"y": round(TOP + plot_h * (1 - value / top), 1), "value": value} for value in axis]
    return {
        "width": width,
        "height": height,
        "columns": drawn,
        "marker": marker,
        "ticks": ticks,
        "left": LEFT,
        "right": width - RIGHT,
        "base": TOP + plot_h,
        "top": TOP,
    }
