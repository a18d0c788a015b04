"""Form fields that follow the NHS digital service manual."""

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .widgets import DATE_PARTS, NHSCheckboxSelectMultiple, NHSDateInput, NHSRadioSelect

MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTH_NAMES["sept"] = 9


class NHSDateField(forms.DateField):
    """A date entered as day, month and year, with the service manual's error messages.

    ``subject`` is the "[whatever it is]" of the messages ("Start date must include a month").
    It defaults to the label, unless the label is a question, then to "Date".
    ``allow_future=False`` rejects dates after today. ``message`` is what the person is told
    when it is empty, if not "Enter [the subject]". Every message can be replaced through
    ``error_messages``; they may use ``%(subject)s``, ``%(subject_lower)s`` and, for
    ``incomplete``, ``%(missing)s``.

    Each error names the parts of the date it is about (``params["nhsuk_parts"]``) so the
    template pack puts the error style on those boxes only.
    """

    widget = NHSDateInput
    default_error_messages = {
        "required": "Enter %(subject_lower)s",
        "incomplete": "%(subject)s must include a %(missing)s",
        "invalid": "%(subject)s must be a real date",
        "year_length": "Year must include 4 numbers",
        "future": "%(subject)s must be today or in the past",
    }

    def __init__(self, *, subject=None, allow_future=True, message="", **kwargs):
        self.subject = subject
        self.allow_future = allow_future
        if message:
            kwargs["error_messages"] = {"required": message, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    # Messages

    def _params(self, **extra):
        subject = self.subject
        if not subject:
            label = str(self.label or "").strip()
            subject = label if label and not label.endswith("?") else "Date"
        subject = str(subject)
        if subject == "Date":
            subject_lower = "a date"
        elif len(subject) > 1 and subject[1].isupper():  # keep "NHS ..." as it is
            subject_lower = subject
        else:
            subject_lower = subject[0].lower() + subject[1:]
        return {"subject": subject, "subject_lower": subject_lower, **extra}

    def _error(self, code, parts=DATE_PARTS, **extra):
        return ValidationError(
            self.error_messages[code],
            code=code,
            params=self._params(nhsuk_parts=tuple(parts), **extra),
        )

    # Cleaning

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return self._date_from_parts(value)
        try:
            return super().to_python(value)
        except ValidationError:
            raise self._error("invalid") from None

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise self._error("required")
        if value and not self.allow_future and value > timezone.localdate():
            raise self._error("future")

    def _date_from_parts(self, value):
        values = [("" if part is None else str(part).strip()) for part in value]
        values = (values + ["", "", ""])[:3]
        if not any(values):
            return None
        given = dict(zip(DATE_PARTS, values, strict=True))
        missing = [part for part in DATE_PARTS if not given[part]]
        if missing:
            raise self._error("incomplete", parts=missing, missing=" and ".join(missing))

        month_text = given["month"].lower().rstrip(".")
        numbers = {
            "day": given["day"],
            "month": str(MONTH_NAMES[month_text]) if month_text in MONTH_NAMES else month_text,
            "year": given["year"],
        }
        not_numbers = [
            part for part in DATE_PARTS if not (numbers[part].isascii() and numbers[part].isdigit())
        ]
        if not_numbers:
            raise self._error("invalid", parts=not_numbers)
        if len(numbers["year"]) != 4:
            raise self._error("year_length", parts=["year"])

        day, month, year = (int(numbers[part]) for part in DATE_PARTS)
        if not 1 <= month <= 12:
            raise self._error("invalid", parts=["month"])
        if year < 1:
            raise self._error("invalid", parts=["year"])
        if not 1 <= day <= 31:
            raise self._error("invalid", parts=["day"])
        try:
            return datetime.date(year, month, day)
        except ValueError:  # for example 31 February
            raise self._error("invalid", parts=["day", "month"]) from None


# A time of day typed as 24-hour hours and minutes: 14:30, 14.30 or 1430.
TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$")


class NHSTimeField(forms.Field):
    """A time of day typed as 24-hour hours and minutes, like 14:30, in a short text box.
    ``subject`` is what the messages call it: "Enter the start time"."""

    def __init__(self, *, subject, **kwargs):
        self.subject = subject
        super().__init__(
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": 5, "class": "nhsuk-input--width-5"}
            ),
            error_messages={"required": f"Enter the {subject}"},
            **kwargs,
        )

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = TIME.match(value)
        if not match:
            raise ValidationError(
                f"Enter the {self.subject} as hours and minutes, like 14:30", code="invalid"
            )
        return datetime.time(int(match[1]), int(match[2]))


# Field factories: each field with the service manual's error messages, so a form says only what
# is particular to it. ``message`` is what the person is told when the answer is missing (and, for
# a choice, when it is not one of the choices); limits are said in characters or as numbers.


def _limit(label: str, max_length: int | None) -> dict:
    if max_length is None:
        return {}
    return {"max_length": f"{label} must be {max_length:,} characters or fewer"}


def text_field(label, *, max_length, message="", required=True, too_long="", **options):
    """A one-line text input: ``message`` when it is empty; ``too_long`` (or the limit said
    in characters) when it is longer than ``max_length``."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": message,
            **_limit(label, max_length),
            **({"max_length": too_long} if too_long else {}),
        },
        **options,
    )


def text_box(label, *, required=True, max_length, message="", rows=4, help_text="", too_long=""):
    """A textarea with the manual's messages: ``message`` when it is empty, and the limit said
    in characters."""
    return text_field(
        label,
        max_length=max_length,
        message=message,
        required=required,
        too_long=too_long,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def email_field(label, *, message, required=True, **options):
    """An email address (at most 254 characters, as RFC 5321 allows): ``message`` when it is
    empty, and the manual's messages when it is not one or is too long."""
    return forms.EmailField(
        label=label,
        required=required,
        max_length=254,
        error_messages={
            "required": message,
            "invalid": "Enter an email address in the correct format, like name@nhs.net",
            "max_length": "Email address must be 254 characters or fewer",
        },
        **options,
    )


def radios(
    label,
    choices,
    *,
    message,
    required=True,
    conditionals=None,
    hints=None,
    inline=False,
    **options,
):
    """Radios (one answer): ``message`` when none is chosen, or one that is not offered.
    ``conditionals`` maps a choice to the fields revealed under it, ``hints`` to the hint shown
    with it."""
    attrs = {"class": "nhsuk-radios--inline"} if inline else None
    field = options.pop("field", forms.ChoiceField)
    return field(
        label=label,
        choices=choices,
        required=required,
        widget=NHSRadioSelect(attrs=attrs, conditionals=conditionals, choice_hints=hints),
        error_messages={"required": message, "invalid_choice": message},
        **options,
    )


def select(label, choices, *, message, required=True, **options):
    """A drop-down list: ``message`` when nothing, or something not offered, is chosen."""
    field = options.pop("field", forms.ChoiceField)
    return field(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": message, "invalid_choice": message},
        **options,
    )


def choose_from(label, queryset, *, message, required=True, **options):
    """A drop-down list of rows (people, organisations): ``message`` when nothing, or a row not
    offered, is chosen."""
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset,
        required=required,
        error_messages={"required": message, "invalid_choice": message},
        **options,
    )


def checkboxes(label, choices, *, message, required=True, **options):
    """Checkboxes (any number of answers): ``message`` when none is ticked, or one that is not
    offered."""
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=options.pop("widget", NHSCheckboxSelectMultiple),
        error_messages={"required": message, "invalid_choice": message},
        **options,
    )


def web_address(label, *, example, required=False, max_length=500, **options):
    """A web address, https:// assumed when it is left out: "Enter a web address, like
    ``example``" when it is not one."""
    return forms.URLField(
        label=label,
        required=required,
        max_length=max_length,
        assume_scheme="https",
        error_messages={
            "invalid": f"Enter a web address, like {example}",
            **_limit("The web address", max_length),
        },
        **options,
    )


def file_field(label, *, message="", required=True, **options):
    """A file to upload: ``message`` when none is chosen; "The file is empty" for an empty one
    (what it may be and how big is the upload checks' to say: core.uploads)."""
    return forms.FileField(
        label=label,
        required=required,
        error_messages={"required": message, "empty": "The file is empty"},
        **options,
    )


class PickedFrom(forms.ModelChoiceField):
    """A choice of one row (a person) from what ``offer`` gives: a drop-down list while there
    are at most ``LIST_UP_TO``, else a text box for the row's ``key`` (an email address). The
    picker script (static/js/row-picker.js) turns the text box into suggestions asked from the
    address ``suggestions`` as it is typed; without it the key is typed whole. A list of
    thousands is neither read nor quick to send: an organisation's 5,000 members are found by
    name instead."""

    LIST_UP_TO = 100

    def __init__(self, *args, key: str = "email", key_label: str = "email address", **kwargs):
        self.key, self.key_label = key, key_label
        super().__init__(*args, **kwargs)

    def offer(self, queryset, *, suggestions: str, count: int | None = None) -> None:
        """Offer ``queryset`` (``count`` rows, when already counted)."""
        self.queryset = queryset
        if (queryset.count() if count is None else count) <= self.LIST_UP_TO:
            return
        self.to_field_name = self.key
        widget = forms.TextInput(
            attrs={
                "data-row-picker": suggestions,
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "nhsuk-u-width-two-thirds",
            }
        )
        widget.is_required = self.required
        self.widget = widget
        self.help_text = (
            f"Type their name and choose them from the list, or type their {self.key_label}"
        )

    @property
    def picks_by_key(self) -> bool:
        return self.to_field_name is not None

    def to_python(self, value):
        if not self.picks_by_key:
            return super().to_python(value)
        value = str(value or "").strip()
        if not value:
            return None
        found = list(self.queryset.filter(**{f"{self.key}__iexact": value})[:2])
        if len(found) != 1:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found[0]

    def prepare_value(self, value):
        # A saved choice comes as the row's primary key: the text box shows its key.
        if self.picks_by_key and isinstance(value, int):
            return self.queryset.filter(pk=value).values_list(self.key, flat=True).first()
        return super().prepare_value(value)


def picked_from(label, queryset, *, message, required=True, **options):
    """A choice of one person (see PickedFrom), as ``choose_from``: ``message`` when nobody,
    or someone not offered, is chosen."""
    return PickedFrom(
        label=label,
        queryset=queryset,
        required=required,
        error_messages={
            "required": message,
            "invalid_choice": message,
            **options.pop("error_messages", {}),
        },
        **options,
    )
