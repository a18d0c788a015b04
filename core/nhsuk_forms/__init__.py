"""NHS.UK form widgets and fields for the ``nhsuk`` crispy-forms template pack.

See docs/adr/0003-nhsuk-template-pack.md.
"""

from .fields import (
    NHSDateField,
    choose_from,
    email_field,
    radios,
    select,
    text_box,
    text_field,
)
from .widgets import NHSCheckboxSelectMultiple, NHSDateInput, NHSRadioSelect

__all__ = [
    "NHSCheckboxSelectMultiple",
    "NHSDateField",
    "NHSDateInput",
    "NHSRadioSelect",
    "choose_from",
    "email_field",
    "radios",
    "select",
    "text_box",
    "text_field",
]
