"""What a dm+d code is: the SNOMED CT identifier of a concept (a VTM, VMP or AMP is a concept
in SNOMED CT's UK drug extension), 6 to 18 digits, whose partition identifier (the second and
third digits from the right) says it identifies a concept: "00" for a concept of the
international release (short format), "10" for one of an extension such as the UK's (long
format). SNOMED CT Technical Implementation Guide, "SCTID" and "Partition identifier".

The check digit (Verhoeff) is not asked: the product's sample dm+d release is fictional and
would not pass it. The partition alone refuses what is most often typed by mistake in the box,
an NHS number (whose last three digits are almost never a concept's partition)."""

import re

from django.core.exceptions import ValidationError

SCTID = re.compile(r"^\d{6,18}$")
CONCEPT_PARTITIONS = ("00", "10")
MESSAGE = "A dm+d code is 6 to 18 digits: the code of a medicine in the dm+d"


def is_dmd_code(code: str) -> bool:
    return bool(SCTID.match(code)) and code[-3:-1] in CONCEPT_PARTITIONS


def validate_dmd_code(code: str) -> None:
    if not is_dmd_code(code):
        raise ValidationError(MESSAGE, code="invalid")
