"""Working days in England: Monday to Friday, less the bank holidays of England and Wales (the
holidays library, kept up to date by its maintainers)."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _bank_holidays(year: int):
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
