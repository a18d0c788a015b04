"""A page as a PDF for print: a template rendered with WeasyPrint and the print stylesheet
(running heads, page numbers), for the assurance reports, the improvement write-ups and the
national learning summary alike."""

from django.template.loader import render_to_string

STYLESHEET = "css/report-pdf.css"


def render(template: str, context: dict) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # needs Pango: loaded only when a PDF is made

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
