"""What the apps above show on a person's own account page, added at start-up: each section is
a template and a function of the person giving its context (``account_section``, in the app's
AppConfig.ready)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AccountSection:
    template: str
    context: Callable[..., dict]  # (user) -> what the template reads as ``section``


SECTIONS: list[AccountSection] = []


def account_section(section: AccountSection) -> AccountSection:
    if section not in SECTIONS:
        SECTIONS.append(section)
    return section
