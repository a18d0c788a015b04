"""Template helpers of the pages about reporting rates against peers: numbers written with
thousands separated, and whether the person may do something (a link shown only to them)."""

from django import template

from organisations.access import access_for
from organisations.choices import MEASURES, measure_for

register = template.Library()


@register.filter
def thousands(value) -> str:
    """12500 as 12,500."""
    if value is None or value == "":
        return ""
    number = float(value)
    return f"{number:,.0f}"


@register.filter
def decimals(value, places=2) -> str:
    """A rate to ``places`` decimal places, thousands separated."""
    if value is None or value == "":
        return ""
    return f"{float(value):,.{int(places)}f}"


@register.simple_tag(takes_context=True)
def may(context, perm: str, obj=None) -> bool:
    """Whether the person holds ``perm`` on ``obj`` (an organisation), or anywhere."""
    request = context.get("request")
    return request is not None and access_for(request.user).has(perm, obj)


@register.filter
def counts_against(kind: str) -> str:
    """What an organisation of this kind counts its incidents against, in words ("" none)."""
    measure = measure_for(kind)
    return MEASURES[measure].exposure.split(" (")[0] if measure else ""
