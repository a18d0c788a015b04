"""A project's write-up as a PDF, for a network's library: its aim, measure with the run chart
and its table, PDSA cycles, co-production and results. Written with WeasyPrint from the same
chart as the project's page and the assurance report's stylesheet. It names the organisation
and the lead, never an incident: incidents stay in the organisation."""

from django.utils.html import format_html, format_html_join

from core import pdf
from incidents import charts

from . import measures


def value_rows(project, points, drawn, *, removable: bool) -> str:
    """The rows of the table of the measure's values, beside its chart: drawn here rather than
    by a template's loop, which took several milliseconds for a year of weekly values. With
    ``removable``, each row has a button that removes it (in the page's one form)."""
    button = (
        '<td class="nhsuk-table__cell"><button class="nhsuk-button nhsuk-button--secondary '
        'nhsuk-button--small nhsuk-u-margin-bottom-0" data-module="nhsuk-button" '
        'type="submit" name="point" value="{}">Remove<span class="nhsuk-u-visually-hidden"> '
        "the value for {}</span></button></td>"
    )
    return format_html_join(
        "",
        '<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{}</td>'
        '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{}</td>'
        '<td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{}</td>{}</tr>',
        (
            (
                name,
                f"{point.value.normalize():f}",
                "; ".join(plotted.signals),
                point.note,
                format_html(button, point.pk, name) if removable else "",
            )
            for point, plotted in zip(points, drawn.points, strict=True)
            for name in [measures.period_name(project.frequency, point.period_start)]
        ),
    )


def context(project, *, removable=False) -> dict:
    """What the project's page and its write-up show of its measure and cycles."""
    points = list(project.points.all())
    drawn = measures.chart(project, points)
    return {
        "project": project,
        "rows": value_rows(project, points, drawn, removable=removable),
        "chart": drawn,
        "spc": charts.spc_drawing(drawn, whole=False) if points else None,
        "reading": measures.reading(project, drawn),
        "cycles": list(project.cycles.all()),
    }


def render(project) -> bytes:
    return pdf.render("improvement/project_pdf.html", context(project))
