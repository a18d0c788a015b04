"""A funnel plot drawn on the server as SVG, like the other charts (incidents/charts.py): each
organisation a point at its exposure (x) and reporting rate (y), the peers' rate as a line and
the 95% and 99.8% limits as dashed and dotted lines either side of it. The many points within
the limits are one path of dots (a page of 10,000 pharmacies stays small and quick to draw);
those beyond the 95% limits are hollow diamonds, those beyond the 99.8% limits orange squares,
each named in its tooltip. Shapes as well as colours tell them apart, and the page lists the
figures as a table."""

import html
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.funnel import Position

from .charts import nice_axis
from .peers import Comparison

WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 52
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BLUE, DARK, GREY, ORANGE, GRID = "#005eb8", "#212b32", "#4c6272", "#ed8b00", "#d8dde0"


def _number(value: float) -> str:
    """A tick's value: thousands separated, fractions to two places at most."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass
class Axes:
    x_top: float
    y_top: float
    x_ticks: list[float]
    y_ticks: list[float]

    def x(self, value: float) -> float:
        return round(LEFT + PLOT_W * value / self.x_top, 1)

    def y(self, value: float) -> float:
        return round(TOP + PLOT_H * (1 - min(value, self.y_top) / self.y_top), 1)


def axes(comparison: Comparison) -> Axes:
    exposures = [point.peer.exposure for point in comparison.points]
    rates = [point.rate for point in comparison.points]
    x_ticks = nice_axis(max(exposures, default=1), whole=True)
    target = comparison.target or 0
    y_ticks = nice_axis(max([*rates, 2 * target]) * 1.05 or 1, whole=False)
    return Axes(x_ticks[-1], y_ticks[-1], x_ticks, y_ticks)


def funnel_svg(comparison: Comparison, title: str, description: str) -> str:
    """The comparison's funnel plot as a figure: its SVG and a caption."""
    drawn = axes(comparison)
    per = comparison.rule.per
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="' + GRID + '" stroke-width="1" />'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11" '
        'fill="' + GREY + '">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, drawn.y(v), drawn.y(v), LEFT - 6, drawn.y(v), _number(v))
            for v in drawn.y_ticks
        ),
    )
    x_labels = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="' + GRID + '" stroke-width="1" />'
        '<text x="{}" y="{}" text-anchor="{}" font-size="11" fill="' + GREY + '">{}</text>',
        (
            (
                drawn.x(v),
                drawn.x(v),
                TOP + PLOT_H,
                TOP + PLOT_H + 4,
                drawn.x(v),
                TOP + PLOT_H + 16,
                "end" if i == len(drawn.x_ticks) - 1 else "middle" if i else "start",
                _number(v),
            )
            for i, v in enumerate(drawn.x_ticks)
        ),
    )
    lines = []
    if comparison.lines:
        styles = {
            "upper_95": ('stroke-dasharray="6 4"', GREY),
            "lower_95": ('stroke-dasharray="6 4"', GREY),
            "upper_99_8": ('stroke-dasharray="2 3"', DARK),
            "lower_99_8": ('stroke-dasharray="2 3"', DARK),
        }
        for name, (dash, colour) in styles.items():
            points = " ".join(
                f"{drawn.x(line.exposure)},{drawn.y(getattr(line, name) * per)}"
                for line in comparison.lines
            )
            lines.append(
                f'<polyline class="mso-funnel__{name.replace("_", "-")}" points="{points}" '
                f'fill="none" stroke="{colour}" stroke-width="1.5" {dash} />'
            )
        first, last = comparison.lines[0].exposure, comparison.lines[-1].exposure
        y = drawn.y(comparison.target)
        lines.append(
            f'<line class="mso-funnel__target" x1="{drawn.x(first)}" x2="{drawn.x(last)}" '
            f'y1="{y}" y2="{y}" stroke="{DARK}" stroke-width="2" />'
        )
    dots, diamonds, squares = [], [], []
    # Axes.x and Axes.y, inline: a page may draw 10,000 points.
    across, up, bottom = PLOT_W / drawn.x_top, PLOT_H / drawn.y_top, TOP + PLOT_H
    for point in comparison.points:
        x = round(LEFT + across * point.peer.exposure, 1)
        y = round(bottom - up * min(point.rate, drawn.y_top), 1)
        position = point.placed.position
        if position == Position.WITHIN:
            dots.append(f"M{x} {y}h0")
        elif not position.beyond_99_8:
            diamonds.append(f"M{x - 5} {y}l5 -5l5 5l-5 5z")
        else:
            squares.append(
                f'<rect x="{x - 5}" y="{y - 5}" width="10" height="10" fill="{ORANGE}" '
                f'stroke="{DARK}" stroke-width="1"><title>{html.escape(point.peer.name)}: '
                f"{point.rate:.2f} ({html.escape(position.label.lower())})</title></rect>"
            )
    marks = ""
    if dots:  # a dot drawn twice at the same place is drawn once
        marks += (
            f'<path d="{"".join(dict.fromkeys(dots))}" stroke="{BLUE}" stroke-width="7" '
            'stroke-linecap="round" fill="none" />'
        )
    if diamonds:
        marks += f'<path d="{"".join(diamonds)}" fill="#ffffff" stroke="{BLUE}" stroke-width="2" />'
    marks += "".join(squares)
    clip = (
        f'<clipPath id="funnel-plot"><rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" '
        f'height="{PLOT_H}" /></clipPath>'
    )
    # Our own markup, every name in it escaped.
    # The lines are held within the plot (a small exposure's limits run off its top); the
    # points, which the axes are drawn to hold, are not, so that none at 0 is cut in half.
    inside = mark_safe(f'{clip}<g clip-path="url(#funnel-plot)">{"".join(lines)}</g>{marks}')  # noqa: S308
    return format_html(
        '<figure class="mso-figure"><svg class="mso-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {} {}" role="img" aria-labelledby="funnel-title funnel-desc">'
        '<title id="funnel-title">{}</title><desc id="funnel-desc">{}</desc>{}{}{}'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>'
        '<text x="12" y="{}" text-anchor="middle" font-size="11" fill="{}" '
        'transform="rotate(-90 12 {})">{}</text></svg>'
        '<figcaption class="nhsuk-body-s">{}.</figcaption></figure>',
        WIDTH,
        HEIGHT,
        title,
        description,
        grid,
        x_labels,
        inside,
        LEFT + PLOT_W / 2,
        HEIGHT - 8,
        GREY,
        comparison.rule.exposure.split(" (")[0].capitalize(),
        TOP + PLOT_H / 2,
        GREY,
        TOP + PLOT_H / 2,
        comparison.rule.rate.replace("incidents per", "Per"),
        title,
    )


def funnel_table(points, comparison: Comparison) -> str:
    """The funnel plot's figures as a table's body rows: drawn here rather than by a template
    (a region's practices are a thousand rows), every name escaped."""
    exposure = html.escape(comparison.rule.exposure.split(" (")[0].capitalize())
    cell = '<td class="nhsuk-table__cell{}"><span class="nhsuk-table-responsive__heading" '
    cell += 'aria-hidden="true">{} </span>{}</td>'
    number = " nhsuk-table__cell--numeric"
    rows = []
    for point in points:
        peer = point.peer
        months = ""
        if peer.months < 12:
            plural = "" if peer.months == 1 else "s"
            months = f'<br><span class="nhsuk-body-s">{peer.months} month{plural} recorded</span>'
        rows.append(
            '<tr class="nhsuk-table__row">'
            + cell.format(
                "",
                "Organisation",
                f"{html.escape(peer.name)} ({html.escape(peer.ods_code)}){months}",
            )
            + cell.format(number, exposure, f"{peer.exposure:,.0f}")
            + cell.format(number, "Incidents", f"{peer.incidents:,}")
            + cell.format(number, "Expected", f"{point.placed.expected:,.1f}")
            + cell.format(number, "Rate", f"{point.rate:,.2f}")
            + cell.format("", "Against the limits", point.placed.position.label)
            + "</tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every name in it escaped)


def named(points, comparison: Comparison) -> str:
    """Organisations as list items: name, ODS code, rate and where it falls (drawn here, for
    the thousand or more a national page may name)."""
    rate = html.escape(comparison.rule.rate)
    return mark_safe(  # noqa: S308 (every name in it escaped)
        "".join(
            f"<li>{html.escape(point.peer.name)} ({html.escape(point.peer.ods_code)}): "
            f"{point.rate:,.2f} {rate}, {html.escape(point.placed.position.label.lower())}</li>"
            for point in points
        )
    )
