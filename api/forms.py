"""The API's request bodies read by the pages' own forms: a body is turned into the form data
the page would post, and the form decides, with its own messages (one rule, one place). The
fields the schema shows are derived from the same form fields, so the schema and the checks
cannot drift apart."""

from django import forms
from django.http import QueryDict
from rest_framework import serializers

from core.nhsuk_forms.fields import NHSTimeField


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
        return serializers.RegexField(
            r"^([01]?\d|2[0-3]):?([0-5]\d)$", allow_blank=True, allow_null=True, **options
        )
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
    year boxes, a list as repeated values, everything else as text."""
    data = into if into is not None else QueryDict(mutable=True)
    for name, field in form_class.base_fields.items():
        if name not in body or body[name] is None:
            continue
        value, key = body[name], f"{prefix}{name}"
        if isinstance(field.widget, forms.MultiWidget):
            parts = field.widget.decompress(value if isinstance(value, str) else None)
            for suffix, part in zip(field.widget.widgets_names, parts, strict=True):
                data[f"{key}{suffix}"] = part if part is not None else str(value)
        elif isinstance(value, list):
            data.setlist(key, [str(item) for item in value])
        else:
            data[key] = str(value)
    return data


def errors_of(form) -> dict:
    """A bound form's errors, by field, as the API answers them."""
    return {
        ("non_field_errors" if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }
