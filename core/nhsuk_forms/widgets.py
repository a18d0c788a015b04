"""Widgets that render as NHS.UK frontend components with the ``nhsuk`` crispy template pack."""

import datetime

from django import forms

DATE_PARTS = ("day", "month", "year")


class NHSDateInput(forms.MultiWidget):
    """Three text boxes (day, month, year), rendered as the NHS.UK date input.

    Sub-inputs are named ``<name>_day``, ``<name>_month`` and ``<name>_year`` (Django's
    MultiWidget convention) and get the NHS.UK ids ``<id>-day``, ``<id>-month`` and
    ``<id>-year``. An ``autocomplete`` attribute such as ``"bday"`` becomes ``bday-day``,
    ``bday-month`` and ``bday-year`` on the three inputs.
    """

    use_fieldset = True
    widths = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in DATE_PARTS}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        autocomplete = context["widget"]["attrs"].get("autocomplete")
        for part, subwidget in zip(DATE_PARTS, context["widget"]["subwidgets"], strict=True):
            if id_:
                subwidget["attrs"]["id"] = f"{id_}-{part}"
            if autocomplete and autocomplete not in ("on", "off"):
                subwidget["attrs"]["autocomplete"] = f"{autocomplete}-{part}"
            subwidget["part"] = part
        return context

    def id_for_label(self, id_):
        return f"{id_}-day" if id_ else id_


class ChoiceHintsMixin:
    """Lets a radios or checkboxes widget show a hint under some of its choices, and reveal
    other fields of the same form when a choice is selected (NHS.UK conditional content).

    ``choice_hints`` maps a choice value to its hint text, for example
    ``NHSRadioSelect(choice_hints={"mobile": "We will text you a code"})``.
    ``conditionals`` maps a choice value to the names of the form's fields shown under it, for
    example ``NHSRadioSelect(conditionals={"email": ["email_address"]})``; those fields are
    then drawn there, not in their own place. Without JavaScript they are always shown.
    """

    def __init__(self, attrs=None, choices=(), choice_hints=None, conditionals=None):
        super().__init__(attrs, choices)
        self.choice_hints = {str(key): text for key, text in (choice_hints or {}).items()}
        self.conditionals = {str(key): list(names) for key, names in (conditionals or {}).items()}


class NHSRadioSelect(ChoiceHintsMixin, forms.RadioSelect):
    """A RadioSelect whose choices can carry hints."""


class NHSCheckboxSelectMultiple(ChoiceHintsMixin, forms.CheckboxSelectMultiple):
    """A CheckboxSelectMultiple whose choices can carry hints."""
