"""Template tags for NHS.UK forms: ``{% load nhsuk %}``.

- ``{% nhsuk_error_summary form %}`` (or ``form other_form``): the NHS.UK error summary,
  only when a form has errors. Put it at the top of the main content, before the ``<h1>``.
- ``{{ form|nhsuk_form }}``: the form drawn by the crispy pack, as ``{{ form|crispy }}``; a
  form class with ``same_for_everyone = True`` is drawn once while unbound.
- ``{% nhsuk_button "Save" %}``: a submit button. Optional: ``variant="secondary"``
  (or "reverse", "warning", "login"), ``type="button"``, ``name``, ``value``, ``classes``.
- ``{% nhsuk_field form.field %}``, ``|nhsuk_attrs`` and ``|nhsuk_button_class``: used by the
  ``nhsuk`` crispy template pack itself.
"""

from django import template
from django.utils.html import format_html, format_html_join

from core.nhsuk_forms.rendering import (
    button_class,
    error_summary_items,
    field_html,
    form_html,
)

register = template.Library()

BUTTON_VARIANTS = ("secondary", "secondary-solid", "reverse", "warning", "login")


@register.simple_tag(takes_context=True)
def nhsuk_field(context, bound_field):
    """``bound_field`` drawn as NHS.UK markup by its nhsuk/fields/ template."""
    return field_html(
        bound_field,
        show_errors=context.get("form_show_errors", True) is not False,
        show_label=context.get("form_show_labels", True) is not False,
        wrapper_class=context.get("wrapper_class") or "",
    )


@register.inclusion_tag("nhsuk/error_summary.html")
def nhsuk_error_summary(*forms):
    """One error summary for the forms (and formsets) of a page."""
    return {"errors": error_summary_items(*forms)}


@register.inclusion_tag("nhsuk/button.html")
def nhsuk_button(text, variant="", type="submit", name="", value="", classes=""):
    if variant and variant not in BUTTON_VARIANTS:
        raise template.TemplateSyntaxError(f"nhsuk_button: unknown variant {variant!r}")
    return {
        "text": text,
        "class": " ".join(
            filter(None, ["nhsuk-button", f"nhsuk-button--{variant}" if variant else "", classes])
        ),
        "type": type,
        "name": name,
        "value": value,
    }


@register.filter
def nhsuk_form(form):
    """``{{ form|crispy }}``, drawn once per process for a form that is the same on every page
    (``same_for_everyone``, unbound: see ``form_html``)."""
    return form_html(form)


@register.filter
def nhsuk_attrs(attrs):
    """A control's other attributes, each with a leading space: ``True`` writes the bare name,
    ``False`` and ``None`` leave it out. ``{"maxlength": 10, "required": True}`` ->
    `` maxlength="10" required``."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


@register.filter
def nhsuk_button_class(field_classes):
    """Classes for a crispy Submit or Button: Bootstrap's ``btn`` ones become ``nhsuk-button``.

    ``"btn btn-primary nhsuk-button--secondary"`` -> ``"nhsuk-button nhsuk-button--secondary"``
    """
    return button_class(field_classes)
