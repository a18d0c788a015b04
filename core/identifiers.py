"""Text that identifies a patient, found so that it is refused before anything of it is stored.

- An NHS number: ten digits, written together or grouped 3 3 4 with spaces or hyphens, not part
  of a longer number, whose last digit is the modulus 11 check digit of the first nine (NHS
  Data Dictionary, "NHS NUMBER").
- A date of birth: a date written after "date of birth", "DOB", "D.O.B." or "born (on)".
  A date alone is not one: incidents are full of dates.
- A hospital number, in the shapes an organisation gives (``shape``): an example such as
  "RX1234567" stands for its letters as they are and any digit for each digit.

Used by every form that takes free text about patients' care (incidents, their reviews and
feedback, improvement work), by the drafts of reports, and by what is kept of a report typed
when its writer's session had ended.
"""

import re
from dataclasses import dataclass

NHS_NUMBER = re.compile(r"(?<!\d)(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?!\d)")
_DATE = (
    r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{2,4}"  # 12/03/1956, 1.3.56
    r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}"  # 3rd March 1956
)
DATE_OF_BIRTH = re.compile(
    rf"\b(?:date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|born(?:\s+on)?)\s*(?:[:\-]\s*)?(?:{_DATE})",
    re.IGNORECASE,
)

KINDS = {
    "nhs-number": "an NHS number",
    "date-of-birth": "a date of birth",
    "hospital-number": "a hospital number",
}
# An example of a hospital number: letters and digits, with at least 6 digits (fewer would
# refuse every dose and batch number).
EXAMPLE = re.compile(r"^(?=(?:[A-Za-z]*\d){6})[A-Za-z0-9]{6,15}$")


def shape(example: str) -> re.Pattern:
    """The pattern of a hospital number like ``example``: its letters (any case), a digit for
    each digit, not part of a longer code."""
    if not EXAMPLE.match(example):
        raise ValueError(f"{example!r} is not an example of a hospital number")
    body = "".join(r"\d" if char.isdigit() else re.escape(char) for char in example)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Identifier:
    kind: str  # a key of KINDS
    text: str  # as it was written

    @property
    def refusal(self) -> str:
        return (
            f"“{self.text}” looks like {KINDS[self.kind]}. Remove it: do not enter details that "
            "identify a patient"
        )


def is_valid_nhs_number(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers_in(text: str) -> list[str]:
    """The NHS numbers in a text, as written."""
    return [
        match.group(0)
        for match in NHS_NUMBER.finditer(text or "")
        if is_valid_nhs_number("".join(match.groups()))
    ]


def found_in(text: str, shapes=()) -> list[Identifier]:
    """Everything in ``text`` that identifies a patient (with the hospital numbers of
    ``shapes``, patterns from ``shape``), in the order written."""
    text = text or ""
    found = [Identifier("nhs-number", number) for number in nhs_numbers_in(text)]
    found += [Identifier("date-of-birth", m.group(0)) for m in DATE_OF_BIRTH.finditer(text)]
    found += [Identifier("hospital-number", m.group(0)) for s in shapes for m in s.finditer(text)]
    return found


def found_in_typed(
    typed: dict[str, list[str]], *, skip=(), shapes=()
) -> dict[str, list[Identifier]]:
    """What was posted (a dict of lists, as QueryDict.lists gives) that identifies a patient,
    by the name it was posted under (those in ``skip``, codes rather than text, left out)."""
    found = {}
    for name, values in typed.items():
        if any(name.endswith(skipped) for skipped in skip):
            continue
        if hits := [hit for value in values for hit in found_in(value, shapes)]:
            found[name] = hits
    return found
