"""Work out what the ``nhsuk`` templates need to draw a bound field as NHS.UK markup.

The templates in ``templates/nhsuk/`` hold the markup; this module only decides which
template a widget uses and computes ids, classes, ``aria-describedby`` and attributes, so the
templates stay small.
"""

import threading
from collections import OrderedDict

from django import forms
from django.core.signals import setting_changed
from django.forms.formsets import BaseFormSet
from django.forms.widgets import Input
from django.template.loader import render_to_string
from django.utils.safestring import SafeData, mark_safe

from .widgets import DATE_PARTS, NHSDateInput

# Attributes the templates write themselves, so they are left out of the "other attributes".
_OWN_ATTRS = {"class", "id", "name", "type", "value", "aria-describedby", "aria-invalid"}


# Each widget class and its NHS.UK component, the first that fits winning: a subclass comes
# before its base (CheckboxSelectMultiple is a RadioSelect; most widgets are an Input).
_KINDS = (
    (NHSDateInput, "date_input"),
    (forms.CheckboxSelectMultiple, "checkboxes"),
    (forms.RadioSelect, "radios"),
    (forms.Select, "select"),
    (forms.Textarea, "textarea"),
    (forms.CheckboxInput, "checkbox"),
    (forms.FileInput, "file_upload"),
    (Input, "input"),
)


def widget_kind(widget):
    """The NHS.UK component for a widget; also the name of its template in nhsuk/fields/."""
    if widget.is_hidden:
        return "hidden"
    return next((kind for cls, kind in _KINDS if isinstance(widget, cls)), "other")


def field_id(bound_field):
    """The id the NHS.UK markup is built around: the control's, or the fieldset's prefix."""
    widget = bound_field.field.widget
    return widget.attrs.get("id") or bound_field.auto_id or bound_field.html_name


def first_input_id(bound_field):
    """The id of the first input of a field, where the error summary links to."""
    kind = widget_kind(bound_field.field.widget)
    if kind == "date_input":
        return f"{field_id(bound_field)}-day"
    if kind == "other":
        return bound_field.id_for_label or field_id(bound_field)
    return field_id(bound_field)  # radios and checkboxes: the first item has the field's id


def _classes(*names):
    return " ".join(name for name in names if name)


def _other_attrs(attrs):
    return {key: value for key, value in attrs.items() if key not in _OWN_ATTRS}


def _error_parts(bound_field):
    """The date parts that an error is about (all of them unless the error says)."""
    parts = set()
    for error in bound_field.errors.as_data():
        named = (error.params or {}).get("nhsuk_parts") if isinstance(error.params, dict) else None
        parts.update(named or DATE_PARTS)
    return parts


def _revealed_by_another(bound_field) -> bool:
    """Whether another field of the form shows this one under one of its choices."""
    return any(
        bound_field.name in names
        for name, field in bound_field.form.fields.items()
        if name != bound_field.name
        for names in getattr(field.widget, "conditionals", {}).values()
    )


def field_context(
    bound_field, *, show_errors=True, show_label=True, wrapper_class="", nested=False
):
    """Everything nhsuk/fields/<kind>.html needs, as a dict. A field that another field reveals
    under one of its choices is drawn there (``nested``), and nowhere else."""
    widget = bound_field.field.widget
    if not nested and _revealed_by_another(bound_field):
        return {"kind": "nested", "template": "nhsuk/fields/nested.html", "field": bound_field}
    kind = widget_kind(widget)
    id_ = field_id(bound_field)
    f = {"kind": kind, "template": f"nhsuk/fields/{kind}.html", "field": bound_field, "id": id_}
    if kind == "hidden":
        return f

    errors = list(bound_field.errors) if show_errors else []
    hint = bound_field.help_text
    hint_id = f"{id_}-hint" if hint else ""
    error_id = f"{id_}-error" if errors else ""

    if bound_field.field.localize:
        widget.is_localized = True
    attrs = bound_field.build_widget_attrs({"id": id_}, widget)
    attrs.pop("aria-invalid", None)  # NHS.UK links the error message instead
    attrs.pop("aria-describedby", None)  # Django's own help text id: replaced below
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    control_attrs = context["attrs"]
    user_class = control_attrs.get("class", "")
    described_by = _classes(control_attrs.get("aria-describedby"), hint_id, error_id)

    f.update(
        name=bound_field.html_name,
        label=bound_field.label,
        label_class=_classes("nhsuk-label", "" if show_label else "nhsuk-u-visually-hidden"),
        legend_class=_classes(
            "nhsuk-fieldset__legend", "" if show_label else "nhsuk-u-visually-hidden"
        ),
        hint=hint,
        hint_id=hint_id,
        errors=errors,
        error_id=error_id,
        described_by=described_by,
        group_class=_classes(
            "nhsuk-form-group", "nhsuk-form-group--error" if errors else "", wrapper_class
        ),
        attrs=_other_attrs(control_attrs),
        value=context.get("value"),
    )

    if kind == "input":
        f["type"] = context["type"]
        f["control_class"] = _classes(
            "nhsuk-input", "nhsuk-input--error" if errors else "", user_class
        )
    elif kind == "textarea":
        f["control_class"] = _classes(
            "nhsuk-textarea", "nhsuk-textarea--error" if errors else "", user_class
        )
        f["attrs"].pop("cols", None)  # NHS.UK textareas take their width from CSS
    elif kind == "select":
        f["control_class"] = _classes(
            "nhsuk-select", "nhsuk-select--error" if errors else "", user_class
        )
        f["optgroups"] = context["optgroups"]
    elif kind in ("radios", "checkboxes"):
        f["module"] = f"nhsuk-{kind}"
        f["control_class"] = _classes(f"nhsuk-{kind}", user_class)
        f["items"] = _choice_items(widget, context, id_, bound_field.form)
    elif kind == "checkbox":
        f["checked"] = bool(control_attrs.get("checked"))
        f["attrs"].pop("checked", None)
        f["control_class"] = _classes("nhsuk-checkboxes", user_class)
        # A single checkbox shows its help text under its label, like an item hint.
        f["item_hint_id"] = f"{id_}-item-hint" if hint else ""
        f["described_by"] = _classes(
            control_attrs.get("aria-describedby"), error_id, f["item_hint_id"]
        )
    elif kind == "date_input":
        f["items"] = _date_items(bound_field, context, errors)
        f["control_class"] = _classes("nhsuk-date-input", user_class)
    elif kind == "file_upload":
        f["control_class"] = _classes("nhsuk-file-upload__input", user_class)
        # ClearableFileInput: the current file, and a checkbox to remove it if optional.
        f["clearable"] = context.get("is_initial", False)
        f["clear_checked"] = bool(f["attrs"].pop("checked", False))
        f["file"] = context
    else:
        f["control_html"] = bound_field.as_widget(
            attrs={"aria-describedby": described_by} if described_by else None
        )
    return f


def _revealed(form, names) -> str:
    """The HTML of the fields shown under a choice."""
    html = [field_html(form[name], nested=True) for name in names]
    return mark_safe("".join(html))  # noqa: S308 (drawn by the pack's escaping templates)


def _choice_items(widget, context, id_, form=None):
    """Radios or checkboxes items, with NHS.UK ids: ``<id>``, ``<id>-2``, ``<id>-3``..."""
    hints = getattr(widget, "choice_hints", {})
    conditionals = getattr(widget, "conditionals", {})
    items = []
    for _group, options, _index in context["optgroups"]:
        for option in options:
            number = len(items) + 1
            item_id = id_ if number == 1 else f"{id_}-{number}"
            value = "" if option["value"] is None else str(option["value"])
            hint = hints.get(value, "")
            hint_id = f"{item_id}-item-hint" if hint else ""
            attrs = _other_attrs(option["attrs"])
            attrs.pop("checked", None)
            item = {
                "id": item_id,
                "value": value,
                "label": option["label"],
                "checked": option["selected"],
                "hint": hint,
                "hint_id": hint_id,
                "attrs": attrs,
            }
            if value in conditionals and form is not None:
                suffix = "" if number == 1 else f"-{number}"
                item["conditional_id"] = f"{id_}-conditional{suffix}"
                item["conditional_html"] = _revealed(form, conditionals[value])
                attrs["data-aria-controls"] = item["conditional_id"]
            items.append(item)
    return items


def _date_items(bound_field, context, errors):
    error_parts = _error_parts(bound_field) if errors else set()
    items = []
    for subwidget in context["subwidgets"]:
        part = subwidget["part"]
        has_error = part in error_parts
        width = NHSDateInput.widths[part]
        items.append(
            {
                "part": part,
                "label": part.capitalize(),
                "id": subwidget["attrs"]["id"],
                "name": subwidget["name"],
                "value": subwidget["value"],
                "group_class": _classes(
                    "nhsuk-form-group", "nhsuk-form-group--error" if has_error else ""
                ),
                "control_class": _classes(
                    "nhsuk-input",
                    "nhsuk-input--error" if has_error else "",
                    f"nhsuk-input--width-{width}",
                    "nhsuk-date-input__input",
                    subwidget["attrs"].get("class", ""),
                ),
                "attrs": _other_attrs(subwidget["attrs"]),
            }
        )
    return items


def _first_field_href(form) -> str:
    """Where an error about a whole form (or a whole formset) points: its first field a person
    answers, as the service manual asks that every error in the summary links to a field."""
    for bound_field in form or ():
        if not bound_field.is_hidden:
            return f"#{first_input_id(bound_field)}"
    return ""


def error_summary_items(*forms_or_formsets):
    """(text, href) pairs for the error summary. An error about a field links to it; one about
    the whole form (or formset) links to its first field; href is "" only where a form has no
    field to link to.

    Anything that is not a form or formset (None, or "" from a missing template variable) is
    left out.
    """
    items = []
    for form in forms_or_formsets:
        if isinstance(form, BaseFormSet):
            first = _first_field_href(form.forms[0] if form.forms else None)
            items.extend((str(error), first) for error in form.non_form_errors())
            items.extend(error_summary_items(*form.forms))
            continue
        if not isinstance(form, forms.BaseForm) or not form.is_bound or not form.errors:
            continue
        items.extend((str(error), _first_field_href(form)) for error in form.non_field_errors())
        for bound_field in form:
            if bound_field.is_hidden:
                items.extend((str(error), "") for error in bound_field.errors)
            else:
                href = f"#{first_input_id(bound_field)}"
                items.extend((str(error), href) for error in bound_field.errors)
    return items


def button_class(field_classes):
    """NHS.UK button classes for a crispy Submit/Button, dropping Bootstrap's ``btn`` ones."""
    extra = [
        name for name in str(field_classes).split() if name != "btn" and not name.startswith("btn-")
    ]
    return " ".join(dict.fromkeys(["nhsuk-button", *extra]))


# Forms drawn once: (form class, prefix, auto_id) -> their markup while unbound. Forgotten when
# a setting changes (a test's override may change what a form says).
_UNBOUND: dict[tuple, str] = {}


def form_html(form) -> str:
    """A form drawn by the crispy pack (``{{ form|nhsuk_form }}``). A form class whose fields
    and choices are fixed in code says so with ``same_for_everyone = True``; while such a form is
    unbound and given no initial values it is the same markup on every page (a list's filters,
    an empty comment box), so it is drawn once per process."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    fixed = getattr(form, "same_for_everyone", False) and not (form.is_bound or form.initial)
    if not fixed:
        return as_crispy_form(form)
    key = (type(form), form.prefix, form.auto_id)
    if key not in _UNBOUND:
        _UNBOUND[key] = as_crispy_form(form)
    return _UNBOUND[key]


# Fields drawn already: the frozen context of a field -> its markup (least recently drawn first).
_DRAWN: OrderedDict = OrderedDict()
_DRAWN_MAX = 1000
_DRAWING = threading.Lock()  # for a server that runs threads


class _Unfrozen(Exception):
    pass


def _frozen(value):
    """A hashable copy of a field's context, telling safe strings from others."""
    if isinstance(value, SafeData):
        return ("safe", str(value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    raise _Unfrozen


def _memo_key(f):
    """What a field's markup depends on, when it may be kept: never for a field holding what
    someone typed (a text box's value, a date, choices that reveal other fields), nor for a
    control drawn by Django itself."""
    kind = f["kind"]
    if kind in ("hidden", "nested", "other", "file_upload"):
        return None
    if kind in ("input", "textarea") and f["value"] not in (None, ""):
        return None
    items = f.get("items", ())
    if any(item.get("value") not in (None, "") for item in items if "part" in item):
        return None  # a date typed in
    if any(item.get("conditional_html") for item in items):
        return None
    try:
        return _frozen({key: value for key, value in f.items() if key != "field"})
    except _Unfrozen:
        return None


def field_html(bound_field, **options) -> str:
    """A bound field drawn by its nhsuk/fields/ template. The markup of a field that holds
    nothing typed is a function of its context alone (label, choices, which are chosen, errors),
    so it is kept and drawn once per process: a list's filters, mostly empty, then cost little
    on every page."""
    f = field_context(bound_field, **options)
    key = _memo_key(f)
    if key is not None:
        with _DRAWING:
            html = _DRAWN.get(key)
            if html is not None:
                _DRAWN.move_to_end(key)
                return html
    html = render_to_string(f["template"], {"f": f})
    if key is not None:
        with _DRAWING:
            _DRAWN[key] = html
            if len(_DRAWN) > _DRAWN_MAX:
                _DRAWN.popitem(last=False)
    return html


def _forget(**kwargs):
    _UNBOUND.clear()
    _DRAWN.clear()


setting_changed.connect(_forget, weak=False)
