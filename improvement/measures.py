"""A project's measure as a run chart: its values over time read with the same SPC rules as
the incident dashboard (core/spc.py, "Making Data Count"), each point a week or a month,
and what the latest point says against the direction of improvement.

A value stands for the week (from its Monday) or the month (from its first day) it was taken
in, so a chart has one point a period and the same period cannot be entered twice.
"""

import datetime

from core import spc

from .models import Better, Frequency, PdsaCycle

UNITS = {Frequency.WEEKLY: "weeks", Frequency.MONTHLY: "months"}
PER = {Frequency.WEEKLY: "a week", Frequency.MONTHLY: "a month"}


def period_start(frequency: str, day: datetime.date) -> datetime.date:
    """The first day of the week (Monday) or the month that ``day`` falls in."""
    if frequency == Frequency.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_name(frequency: str, start: datetime.date) -> str:
    """How a period is written: "November 2026", "week of 2 November 2026"."""
    if frequency == Frequency.WEEKLY:
        return f"week of {start:%-d %B %Y}"
    return f"{start:%B %Y}"


def label(frequency: str, start: datetime.date) -> str:
    """A point's label on the chart, short: "Nov 2026", "2 Nov 26"."""
    return f"{start:%-d %b %y}" if frequency == Frequency.WEEKLY else f"{start:%b %Y}"


DIRECTIONS = {Better.HIGHER: spc.Direction.HIGHER, Better.LOWER: spc.Direction.LOWER}


def changes(project, points) -> list[int]:
    """Where the process changed: the first point on or after the end of each PDSA cycle whose
    change was adopted (its limits start again there, Making Data Count's rebasing)."""
    adopted = sorted(
        cycle.ends_on
        for cycle in project.cycles.all()
        if cycle.decision == PdsaCycle.Decision.ADOPT and cycle.ends_on
    )
    found = []
    for day in adopted:
        index = next((i for i, p in enumerate(points) if p.period_start >= day), None)
        if index:
            found.append(index)
    return found


def chart(project, points) -> spc.Chart:
    """The XmR chart of a project's measure, from its points in time order, rebased where an
    adopted change began and read in the project's direction of improvement."""
    return spc.xmr(
        [(label(project.frequency, p.period_start), float(p.value)) for p in points],
        direction=DIRECTIONS[project.better],
        rebase=changes(project, points),
        unit=UNITS[project.frequency],
        what=f"{project.measure[:1].lower()}{project.measure[1:]}",
        per=f"({project.measure_unit}) {PER[project.frequency]}",
    )


def reading(project, drawn: spc.Chart) -> str:
    """What the latest point says in the terms of improvement (the variation icon's reading):
    special cause in the better direction (improvement) or the worse (concern), or common
    cause; "" where there are no limits to read it against yet."""
    variation = drawn.variation()
    if variation is None:
        return ""
    if variation == spc.Variation.COMMON:
        return "The latest value shows common cause variation: no sign of change yet."
    if variation in (spc.Variation.IMPROVEMENT_HIGH, spc.Variation.IMPROVEMENT_LOW):
        return "The latest value shows special cause improvement."
    return "The latest value shows special cause concern: look at what changed."


def result(project, points) -> dict:
    """What a project's measure came to, for the committee: its first and latest values and
    the reading of its run chart (plain data, kept in an approved report's snapshot)."""
    if not points:
        return {"first": None, "latest": None, "reading": "No values recorded."}
    drawn = chart(project, points)

    def value(point) -> str:
        return f"{point.value.normalize():f} ({period_name(project.frequency, point.period_start)})"

    return {
        "first": value(points[0]),
        "latest": value(points[-1]),
        "reading": reading(project, drawn) or drawn.interpretation(),
    }
