"""Django's password validators, with messages in the NHS.UK style (what to do, not what went
wrong). The rules are Django's own."""

import re

from django.contrib.auth import password_validation as django


class MinimumLengthValidator(django.MinimumLengthValidator):
    def get_error_message(self):
        return f"Password must be {self.min_length} characters or more"


class UserAttributeSimilarityValidator(django.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "Password must not be like your name or email address"


class CommonPasswordValidator(django.CommonPasswordValidator):
    def get_error_message(self):
        return "Password is too common. Choose one that is harder to guess"


class NumericPasswordValidator(django.NumericPasswordValidator):
    def get_error_message(self):
        return "Password must include letters or symbols, not only numbers"


# Professional registration numbers, as each regulator issues them --------------------------

# The HCPC's prefix for each profession it registers (arts therapists, biomedical scientists,
# chiropodists, clinical scientists, dietitians, hearing aid dispensers, orthoptists,
# occupational therapists, operating department practitioners, paramedics, physiotherapists,
# practitioner psychologists, prosthetists and orthotists, radiographers, speech and
# language therapists).
HCPC_PREFIXES = frozenset(
    {"AS", "BS", "CH", "CS", "DT", "HAD", "OR", "OT", "ODP", "PA", "PH", "PYL", "PO", "RA", "SL"}
)
_FORMATS = {
    "gphc": (r"\d{7}", "A GPhC registration number is 7 numbers, like 2071234"),
    "gmc": (r"\d{7}", "A GMC reference number is 7 numbers, like 7012345"),
    "nmc": (
        r"\d{2}[A-Z]\d{4}[A-Z]",
        "An NMC PIN is 2 numbers, a letter, 4 numbers and a letter, like 12A3456E",
    ),
    "hcpc": (
        r"(?P<prefix>[A-Z]{2,3})\d{5,6}",
        "An HCPC registration number is the profession's letters and 5 or 6 numbers, like PA12345",
    ),
}


def registration_number_errors(regulator: str, number: str) -> str:
    """What is wrong with ``number`` (spaces taken out, in capitals) as a registration number
    of ``regulator``; empty when nothing is."""
    pattern, message = _FORMATS[regulator]
    found = re.fullmatch(pattern, number)
    if found is None or ("prefix" in pattern and found["prefix"] not in HCPC_PREFIXES):
        return message
    return ""
