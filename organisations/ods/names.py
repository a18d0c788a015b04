"""How the import writes ODS's names: in title case with the NHS acronyms kept
(``nhs_titlecase``), an ICB's name read from a sub-ICB location's, the placeholder for an ICB
known only by its code, and how sure each name is."""

import re

from titlecase import titlecase

PLACEHOLDER = "ICB {code} (name to come from ODS)"
# Words ODS writes in capitals that stay so in a name written in title case.
ACRONYMS = frozenset(
    {"NHS", "ICB", "PCN", "CCG", "GP", "GPS", "UK", "LLP", "PLC", "CIC", "HIV", "A&E", "ENT"}
)
# Words of no vowels that are not acronyms (titlecase would keep them in capitals).
WORDS = {"LTD": "Ltd", "DR": "Dr", "ST": "St", "MR": "Mr", "MRS": "Mrs"}
# "NHS NOTTINGHAM AND NOTTINGHAMSHIRE ICB - 52R": the ICB's name, then the location's code.
SUB_ICB_NAME = re.compile(r"^(?P<icb>.+\bICB)\s*-\s*[A-Z0-9]+$", re.IGNORECASE)
# How sure a name is: one from the ICB's own row beats one read from a sub-ICB location's,
# which beats the placeholder; a name is only ever replaced by one as sure or surer.
FROM_FILE, FROM_SUB_ICB, FROM_NOTHING = 3, 2, 1


def nhs_titlecase(name: str) -> str:
    """An ODS name (in capitals) in title case, its NHS acronyms and codes kept in capitals."""

    def keep(word, **kwargs):
        upper = word.upper()
        if upper in ACRONYMS or any(c.isdigit() for c in word):
            return upper
        return WORDS.get(upper)

    return titlecase(name.lower(), callback=keep)
