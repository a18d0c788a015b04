"""Keeping patients' identities out of incident reports.

No form asks for a patient's name or NHS number, every free-text box says not to enter them,
and text that holds what looks like an NHS number (ten digits, written together or as 3 3 4,
whose last digit is the modulus 11 check digit of the first nine: NHS Data Dictionary, "NHS
NUMBER") is flagged before it is saved.
"""

import re

# Ten digits, alone or grouped 3-3-4 with spaces or hyphens, not inside a longer number.
CANDIDATE = re.compile(r"(?<![\d])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?![\d])")

WARNING = "Do not enter patient names, NHS numbers or other details that identify a patient."


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
    found = []
    for match in CANDIDATE.finditer(text or ""):
        if is_valid_nhs_number("".join(match.groups())):
            found.append(match.group(0))
    return found
