"""The API's request bodies read by the pages' own forms: a body is turned into the form data
the page would post, and the form decides, with its own messages (one rule, one place). The
fields the schema shows are derived from the same form fields, so the schema and the checks
cannot drift apart."""

import re

from django import forms
from django.http import QueryDict
from rest_framework import serializers

from core.nhsuk_forms.fields import TIME, NHSTimeField

# What the schema says of a time of day the pages take (14:30, 1430 or 9:30), from the form's
# own pattern; answers give it as the 24-hour clock's HH:MM.
TIME_TAKEN = TIME.pattern.replace(r"^\s*", "^").replace(r"\s*$", "$")
TIME_GIVEN = r"^([01]\d|2[0-3]):[0-5]\d$"


def _choices(field) -> list:
    return [(value, label) for value, label in field.choices if value != ""]


def field_for(form_field: forms.Field) -> serializers.Field:
    """The schema's field for a form field: its type, its choices, its limits, whether it is
    required, and its help."""
    options = {
        "required": form_field.required,
        "help_text": " ".join(filter(None, [str(form_field.label), str(form_field.help_text)])),
    }
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(**options)
    if isinstance(form_field, NHSTimeField):
        return serializers.RegexField(TIME_TAKEN, allow_blank=True, allow_null=True, **options)
    if isinstance(form_field, forms.MultipleChoiceField):
        return serializers.ListField(
            child=serializers.ChoiceField(choices=_choices(form_field)), **options
        )
    if isinstance(form_field, forms.ChoiceField):
        return serializers.ChoiceField(
            choices=_choices(form_field), allow_blank=not form_field.required, **options
        )
    if isinstance(form_field, forms.RegexField):
        pattern = form_field.regex.pattern
        return serializers.RegexField(pattern, allow_blank=not form_field.required, **options)
    return serializers.CharField(
        max_length=getattr(form_field, "max_length", None),
        allow_blank=not form_field.required,
        **options,
    )


def fields_of(form_class, *, leave_out=()) -> dict[str, serializers.Field]:
    return {
        name: field_for(field)
        for name, field in form_class.base_fields.items()
        if name not in leave_out
    }


def form_data(form_class, body: dict, *, prefix: str = "", into: QueryDict | None = None):
    """What the page would post for the form's fields in ``body``: a date as its day, month and
    year boxes, a list as repeated values, text as text. Returns it, and the fields whose value
    is of a type the page could not have posted (a number, a list for one answer), refused."""
    data = into if into is not None else QueryDict(mutable=True)
    errors = {}
    for name, field in form_class.base_fields.items():
        value = body.get(name)
        if value is None:
            continue
        key = f"{prefix}{name}"
        if isinstance(field, forms.MultipleChoiceField):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = ["Send a list of codes"]
                continue
            data.setlist(key, value)
        elif not isinstance(value, str):
            errors[name] = ["Send it as text"]
        elif isinstance(field.widget, forms.MultiWidget):
            parts = field.widget.decompress(value)
            for suffix, part in zip(field.widget.widgets_names, parts, strict=True):
                data[f"{key}{suffix}"] = part if part is not None else value
        else:
            data[key] = value
    return data, errors


# A refusal of a patient's identifier names what was typed (on a page, to the person who typed
# it); the API says what it looks like without repeating it, so no client's log keeps it.
QUOTED = re.compile(r"^“[^”]*” looks like")


def errors_of(form) -> dict:
    """A bound form's errors, by field, as the API answers them."""
    return {
        ("non_field_errors" if name == "__all__" else name): [
            QUOTED.sub("What was entered looks like", str(message)) for message in messages
        ]
        for name, messages in form.errors.items()
    }
