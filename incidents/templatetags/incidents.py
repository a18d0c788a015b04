"""Words for an incident's coded answers, and its status as a tag: ``{% load incidents %}``."""

from django import template
from django.utils.html import format_html

from .. import charts, choices
from ..models import Status

register = template.Library()

LISTS = {
    "processes": choices.PROCESSES,
    "yellow_card": choices.YELLOW_CARD,
    "cqc_criteria": choices.CQC_CRITERIA,
    "drugs_involved": choices.DRUGS_INVOLVED,
}


@register.filter
def codes(incident, name: str) -> str:
    return "; ".join(LISTS[name].labels(getattr(incident, name)))


@register.filter
def when_happened(incident) -> str:
    day = f"{incident.occurred_on:%-d %B %Y}"
    return f"{day}, {incident.when()}" if incident.when() else day


@register.filter
def where_happened(incident) -> str:
    place = incident.get_location_display()
    return f"{place}: {incident.service_area}" if incident.service_area else place


@register.filter
def patient(incident) -> str:
    return f"{incident.get_gender_display()}, aged {incident.get_age_bracket_display()}"


@register.filter
def reported_by(incident) -> str:
    day = f"{incident.reported_at:%-d %B %Y}"
    if incident.anonymous:
        return f"Anonymously, {day}"
    name = incident.reporter.full_name or incident.reporter.email if incident.reporter else ""
    return f"{name}, {day}" if name else day


@register.filter
def problem_detail(incident) -> str:
    lines = []
    for code in incident.drugs_involved:
        line = choices.DRUGS_INVOLVED.label(code)
        if code in choices.DRUGS_INVOLVED_DETAIL:
            name, codes_ = choices.DRUGS_INVOLVED_DETAIL[code]
            details = codes_.labels(getattr(incident, name))
            if details:
                line += ": " + "; ".join(details)
        lines.append(line)
    return "\n".join(lines)


NOT_ANSWERED = "Not answered"


@register.filter
def never_event(incident) -> str:
    if incident.never_event is None:
        return NOT_ANSWERED
    if not incident.never_event:
        return "No"
    return f"Yes: {incident.get_never_event_type_display()}"


@register.filter
def cqc(incident) -> str:
    if incident.cqc_notification is None:
        return NOT_ANSWERED
    if not incident.cqc_notification:
        return "No"
    reasons = choices.CQC_CRITERIA.labels(incident.cqc_criteria)
    return "Yes" + (f": {'; '.join(reasons)}" if reasons else "")


STATUS_COLOURS = {
    Status.SUBMITTED: "blue",
    Status.IN_REVIEW: "purple",
    Status.AWAITING_ACTIONS: "orange",
    Status.CLOSED: "green",
}


@register.filter
def status_tag(incident) -> str:
    """The incident's status as an NHS.UK tag, coloured by where it is in the review."""
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>',
        STATUS_COLOURS.get(incident.status, "grey"),
        incident.get_status_display(),
    )


@register.filter
def bars_svg(chart: dict, title: str) -> str:
    """``{{ chart|bars_svg:title }}``: a bar chart of ``charts.bars`` as SVG."""
    return charts.bars_svg(chart, title)


@register.simple_tag
def spc_svg(spc, title: str, description: str, key: str = "spc") -> str:
    """``{% spc_svg spc title description %}``: an SPC chart of ``charts.spc_drawing`` as SVG
    (``key``: what its title's and description's ids start with, where a page has several)."""
    return charts.spc_svg(spc, title, description, key=key)
