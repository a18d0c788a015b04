"""Template tags for lists: ``{% load lists %}``.

- ``{% result_count count "incident" %}``: how many a list holds, said above its rows: "1,234
  incidents", "1 incident"; "3 incidents match" when the address carries a filter; "More
  than 1,000 incidents" with ``more=True`` (a count that stopped at a cap). ``plural``
  where adding an "s" is not it ("person", "people").
- ``{% filter_toggle "panel-id" open %}``: the "Filter" button that folds a list's filters
  away on a phone (static/js/filters.js), ``open`` when they start shown (a filter refused).
"""

from django import template
from django.utils.html import format_html

register = template.Library()

# The parameters of a list's address that page or sort it rather than filter it.
NOT_FILTERS = frozenset({"page", "after", "before", "sort", "order"})


def filtered(request) -> bool:
    """Whether the list's address filters it (a parameter other than its page and order)."""
    return request is not None and any(
        value for key, value in request.GET.items() if key not in NOT_FILTERS
    )


def count_words(count: int, noun: str, plural: str = "", *, more=False, matching=False) -> str:
    one = count == 1 and not more
    words = f"{'More than ' if more else ''}{count:,} {noun if one else plural or noun + 's'}"
    if matching:
        words += " matches" if one else " match"
    return words


@register.simple_tag(takes_context=True)
def result_count(context, count, noun, plural="", more=False):
    words = count_words(count, noun, plural, more=more, matching=filtered(context.get("request")))
    return format_html('<p class="nhsuk-heading-s mso-result-count">{}</p>', words)


@register.inclusion_tag("includes/filter_toggle.html")
def filter_toggle(panel, open=False):
    return {"panel": panel, "open": bool(open)}
