"""Validation of Organisation Data Service (ODS) codes.

ODS codes are issued by NHS England's Organisation Data Service: 3 to 6 upper-case letters and
digits. Some organisation kinds have a fixed shape (ODS code formats, NHS Digital data dictionary):
NHS trusts start with R or T (3 characters; 5 for a site), ICBs with Q (3 characters; the
sub-ICB location is a separate code), PCNs are U + 5 digits, GP practices a letter + 5 digits, and
community pharmacies F + 4 characters; NHS England's regional teams are Y + 2 characters (Y56).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .choices import OrganisationKind

ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")

TRUST = (re.compile(r"^[RT][A-Z0-9]{2}$"), "R or T and 2 more characters, like RX1")

# Kind -> (pattern, the shape described for an error message).
KIND_PATTERNS = {
    OrganisationKind.NHS_TRUST: TRUST,
    OrganisationKind.FOUNDATION_TRUST: TRUST,
    OrganisationKind.AMBULANCE_TRUST: (re.compile(r"^R[A-Z0-9]{2}$"), "R and 2 more characters"),
    OrganisationKind.ICB: (re.compile(r"^Q[A-Z0-9]{2}$"), "Q and 2 more characters, like QWE"),
    OrganisationKind.PCN: (re.compile(r"^U\d{5}$"), "U and 5 digits, like U12345"),
    OrganisationKind.GP_PRACTICE: (
        re.compile(r"^[A-Z]\d{5}$"),
        "a letter and 5 digits, like A81001",
    ),
    OrganisationKind.COMMUNITY_PHARMACY: (
        re.compile(r"^F[A-Z0-9]{4}$"),
        "F and 4 more characters, like FA123",
    ),
    OrganisationKind.NHS_ENGLAND_REGION: (
        re.compile(r"^Y[A-Z0-9]{2}$"),
        "Y and 2 more characters, like Y56",
    ),
}


def normalise_ods_code(value: str) -> str:
    return (value or "").strip().upper()


def validate_ods_code(value: str) -> None:
    if not ODS_CODE.fullmatch(value or "") or not any(c.isalpha() for c in value):
        raise ValidationError(
            "Enter an ODS code of 3 to 6 letters and numbers, like RX1 or A81001",
            code="invalid_ods_code",
        )


def validate_ods_code_for_kind(value: str, kind: str) -> None:
    pattern = KIND_PATTERNS.get(kind)
    if pattern and not pattern[0].fullmatch(value or ""):
        raise ValidationError(
            "The ODS code of a %(kind)s is %(shape)s",
            code="invalid_ods_code_for_kind",
            params={"kind": OrganisationKind(kind).label, "shape": pattern[1]},
        )


class ODSCodeFormField(forms.CharField):
    """An ODS code typed in: any case, spaces dropped; ``message`` when it is empty. Whether an
    organisation has the code is the form's or the service's to check."""

    def __init__(self, *, message="", **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"})
        )
        kwargs["error_messages"] = {
            **({"required": message} if message else {}),
            "max_length": "Enter an ODS code of 3 to 6 letters and numbers, like RX1 or A81001",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_ods_code(super().to_python(value))


class ODSCodeField(models.CharField):
    """An ODS code: stored upper case without spaces, validated for its shape."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 6)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalise_ods_code(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ODSCodeFormField, **kwargs})
