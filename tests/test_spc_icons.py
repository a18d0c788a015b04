"""Making Data Count's variation and assurance icons (core/templatetags/spc_icons.py) as
templates/includes/spc_reading.html draws them under every SPC chart: for each reading the
right icon, named by its words (which the page also says beside it), from real charts."""

import io
import re

import pytest
from django.template.loader import render_to_string
from lxml import etree

from core import spc
from core.spc import Assurance, Direction, Variation, xmr
from core.templatetags.spc_icons import BLUE, GREY, ORANGE, PURPLE

SVG = "{http://www.w3.org/2000/svg}"
# Twelve months at rest about 11.4 (limits 6.6 to 16.3), then one far above or below them.
SETTLED = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 12]
HIGH, LOW = [*SETTLED, 30], [*SETTLED, 0]

VARIATIONS = {
    Variation.COMMON: (SETTLED, Direction.HIGHER, GREY, None),
    Variation.IMPROVEMENT_HIGH: (HIGH, Direction.HIGHER, BLUE, "H"),
    Variation.IMPROVEMENT_LOW: (LOW, Direction.LOWER, BLUE, "L"),
    Variation.CONCERN_HIGH: (HIGH, Direction.LOWER, ORANGE, "H"),
    Variation.CONCERN_LOW: (LOW, Direction.HIGHER, ORANGE, "L"),
    Variation.NEUTRAL_HIGH: (HIGH, Direction.NEITHER, PURPLE, "H"),
    Variation.NEUTRAL_LOW: (LOW, Direction.NEITHER, PURPLE, "L"),
}
# The settled months against a target above the upper limit, below the lower, and between.
ASSURANCES = {
    Assurance.FAILS: (Direction.HIGHER, 30, ORANGE, "F"),
    Assurance.PASSES: (Direction.HIGHER, 2, BLUE, "P"),
    Assurance.HIT_AND_MISS: (Direction.HIGHER, 11, GREY, "?"),
}


def chart(values, **options):
    return xmr([(f"Month {i + 1}", v) for i, v in enumerate(values)], baseline=12, **options)


def reading(drawn) -> str:
    return render_to_string("includes/spc_reading.html", {"chart": drawn, "per": " a month"})


def icons(html: str) -> list[tuple[etree._Element, str]]:
    """Each icon drawn, parsed, with the words beside it in its paragraph."""
    return [
        (etree.fromstring(svg), " ".join(words.split()))
        for svg, words in re.findall(r"<p>(<svg\b.*?</svg>)(.*?)</p>", html, re.S)
    ]


def named(icon) -> str:
    assert icon.get("role") == "img"
    title = icon.find(f"{SVG}title").text
    assert icon.get("aria-label") == title
    return title


def ring(icon) -> str:
    return icon.find(f"{SVG}circle").get("stroke")


def letter(icon) -> str | None:
    found = icon.find(f"{SVG}text")
    return found.text if found is not None else None


def test_every_reading_has_a_case():
    assert set(VARIATIONS) == set(Variation)
    assert set(ASSURANCES) == set(Assurance)


@pytest.mark.parametrize("variation", list(Variation), ids=str)
def test_the_variation_icon_is_the_latest_points(variation):
    values, direction, colour, high_or_low = VARIATIONS[variation]
    drawn = chart(values, direction=direction)
    assert drawn.variation() == variation

    (icon, words), *others = icons(reading(drawn))

    assert not others  # no target: no assurance icon
    assert named(icon) == variation.label
    assert f"mso-spc-icon--{variation.value}" in icon.get("class")
    assert ring(icon) == colour
    assert letter(icon) == high_or_low
    assert words == f"Latest point: {variation.label.lower().capitalize()}."


@pytest.mark.parametrize("assurance", list(Assurance), ids=str)
def test_the_assurance_icon_reads_the_limits_against_the_target(assurance):
    direction, target, colour, mark = ASSURANCES[assurance]
    drawn = chart(SETTLED, direction=direction, target=target)
    assert drawn.assurance() == assurance

    (variation, _), (icon, words) = icons(reading(drawn))

    assert named(variation) == Variation.COMMON.label
    assert named(icon) == assurance.label
    assert f"mso-spc-icon--{assurance.value}" in icon.get("class")
    assert ring(icon) == colour
    assert letter(icon) == mark
    assert words == f"Against the target of {target}: {assurance.label.lower()}."


def test_a_target_is_met_the_other_way_when_lower_is_better():
    passes = chart(SETTLED, direction=Direction.LOWER, target=30)
    fails = chart(SETTLED, direction=Direction.LOWER, target=2)
    assert named(icons(reading(passes))[1][0]) == Assurance.PASSES.label
    assert named(icons(reading(fails))[1][0]) == Assurance.FAILS.label


def test_a_run_chart_has_no_icons():
    """Fewer than 12 points: no limits, so neither a variation nor an assurance to read."""
    drawn = xmr(
        [(f"Week {i}", v) for i, v in enumerate(SETTLED[:8])],
        direction=Direction.HIGHER,
        target=30,
    )
    html = reading(drawn)
    assert drawn.assurance() is None and drawn.variation() is None
    assert "<svg" not in html
    assert "Limits are set from 12 points or more." in html


def test_a_measure_better_neither_way_has_no_assurance_against_a_target():
    html = reading(chart(SETTLED, direction=Direction.NEITHER, target=30))
    assert [named(icon) for icon, _ in icons(html)] == [Variation.COMMON.label]


def test_a_chart_kept_in_an_approved_report_draws_the_same_icons():
    drawn = chart(HIGH, direction=Direction.LOWER, target=11)
    kept = spc.from_data(spc.as_data(drawn))
    assert [named(icon) for icon, _ in icons(reading(kept))] == [
        Variation.CONCERN_HIGH.label,
        Assurance.HIT_AND_MISS.label,
    ]
    assert reading(kept) == reading(drawn)


def test_the_icons_are_drawn_in_a_pdf():
    """WeasyPrint draws inline SVG: the assurance report's PDF shows the icons as its page does
    (each icon becomes a drawing of its own, in its colour, with its letter)."""
    from pypdf import PdfReader
    from weasyprint import HTML

    html = f"<!DOCTYPE html><html lang='en-GB'><body>{reading(chart(HIGH))}</body></html>"
    page = PdfReader(io.BytesIO(HTML(string=html).write_pdf())).pages[0]
    assert "Latest point: Special cause variation: higher." in page.extract_text()
    drawings = [
        x.get_object().get_data().decode("latin-1") for x in page["/Resources"]["/XObject"].values()
    ]
    red, green, blue = (int(PURPLE[i : i + 2], 16) / 255 for i in (1, 3, 5))
    purple = f"{red:.6f} {green:.6f} {blue:.6f}".replace("0.000000", "0")
    assert any(purple in drawing and " TJ" in drawing for drawing in drawings)
