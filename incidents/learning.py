"""The quarterly national learning summary, for network leads: a quarter's medication incidents
against the quarter before and the same quarter a year earlier, by harm, stage, what went
wrong, high-risk group and medicine, the emerging medicines, and what the features above add
(alerts/learning.py: the National Patient Safety Alerts issued in it, and how organisations
have answered). A page and a PDF from one context.

Only from the kept aggregates (``IncidentTrend``; the alerts' tallies), never an incident or
anyone's words; every count of incidents as the small-number rules allow (core/disclosure.py):
a row is drawn from fewer than 3 organisations when, in any quarter it counts, no month of it
had 3. A
national lead's summary is England's and a regional lead's their region's: a summary of one
region beside England's would let a hidden count be worked out by subtraction.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from core import disclosure

from . import trends
from .models import Dimension, IncidentTrend

TOP = 10  # rows of the longer lists (what went wrong, medicines)
# What the features above add to the summary (the alerts issued in the quarter), each a
# function of (quarter, regions, day) giving (its template, its context): added as they load.
SECTIONS: list = []


def section(add):
    """Add a section to every summary (an app's ``plug_in``)."""
    if add not in SECTIONS:
        SECTIONS.append(add)
    return add


COLUMNS = ["this", "before", "year_before"]


@dataclass(frozen=True)
class Quarter:
    start: datetime.date  # its first day

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        return cls(datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))

    @classmethod
    def parse(cls, code: str) -> "Quarter | None":
        """ "2026-Q3" as a quarter; None for anything else."""
        year, _, number = (code or "").partition("-Q")
        if not (year.isdigit() and number in {"1", "2", "3", "4"} and 2000 <= int(year) <= 2100):
            return None
        return cls(datetime.date(int(year), 3 * int(number) - 2, 1))

    @property
    def code(self) -> str:
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def months(self) -> list[datetime.date]:
        return [self.start.replace(month=self.start.month + n) for n in range(3)]

    @property
    def end(self) -> datetime.date:
        """Its last day."""
        return self.shifted(1).start - datetime.timedelta(days=1)

    @property
    def name(self) -> str:
        return f"{self.start:%B} to {self.end:%B %Y}"

    def shifted(self, quarters: int) -> "Quarter":
        month = self.start.month - 1 + 3 * quarters
        return Quarter(datetime.date(self.start.year + month // 12, month % 12 + 1, 1))


def offered(on: datetime.date, count: int = 8) -> list[Quarter]:
    """The complete quarters a summary is offered for, latest first."""
    last = Quarter.of(on).shifted(-1)
    return [last.shifted(-n) for n in range(count)]


def summary(quarter: Quarter, regions, *, on: datetime.date) -> dict:
    """The summary's context for the regions a person leads (None: England)."""
    compared = {
        "this": quarter,
        "before": quarter.shifted(-1),
        "year_before": quarter.shifted(-4),
    }
    column_of = {month: column for column, q in compared.items() for month in q.months}
    rows = IncidentTrend.objects.filter(
        dimension__in=[Dimension.ALL, *trends.SHOWN], month__in=list(column_of)
    )
    if regions is not None:
        rows = rows.filter(region__in=regions)
    counted: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(COLUMNS, 0)))
    fewest: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(COLUMNS, 0)))
    monthly: dict = defaultdict(int)  # organisations of a value's month, summed over regions
    for dimension, value, month, count, organisations in rows.values_list(
        "dimension", "value", "month", "count", "organisations"
    ):
        counted[dimension][value][column_of[month]] += count
        monthly[(dimension, value, month)] += organisations
    for (dimension, value, month), organisations in monthly.items():
        kept = fewest[dimension][value]
        kept[column_of[month]] = max(kept[column_of[month]], organisations)
    tables = {}
    for dimension in (Dimension.ALL, *trends.SHOWN):
        words = trends.words_for(dimension, counted[dimension])
        table = [
            {
                "value": value,
                "words": words.get(value, value),
                **counts,
                # The fewest organisations any quarter counted is drawn from (at least).
                "organisations": min(
                    (n for column, n in fewest[dimension][value].items() if counts[column]),
                    default=disclosure.FEWEST_ORGANISATIONS,
                ),
            }
            for value, counts in counted[dimension].items()
            if any(counts.values())  # a count that fell back to none
        ]
        if dimension in (Dimension.HARM, Dimension.STAGE):
            order = list(words)
            table.sort(key=lambda row: order.index(row["value"]) if row["value"] in order else 99)
        else:
            table.sort(key=lambda row: (-row["this"], row["words"]))
        shown, totals = disclosure.protect(table, COLUMNS)
        tables[dimension] = {"rows": shown, "totals": totals}
    for dimension in (Dimension.THEME, Dimension.SUBSTANCE):
        tables[dimension]["more"] = max(0, len(tables[dimension]["rows"]) - TOP)
        tables[dimension]["rows"] = tables[dimension]["rows"][:TOP]
    emerging = trends.trends(
        Dimension.SUBSTANCE,
        trends.ENGLAND,
        regions,
        on=min(on, quarter.shifted(1).start + datetime.timedelta(days=31)),
    ).emerging
    return {
        "quarter": quarter,
        "compared": compared,
        "all": (tables[Dimension.ALL]["rows"] or [None])[0],
        "tables": [(dimension, tables[dimension]) for dimension in trends.SHOWN],
        "emerging": emerging,
        "sections": [add(quarter, regions, on) for add in SECTIONS],
        "small": disclosure.SMALL,
        "fewest": disclosure.FEWEST_ORGANISATIONS,
    }
