"""Making Data Count's icons beside an SPC chart (core/spc.py), drawn here as inline SVG so that
pages and their PDFs (WeasyPrint) show the same: ``{% load spc_icons %}``.

- ``{% variation_icon chart %}``: the latest point's variation (``Chart.variation``): a circle
  with a short run of points, its last points above (high) or below (low) the rest where the
  variation is special cause, and "H" at the top or "L" at the foot, as Making Data Count puts
  them. Nothing for a chart without limits.
- ``{% assurance_icon chart %}``: the assurance against the target (``Chart.assurance``): "P"
  with the process above its target, "F" with it below, or "?" with it crossing the target for
  hit and miss. Nothing without a target, limits or a direction.

The colours are Making Data Count's (grey common cause, orange concern, blue improvement,
purple neither) but the meaning never rests on them: each icon is an image named by its words
(``role="img"``, ``aria-label`` and ``<title>``) and the page says the words beside it. (As in
Making Data Count, improvement, concern and neither on the same side are drawn alike but for
their colour: the words tell them apart.)
"""

from math import sqrt

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.spc import Assurance, Chart, Variation

register = template.Library()

SIZE = 40  # drawn 40 by 40 pixels, on a viewBox of the same
CENTRE, RADIUS, RING = 20, 17.5, 3  # the circle, and the width of its line
GREY = "#7f7f7f"  # common cause, hit and miss
BLUE = "#0072c6"  # improvement, consistently passes
PURPLE = "#8000c0"  # special cause in neither direction
# Making Data Count's orange (#ff6600) a shade darker, to stand out from white at 3:1 (WCAG
# 2.2, 1.4.11), as the other three do.
ORANGE = "#e65c00"  # concern, consistently fails

# The run of points: seven across the circle, at rest about its middle; high, the last three
# above the rest (the rest low in the circle, clear of the "H" at the top); low, the mirror.
XS = (8, 12, 16, 20, 24, 28, 32)
COMMON_RUN = (20, 17.5, 21.5, 18.5, 22, 19, 20.5)
HIGH_RUN = (25, 23.5, 25.5, 24, 21, 18.5, 16)
LOW_RUN = tuple(2 * CENTRE - y for y in HIGH_RUN)
SPECIAL = 3  # the last points, drawn in the icon's colour

# Each variation: its colour, its letter and where it goes (x, baseline), and its run.
HIGH, LOW = ("H", 15, 17), ("L", 14, 31)
VARIATIONS = {
    Variation.COMMON: (GREY, None, COMMON_RUN),
    Variation.IMPROVEMENT_HIGH: (BLUE, HIGH, HIGH_RUN),
    Variation.IMPROVEMENT_LOW: (BLUE, LOW, LOW_RUN),
    Variation.CONCERN_HIGH: (ORANGE, HIGH, HIGH_RUN),
    Variation.CONCERN_LOW: (ORANGE, LOW, LOW_RUN),
    Variation.NEUTRAL_HIGH: (PURPLE, HIGH, HIGH_RUN),
    Variation.NEUTRAL_LOW: (PURPLE, LOW, LOW_RUN),
}

# Each assurance: its colour, its letter, the height of the target (a dashed line) and the
# process drawn against it (a grey line): above it, below it or across it.
WAVE = ((9, 0), (13, -2.5), (17, -1), (21, -3), (25, 0), (29, -2), (32, -1))
ASSURANCES = {
    Assurance.PASSES: (BLUE, "P", 29, [(x, 25 + dy) for x, dy in WAVE]),
    Assurance.FAILS: (ORANGE, "F", 21, [(x, 27 + dy) for x, dy in WAVE]),
    Assurance.HIT_AND_MISS: (
        GREY,
        "?",
        24,
        [(9, 27), (13, 21), (17, 26.5), (21, 20.5), (25, 27), (29, 21.5), (32, 25)],
    ),
}


@register.simple_tag
def variation_icon(chart: Chart) -> str:
    """``{% variation_icon chart %}``: the latest point's variation icon ("" without one)."""
    variation = chart.variation()
    if variation is None:
        return ""
    colour, letter, run = VARIATIONS[variation]
    line = " ".join(f"{x},{y}" for x, y in zip(XS, run, strict=True))
    points = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2" fill="{}" />',
        (
            (x, y, colour if i >= len(XS) - SPECIAL and letter else GREY)
            for i, (x, y) in enumerate(zip(XS, run, strict=True))
        ),
    )
    drawing = format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="1" />{}{}',
        line,
        GREY,
        points,
        _letter(*letter, colour) if letter else "",
    )
    return _icon(variation, colour, drawing)


@register.simple_tag
def assurance_icon(chart: Chart) -> str:
    """``{% assurance_icon chart %}``: the assurance icon against the chart's target ("" without
    one: no target, no limits, or a measure that is better neither way)."""
    assurance = chart.assurance()
    if assurance is None:
        return ""
    colour, letter, target, process = ASSURANCES[assurance]
    reach = sqrt((RADIUS - RING / 2) ** 2 - (target - CENTRE) ** 2)  # to the circle's inside
    drawing = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5" '
        'stroke-dasharray="3 1.5" />'
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" />{}',
        round(CENTRE - reach, 1),
        round(CENTRE + reach, 1),
        target,
        target,
        colour,
        " ".join(f"{x},{y}" for x, y in process),
        GREY,
        _letter(letter, CENTRE, 16, colour),
    )
    return _icon(assurance, colour, drawing)


def _letter(letter: str, x: float, baseline: float, colour: str) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-family="Arial, sans-serif" '
        'font-size="13" font-weight="bold" fill="{}">{}</text>',
        x,
        baseline,
        colour,
        letter,
    )


def _icon(reading: Variation | Assurance, colour: str, drawing: SafeString) -> str:
    """The icon: an image named by its words, a white circle ringed in its colour, its drawing.
    Its class names the reading (``mso-spc-icon--concern-high``, ``mso-spc-icon--passes``)."""
    return format_html(
        '<svg class="mso-spc-icon mso-spc-icon--{}" xmlns="http://www.w3.org/2000/svg" '
        'width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>'
        '<circle cx="{}" cy="{}" r="{}" fill="#ffffff" stroke="{}" stroke-width="{}" />{}</svg>',
        reading.value,
        SIZE,
        SIZE,
        SIZE,
        SIZE,
        reading.label,
        reading.label,
        CENTRE,
        CENTRE,
        RADIUS,
        colour,
        RING,
        drawing,
    )
