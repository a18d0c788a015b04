"""A project's write-up as a PDF, for a network's library: its aim, measure with the run chart
and its table, PDSA cycles, co-production and results. Written with WeasyPrint from the same
chart as the project's page and the assurance report's stylesheet. It names the organisation
and the lead, never an incident: incidents stay in the organisation."""

from django.template.loader import render_to_string

from incidents import charts

from . import measures

STYLESHEET = "css/report-pdf.css"


def context(project) -> dict:
    """What the project's page and its write-up show of its measure and cycles."""
    points = list(project.points.all())
    drawn = measures.chart(project, points)
    return {
        "project": project,
        "points": list(zip(points, drawn.points, strict=True)),
        "chart": drawn,
        "spc": charts.spc_drawing(drawn) if points else None,
        "reading": measures.reading(project, drawn),
        "cycles": list(project.cycles.all()),
    }


def render(project) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # needs Pango: loaded only when a project is shared

    html = render_to_string("improvement/project_pdf.html", context(project))
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
